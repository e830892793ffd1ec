"""Service types named in plan texts, for plans of every municipality, including wordings never seen before.

    classify_service(name, description="") -> str | None   one code when the title names one service (else
                                                            the description does); None when none, or when
                                                            ambiguous (the caller flags the row for review)
    service_mentions(text) -> list[tuple[int, str]]        (position in text, code) of each service named
    initials(phrase) -> str                                 "Център за настаняване от семеен тип" → "ЦНСТ"
    abbreviation_codes(token) -> frozenset[str]             the codes an abbreviation can stand for, before context

How a text is read:

1. Normalised, keeping each character's position in the original: soft hyphens and words hyphenated at a line
   end ("Цен- тър") joined, whitespace collapsed, Latin look-alike letters inside Cyrillic words made Cyrillic
   ("Цeнтър" with a Latin e), ь before anything but о read as ъ ("Центьр"), two known words run together split
   ("Центърза"), and OCR slips in the first letters of a known word corrected by edit distance (rapidfuzz):
   "Цетър" → "Център". Only words whose first four letters are not those of a known word are tried, against the
   words of the service names, at distance 1 (2 for words of ten letters or more); a word whose beginning is known
   but is not itself known is corrected only for one letter read wrong ("рехабилитацня", "кризнсен"; a sibling
   form such as "обществени" becomes "обществена", which reads the same to the aliases).
2. The hand-written aliases of etl/data/service_aliases.csv, as one alternation in file order: at any position the
   first listed alias that matches wins (a specific alias before a generic one).
3. Abbreviations: an upper-case token equal to the initials of a known name (the taxonomy's names, the full names
   of its common_names_and_abbreviations column, the names of the Social Services Act and the older ones listed
   in LONG_NAMES), or to the initials of a name's head ("ЦНСТ", "ДЦ", "ЦГ", "ЦП") followed by target-group letters
   ("ЦНСТДМУ" = ЦНСТ + деца, младежи, увреждания; "ДЦПЛУ" = ДЦ + пълнолетни лица, увреждания).
4. Names of the Social Services Act (ДВ бр. 24/2019, in force 01.07.2020) and the 2021 Planning Ordinance that
   name a kind of care but not its target group ("Услуга за резидентна грижа", "Дневна грижа", "Център за грижа",
   "Осигуряване на подслон"), a bare "Дневен център", "ЦНСТ" or "ДСП": the target group decides (next section).
A service named after "към" (attached to), "сградата на" or "персонала на" is a qualifier, not the subject.

Ambiguity (ЦНСТ: children / children with disabilities / adults / older people; ДЦ and "дневна грижа": day
centres of three groups; ДСП: Домашен социален патронаж or Дирекция „Социално подпомагане“, which is an
institution, not a service): the candidates are narrowed by the context words of the text the mention is in
(деца/младежи; увреждания/УИ/ТУ/аутизъм/психични разстройства; пълнолетни/лица; стари хора, "възрастни хора" —
older people unless disabilities are named, then adults; for ДСП: храна/доставка/патронаж vs дирекция/ОЗД/
насочване), then by those of the row's other text (the description for a mention in the title, the title for one
in the description). Children with no word on disabilities are the family-type centre without disabilities (the
plain "ЦНСТ за деца"). When that does not leave one code the mention is ambiguous and classify_service gives None.
"ДСП – Самоков" (a provider: ДСП, a dash and a place name) is the Directorate, and no service.

Act/Ordinance names with no fitting code in service_types.csv are deliberately not recognised (so the row gets no
type unless its description names a service): "Информиране и консултиране", "Застъпничество и посредничество",
"Терапия и рехабилитация", "Общностна работа", "Обучение за придобиване на умения", "Подкрепа за придобиване на
трудови умения", "Мобилни социални услуги", "Интегриран център за социална подкрепа", "Център за развитие на деца".
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

DATA = Path(__file__).resolve().parents[1] / "data"
DIRECTORATE = "_DIRECTORATE"  # Дирекция „Социално подпомагане“: an institution, never returned as a service

STOP_WORDS = frozenset({"за", "и", "от", "на", "с", "със", "в", "във", "по", "към", "до", "при", "или"})

# Full names not in service_types.csv, each with the closest code: names of the Social Services Act (2020) and the
# Planning Ordinance (2021), the older names of services and institutions (Закон за социалното подпомагане), and
# the one non-service whose initials collide with a service's (ДСП). Their initials become abbreviations.
LONG_NAMES: tuple[tuple[str, str], ...] = (
    ("COP", "Център за подкрепа за деца и семейства"),
    ("FAMILY_CENTRE", "Общностен център за деца и семейства"),
    ("DC_ADULTS_DISABLED", "Център за подкрепа на лица с увреждания"),
    ("DC_ADULTS_DISABLED", "Дневен център за пълнолетни лица с увреждания"),
    ("DC_ADULTS_DISABLED", "Дневен център за възрастни хора с увреждания"),
    ("DC_CHILDREN_DISABLED", "Дневен център за деца с увреждания"),
    ("DC_ELDERLY", "Дневен център за възрастни хора"),
    ("CNST_ADULTS", "Център за грижа за лица с психични разстройства"),
    ("CNST_ADULTS", "Център за грижа за лица с умствена изостаналост"),
    ("CNST_ADULTS", "Център за грижа за лица с физически увреждания"),
    ("CNST_ADULTS", "Център за грижа за лица с деменция"),
    ("CNST_ADULTS", "Център за настаняване от семеен тип за пълнолетни лица с психични разстройства"),
    ("CNST_ADULTS", "Център за настаняване от семеен тип за пълнолетни лица с умствена изостаналост"),
    ("CNST_ADULTS", "Център за настаняване от семеен тип за лица с деменция"),
    ("CNST_ELDERLY", "Център за грижа за възрастни хора в невъзможност за самообслужване"),
    ("CNST_ELDERLY", "Център за настаняване от семеен тип за възрастни хора"),
    ("CNST_CHILDREN_DISABLED", "Център за грижа за деца с трайни увреждания"),
    ("CNST_CHILDREN_DISABLED", "Център за грижа за деца с трайни увреждания с потребност от постоянни медицински грижи"),
    ("CNST_CHILDREN_DISABLED", "Център за настаняване от семеен тип за деца и младежи с увреждания"),
    ("CNST_CHILDREN", "Център за настаняване от семеен тип за деца и младежи без увреждания"),
    ("OTHER_SERVICE", "Център за специализирана здравно-социална грижа"),
    ("OTHER_SERVICE", "Център за работа с деца на улицата"),
    ("INST_CHILDREN", "Дом за деца лишени от родителска грижа"),
    ("INST_CHILDREN", "Дом за деца с умствена изостаналост"),
    ("INST_CHILDREN", "Дом за деца с физически увреждания"),
    ("INST_CHILDREN", "Дом за медико-социални грижи за деца"),
    ("INST_ADULTS", "Дом за възрастни хора с умствена изостаналост"),
    ("INST_ADULTS", "Дом за възрастни хора с психични разстройства"),
    ("INST_ADULTS", "Дом за възрастни хора с физически увреждания"),
    ("INST_ADULTS", "Дом за възрастни хора със сетивни нарушения"),
    ("INST_ADULTS", "Дом за възрастни хора с деменция"),
    ("INST_ADULTS", "Дом за пълнолетни лица с умствена изостаналост"),
    ("INST_ADULTS", "Дом за пълнолетни лица с психични разстройства"),
    ("INST_ADULTS", "Дом за пълнолетни лица с физически увреждания"),
    ("INST_ADULTS", "Дом за пълнолетни лица с деменция"),
    ("INST_ELDERLY", "Дом за възрастни хора"),
    ("HOME_CARE_UNIT", "Патронажна грижа"),
    ("HOME_CARE_UNIT", "Асистентска подкрепа"),
    ("SHELTER", "Осигуряване на подслон на бездомни лица"),
    ("TEMP_ACCOMMODATION", "Център за временно настаняване"),
    (DIRECTORATE, "Дирекция Социално подпомагане"),
)

# Abbreviations listed by hand (besides the taxonomy's own): the bare heads of ambiguous families, and slips.
EXTRA_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("DC_CHILDREN_DISABLED", "ДЦ"), ("DC_ADULTS_DISABLED", "ДЦ"), ("DC_ELDERLY", "ДЦ"),
    ("CNST_ADULTS", "ЦНСТ"), ("CNST_ELDERLY", "ЦНСТ"),
    ("DC_CHILDREN_DISABLED", "ДЦЦУ"), ("OTHER_SERVICE", "ЦСЗСГ"), ("INST_ADULTS", "ДВУИ"),
)

# Upper-case tokens that are not services though they look like abbreviations (funds, programmes, schools,
# institutions, laws, words in capitals): never read as a service. ПГ is a vocational school (and the initials of
# both Приемна грижа and Патронажна грижа), ОТ and ТО are words (Обществена трапезария, Топъл обяд).
NOT_SERVICES = frozenset({
    "ДДД", "ДДЦ", "РДСП", "АСП", "ОЗД", "АХУ", "МТСП", "ДАЗД", "ДАЗ", "МЗ", "МОН", "МВР", "РЗИ", "НЗОК", "РЗОК",
    "НП", "ОП", "ОПХ", "ОПРЧР", "ПРЧР", "ОПРР", "ПРР", "ПВУ", "НПВУ", "ЕСФ", "ЕС", "ЕИП", "БЧК", "НПО", "ФСЗ",
    "ПГ", "СУ", "ОУ", "ОТ", "ТО", "НУ", "ДГ", "ЦДГ", "ЦПЛР", "НЧ", "МКБППМН", "МКБПМН", "ДПС", "ТЕЛК", "НЕЛК", "ЛКК",
    "ЗСУ", "ЗСП", "ЗЗД", "ЗХУ", "ППЗСП", "ППЗЗД", "ДВ", "ОС", "ОБС", "СИ", "ЦП", "ДЦП", "ЦГ", "ОБЩО", "ДОМ",
    "ЗА", "НА", "ДО", "ПО", "СЕ", "ЩЕ", "НЕ", "ДА", "ИЛИ", "ПРИ", "КЪМ", "СЪС", "ВЪВ", "ЧЕ", "ИМ",
})

# Target-group letters after a head's initials ("ЦНСТ" + "ДМУ"), with what each stands for.
SUFFIX_UNITS: dict[str, frozenset[str]] = {
    "Д": frozenset({"children"}), "М": frozenset({"children"}), "У": frozenset({"disabled"}),
    "БУ": frozenset({"nondisabled"}), "ПЛ": frozenset({"adults"}), "Л": frozenset({"adults"}),
    "В": frozenset({"adults"}), "ВХ": frozenset({"older"}), "СХ": frozenset({"elderly"}),
    "УИ": frozenset({"disabled"}), "ПР": frozenset({"disabled"}), "ФУ": frozenset({"disabled"}),
    "ТУ": frozenset({"disabled"}), "ТМУ": frozenset({"disabled"}), "СУ": frozenset({"disabled"}),
    "ЛД": frozenset({"adults", "disabled"}),
}

# Who each code of an ambiguous family serves: (group, with disabilities: True / False / None = either, need).
PROFILES: dict[str, tuple[str | None, bool | None, str | None]] = {
    "CNST_CHILDREN": ("children", False, None),
    "CNST_CHILDREN_DISABLED": ("children", True, None),
    "CNST_ADULTS": ("adults", True, None),
    "CNST_ELDERLY": ("elderly", None, None),
    "DC_CHILDREN_DISABLED": ("children", True, None),
    "DC_ADULTS_DISABLED": ("adults", True, None),
    "DC_ELDERLY": ("elderly", None, None),
    "COP": ("children", None, None),
    "SHELTER": (None, None, "homeless"),
    "CRISIS_CENTRE": (None, None, "violence"),
    "MOTHER_BABY": (None, None, "mothers"),
}
RESIDENTIAL = frozenset({"CNST_CHILDREN", "CNST_CHILDREN_DISABLED", "CNST_ADULTS", "CNST_ELDERLY"})
DAY_CARE = frozenset({"DC_CHILDREN_DISABLED", "DC_ADULTS_DISABLED", "DC_ELDERLY"})
SHELTERS = frozenset({"SHELTER", "CRISIS_CENTRE", "MOTHER_BABY", "TEMP_ACCOMMODATION"})  # "Осигуряване на подслон"
PATRONAGE_OR_DIRECTORATE = frozenset({"HOME_PATRONAGE", DIRECTORATE})

# A match of an alias that names only an ambiguous head ("ЦНСТ", "настаняване от семеен тип", a lone "ДСП"), or
# a children's ЦНСТ without a word on disabilities in the alias' window: decided by context instead of by the
# alias' code (children with no word on disabilities anywhere remain CNST_CHILDREN).
CNST_FOR_CHILDREN = frozenset({"CNST_CHILDREN", "CNST_CHILDREN_DISABLED"})
GENERIC_MATCH = [
    (RESIDENTIAL, re.compile(r"(цент\w* за )?настаняване от семеен тип|цнст", re.I)),
    (CNST_FOR_CHILDREN, re.compile(r"(настаняване от семеен тип|цнст)(?:(?!без)[^.;])*(деца|младежи)", re.I)),
    (PATRONAGE_OR_DIRECTORATE, re.compile(r"\W*дсп\W*", re.I)),
]

# Names of a kind of care without its target group (Social Services Act 2020 and older), read by context.
LB = r"(?<!от )(?<!в )(?<!напускащи )(?<!напуснали )"  # "младежи, напускащи резидентна грижа" is no service
FAMILY_HEADS: list[tuple[frozenset[str], str]] = [
    (RESIDENTIAL, rf"(?:социална )?услуга за резидентна грижа|{LB}резидентна грижа(?=\s+(?:за|на)\s)|"
                  r"^\W*резидентна грижа\W*$|цент\w* за (?:резидентна )?грижа\b"),
    (DAY_CARE, r"(?:социална )?услуга за дневна грижа|дневна грижа(?=\s+(?:за|на)\s)|^\W*дневна грижа\W*$|"
               r"днев\w+ цент\w+"),
    (SHELTERS, r"осигуряване на подслон|услуга за подслон|^\W*подслон\b"),
]

HEAD_HINTS = ("грижа", "днев", "подслон")  # a text without any of these names no FAMILY_HEADS: not searched

FEATURES = [
    ("children", re.compile(r"\bдец(а|ата)\b|\bдете(то)?\b|\bмладеж|\bдетск", re.I)),
    ("adults", re.compile(r"\bпълнолетн|\bлица(та)?\b|\bвъзрастни\b(?!\s+хора)", re.I)),
    ("elderly", re.compile(r"\bстари(те)?\s+(хора|лица)|\bстари и\b|пенсионер|трет(а|ата) възраст|надтрудоспособна|"
                           r"невъзможност за самообслужване", re.I)),
    ("older", re.compile(r"\bвъзрастни(те)?\s+хора\b", re.I)),
    ("people", re.compile(r"\bхора(та)?\s+(с|със)\b", re.I)),
    ("disabled", re.compile(r"увреждан|\bуи\b|\bту\b|\bтму\b|аутиз|умствен|интелектуалн|психичн|психическ|ментал|деменци|"
                            r"сетивн|церебрал|\bдцп\b|синдром", re.I)),
    ("nondisabled", re.compile(r"без увреждания|\bбу\b", re.I)),
    ("patronage", re.compile(r"патронаж|храна|обяд|доставк|изнесено обслужване|кухня|по домовете|абонат|хигиена|битов",
                             re.I)),
    ("directorate", re.compile(r"дирекци|\bозд\b|\bзакрила\b|социално подпомагане|насоч|направлени|заповед|"
                               r"социална оценка|\bрдсп\b|\bасп\b|\bотдел\b", re.I)),
    ("homeless", re.compile(r"бездомн|без дом|без подслон", re.I)),
    ("violence", re.compile(r"насилие|пострадал|трафик", re.I)),
    ("mothers", re.compile(r"\bмайк[аи]|бременн|\bбебе|новородени", re.I)),
]

# a service named as what another thing belongs to: 'към ДМСГД', 'към Домашния социален патронаж', 'в сградата на
# ЦСРИ', 'персонала на ЦОП', or what a campaign is about ('Информационна кампания за приемната грижа'): the row is
# about the building, the staff or the campaign, not the service
ATTACHED = re.compile(r"(?:\b[кК]ъм|\b[сС]град\w*\s+на|\b[пП]ерсонал\w*\s+(?:на|в)|\b[кК]ампани\w*(?:\s+(?:за|на))?)\s+"
                      r"[„“\"'«(]?([А-Я][а-я]+\s+)?"
                      r"(?:[А-Я]{2,8}\s*(?:,\s*|\s+и\s+))*$")  # '… на ЦОП и ДЦДУ': both
# where the users of a service are moved ('настанените деца се извеждат в ЦНСТ „Детелина“ и в приемни семейства') or
# come from ('за младежи, напускащи ЦНСТ'): the services named after it, up to the end of the clause, are
# destinations or origins, not the row's service
DESTINATION = re.compile(r"\b(?:(?:извежд|изведен|премест|пренасоч)\w*\s+(?:в|във)|(?:напуска|напуснал)\w*)\s+[^;]*", re.I)
MOVED_STEMS = ("извежд", "изведен", "премест", "пренасоч", "напуска", "напуснал")
PROVIDER_DSP = re.compile(r"\s*[-–—]?\s*(гр\.\s*)?[А-Я][а-я]{2,}")  # "ДСП – Самоков", "ДСП Самоков"
ABBREVIATION = re.compile(r"(?<![^\W\d_])[А-Я]{2,10}(?:-[А-Я]{2,10})*(?![^\W\d_])")
WORD = re.compile(r"[^\W\d_]+")
SPACES = re.compile(r"\s\s|[^\S ]")  # whitespace to collapse: a run, or any but a plain space
JOINED_ABBREVIATION = re.compile(r"(?<![^\W\d_])([А-Я]{2,7})(-)([А-Я]{1,5})(?![^\W\d_])")  # ЦНСТ-ДМУ
HYPHENATED = re.compile(r"(?<=[^\W\d_])[-\u00ad]\s+(?=[а-я])")
LOOKALIKES = str.maketrans("AaBCcEeHKkMOoPpTXxYy", "АаВСсЕеНКкМОоРрТХхУу")
LATIN = re.compile(r"[A-Za-z]")
VOWELS = re.compile(r"[аеиоуъюя]")
CAPITALS = re.compile(r"[А-Я]{4,}")
CYRILLIC = re.compile(r"[А-Яа-я]")
SOFT_SIGN = re.compile(r"ь(?![оО])|Ь(?![оО])")
TARGET_CUT = re.compile(r"\s(?:за|на|с|със)\s+(?=(?:деца|младежи|лица|пълнолетни|възрастни|стари|хора|хората|бездомни|"
                        r"жени|майки|семейства)\b)", re.I)
# The words of service names an OCR or typing slip is corrected towards, and that are split off a word they are
# run together with: enough to name every service; a slip after the fourth letter needs no correction (the aliases
# read word beginnings: 'цент\w*').
HEAD_WORDS = (
    "център", "центъра", "центрове", "дневен", "дневна", "дневния", "настаняване", "обществена", "подкрепа",
    "рехабилитация", "интеграция", "социален", "социална", "социални", "социалния", "патронаж", "асистент",
    "асистенти", "помощник", "помощници", "жилище", "жилища", "защитено", "защитени", "наблюдавано", "преходно",
    "приемна", "приемни", "кризисен", "временно", "трапезария", "пенсионера", "инвалида", "увреждания",
    "резидентна", "общностен", "интервенция", "грижа", "семеен", "семейни", "семейства", "развитие", "детско",
    "домашен", "домашна", "домашния", "услуги", "услуга", "звено", "приют", "подслон", "бездомни", "пълнолетни",
    "младежи", "възрастни", "обществен", "трапезарии", "клубове", "асистентска", "патронажна",
)
NOT_FIXED = frozenset({"древен", "древна", "древни", "гневен", "гневна", "специален", "специална", "специални"})


# --- tables ------------------------------------------------------------------------------------------------


def _read(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=1)
def _aliases() -> tuple[re.Pattern, tuple[str, ...]]:
    """The aliases of service_aliases.csv as one alternation, in file order, and the code of each group."""
    rows = _read("service_aliases.csv")
    combined = "|".join(f"(?P<s{i}>{r['pattern']})" for i, r in enumerate(rows))
    return re.compile(combined, re.I), tuple(r["code"] for r in rows)


@lru_cache(maxsize=1)
def _heads() -> tuple[re.Pattern, tuple[frozenset[str], ...]]:
    combined = "|".join(f"(?P<h{i}>{p})" for i, (_, p) in enumerate(FAMILY_HEADS))
    return re.compile(combined, re.I), tuple(f for f, _ in FAMILY_HEADS)


def _taxonomy_names() -> list[tuple[str, str]]:
    """(code, full name) for every name of service_types.csv and LONG_NAMES, alternatives spelled out."""
    names: list[tuple[str, str]] = []
    for r in _read("service_types.csv"):
        names += [(r["code"], v) for v in name_variants(r["name_bg"])]
        for entry in r["common_names_and_abbreviations"].split(";"):
            entry = re.sub(r"\(.*?\)", "", entry).strip()
            if len(entry.split()) >= 2:
                names += [(r["code"], v) for v in name_variants(entry)]
    names += [(code, v) for code, name in LONG_NAMES for v in name_variants(name)]
    return names


def name_variants(name: str) -> list[str]:
    """A name with its alternatives spelled out: 'за деца/младежи' gives both; ' / ' separates alternative names
    ('Семеен / общностен център' gives 'Семеен център' and 'общностен център', the two adjectives sharing their
    ending; 'Приют / кризисно настаняване …' gives both as they are; an alternative that begins in
    lower case after a complete name, 'развитие / ранна интервенция', is a fragment and gives nothing);
    '(и младежи)' is read with and without its brackets."""
    parts = re.split(r"\s+/\s+", name)
    names = []
    for i, part in enumerate(parts):
        if len(part.split()) == 1 and i + 1 < len(parts) and part[-2:] == parts[i + 1].split()[0][-2:]:
            names.append(f"{part} {' '.join(parts[i + 1].split()[1:])}")  # 'Семеен' + ' център за …' (two adjectives)
        elif i == 0 or part[:1].isupper() or len(parts[i - 1].split()) == 1:
            names.append(part)
    out: list[str] = []
    for part in names:
        for form in {re.sub(r"[()]", " ", part), re.sub(r"\(.*?\)", " ", part)}:
            alternatives = [""]
            for token in form.split():
                choices = token.split("/") if re.fullmatch(r"[^\W\d_]+(/[^\W\d_]+)+", token) else [token]
                alternatives = [f"{a} {c}".strip() for a, c in ((a, c) for a in alternatives for c in choices)]
            out += [a for a in alternatives if a and a not in out]
    return out


def initials(phrase: str) -> str:
    """Initial letters of the words, upper-case, skipping за, и, от, на, с, със, в, във, по, към, до, при (and
    или); a hyphenated word counts once; tokens without a leading letter (dashes, numbers) are skipped; an
    abbreviation inside the phrase counts with all its letters ('ЦНСТ за лица …' → 'ЦНСТЛ…')."""
    letters = []
    for token in re.split(r"[\s/]+", phrase):
        word = re.sub(r"^[\W_]+", "", token)
        if not word or not word[0].isalpha() or word.split("-")[0].lower() in STOP_WORDS:
            continue
        abbreviation = re.match(r"[А-Я]{2,}(?![^\W\d_])", word)
        letters.append(abbreviation.group() if abbreviation else word[0].upper())
    return "".join(letters)


@lru_cache(maxsize=1)
def _abbreviation_table() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """(whole abbreviations → codes, heads → codes). Whole: the taxonomy's listed abbreviations, EXTRA_ABBREVIATIONS
    and the initials (three letters or more) of every full name. Heads: the initials (two letters or more) of a
    name cut before its target group ('Център за настаняване от семеен тип' of '… за деца …')."""
    whole: dict[str, set[str]] = {}
    heads: dict[str, set[str]] = {}
    for r in _read("service_types.csv"):
        for entry in r["common_names_and_abbreviations"].split(";"):
            m = re.match(r"\s*([А-Я]{2,10})\b(?![а-я])", entry)
            if m:
                whole.setdefault(m.group(1), set()).add(r["code"])
    for code, token in EXTRA_ABBREVIATIONS:
        whole.setdefault(token, set()).add(code)
    for code, name in _taxonomy_names():
        full = initials(name)
        if len(full) >= 2:
            whole.setdefault(full, set()).add(code)
        cut = TARGET_CUT.search(name)
        if cut:
            head = initials(name[:cut.start()])
            if len(head) >= 2:
                heads.setdefault(head, set()).add(code)
    for token in NOT_SERVICES:
        whole.pop(token, None)
    # a head reads target-group letters only where it stands for a family of services ('СИ' is any institution)
    heads = {k: v for k, v in heads.items() if len(v) >= 2 and k != "СИ"}
    return ({k: frozenset(v) for k, v in whole.items()}, {k: frozenset(v) for k, v in heads.items()})


@lru_cache(maxsize=1)
def _lexicon() -> tuple[frozenset[str], frozenset[str]]:
    """(known words, their four-letter beginnings): the words of every service name and alias example, and
    HEAD_WORDS, lower-case."""
    text = " ".join(name for _, name in _taxonomy_names())
    text += " " + " ".join(r["example"] for r in _read("service_aliases.csv")) + " " + " ".join(HEAD_WORDS)
    words = {w.lower() for w in WORD.findall(text) if len(w) >= 4 and not w.isupper()}
    return frozenset(words), frozenset(w[:4] for w in words)


# --- normalising a text ------------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _fix_word(word: str) -> str:
    """A word read as meant: Latin look-alikes inside a Cyrillic word made Cyrillic, ь (not before о) as ъ, two
    known words run together split, a slip in the first letters of a known word corrected."""
    if LATIN.search(word) and CYRILLIC.search(word):
        word = word.translate(LOOKALIKES)
    word = SOFT_SIGN.sub(lambda m: "ъ" if m.group() == "ь" else "Ъ", word)
    low = word.lower()
    if len(low) < 5 or not CYRILLIC.match(low) or word.isupper() and len(VOWELS.findall(low)) < 2:
        return word  # short, not Cyrillic, or an abbreviation (upper-case, fewer than two vowels)
    words, beginnings = _lexicon()
    if low in words:
        return word
    split = _split(low)
    if split:
        return _recase(word, split)
    if low in NOT_FIXED:
        return word
    if low[:4] in beginnings:  # a known beginning: one letter read wrong ('рехабилитацня', 'кризнсен')
        if len(low) >= 6:
            found = process.extractOne(low, HEAD_WORDS, scorer=Levenshtein.distance, score_cutoff=1)
            if found and len(found[0]) == len(low):
                return _recase(word, found[0])
        return word
    found = process.extractOne(low, HEAD_WORDS, scorer=Levenshtein.distance,
                               score_cutoff=2 if len(low) >= 10 else 1)
    if found and found[0][0] == low[0]:
        return _recase(word, found[0])
    return word


def _split(low: str) -> str | None:
    """'центърза' → 'център за', 'заобществена' → 'за обществена', 'дневенцентър' → 'дневен център': a word of
    HEAD_WORDS run together with a preposition of two letters or more or with another of HEAD_WORDS."""
    prepositions = STOP_WORDS - {"и", "с", "в"}
    for i in range(2, len(low) - 1):
        left, right = low[:i], low[i:]
        if left in HEAD_WORDS and (right in prepositions or right in HEAD_WORDS) or \
                left in prepositions and right in HEAD_WORDS:
            return f"{left} {right}"
    return None


def _recase(original: str, fixed: str) -> str:
    if original.isupper():
        return fixed.upper()
    return fixed[0].upper() + fixed[1:] if original[0].isupper() else fixed


def _prepare(text: str) -> tuple[str, tuple[int, ...] | range]:
    """The text normalised for matching, and for each of its characters the position it came from."""
    drop = {i for m in HYPHENATED.finditer(text) for i in range(m.start(), m.end())}
    drop |= {m.start(2) for m in JOINED_ABBREVIATION.finditer(text) if abbreviation_codes(m.group(1) + m.group(3))}
    if not drop and "\u00ad" not in text and not SPACES.search(text):
        joined, where = text, range(len(text))  # the common case: nothing to drop or collapse
    else:
        chars: list[str] = []
        kept: list[int] = []
        space = False
        for i, ch in enumerate(text):
            if i in drop or ch == "\u00ad":
                continue
            if ch.isspace():
                if space:
                    continue
                ch, space = " ", True
            else:
                space = False
            chars.append(ch)
            kept.append(i)
        joined, where = "".join(chars), kept
    fixes = [(m, fixed) for m in WORD.finditer(joined) if (fixed := _fix_word(m.group())) != m.group()]
    if not fixes:
        return joined, where
    out: list[str] = []
    positions: list[int] = []
    at = 0
    for m, fixed in fixes:
        out.append(joined[at:m.start()])
        positions += where[at:m.start()]
        out.append(fixed)
        positions += [where[m.start() + min(j, len(m.group()) - 1)] for j in range(len(fixed))]
        at = m.end()
    out.append(joined[at:])
    positions += where[at:]
    return "".join(out), tuple(positions)


# --- reading the services named in a text ---------------------------------------------------------------------

# A mention: (position in the original text, codes it can be). One code when decided; several when the text's
# context did not decide (the row's other text may). DIRECTORATE alone: no service.
Mention = tuple[int, frozenset[str]]


@lru_cache(maxsize=32768)
def _features(text: str) -> frozenset[str]:
    """The context words of a (normalised) text."""
    return frozenset(name for name, pattern in FEATURES if pattern.search(text))


def _context(text: str) -> frozenset[str]:
    """The context words of a text as written."""
    if len(text) > 2000:
        return _features.__wrapped__(_prepare(text)[0])
    return _context_cached(text)


@lru_cache(maxsize=16384)
def _context_cached(text: str) -> frozenset[str]:
    return _features(_prepare(text)[0])


def _groups(features: frozenset[str]) -> frozenset[str]:
    """The target groups context words name: 'възрастни хора' are older people, or adults when disabilities are
    named; 'хора с …' are adults unless older people are named."""
    groups = features & {"children", "adults", "elderly"}
    if "older" in features:
        groups |= {"adults"} if "disabled" in features else {"elderly"}
    if "people" in features and "elderly" not in groups:
        groups |= {"adults"}
    return groups


def _narrow(codes: frozenset[str], features: frozenset[str]) -> frozenset[str]:
    """The codes the context words leave: unchanged where they say nothing that tells the codes apart, empty where
    they contradict every one ('Дневен център' for children without disabilities)."""
    if codes == PATRONAGE_OR_DIRECTORATE:
        patronage, directorate = "patronage" in features, "directorate" in features
        if patronage != directorate:
            return frozenset({"HOME_PATRONAGE" if patronage else DIRECTORATE})
        return codes
    groups = _groups(features)
    if groups and any(PROFILES.get(c, (None,))[0] for c in codes):
        codes = frozenset(c for c in codes if PROFILES.get(c, (None,))[0] in groups)
    if "nondisabled" in features:
        codes = frozenset(c for c in codes if PROFILES.get(c, (None, None))[1] is not True)
    elif "disabled" in features:
        codes = frozenset(c for c in codes if PROFILES.get(c, (None, None))[1] is not False)
    needs = frozenset(c for c in codes if PROFILES.get(c, (None, None, None))[2] in features)
    return needs or codes


def _settle(codes: frozenset[str]) -> str | None:
    """The one code left, else None; children with no word on disabilities: the centre without disabilities."""
    if len(codes) == 1:
        return next(iter(codes))
    if codes == {"CNST_CHILDREN", "CNST_CHILDREN_DISABLED"}:
        return "CNST_CHILDREN"
    return None


def abbreviation_codes(token: str) -> frozenset[str]:
    """The codes an upper-case abbreviation can stand for, before context: a known abbreviation, or a head's
    initials followed by target-group letters narrowed by them ('ДЦСХ' → DC_ELDERLY). Empty when unknown."""
    token = token.replace("-", "")
    if token in NOT_SERVICES:
        return frozenset()
    whole, heads = _abbreviation_table()
    if token in whole:
        return whole[token]
    for cut in range(len(token) - 1, 1, -1):
        head, suffix = token[:cut], token[cut:]
        if head in heads:
            features = _decode_suffix(suffix)
            if features is None:
                continue
            codes = _narrow(heads[head], features)
            kept = frozenset(c for c in codes if _fits(c, features))
            if kept:
                return kept
    return frozenset()


def _decode_suffix(suffix: str) -> frozenset[str] | None:
    """Target-group letters read as units (fewest units first): 'ДМУ' → children, disabled; None if unreadable."""
    best: list[list[str] | None] = [None] * (len(suffix) + 1)
    best[0] = []
    for i in range(len(suffix)):
        if best[i] is None:
            continue
        for unit in SUFFIX_UNITS:
            if suffix.startswith(unit, i) and (best[i + len(unit)] is None or
                                               len(best[i + len(unit)]) > len(best[i]) + 1):
                best[i + len(unit)] = best[i] + [unit]
    if best[-1] is None:
        return None
    return frozenset().union(*(SUFFIX_UNITS[u] for u in best[-1]))


def _fits(code: str, features: frozenset[str]) -> bool:
    """Whether what target-group letters say contradicts a code's profile."""
    group, disabled, _ = PROFILES.get(code, (None, None, None))
    groups = _groups(features)
    if group and groups and group not in groups:
        return False
    if disabled is True and "nondisabled" in features or disabled is False and "disabled" in features:
        return False
    return True


def _mentions(text: str) -> tuple[Mention, ...]:
    if not text:
        return ()
    return _read_mentions(text) if len(text) <= 2000 else _read_mentions.__wrapped__(text)


@lru_cache(maxsize=32768)
def _read_mentions(text: str) -> tuple[Mention, ...]:
    norm, where = _prepare(text)
    found: list[tuple[int, int, frozenset[str]]] = []  # (start, end) in norm, codes

    matcher, codes = _aliases()
    for m in matcher.finditer(norm):
        code = codes[int(m.lastgroup[1:])]
        family = next((f for f, generic in GENERIC_MATCH if code in f and generic.fullmatch(m.group())), None)
        found.append((m.start(), m.end(), family or frozenset({code})))

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e, _ in found)

    low = norm.lower()
    if any(word in low for word in HEAD_HINTS):
        heads, families = _heads()
        for m in heads.finditer(norm):
            if free(m.start(), m.end()):
                found.append((m.start(), m.end(), families[int(m.lastgroup[1:])]))

    for m in ABBREVIATION.finditer(norm):
        token = m.group()
        if not free(m.start(), m.end()) or token.lower() in _lexicon()[0] or len(VOWELS.findall(token.lower())) >= 3:
            continue  # a word in capitals ('ДОМАШЕН', 'ОБЩО'), not an abbreviation
        if len(token) <= 2 and len([w for w in CAPITALS.findall(norm) if len(VOWELS.findall(w.lower())) >= 2]) >= 2:
            continue  # a two-letter word of a text in capitals ('СА', 'ДП')
        parts = token.split("-")
        if len(parts) > 1 and any(p in NOT_SERVICES or p == "ДСП" for p in parts):
            continue  # ДСП-ОЗД, ОЗД-ДСП: the Directorate
        candidates = abbreviation_codes(token)
        if not candidates and len(parts) > 1:
            found += [(m.start(), m.end(), abbreviation_codes(part)) for part in parts]
            continue
        if DIRECTORATE in candidates and PROVIDER_DSP.match(norm, m.end()):
            candidates = frozenset({DIRECTORATE})
        found.append((m.start(), m.end(), candidates))

    moved_to = ([(m.start(), m.end()) for m in DESTINATION.finditer(norm)]
                if any(stem in low for stem in MOVED_STEMS) else [])
    mentions = [(where[start] if start < len(where) else len(text), candidates)
                for start, _, candidates in sorted(found, key=lambda f: f[0])
                if candidates and not ATTACHED.search(norm[max(0, start - 30):start])
                and not any(a < start < b for a, b in moved_to)]
    if all(len(codes) == 1 for _, codes in mentions):
        return tuple(mentions)
    features = _features(norm)
    mentions = [(at, _narrow(codes, features)) for at, codes in mentions]
    # the same service named twice ('ЦНСТ „Малък групов дом“'): an undecided mention takes the one code of its
    # candidates that another mention of the text decides
    decided = {next(iter(c)) for _, c in mentions if len(c) == 1}
    return tuple((at, codes if len(codes) == 1 or len(codes & decided) != 1 else codes & decided)
                 for at, codes in mentions)


def service_mentions(text: str) -> list[tuple[int, str]]:
    """(position, code) of each service named in a text, in order; a mention that the text alone does not decide
    (a bare ЦНСТ, ДЦ, ДСП) and the Directorate ДСП are left out. A fresh list each call."""
    out = []
    for position, codes in _mentions(text or ""):
        code = _settle(codes)
        if code and code != DIRECTORATE:
            out.append((position, code))
    return out


def classify_service(name: str, description: str = "") -> str | None:
    """One service code when the title names one (else the description does); None when none is named, when
    several are, or when one is named ambiguously (its context, title then description, does not decide)."""
    name, description = name or "", description or ""
    if len(name) + len(description) > 4000:
        return _classify.__wrapped__(name, description)
    return _classify(name, description)


# a name in brackets that says what the service is, or was, called ("Патронажна грижа (Домашен социален патронаж)",
# "Асистентска подкрепа (бивш „Социален асистент“)"): the text from the bracket to the mention
RENAMED = re.compile(r"\(\s*[„“\"']?\s*(?:(?:[бБ]ивш|[дД]осегашн|[сС]тар)\w*\s*[„“\"']?\s*)?(?:[А-Я][а-я]+\s+)?$")


@lru_cache(maxsize=16384)
def _classify(name: str, description: str) -> str | None:
    for own, other in ((name, description), (description, name)):
        mentions = _mentions(own)
        if not mentions:
            continue
        found: list[str] = []
        renamed: set[str] = set()
        for at, codes in mentions:
            code = _settle(codes) if len(codes) == 1 else _settle(_narrow(codes, _context(other)))
            if code is None:
                return None  # named, but which service is ambiguous: for review
            if code != DIRECTORATE and code not in found:
                found.append(code)
            if code != DIRECTORATE and at > 0 and RENAMED.search(own[max(0, at - 30):at]):
                renamed.add(code)
        if len(found) == 1:
            return found[0]
        if len(found) == 2 and len(renamed) == 1 and found[0] not in renamed:
            return renamed.pop()  # a service, then in brackets the name it is (or was) known by: that name
        if len(found) > 1:
            return None
    return None
