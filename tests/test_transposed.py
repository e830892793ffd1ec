"""Tables written with each service as a COLUMN and each parameter as a row (etl/rows/transposed.py, transposed
tables), and the parameter table as their one-value-column case; a normal table whose header names roles is
never read as one. Every expected value was written from the small documents below and docs/conventions.md
(the quarters from the export contract's Schedules), not from the program's output."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.lines.text import Document, Line, split_cells
from etl.records.normalise import normalise_plan
from etl.rows.parse import parse_document

HEADING = "ОБЩИНА ВЕЛИНГРАД\n\nГОДИШЕН ПЛАН ЗА РАЗВИТИЕ НА СОЦИАЛНИТЕ УСЛУГИ В ОБЩИНА ВЕЛИНГРАД ЗА 2024 Г.\n\n"


def make_doc(text: str) -> Document:
    return Document(Path("x.txt"), "sha", "utf-8",
                    [Line(i, raw, split_cells(raw)) for i, raw in enumerate(text.splitlines(), 1)])


def row(*parts: str) -> str:
    return "\t".join(parts)


# lines 5 to 16; the fourth service column is empty
SERVICES = HEADING + "\n".join([
    "Таблица 1. Социални услуги",                                                                   # 5
    row("Показател", "Услуга 1", "Услуга 2", "Услуга 3", "Услуга 4"),                                # 6
    row("№", "1", "2", "3", ""),                                                                    # 7
    row("Наименование", "Център за обществена подкрепа", "Приемна грижа", "Дневен център за стари хора", ""),  # 8
    row("Населено място", "гр. Велинград", "Община Велинград", "с. Драгиново", ""),                # 9
    row("Капацитет", "35 места", "от 8 на 12 приемни семейства", "20 места", ""),                    # 10
    row("Персонал (щ. бр.)", "9", "3", "–", ""),                                                      # 11
    row("Финансиране", "ДДД", "ДДД", "общински бюджет", ""),                                          # 12
    row("Сума за 2023 г. (лв.)", "110 000", "90 000", "–", ""),                                       # 13
    row("Сума за 2024 г. (лв.)", "117 250", "96 000", "40 000", ""),                                  # 14
    row("Тримесечия", "I – IV", "I, II, III, IV", "III и IV", ""),                                    # 15
    row("Промяна през 2024 г.", "продължава", "увеличаване на броя на приемните семействата", "разкриване от 01.07.2024 г.", ""),  # 16
]) + "\n"


def test_each_value_column_of_a_transposed_table_is_a_record_starting_on_the_name_line():
    parsed = parse_document(make_doc(SERVICES))
    assert [r.cells["name"] for r in parsed.rows] == [
        "Център за обществена подкрепа", "Приемна грижа", "Дневен център за стари хора"]  # the empty 4th: none
    assert [r.item_no for r in parsed.rows] == ["1", "2", "3"]  # from the '№' label line
    for r in parsed.rows:
        assert r.first_line == 8  # all start on the 'Наименование' line
        assert sorted(ln.no for ln in r.lines) == list(range(7, 17))  # every label line is each record's
    centre, foster, day = (r.cells for r in parsed.rows)
    assert (centre["place"], centre["capacity"], centre["staff"], centre["funding"]) == (
        "гр. Велинград", "35 места", "9", "ДДД")
    assert centre["amount"] == "117 250"  # the 2024 line; 'Сума за 2023 г.' is another year's figure
    assert (foster["capacity"], day["place"], day["term"]) == ("от 8 на 12 приемни семейства", "с. Драгиново", "III и IV")
    # the header over the block is a header; the name line the first record's; the other lines its continuation
    disp = parsed.dispositions
    assert disp[6] == ("header", None)
    assert disp[8] == ("record", 0)
    assert all(disp[n] == ("continuation", 0) for n in (7, *range(9, 17)))
    assert parsed.layouts == ["transposed"]


def test_a_transposed_tables_records_read_their_cells_like_a_normal_tables(ref):
    centre, foster, day = normalise_plan(parse_document(make_doc(SERVICES)), ref).records
    assert [r.source_line for r in (centre, foster, day)] == [8, 8, 8]
    assert len({r.item_id for r in (centre, foster, day)}) == 3  # one line, three records, three ids
    assert (centre.service_type, foster.service_type, day.service_type) == ("COP", "FOSTER_CARE", "DC_ELDERLY")
    assert (centre.capacity, centre.capacity_unit, centre.staff, centre.amount_bgn) == (35, "places", 9, 117250)
    assert (foster.capacity, foster.capacity_before, foster.capacity_unit) == (12, 8, "families")
    assert foster.amount_bgn == 96000
    assert (day.capacity, day.staff, day.amount_bgn) == (20, None, 40000)
    # named quarters in a label row ('Тримесечия'): the contract's Schedules
    assert list(centre.quarters) == [1, 1, 1, 1]  # 'I – IV'
    assert list(foster.quarters) == [1, 1, 1, 1]  # 'I, II, III, IV'
    assert list(day.quarters) == [0, 0, 1, 1]  # 'III и IV'
    assert (centre.status, day.status) == ("continuing", "new")
    assert [s.name for s in centre.settlements] == ["Велинград"] and foster.scope == "municipality"
    assert [[c for c, _ in r.funding] for r in (centre, day)] == [["state_delegated"], ["municipal"]]


def test_quarter_rows_of_a_transposed_table_are_its_schedule():
    parsed = parse_document(make_doc(HEADING + "\n".join([
        row("Наименование", "Център за обществена подкрепа", "Кризисен център"),
        row("Капацитет", "30", "10"),
        row("Финансиране", "ДДД", "ДДД"),
        row("I тримесечие", "х", ""),
        row("II тримесечие", "х", ""),
        row("III тримесечие", "х", "х"),
        row("IV тримесечие", "х", "х"),
    ])))
    assert [r.quarters for r in parsed.rows] == [["х", "х", "х", "х"], ["", "", "х", "х"]]
    assert [r.schedule_kind for r in parsed.rows] == ["q", "q"]


def test_a_parameter_table_is_a_transposed_table_of_one_value_column():
    parsed = parse_document(make_doc(HEADING + "\n".join([
        "РАЗДЕЛ I. СОЦИАЛНИ УСЛУГИ",                                  # 5
        row("1.", "Център за социална рехабилитация и интеграция"),   # 6
        row("Параметър", "Стойност"),                                 # 7
        row("Място на предоставяне", "гр. Велинград"),                # 8
        row("Капацитет", "35 места"),                                 # 9
        row("Средства за 2024 г.", "148 600 лв"),                     # 10
        "",
        row("2.", "Домашен социален патронаж"),                       # 12
        row("Капацитет", "180 потребители"),                          # 13
        row("Финансиране", "местна дейност"),                         # 14
        "",
        row("Наименование", "Личен асистент"),                        # 16: a name label, one value column
        row("Капацитет", "40 потребители"),                           # 17
        row("Финансиране", "НП „Асистенти на хора с увреждания“"),     # 18
    ])))
    rehab, patronage, assistant = parsed.rows
    assert (rehab.item_no, rehab.cells["name"], rehab.first_line) == (
        "1", "Център за социална рехабилитация и интеграция", 6)
    assert (rehab.cells["place"], rehab.cells["capacity"], rehab.cells["amount"]) == (
        "гр. Велинград", "35 места", "148 600 лв")
    assert [ln.no for ln in rehab.lines] == [6, 8, 9, 10]
    assert parsed.dispositions[7] == ("header", None)  # the small table's own header
    assert (patronage.item_no, patronage.first_line, patronage.cells["funding"]) == ("2", 12, "местна дейност")
    assert (assistant.item_no, assistant.first_line, assistant.cells["name"]) == (None, 16, "Личен асистент")
    assert assistant.cells["capacity"] == "40 потребители"
    assert rehab.section == "social_service"


def test_a_normal_table_whose_header_and_rows_name_roles_is_not_read_as_transposed():
    parsed = parse_document(make_doc(HEADING + "\n".join([
        row("Наименование", "Капацитет", "Финансиране", "Срок"),                        # 5: a header
        row("Социална услуга „Личен асистент“", "40 места", "НП", "I – IV"),            # 6: 'социална услуга'
        row("Услуга „Социален асистент“", "20 места", "ДДД", "I – IV"),                 # 7: 'услуга'
        row("Център за обществена подкрепа", "30 места", "ДДД", "I – IV"),              # 8
        "",
        row("№", "Социална услуга", "Капацитет", "Финансиране"),                        # 10: a numbered table
        row("1.", "Приемна грижа", "12 приемни семейства", "ДДД"),                      # 11
        row("2.", "Дневен център за стари хора", "20 места", "общински бюджет"),         # 12
        row("3.", "Домашен социален патронаж", "180 потребители", "местна дейност"),     # 13
    ])))
    assert [(r.first_line, r.cells["name"], r.cells["capacity"]) for r in parsed.rows] == [
        (6, "Социална услуга „Личен асистент“", "40 места"),
        (7, "Услуга „Социален асистент“", "20 места"),
        (8, "Център за обществена подкрепа", "30 места"),
        (11, "Приемна грижа", "12 приемни семейства"),
        (12, "Дневен център за стари хора", "20 места"),
        (13, "Домашен социален патронаж", "180 потребители"),
    ]
    assert "transposed" not in parsed.layouts
    assert (parsed.dispositions[5], parsed.dispositions[10]) == (("header", None), ("header", None))


def test_a_ceiling_is_not_the_capacity_of_a_service_only_being_prepared(ref):
    records = normalise_plan(parse_document(make_doc(HEADING + "\n".join([
        row("Наименование", "Звено „Майка и бебе“", "Дневен център за деца с увреждания"),
        row("Капацитет", "до 6 места", "до 20 места"),
        row("Финансиране", "проект", "ДДД"),
        row("Промяна през 2024 г.", "проучване на потребностите и подготовка на проектно предложение",
            "продължава"),
    ]))), ref).records
    unit, centre = records
    assert unit.status == "planned"
    assert unit.capacity is None and "capacity_of_activity" in unit.review  # 'до 6 места': the most it would hold
    assert (centre.status, centre.capacity) == ("continuing", 20)  # a running service's 'до 20 места' is read


def test_a_transposed_table_goes_on_across_a_page_break():
    parsed = parse_document(make_doc(HEADING + "\n".join([
        row("Показател", "Услуга 1", "Услуга 2"),                               # 5
        row("Наименование", "Център за обществена подкрепа", "Приемна грижа"),  # 6
        row("Капацитет", "35 места", "12 приемни семейства"),                   # 7
        row("Финансиране", "ДДД", "ДДД"),                                        # 8
        "",
        "стр. 1 от 2",                                                          # 10: a page's footer
        row("Показател", "Услуга 1", "Услуга 2"),                               # 11: the header repeated
        row("Сума (лв.)", "117 250", "96 000"),                                  # 12
        row("Тримесечия", "I – IV", "III и IV"),                                 # 13
        "",
        row("1.", "Кризисен център"),                                           # 15: a parameter table
        row("Параметър", "Стойност"),                                           # 16
        row("Място на предоставяне", "гр. Велинград"),                          # 17
        row("Капацитет", "10 места"),                                           # 18
        "",
        "Стр. 2 от 2",                                                          # 20
        row("Финансиране", "ДДД"),                                               # 21
        row("Сума (лв.)", "80 000"),                                             # 22
    ])))
    centre, foster, crisis = parsed.rows
    assert (centre.cells["amount"], centre.cells["term"], foster.cells["term"]) == ("117 250", "I – IV", "III и IV")
    assert sorted(ln.no for ln in foster.lines) == [6, 7, 8, 12, 13]
    assert (crisis.first_line, crisis.cells["funding"], crisis.cells["amount"]) == (15, "ДДД", "80 000")
    assert [parsed.dispositions[n][0] for n in (10, 11, 16, 20, 21)] == [
        "separator", "header", "header", "separator", "continuation"]  # a page number alone: a separator, no row


def test_a_section_heading_ends_a_parameter_table():
    parsed = parse_document(make_doc(HEADING + "\n".join([
        "РАЗДЕЛ I. СОЦИАЛНИ УСЛУГИ",                     # 5
        row("1.", "Кризисен център"),                    # 6
        row("Място на предоставяне", "гр. Велинград"),   # 7
        row("Капацитет", "10 места"),                    # 8
        "",
        "РАЗДЕЛ II. ХОРИЗОНТАЛНИ МЕРКИ",                 # 10
        row("Финансиране", "общински бюджет"),           # 11: no service of its own, not the centre's
        row("Сума (лв.)", "4 000"),                      # 12
    ])))
    (crisis,) = parsed.rows
    assert [ln.no for ln in crisis.lines] == [6, 7, 8]
    assert "funding" not in crisis.cells or not crisis.cells["funding"]
    assert parsed.dispositions[10] == ("section", None)


def test_a_transposed_plan_as_a_word_document_gives_the_records_of_its_text_form(ref, tmp_path):
    pytest.importorskip("docx", reason="python-docx is not installed")
    from etl.build import read_plan

    from .fixtures import make_formats

    text = Path(__file__).parent / "fixtures" / "blind-10" / "plans" / "velingrad-2014.txt"
    word = make_formats.build_docx(text, tmp_path / "velingrad-2014.docx")
    fields = ("name", "service_type", "capacity", "capacity_before", "staff", "amount_bgn", "quarters", "status")
    as_text, as_word = ([tuple(getattr(r, f) for f in fields) for r in read_plan(p, ref).records] for p in (text, word))
    assert len(as_text) == 10  # five services a table, two tables
    assert as_word == as_text
