"""Unit tests for etl/records/services.py: service types named in plan texts, table-driven.

Every expected value was written from the wording (the taxonomy etl/data/service_types.csv, the export contract,
the Social Services Act 2020 and the 2021 Planning Ordinance), never from the program's output.
"""

from __future__ import annotations

import csv

import pytest

from etl.records.services import (
    NOT_SERVICES,
    abbreviation_codes,
    classify_service,
    initials,
    name_variants,
    service_mentions,
)
from etl.vocabulary import DATA

# --- initials ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("phrase, expected", [
    ("Център за настаняване от семеен тип", "ЦНСТ"),
    ("Център за социална рехабилитация и интеграция", "ЦСРИ"),
    ("Център за обществена подкрепа", "ЦОП"),
    ("Дом за деца лишени от родителска грижа", "ДДЛРГ"),
    ("Дом за медико-социални грижи за деца", "ДМГД"),  # a hyphenated word counts once
    ("Звено „Майка и бебе“", "ЗМБ"),  # quotes are not letters
    ("Дневен център за деца (и младежи) с увреждания", "ДЦДМУ"),
    ("Домашен социален патронаж", "ДСП"),
    ("Дирекция „Социално подпомагане“", "ДСП"),
    ("Дом за възрастни хора със сетивни нарушения", "ДВХСН"),  # със skipped
    ("Център за работа с деца на улицата", "ЦРДУ"),
    ("Център за грижа за възрастни хора в невъзможност за самообслужване", "ЦГВХНС"),
    ("Клуб на хората с увреждания", "КХУ"),
    ("Център за настаняване от семеен тип за пълнолетни лица с увреждания", "ЦНСТПЛУ"),
    ("центрове за настаняване във и при общината до 2025 по плана към стратегията", "ЦНОПС"),  # stop words, digits
])
def test_initials(phrase, expected):
    assert initials(phrase) == expected


@pytest.mark.parametrize("name, expected", [
    ("Център за настаняване от семеен тип за деца/младежи без увреждания",
     ["Център за настаняване от семеен тип за деца без увреждания",
      "Център за настаняване от семеен тип за младежи без увреждания"]),
    ("Семеен / общностен център за деца и семейства",
     ["Семеен център за деца и семейства", "общностен център за деца и семейства"]),
    ("Център за ранно детско развитие / ранна интервенция", ["Център за ранно детско развитие"]),
])
def test_name_variants(name, expected):
    assert name_variants(name) == expected


def _taxonomy() -> list[dict[str, str]]:
    with open(DATA / "service_types.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _full_names(row: dict[str, str]) -> list[str]:
    """name_bg and the full names (two words or more) of the common names column, alternatives spelled out."""
    names = name_variants(row["name_bg"])
    for entry in row["common_names_and_abbreviations"].split(";"):
        entry = entry.split("(")[0].strip()
        if len(entry.split()) >= 2:
            names += name_variants(entry)
    return names


# Names whose initials are not read as an abbreviation, because they are words or another thing's abbreviation:
# ПГ (професионална гимназия; also Патронажна грижа), ОТ and ТО (prepositions/pronouns written in capitals).
BLOCKED_INITIALS = {"Приемна грижа": "ПГ", "Обществена трапезария": "ОТ", "Топъл обяд": "ТО"}


def test_derived_initials_cover_every_taxonomy_name():
    blocked = {}
    for row in _taxonomy():
        names = _full_names(row)
        for name in names:
            abbreviation = initials(name)
            if abbreviation in NOT_SERVICES:
                blocked[name] = abbreviation
            elif len(abbreviation) >= 2:
                assert row["code"] in abbreviation_codes(abbreviation), (name, abbreviation)
        # every code of the taxonomy is reachable through the initials of at least one of its names
        assert any(row["code"] in abbreviation_codes(initials(n)) for n in names), row["code"]
    assert blocked == BLOCKED_INITIALS


def test_listed_abbreviations_are_read():
    for row in _taxonomy():
        for entry in row["common_names_and_abbreviations"].split(";"):
            token = entry.split("(")[0].strip()  # 'ДСП (в смисъл на патронаж …)'
            if token.isupper() and " " not in token:
                assert row["code"] in abbreviation_codes(token), (row["code"], token)


# --- abbreviations never listed anywhere, read from initials and target-group letters ------------------------


@pytest.mark.parametrize("text, expected", [
    ("ЦНСТДМУ", "CNST_CHILDREN_DISABLED"),
    ("ЦНСТПЛУ – резидентна услуга", "CNST_ADULTS"),
    ("ДЦПЛУ", "DC_ADULTS_DISABLED"),
    ("ДЦДУ", "DC_CHILDREN_DISABLED"),
    ("ЦРДУ", "OTHER_SERVICE"),  # Център за работа с деца на улицата: a service, not in the taxonomy's list
    ("ЦНСТМУ „Слънце“", "CNST_CHILDREN_DISABLED"),  # младежи с увреждания
    ("ЦНСТЛУИ", "CNST_ADULTS"),  # лица с умствена изостаналост
    ("ЦНСТЛПР гр. Самоков", "CNST_ADULTS"),  # лица с психични разстройства
    ("ЦНСТДБУ", "CNST_CHILDREN"),  # деца без увреждания
    ("ЦНСТВХ", "CNST_ELDERLY"),  # възрастни хора
    ("ЦНСТВХУ", "CNST_ADULTS"),  # възрастни хора с увреждания: adults
    ("ДЦМУ", "DC_CHILDREN_DISABLED"),
    ("ДЦЛУ", "DC_ADULTS_DISABLED"),
    ("ДЦВХ", "DC_ELDERLY"),
    ("ЦНСТ-ДМУ", "CNST_CHILDREN_DISABLED"),
    ("ЦГЛПР", "CNST_ADULTS"),  # Център за грижа за лица с психични разстройства
    ("ЦГДТУ", "CNST_CHILDREN_DISABLED"),  # Център за грижа за деца с трайни увреждания
    ("ЦПЛУ", "DC_ADULTS_DISABLED"),  # Център за подкрепа на лица с увреждания
    ("ЦСЗСГ", "OTHER_SERVICE"),
    ("ОЦДС", "FAMILY_CENTRE"),  # Общностен център за деца и семейства
    ("ДВХУИ", "INST_ADULTS"),
    ("ДПЛПР", "INST_ADULTS"),
    ("Поддръжка на КХУ", "DISABLED_CLUB"),
])
def test_abbreviations(text, expected):
    assert classify_service(text) == expected


@pytest.mark.parametrize("text", [
    "ДДД", "ОЗД", "ДСП-ОЗД", "ОЗД-ДСП", "РДСП", "Средства по НП АХУ", "ПГ по туризъм", "ОП РЧР", "НПВУ",
    "ОБЩО", "ДОМАШЕН ПОМОЩНИК И СОЦИАЛЕН АСИСТЕНТ",  # two services, in capitals
    "Деца, настанени в СИ",  # СИ: any institution, where children leave from
    "ЦП при децата",  # ЦП = церебрална парализа
])
def test_not_a_service_abbreviation(text):
    assert classify_service(text) is None


# --- ambiguous abbreviations and names: the context decides, else None ---------------------------------------


@pytest.mark.parametrize("name, description, expected", [
    ("ЦНСТ", "", None),
    ("ЦНСТ", "Резидентна грижа за деца и младежи с увреждания", "CNST_CHILDREN_DISABLED"),
    ("ЦНСТ – 2 бр.", "Резидентна грижа за пълнолетни лица с психични разстройства", "CNST_ADULTS"),
    ("ЦНСТ", "Грижа за стари хора в среда, близка до семейната", "CNST_ELDERLY"),
    ("ЦНСТ за деца", "", "CNST_CHILDREN"),  # children, no word on disabilities: the plain ЦНСТ за деца
    ("ЦНСТ „Надежда“", "Грижа за деца с аутизъм", "CNST_CHILDREN_DISABLED"),
    ("ЦНСТ за деца", "деца с тежки множествени увреждания", "CNST_CHILDREN_DISABLED"),
    ("ЦНСТ за възрастни хора", "", "CNST_ELDERLY"),
    ("ЦНСТ за възрастни хора с деменция", "", "CNST_ADULTS"),
    ("ЦНСТ", "за деца и за стари хора", None),  # two groups: the context does not decide
    ("ЦНСТ „Малък групов дом“", "", "CNST_CHILDREN"),  # the same service named twice
    ("ДЦ", "", None),
    ("ДЦ „Слънце“", "Дневна грижа за стари хора", "DC_ELDERLY"),
    ("ДЦ", "Рехабилитация на пълнолетни лица с умствена изостаналост", "DC_ADULTS_DISABLED"),
    ("Дневен център „Надежда“", "за деца с увреждания и техните семейства", "DC_CHILDREN_DISABLED"),
    ("Дневен център", "", None),
    ("Дневен център", "за деца без увреждания", None),  # no day centre of the taxonomy fits
    ("ДСП", "", None),
    ("ДСП", "приготвяне и доставка на храна по домовете", "HOME_PATRONAGE"),
    ("„Домашен социален патронаж“ (ДСП)", "", "HOME_PATRONAGE"),
    ("Изнесено обслужване от ДСП – с. Бели Искър и с. Мала църква", "", "HOME_PATRONAGE"),
    ("Продължава доставката на храна от ДСП до с. Бели Искър", "", "HOME_PATRONAGE"),
    ("ДСП – Самоков", "", None),  # a provider: the Directorate
    ("Съвместни срещи с ДСП – Самоков и доставчиците", "", None),
    ("Консултиране на деца, насочени от ДСП", "", None),  # the Directorate refers children
    ("Център за обществена подкрепа", "деца, насочени от ДСП – Самоков", "COP"),
    ("Взаимодействие с ДСП", "обмен на информация за децата в риск, ОЗД", None),
    ("Осигуряване на подслон", "", None),
    ("Осигуряване на подслон", "за жени, пострадали от насилие", "CRISIS_CENTRE"),
    ("Осигуряване на подслон на бездомни лица", "", "SHELTER"),
    ("Услуга за резидентна грижа", "", None),
    ("Услуга за резидентна грижа", "за деца без увреждания", "CNST_CHILDREN"),
    ("Дневна грижа", "", None),
])
def test_ambiguous_names_decided_by_context(name, description, expected):
    assert classify_service(name, description) == expected


# --- names under the Social Services Act (2020) and the Planning Ordinance (2021) ----------------------------


@pytest.mark.parametrize("name, expected", [
    ("Център за грижа за лица с психични разстройства", "CNST_ADULTS"),
    ("Център за грижа за лица с умствена изостаналост", "CNST_ADULTS"),
    ("Център за грижа за лица с деменция", "CNST_ADULTS"),
    ("Център за грижа за възрастни хора в невъзможност за самообслужване", "CNST_ELDERLY"),
    ("Център за грижа за деца с трайни увреждания", "CNST_CHILDREN_DISABLED"),
    ("Център за грижа за деца с трайни увреждания с потребност от постоянни медицински грижи",
     "CNST_CHILDREN_DISABLED"),
    ("Център за подкрепа на лица с увреждания", "DC_ADULTS_DISABLED"),
    ("Център за подкрепа за деца и семейства", "COP"),
    ("Център за специализирана здравно-социална грижа за деца с увреждания", "OTHER_SERVICE"),
    ("Услуга за резидентна грижа за стари хора", "CNST_ELDERLY"),
    ("Резидентна грижа за пълнолетни лица с физически увреждания", "CNST_ADULTS"),
    ("Дневна грижа за деца с увреждания", "DC_CHILDREN_DISABLED"),
    ("Дневна грижа за пълнолетни лица с увреждания", "DC_ADULTS_DISABLED"),
    ("Общностен център за деца и семейства", "FAMILY_CENTRE"),
    ("Асистентска подкрепа", "HOME_CARE_UNIT"),
    ("Патронажна грижа за възрастни хора и лица с увреждания", "HOME_CARE_UNIT"),  # not HOME_PATRONAGE
    ("Проект „Патронажна грижа“ – почасови услуги в домашна среда", "HOME_CARE_UNIT"),
    ("Осигуряване на подслон на бездомни лица", "SHELTER"),
    # no fitting code in the taxonomy: no type rather than a wrong one
    ("Информиране и консултиране", None),
    ("Застъпничество и посредничество", None),
    ("Терапия и рехабилитация", None),
    ("Мобилни социални услуги", None),
    ("Общностна работа", None),
    ("Интегриран център за социална подкрепа", None),
    ("Център за развитие на деца", None),
])
def test_act_2020_names(name, expected):
    assert classify_service(name, "") == expected


def test_a_name_without_a_code_leaves_the_description_to_decide():
    assert classify_service("Информиране и консултиране", "Предоставя се в Центъра за обществена подкрепа") == "COP"


# --- OCR slips and misspellings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name, expected", [
    ("Цетър за обществена подкрепа (ЦОП)", "COP"),
    ("Цетър за обществена подкрепа", "COP"),
    ("Дневен цетър за стари хора", "DC_ELDERLY"),
    ("Центьр за социална рехабилитация и интеграция", "CSRI"),  # ь for ъ
    ("Цeнтър за временно настаняване", "TEMP_ACCOMMODATION"),  # Latin e
    ("Защитенo жилище", "PROTECTED_HOME"),  # Latin o
    ("Домашен социален пaтронаж", "HOME_PATRONAGE"),  # Latin a
    ("Цен- тър за обществена подкрепа", "COP"),  # hyphenated at a line end
    ("Цен-\nтър за обществена подкрепа", "COP"),
    ("Центърза обществена подкрепа", "COP"),  # missing space
    ("Център заобществена подкрепа", "COP"),
    ("Дневенцентър за деца с увреждания", "DC_CHILDREN_DISABLED"),
    ("Център за социална рехабилитацня и интеграция", "CSRI"),  # н for и
    ("Кризнсен център", "CRISIS_CENTRE"),
    ("ЦЕТЪР ЗА ОБЩЕСТВЕНА ПОДКРЕПА", "COP"),
])
def test_slips(name, expected):
    assert classify_service(name, "") == expected


@pytest.mark.parametrize("name", [
    "Древен обичай на селото",  # one letter from 'дневен', but a word
    "Специален фонд",  # two letters from 'социален'
    "Марка и бебе",  # 'марка' is a word, not 'майка'
])
def test_words_near_service_words_stay(name):
    assert classify_service(name, "") is None


# --- mentions, positions, the title and 'към' -------------------------------------------------------------------


def test_mentions_give_positions_in_the_text_as_written():
    text = "Цен- тър за обществена подкрепа и  ЦСРИ, Личен асистент"
    assert service_mentions(text) == [(0, "COP"), (text.index("ЦСРИ"), "CSRI"),
                                      (text.index("Личен"), "PERSONAL_ASSISTANT")]


def test_mentions_leave_out_what_the_text_does_not_decide():
    assert service_mentions("ЦНСТ и ДСП – Самоков") == []
    assert service_mentions("ЦНСТ за стари хора и ДЦДУ") == [(0, "CNST_ELDERLY"), (21, "DC_CHILDREN_DISABLED")]


@pytest.mark.parametrize("text, expected", [
    ("Дневен център за деца с увреждания към ДМСГД", ["DC_CHILDREN_DISABLED"]),
    ("Звено за услуги в домашна среда към Домашния социален патронаж", ["HOME_CARE_UNIT"]),
    ("Защитено жилище към ЦНСТПЛУ", ["PROTECTED_HOME"]),
])
def test_a_service_after_kam_is_a_qualifier(text, expected):
    assert [code for _, code in service_mentions(text)] == expected


@pytest.mark.parametrize("name, description, expected", [
    ("Наблюдавани жилища – 2 бр.", "Настаняване на младежи, напускащи ДДЛРГ.", "SUPERVISED_HOME"),  # title first
    ("Домашен помощник и социален асистент", "", None),  # two services
    ("ЦНСТ за деца без увреждания и ЦНСТ за деца с увреждания", "", None),
    ("Обучение на персонала", "персонала на ЦОП и ЦСРИ", None),  # the description names two
    ("Обучение на персонала", "персонала на ЦОП", None),  # whose staff: the row is about the staff
    ("Продължаване на предоставянето", "Център за обществена подкрепа", "COP"),
    ("Осигуряване на достъпна среда", "в сградата на ЦСРИ", None),  # whose building
    ("Патронажна грижа (Домашен социален патронаж)", "", "HOME_PATRONAGE"),  # the name it is known by
    ("Асистентска подкрепа (бивш „Социален асистент“)", "", "SOCIAL_ASSISTANT"),
    ("Център за обществена подкрепа (в т.ч. приемна грижа)", "", None),  # two services, not a renaming
    ("", "", None),
])
def test_title_then_description(name, description, expected):
    assert classify_service(name, description) == expected


@pytest.mark.parametrize("text, expected", [
    ("Осигуряване на подслон – Център за временно настаняване", "TEMP_ACCOMMODATION"),  # the Act's name, then which
    ("Осигуряване на подслон за бездомни лица", "SHELTER"),
    ("Информационна кампания за приемната грижа", None),  # what a campaign is about: not the row's service
    ("Кампания „Приемната грижа – шанс за всяко дете“", None),
])
def test_a_kind_of_care_decided_by_the_name_beside_it_and_a_campaign_about_a_service(text, expected):
    assert classify_service(text) == expected


@pytest.mark.parametrize("name", ["Почасови услуги в домашна среда", "Мобилна услуга за почасова грижа в домашна среда"])
def test_hourly_care_at_home_is_the_home_care_unit(name):
    # the taxonomy's "Звено/център за почасови услуги в домашна среда", named by what it does
    assert classify_service(name) == "HOME_CARE_UNIT"


@pytest.mark.parametrize(("text", "expected"), [
    # the users moved into other services: those are where they go, the row is the institution
    ("Дом за деца, лишени от родителска грижа (ДДЛРГ) – закриване до 30.06.2014 г.; настанените 24 деца се "
     "извеждат в ЦНСТ „Детелина“ и ЦНСТ „Слънце“ (т. 8 и т. 9) и в приемни семейства", "INST_CHILDREN"),
    ("Разкриване на ЦНСТ за деца, в който ще се преместят децата от ДДЛРГ", None),  # two services, no destination
])
def test_services_the_users_are_moved_into_are_not_the_rows_service(text, expected):
    assert classify_service(text) == expected


@pytest.mark.parametrize("text", [
    "Асистентски услуги – лична помощ по Механизма „Лична помощ“",
    "Стартиране на предоставянето на лична помощ по Закона за личната помощ от 1 септември",
])
def test_personal_assistance_named_by_its_mechanism_or_its_act(text):
    assert classify_service(text) == "PERSONAL_ASSISTANT"


@pytest.mark.parametrize("name, expected", [
    ("Планиране на Преходно жилище за младежи, напускащи ЦНСТ", "TRANSITIONAL_HOME"),  # the ЦНСТ they leave
    ("Преходно жилище за младежи, напуснали ЦНСТ за деца без увреждания", "TRANSITIONAL_HOME"),
])
def test_a_service_the_users_come_from_is_not_the_rows_service(name, expected):
    assert classify_service(name) == expected
