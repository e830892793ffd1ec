"""The vocabulary tables in etl/data are well-formed: every row has its header's columns and every pattern compiles
(a comma inside an unquoted pattern would silently cut it in two)."""

from __future__ import annotations

import csv
import re

import pytest

from etl.vocabulary import (
    column_role,
    match_section,
    names_own_column,
    read_abbreviations,
    read_codes,
    schedule_label,
)

from .helpers import REPO

TABLES = sorted((REPO / "etl" / "data").glob("*.csv"))


@pytest.mark.parametrize("path", TABLES, ids=[p.name for p in TABLES])
def test_every_row_has_the_header_columns_and_every_pattern_compiles(path):
    with open(path, encoding="utf-8") as f:  # lines starting with '#' are comments (a table's source)
        rows = [r for r in csv.reader(f) if not (r and r[0].startswith("#"))]
    header = rows[0]
    assert [n for n, r in enumerate(rows[1:], start=2) if len(r) != len(header)] == []
    if "pattern" in header:
        at = header.index("pattern")
        for r in rows[1:]:
            re.compile(r[at], re.I)


def test_status_phrases_can_be_matched_in_lower_case():
    """status_phrases.csv is matched in lower case (etl/records/status.py status_patterns): no pattern may use an
    escape whose meaning lower-casing changes (\\S, \\W, \\D, \\B, \\A, \\Z)."""
    with open(REPO / "etl" / "data" / "status_phrases.csv", encoding="utf-8") as f:
        patterns = [r["pattern"] for r in csv.DictReader(f)]
    assert [p for p in patterns if re.search(r"\\[SWDBAZ]", p)] == []


def status_texts() -> list[str]:
    """Every line of the samples and the test plans, lower-cased, with words of other forms around the stems."""
    texts = []
    for folder in (REPO / "data" / "plans", REPO / "tests" / "fixtures" / "test-plans" / "plans"):
        for path in sorted(folder.glob("*.txt")):
            texts += path.read_text(encoding="utf-8").lower().splitlines()
    return texts


def test_every_status_match_holds_one_of_its_keywords():
    """A status phrase is searched only in texts holding one of its keywords: every match must hold one."""
    from etl.records.status import status_patterns

    texts = status_texts()
    matched = 0
    for status, pattern, keywords in status_patterns():
        for text in texts:
            for m in pattern.finditer(text):
                matched += 1
                assert any(k in m.group(0) for k in keywords), (status, pattern.pattern, m.group(0))
    assert matched > 50  # the samples use most phrases


@pytest.mark.parametrize(("label", "expected"), [
    ("Трим. 1", "q1"), ("Тримесечие 4", "q4"), ("Кв. 2", "q2"), ("Полугодие II", "h2"), ("I тримесечие", "q1"),
])
def test_a_schedule_label_with_its_number_after_the_word(label, expected):
    assert schedule_label(label) == expected


def test_a_plans_own_abbreviations_are_read_from_its_legend():
    legend = ("Легенда: ● – месец на изпълнение; ДДД – държавно делегирана дейност; МД – местна дейност; "
              "НП „АХУ“ – Национална програма „Асистенти на хора с увреждания“.")
    found = read_abbreviations([legend])
    assert found["МД"] == "местна дейност"
    assert found["НП „АХУ“"] == "Национална програма „Асистенти на хора с увреждания“"
    assert "●" not in found


@pytest.mark.parametrize("text, expected", [
    ("ян", "m1"), ("фев", "m2"), ("юн", "m6"), ("юл", "m7"), ("ное", "m11"), ("дек", "m12"),
    ("ма", None),  # март or май: not one month
])
def test_months_abbreviated_to_their_first_letters(text, expected):
    assert schedule_label(text) == expected


@pytest.mark.parametrize("text, role", [
    ("Местонахождение", "place"),
    ("Потребители (брой)", "capacity"),
    ("Потребители", "target_group"),
    ("начало", "term"),
    ("край", "term"),
])
def test_header_wordings_of_place_capacity_and_period(text, role):
    from etl.vocabulary import column_role
    assert column_role(text) == role


@pytest.mark.parametrize(("text", "label"), [
    ("01.01 – 31.03", "q1"), ("01.04 – 30.06", "q2"), ("01.07 – 30.09", "q3"), ("01.10 – 31.12", "q4"),
    ("01.01.2016 – 30.06.2016 г.", "h1"), ("01.07 - 31.12", "h2"), ("01.02 – 28.02", "m2"),
    # not a whole quarter, half-year or month: no schedule column
    ("15.01 – 31.03", None), ("01.01 – 31.12", None), ("01.01 – 30.03", None), ("01.02 – 30.04", None),
])
def test_a_column_headed_by_a_period_of_dates_is_the_quarter_half_or_month_it_spans(text, label):
    assert schedule_label(text) == label


def test_an_amount_header_ending_with_its_currency():
    assert column_role("Средства 2021 г., лв.") == "amount"
    assert column_role("Източник на финансиране, лв.") == "funding"


def test_a_capacity_counted_in_foster_families():
    assert column_role("Брой приемни семейства") == "capacity"


def test_abbreviations_explained_in_footnotes_with_their_markers():
    assert read_abbreviations(["* ДДД – държавно делегирана дейност", "** МБ – общински бюджет (местни дейности)"]) == {
        "ДДД": "държавно делегирана дейност", "МБ": "общински бюджет (местни дейности)"}


@pytest.mark.parametrize(("label", "quarter"), [("януари – март", "q1"), ("април – юни", "q2"),
                                                 ("юли – септември", "q3"), ("октомври – декември", "q4"),
                                                 ("окт.-дек.", "q4")])
def test_a_quarter_named_by_its_months_is_that_quarter(label, quarter):
    assert schedule_label(label) == quarter


@pytest.mark.parametrize("label", ["май – юли", "януари – май"])  # months across two quarters, not a half-year
def test_other_month_ranges_are_no_quarter(label):
    assert schedule_label(label) is None


@pytest.mark.parametrize(("header", "role"), [("Средства 2018 г.", "amount"), ("Средства за 2026 г.", "amount"),
                                              ("Средства от ЕС", "funding"),
                                              ("Планирани действия през 2016 г.", "status")])
def test_more_header_wordings(header, role):
    assert column_role(header) == role


@pytest.mark.parametrize(("heading", "section"), [("Раздел ІV. Партньорство", "partnership"),  # Cyrillic І
                                                  ("III. МЕРКИ ЗА РАЗВИТИЕ НА УСЛУГИТЕ", "horizontal_measure"),
                                                  ("IV. Мерки и дейности", "horizontal_measure")])
def test_section_headings_numbered_in_any_script(heading, section):
    from etl.vocabulary import match_section

    assert match_section(heading) == section


@pytest.mark.parametrize(("text", "role"), [
    ("Финасиране", "funding"),  # a letter left out of 'Финансиране'
    ("Отговорнк", "provider"),  # of 'Отговорник'
    ("Капацтет", "capacity"),
    ("Услуги за стари хора и инвалиди.", ""),  # a row's text, not a header slip: 'услуги' is no slip of 'услуга'
    ("ЕКАТТЕ код", ""),
])
def test_a_header_wording_with_a_slip_of_one_letter_is_read_as_the_word_meant(text, role):
    assert column_role(text) == role


@pytest.mark.parametrize(("text", "role"), [
    ("Дейност / услуга", "name"),  # the subject of the row, not a column of activities
    ("Дейности", "activities"),
    ("Средства", "amount"),
    ("Средства (лв.)", "amount"),
])
def test_header_wordings_of_the_name_and_the_amount(text, role):
    assert column_role(text) == role


@pytest.mark.parametrize(("text", "label"), [
    ("І-во полугодие 2017 г.", "h1"),  # the Ukrainian/Cyrillic 'І' typed for the Roman I, the year after it
    ("ІІ-ро полугодие 2017 г.", "h2"),
    ("I тримесечие 2024", "q1"),
])
def test_schedule_labels_in_another_script_and_with_their_year(text, label):
    assert schedule_label(text) == label


def test_codes_explained_in_a_legend_under_the_table():
    legend = ["* Статус: Д – действаща, без промяна; Н – нова услуга; З – закриване; Нм – намаляване на капацитета."]
    assert read_codes(legend) == {"Д": "действаща, без промяна", "Н": "нова услуга", "З": "закриване",
                                  "Нм": "намаляване на капацитета"}
    assert read_codes(["В – вход откъм двора"]) == {}  # one dash in a sentence is no legend


@pytest.mark.parametrize(("text", "section"), [
    ("Резидентни услуги", "social_service"),
    ("Интегрирани услуги за деца", "social_service"),
    ("Социални услуги в общността", "social_service"),
])
def test_headings_of_kinds_of_services(text, section):
    assert match_section(text) == section


@pytest.mark.parametrize("text, label", [
    ("1-во", "n1"), ("2-ро", "n2"), ("3-то", "n3"), ("4-то", "n4"), ("IV-то", "n4"),  # numerals with their ending
    ("януари – юни", "h1"), ("юли – декември", "h2"),  # half-years named by their months
    ("януари – март", "q1"), ("окт.–дек.", "q4"),
    ("януари – май", None),  # five months: no quarter nor half
])
def test_schedule_labels_as_ordinals_and_month_ranges(text, label):
    assert schedule_label(text) == label


@pytest.mark.parametrize("text, role", [("От месец", "term"), ("До месец", "term"), ("Начален месец", "term")])
def test_a_period_in_two_columns_of_months(text, role):
    assert column_role(text) == role


@pytest.mark.parametrize(("label", "expected"), [("I–III", "q1"), ("IV–VI", "q2"), ("VII–IX", "q3"), ("X–XII", "q4"),
                                                 ("I–VI", "h1"), ("VII–XII", "h2"), ("I–II", "b1"), ("II–IV", None),
                                                 ("ХІ–ХІІ", "b6"), ("ІІІ–ІV", "b2"), ("II–III", None)])
def test_roman_month_ranges_name_quarters_and_halves(label, expected):
    """'I–II' names January and February (a two-month column: 'b1'; Cyrillic 'Х' and 'І' as typed for the Roman
    letters); 'II–III' starts no pair of the year."""
    assert schedule_label(label) == expected


@pytest.mark.parametrize(("cell", "role", "own"), [("II", "q2", True), ("2", "q2", True), ("IV тр.", "q4", True),
                                                   ("III", "q2", False), ("I", "q1", True), ("Х", "q1", False)])
def test_a_quarter_cell_that_writes_its_own_numeral(cell, role, own):
    assert names_own_column(cell, role) is own


@pytest.mark.parametrize("label", ["12¹", "3²", "²", "IV¹"])
def test_a_label_with_a_superscript_footnote_mark_is_no_number_and_no_fault(label):
    """Superscript digits are digits to str.isdigit() but not to int(): a header cell such as '12¹' (a column with a
    footnote) is not read as a month, and reading it never fails."""
    assert schedule_label(label) is None


@pytest.mark.parametrize("label, expected", [
    ("Т1", "q1"), ("Т4", "q4"), ("т 2", "q2"),  # 'Т' for тримесечие, as a spreadsheet heads its columns
    ("31.03.", "q1"), ("30.06.", "q2"), ("30.09.", "q3"), ("31.12.", "q4"), ("31.12.2016 г.", "q4"),  # quarter ends
    ("15.03.", None), ("01.01.", None), ("Т5", None),
])
def test_schedule_labels_of_spreadsheets_and_reporting_dates(label, expected):
    assert schedule_label(label) == expected


@pytest.mark.parametrize("wording, role", [
    ("Отчетни срокове", "schedule"), ("No.", "item_no"), ("Service", "name"), ("Location", "place"),
    ("Capacity", "capacity"), ("Funding share", "funding"), ("Amount, BGN", "amount"), ("Status", "status"),
    ("Вид грижа", "group"),
])
def test_header_wordings_of_blind_11_layouts(wording, role):
    assert column_role(wording) == role


@pytest.mark.parametrize("header, role", [
    ("Kapacitet", "capacity"), ("Personal (shtatni br.)", "staff"), ("Srok (mesetsi)", "term"),
    ("Naseleno myasto", "place"), ("Finansirane", "funding"), ("Suma za 2016 g. (lv.)", "amount"),
    ("Vid na socialnata usluga", "name"),
    ("Брой единици", "units"), ("Капацитет на единица", "capacity_each"), ("Общ капацитет", "capacity"),
])
def test_headers_transliterated_or_counting_units_name_their_role(header, role):
    """A header in Latin letters (the Streamlined System) means what its Bulgarian wording means; a column of
    the count of units and one of the places per unit are told from the capacity."""
    assert column_role(header) == role
