"""Unit tests for the rows stage (etl/rows/): header recognition, quarter windows, row splitting, headings and the table walk.

Real rows are read from data/plans by line number (what `cat -n` shows); the table-walk tests build small
documents from text written here. Expected values come from reading the documents and docs/conventions.md.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from etl.lines import read_document
from etl.lines.text import Document, Line, split_cells
from etl.rows.align import best_window, read_cells, realign_shifted
from etl.rows.cells import cell_what
from etl.rows.columns import caption_scale, header_columns, resolve_numbers
from etl.rows.heading import find_year, municipality_candidates
from etl.rows.model import labelled_parts
from etl.rows.parse import (
    column_legend,
    is_quarter_header,
    joins_by_name,
    named_row,
    parse_document,
)
from etl.vocabulary import column_role, header_roles, match_section

PLANS = Path(__file__).resolve().parents[1] / "data" / "plans"
KRESNA, DUPNITSA, STARA_ZAGORA = "kresna-2020.txt", "dupnitsa-2021.txt", "stara-zagora-2015.txt"
IHTIMAN, LYUBIMETS = "ihtiman-2020.txt", "lyubimets-2013.txt"


@cache
def plan(name: str) -> Document:
    return read_document(PLANS / name)


def cells(name: str, no: int) -> list[str]:
    line = plan(name).lines[no - 1]
    assert line.no == no
    return line.cells


def read_row(name: str, no: int) -> dict[str, str]:
    """Line `no` read under the columns of the nearest header row above it (and its label row, if any)."""
    fields, _ = read_row_and_schedule(name, no)
    return fields


def read_row_and_schedule(name: str, no: int):
    header = max(n for n in range(1, no) if header_roles(cells(name, n)))
    sub = cells(name, header + 1) if header + 1 < no and is_quarter_header(cells(name, header + 1)) else None
    fields, schedule, _ = read_cells(cells(name, no), header_columns(cells(name, header), sub))
    return fields, schedule


def make_doc(text: str) -> Document:
    return Document(Path("x.txt"), "sha", "utf-8",
                    [Line(i, raw, split_cells(raw)) for i, raw in enumerate(text.splitlines(), 1)])


def row(*parts: str) -> str:
    return "\t".join(parts)


# --- header rows ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name, no, layout", [
    (KRESNA, 29, True),   # Времеви график … Финансиране (източник)
    (KRESNA, 38, True),   # Времени график, "каково е планирано", "пиз"
    (KRESNA, 48, True),
    (KRESNA, 57, True),   # Финансиране (источник)
    (KRESNA, 65, True),
    (KRESNA, 72, True),   # Времени График
    (KRESNA, 82, True),
    (KRESNA, 95, True),
    (KRESNA, 104, True),
    (DUPNITSA, 9, True),  # Финансиране (източник, сума)
    (STARA_ZAGORA, 11, True),
    (LYUBIMETS, 25, True),    # no schedule column
    (IHTIMAN, 27, True),    # СОЦИАЛНА УСЛУГА | ХАРАКТЕРИСТИКА НА УСЛУГАТА | …
    (IHTIMAN, 48, True),       # ЦЕЛ | ДЕЙНОСТИ | …
    (IHTIMAN, 53, True),
    (IHTIMAN, 57, True),
    # not headers
    (KRESNA, 30, False),          # the quarter sub-header
    (KRESNA, 32, False),
    (KRESNA, 108, False),         # legend
    (LYUBIMETS, 26, False),       # section heading in the second cell
    (LYUBIMETS, 27, False),
    (IHTIMAN, 28, False),
    (STARA_ZAGORA, 13, False),
    (DUPNITSA, 73, False),        # closing prose
])
def test_header_rows_real_lines(name, no, layout):
    assert (header_roles(cells(name, no)) is not None) is layout


@pytest.mark.parametrize("header, layout", [
    (["№", "Вид дейност / услуга / марка", "Описание на дейността (каково е планирано за периода)",
      "Местоположение (нас. място)", "Времени график за 2020 г.", "", "", "", "Финансиране (источник)",
      "Изпълняваща организация пиз, отговорник"], True),
    (["№", "Вид дейност /услуга/мярка", "Описание на дейността(как во е планирано за периода)",
      "Местоположение (нас. място)", "Финансиране (източник, сума)", "Изпълняваща организация, отговорник"], True),
    (["Финансиране", "Наименование на услугата", "Срок", "Брой места", "Сума (лв.)", "№"], True),  # any order
    (["Какво планираме", "Къде", "Кога", "За колко души", "С какви средства"], True),
    (["СОЦИАЛНА УСЛУГА", "ХАРАКТЕРИСТИКА НА УСЛУГАТА", "ДЕЙНОСТИ", "ОЧАКВАНИ РЕЗУЛТАТИ", "ФИНАНСИРАНЕ",
      "ОТГОВОРНИК", "СРОК"], True),
    (["ЦЕЛ", "ДЕЙНОСТИ", "ОЧАКВАНИ РЕЗУЛТАТИ", "ФИНАНСИРАНЕ", "ОТГОВОРНИК", "СРОК"], True),
    (["1", "Осигуряване на грижа при близки и роднини", "Вид дейност", "Община Кресна"], False),
    ([], False),
])
def test_header_rows_wordings(header, layout):
    assert (header_roles(header) is not None) is layout


@pytest.mark.parametrize("name, no, expected", [
    (KRESNA, 30, True),          # Ме сеп 1-3 … Ме сеп 10-12
    (KRESNA, 73, True),          # with an extra "Ме сеп" cell
    (DUPNITSA, 10, True),        # Месец 1-3
    (STARA_ZAGORA, 12, True),
    (KRESNA, 29, False),
    (KRESNA, 32, False),
])
def test_quarter_header(name, no, expected):
    assert is_quarter_header(cells(name, no)) is expected


# --- quarter windows and quarterly rows ------------------------------------------------------------------


@pytest.mark.parametrize("region, expected", [
    # Dupnitsa 53 / 55: four empty cells before the marks
    (["", "", "", "", "X", "X", "X", "X"], ["X", "X", "X", "X"]),
    # Dupnitsa 70: five cells '' X '' '' X → the window with the most marks is cells 2–5
    (["", "X", "", "", "X"], ["X", "", "", "X"]),
    (["X", "X", "X", "X", ""], ["X", "X", "X", "X"]),
    (["//////////", "", "", ""], ["//////////", "", "", ""]),
    (["+", "+", "+", "X"], ["+", "+", "+", "X"]),
    (["X", "X"], ["X", "X", "", ""]),
    ([], ["", "", "", ""]),
])
def test_best_window(region, expected):
    assert best_window(region) == expected


QUARTERLY_ROWS = [
    # (plan, line, item_no, place, quarters, funding, provider)
    (KRESNA, 32, "1", "Община Кресна", ["X", "X", "X", "X"], "В рамките на финансирането на ДСП-ОЗД",
     "ДСП-ОЗД в партньорство с Община Кресна, осигуряване консултации с психолог"),
    (KRESNA, 40, "", "", ["", "", "", ""], "ДСП-ОЗД", ""),
    (KRESNA, 41, "4", "Община Кресна", ["X", "X", "X", "X"], "В рамките на общинския бюджет",
     "ОЗД и Общинската администрация"),
    (KRESNA, 53, "", "Община Кресна", ["X", "X", "X", "X"], "Делегирани училищни бюджети и",
     "Училища, читалища, училищни"),
    (KRESNA, 77, "1", "Община Кресна", ["X", "X", "X", "X"], "В рамките на собствения бюджет", "Община Кресна"),
    (KRESNA, 78, "", "Гр. Кресна", ["X", "X", "X", "X"], "ДДЦ", "Община"),
    (KRESNA, 86, "", "", ["X", "X", "X", "X"], "Общински бюджет", "Община"),
    (KRESNA, 88, "3", "Гр. Кресна", ["+", "+", "+", "X"], "Държавно делегирана дейност", "Община Кресна"),
    (DUPNITSA, 53, "27.", "гр. Дупница жк „Дупница”, бл. 8А", ["X", "X", "X", "X"], "Проекти", "Община Дупница"),
    (DUPNITSA, 66, "1.", "", ["", "", "", ""], None, "Община Дупница"),
    (DUPNITSA, 70, "1.", "Община Дупница", ["X", "", "", "X"], "Местни приходи", "Община Дупница"),
    (DUPNITSA, 71, "2.", "гр. Дупница", ["X", "X", "X", "X"], "Проекти по оперативни, общностни и донорски програми",
     "Община Дупница"),
    (STARA_ZAGORA, 14, "1.", "Гр. Стара Загора", ["//////////", "", "", ""], "Държавно делегирана дейност (ДДД)",
     "Община Стара Загора/ СНЦ „Самаряни”"),
    (STARA_ZAGORA, 53, "", "Загора", ["", "", "", ""], "Проекти", ""),
    (STARA_ZAGORA, 69, "1.", "Гр. Стара Загора", ["*****"] * 4,
     "Процедура за директно предоставяне по ОП РЧР „Да не изоставяме нито едно дете“ Компонент 2",
     "Община Стара Загора"),
]


@pytest.mark.parametrize("name, no, item_no, place, quarters, funding, provider", QUARTERLY_ROWS)
def test_quarterly_real_rows(name, no, item_no, place, quarters, funding, provider):
    fields, got_quarters = read_row_and_schedule(name, no)
    assert fields["item_no"] == item_no
    assert fields["place"] == place
    assert got_quarters == quarters
    if funding is not None:
        assert fields["funding"] == funding
    assert fields["provider"] == provider


@pytest.mark.parametrize("no", [60, 62, 63, 64, 66, 67])
def test_quarterly_dupnitsa_broken_funding_cell(no):
    # "Бюджетно проектно финансиране" | "и" | "Община Дупница": the stray "и" is not the provider
    fields = read_row(DUPNITSA, no)
    assert fields["funding"].startswith("Бюджетно проектно финансиране")
    assert fields["provider"] == "Община Дупница"


def test_quarterly_dupnitsa_60_marks():
    fields, quarters = read_row_and_schedule(DUPNITSA, 60)
    assert quarters == ["X", "X", "X", "X"]
    assert fields["name"] == "Устойчиво развитие."
    assert fields["place"] == "Община Дупница"


# --- plain / service / goal rows ------------------------------------------------------------------


def test_plain_lyubimets_row():
    fields = read_row(LYUBIMETS, 27)
    assert fields["item_no"] == "1"
    assert fields["name"] == "Домашен социален патронаж"
    assert fields["place"] == "Община Любимец"
    assert fields["funding"].startswith("От общинския бюджет – общо отпуснат 244440 лв.")
    assert fields["provider"] == "Община Любимец"


def test_plain_lyubimets_continuation_fragment():
    fields = read_row(LYUBIMETS, 36)
    assert fields["item_no"] == ""
    assert fields["name"].startswith("структури , ангажирани със социални дейности")
    assert fields["funding"] == "програми, Общински бюджет"
    assert fields["provider"] == "социално подпомагане с партньор Община Любимец"


def test_plain_short_service_row_keeps_its_last_columns():
    # Ihtiman 42: title and characteristic share the first cell, so the row has six cells for seven columns
    fields = read_row(IHTIMAN, 42)
    assert (fields["name"] or fields["description"]).startswith("Приемна грижа\n")
    assert fields["funding"] == "Държавния бюджет Проекти на НПО"
    assert fields["provider"] == "Дирекция „Социално подпомагане” гр. Ихтиман, НПО"
    assert fields["term"] == "Декември 2020г."


def test_realign_shifted_ihtiman_50():
    fields = realign_shifted(read_row(IHTIMAN, 50))
    assert fields["funding"] == "В рамките на утвърдения бюджет на Община Ихтиман, МКБПШМН."
    assert fields["provider"].startswith("Община Ихтиман, ЦОП, Обществен съвет")
    assert fields["term"] == ""
    assert "3. Идентифициране на деца и семейства" in fields["results"]
    assert fields["activities"].startswith("2. Ранно идентифициране на риска")


@pytest.mark.parametrize("no", [49, 54, 55, 58])
def test_realign_shifted_leaves_aligned_rows(no):
    fields = read_row(IHTIMAN, no)
    assert realign_shifted(fields) == fields


# --- section headings -----------------------------------------------------------------------------


@pytest.mark.parametrize("text, section", [
    ("Социални услуги", "social_service"),
    ("I. СОЦИАЛНИ УСЛУГИ ПРЕДОСТАВЯНИ В ОБЩНОСТТА", "social_service"),
    ("Хоризонтални политики, мерки за социално включване", "horizontal_measure"),
    ("Дейности по развитие на партньорства, работа в мрежа", "partnership"),
    ("Дейност по развитие на партньорство, работа в мрежа Дирекция „Социално подпомагане”", "partnership"),
    ("Развитие на човешките ресурси (обучения, курсове, семинари)", "human_resources"),
    ("Развитие на човешките ресурси / обучения , курсове ,семинари/", "human_resources"),
    ("Други дейности (срещи, разработване на проекти, проучвания, дейности по мониторинг и оценка, други)", "other"),
    ("Други дейности", "other"),
    ("II. ДРУГИ ДЕЙНОСТИ", "other"),
    ("Приоритетно направление 3: Грижи за старите хора за по-добър и достоен живот", "priority"),
    # not headings
    ("Обща цел: Гръжа за старите хора за по-добър и достоен живот.", None),
    ("Клубове на възрастните хора и пенсионера", None),
    ("Развитие на Приемната грижа", None),
    ("Развитие на социалната икономика.", None),
    ("Социална услуга в общността – резидентен тип", None),
    ("Легенда:", None),
    ("Община Дупница", None),
    ("Приложение 1", None),
])
def test_match_section(text, section):
    assert match_section(text) == section


@pytest.mark.parametrize("no", [31, 76])
def test_match_section_kresna_priority_cells(no):
    # HTML cells: "<p>Приоритетно направление N: …</p> <p><i>Обща цел: …</i></p>"
    assert match_section(cells(KRESNA, no)[0]) == "priority"


# --- heading: year and municipality ---------------------------------------------------------------


def heading(name: str, last: int) -> str:
    return "\n".join(" ".join(c for c in ln.cells if c) for ln in plan(name).lines[:last])


@pytest.mark.parametrize("name, last, year", [
    (DUPNITSA, 8, 2021),
    (KRESNA, 28, 2020),
    (IHTIMAN, 26, 2020),
    (STARA_ZAGORA, 10, 2015),
    (LYUBIMETS, 24, 2013),
])
def test_find_year_real_headings(name, last, year):
    assert find_year(heading(name, last)) == year


@pytest.mark.parametrize("text, year", [
    ("ГОДИШЕН ПЛАН ЗА РАЗВИТИЕ НА СОЦИАЛНИТЕ УСЛУГИ НА ТЕРИТОРИЯТА НА ОБЩИНА ДУПНИЦА ЗА 2021 ГОДИНА", 2021),
    ("Планов период: 01.01.2021 г. -31.12.2021 г.", 2021),
    ("**услуги в Община Кресна\nпланов период 2020 г.**", 2020),
    ("План за действие 2020 г.", 2020),
    ("ОБЩИНА ИХТИМАН за 2020 г.", 2020),
    ("Планов период - 2020г.", 2020),
    ("Годишен план за действие по изпълнението на Общинската стратегия за развитие на социалните услуги в община "
     "Стара Загора за 2015г.", 2015),
    ("Планов период – 2015 година", 2015),
    ("ГОДИШЕН ПЛАН ЗА РАЗВИТИЕ НА СОЦИАЛНИТЕ УСЛУГИ В ОБЩИНА ЛЮБИМЕЦ ЗА 2013 ГОДИНА", 2013),
    ("ПК 2840, ГР.КРЕСНА, УЛ. \"Македония\" 96, тел. 0889848383, факс: 07433/87 30, е-mail: obstina_kresna@abv.bg",
     None),
    ("Приложение 1", None),
    ("", None),
])
def test_find_year_phrases(text, year):
    assert find_year(text) == year


@pytest.mark.parametrize("text, expected", [
    ("ГОДИШЕН ПЛАН ЗА РАЗВИТИЕ НА СОЦИАЛНИТЕ УСЛУГИ НА ТЕРИТОРИЯТА НА ОБЩИНА ДУПНИЦА ЗА 2021 ГОДИНА", [["ДУПНИЦА"]]),
    ("Община Дупница", [["Дупница"]]),
    ("ОБЩИНА КРЕСНА-ОБЛАСТ БЛАГОЕВГРАД", [["КРЕСНА"]]),
    ("КМЕТ НА ОБЩИНА КРЕСНА", [["КРЕСНА"]]),
    ("**услуги в Община Кресна", [["Кресна"]]),
    ("ОБЩИНА ИХТИМАН за 2020 г.", [["ИХТИМАН"]]),
    ("Община Стара Загора", [["Стара Загора", "Стара"]]),
    ("Годишен план за действие по изпълнението на Общинската стратегия за развитие на социалните услуги в община "
     "Стара Загора за 2015г.", [["Стара Загора", "Стара"]]),
    ("ГОДИШЕН ПЛАН ЗА РАЗВИТИЕ НА СОЦИАЛНИТЕ УСЛУГИ В ОБЩИНА ЛЮБИМЕЦ ЗА 2013 ГОДИНА", [["ЛЮБИМЕЦ"]]),
    ("Общински съвет гр.Любимец", []),
    ("Годишен план на община Нови пазар за 2023 г.", [["Нови пазар", "Нови"]]),  # a lower-case second word
    ("ОБЩИНА ДОЛНИ ЧИФЛИК", [["ДОЛНИ ЧИФЛИК", "ДОЛНИ"]]),
    ("Приложение 1", []),
])
def test_municipality_candidates_phrases(text, expected):
    assert municipality_candidates(text) == expected


@pytest.mark.parametrize("name, last, municipality", [
    (DUPNITSA, 8, "дупница"),
    (KRESNA, 28, "кресна"),
    (IHTIMAN, 26, "ихтиман"),
    (STARA_ZAGORA, 10, "стара загора"),
    (LYUBIMETS, 24, "любимец"),
])
def test_municipality_candidates_real_headings(name, last, municipality):
    found = municipality_candidates(heading(name, last))
    assert found
    assert all(municipality in [p.lower() for p in phrases] for phrases in found)


# --- the table walk on small documents ----------------------------------------------------------------

QUARTERLY_HEADER = row("№", "Вид дейност / услуга / мярка", "Описание на дейността (какво е планирано за периода)",
                       "Местоположение (нас. място)", "Времеви график за 2021 г.", "", "", "",
                       "Финансиране (източник, сума)", "Изпълняваща организация, отговорник")
QUARTER_SUBHEADER = row("", "", "", "", "Месец 1-3", "Месец 4-6", "Месец 7-9", "Месец 10-12", "", "")
HEAD = "ГОДИШЕН ПЛАН ЗА РАЗВИТИЕ НА СОЦИАЛНИТЕ УСЛУГИ НА ТЕРИТОРИЯТА НА ОБЩИНА ДУПНИЦА ЗА 2021 ГОДИНА"


def quarterly_doc(*body: str) -> Document:
    return make_doc("\n".join([HEAD, "", QUARTERLY_HEADER, QUARTER_SUBHEADER, *body]))


def test_parse_document_heading_and_section():
    parsed = parse_document(quarterly_doc(
        row("Социални услуги", "", "", "", "", "", "", "", "", ""),
        row("1.", "Клуб на пенсионера", "Продължаване на дейността.", "гр. Дупница", "X", "X", "X", "X",
            "Община Дупница – местни приходи.", "Община Дупница"),
    ))
    assert parsed.year == 2021
    assert parsed.municipality_candidates[0][0] == "ДУПНИЦА"
    assert parsed.layouts == ["item_no name description place q1-q4 funding provider"]
    assert len(parsed.rows) == 1
    r = parsed.rows[0]
    assert (r.item_no, r.section, r.first_line, r.quarters) == ("1", "social_service", 6, ["X", "X", "X", "X"])
    assert r.cells["name"] == "Клуб на пенсионера"
    assert parsed.dispositions[3] == ("header", None)
    assert parsed.dispositions[4] == ("header", None)
    assert parsed.dispositions[5][0] == "section"


def test_parse_document_continuation_after_page_break_is_merged():
    # Dupnitsa 36 → 38: the description runs on after a page break
    parsed = parse_document(quarterly_doc(
        row("16.", "Дневен център за стари хора Социална услуга в общността",
            "Подкрепа на лица, навършили възрастта за придобиване на пенсия. Нова от 2021 год. с", "гр. Дупница",
            "X", "X", "X", "X", "Проекти", "Община Дупница."),
        "",
        row("", "", "капацитет 50 места.", "", "", "", "", "", "", ""),
        row("17.", "Домашен социален патронаж Социална услуга в общността", "Продължаване на дейността.",
            "гр. Дупница", "X", "X", "X", "X", "Община Дупница – местна дейност", "Община Дупница"),
    ))
    assert [r.item_no for r in parsed.rows] == ["16", "17"]
    first = parsed.rows[0]
    assert first.cells["description"].endswith("Нова от 2021 год. с капацитет 50 места.")
    assert [ln.no for ln in first.lines] == [5, 7]
    assert first.quarters == ["X", "X", "X", "X"]
    assert first.cells["funding"] == "Проекти"
    assert parsed.dispositions[7] == ("continuation", 0)


def test_parse_document_repeated_header_is_skipped_and_continuation_merged():
    # Kresna 34 → (page header 36–39) → 40
    parsed = parse_document(quarterly_doc(
        row("3", "Развитие на Приемната грижа", "Дейностите ще се осъществяват от ОЗД в партньорство с община "
            "Кресна: провеждане на информационни срещи,", "Община Кресна", "X", "X", "X", "X", "",
            "в рамките на осигурената издръжка на", "ДСП-ОЗД, АСП в партньорство с Община Кресна"),
        "",
        "План за действие 2020 г.",
        "",
        QUARTERLY_HEADER,
        QUARTER_SUBHEADER,
        row("", "", "подбор и оценка на кандидат-осиновители", "", "", "", "", "", "", "ДСП-ОЗД", ""),
    ))
    assert len(parsed.rows) == 1
    r = parsed.rows[0]
    assert r.cells["description"].endswith("провеждане на информационни срещи, подбор и оценка на кандидат-осиновители")
    assert r.cells["funding"] == "в рамките на осигурената издръжка на ДСП-ОЗД"
    assert [ln.no for ln in r.lines] == [5, 11]
    assert parsed.dispositions[9] == ("header", None)
    assert parsed.dispositions[10] == ("header", None)
    assert parsed.dispositions[11] == ("continuation", 0)


def test_parse_document_unnumbered_row_with_marks_is_a_sub_row():
    # Kresna 41–43: the unnumbered rows carry their own marks and funding
    parsed = parse_document(quarterly_doc(
        row("4", "Общински програми и мерки за здравна профилактика и семейно планиране.",
            "Работата по превенция на изоставянето", "Община Кресна", "X", "X", "X", "X",
            "В рамките на общинския бюджет", "ОЗД и Общинската администрация"),
        row("", "", "Училищни беседи и информационни кампании за здравна профилактика и сексуално образование.",
            "Община Кресна", "X", "X", "X", "X", "В рамките на общинския бюджет", "Училище Община Кресна"),
        row("", "", "Беседи, лекции, информационни кампании с младите хора от ромската общност", "Община Кресна",
            "X", "X", "X", "X", "В рамките на общинския бюджет", "Училище Община Кресна, ОЗД и Общинска администрация"),
    ))
    assert [r.item_no for r in parsed.rows] == ["4", None, None]
    assert [r.parent for r in parsed.rows] == [None, 0, 0]
    assert parsed.rows[1].cells["description"].startswith("Училищни беседи")
    assert parsed.rows[1].quarters == ["X", "X", "X", "X"]
    assert [parsed.dispositions[n] for n in (5, 6, 7)] == [("record", 0), ("record", 1), ("record", 2)]


def test_parse_document_unnumbered_row_with_marks_after_page_break_is_a_sub_row():
    # Kresna 44 → page header → 50: own marks make it a separate activity, not a continuation
    parsed = parse_document(quarterly_doc(
        row("5", "Осигуряване на условия за развитие на децата с увреждания, отглеждани в семейството.",
            "Продължаване дейността на Център за социална рехабилитация и интеграция за деца и възрастни .",
            "гр. Кресна, с. Сливница, с. Долна Градешница", "X", "X", "X", "X", "Държавно делегирана дейност (ДДД)",
            "ПСРИ"),
        "",
        QUARTERLY_HEADER,
        QUARTER_SUBHEADER,
        row("", "", "Поетапно адаптиране на средата (с подходящо обзавеждане и оборудване) на детските градини",
            "Община Кресна", "X", "X", "X", "X", "Общински бюджет, външно финансиране, дарения",
            "Община, Детски заведения"),
    ))
    assert len(parsed.rows) == 2
    assert parsed.rows[1].item_no is None
    assert parsed.rows[1].parent == 0
    assert parsed.rows[0].cells["funding"] == "Държавно делегирана дейност (ДДД)"
    assert parsed.dispositions[9] == ("record", 1)


def test_parse_document_total_separator_and_plain_layout():
    # Lyubimets 25–36 (shortened)
    text = "\n".join([
        "Г О Д И Ш Е Н П Л А Н ЗА РАЗВИТИЕ НА СОЦИАЛНИТЕ УСЛУГИ В ОБЩИНА ЛЮБИМЕЦ ЗА 2013 ГОДИНА",
        "",
        row("№", "Вид дейност /услуга/мярка", "Описание на дейността(как во е планирано за периода)",
            "Местоположение (нас. място)", "Финансиране (източник, сума)", "Изпълняваща организация, отговорник"),
        row("", "Социални услуги", "", "", "", ""),
        row("1", "Домашен социален патронаж", "Комплекс от социални услуги", "Община Любимец",
            "От общинския бюджет – общо отпуснат 244440 лв.", "Община Любимец"),
        row("", "ОБЩО", "", "", "538 952 лева", ""),
        row("", "Дейност по развитие на партньорство, работа в мрежа Дирекция „Социално подпомагане”", "", "", "", ""),
        row("1", "Взаимодействие с областните", "", "Гр. Любимец", "Оперативни", "Агенция за"),
        "",
        row("", "структури , ангажирани със социални дейности", "", "", "програми, Общински бюджет",
            "социално подпомагане с партньор Община Любимец"),
        row("---", "--", "--", "--", "---", "------"),
    ])
    parsed = parse_document(make_doc(text))
    assert parsed.year == 2013
    assert parsed.layouts == ["item_no name description place funding provider"]
    assert [(r.item_no, r.section) for r in parsed.rows] == [("1", "social_service"), ("1", "partnership")]
    assert parsed.rows[0].quarters is None
    merged = parsed.rows[1]
    assert merged.cells["name"] == "Взаимодействие с областните структури , ангажирани със социални дейности"
    assert merged.cells["funding"] == "Оперативни програми, Общински бюджет"
    assert merged.cells["provider"] == "Агенция за социално подпомагане с партньор Община Любимец"
    assert parsed.dispositions[6] == ("total", None)
    assert parsed.dispositions[7][0] == "section"
    assert parsed.dispositions[10] == ("continuation", 1)
    assert parsed.dispositions[11] == ("separator", None)


SERVICE_HEADER = row("СОЦИАЛНА УСЛУГА", "ХАРАКТЕРИСТИКА НА УСЛУГАТА", "ДЕЙНОСТИ", "ОЧАКВАНИ РЕЗУЛТАТИ",
                     "ФИНАНСИРАНЕ", "ОТГОВОРНИК", "СРОК")


def test_parse_document_service_name_alone_above_short_row():
    # Ihtiman 31–33
    text = "\n".join([
        "ОБЩИНА ИХТИМАН за 2020 г.",
        "",
        "I. СОЦИАЛНИ УСЛУГИ ПРЕДОСТАВЯНИ В ОБЩНОСТТА",
        "",
        SERVICE_HEADER,
        "",
        "Клубове на възрастните хора и пенсионера",
        "",
        row("<p>Социална услуга, предоставяна в общността за самотно живеещи стари хора.</p> <p>14бр. Клуба на "
            "пенсионера в общината персонал :1 организатора на клуб.</p>",
            "<p>1. Включване на членовете на клубовете в инициативи;</p>",
            "<p>Социализация на хората от третата възраст;</p>",
            "<p>Община Ихтиман, съгласно утвърден бюджет за 2020г</p>",
            "<p>Председател и УС на клубовете Община Ихтиман</p>", "<p>Декември 2020г.</p>"),
    ])
    parsed = parse_document(make_doc(text))
    assert parsed.layouts == ["name description activities results funding provider term"]
    assert len(parsed.rows) == 1
    r = parsed.rows[0]
    assert r.cells["name"] == "Клубове на възрастните хора и пенсионера"
    assert "14бр. Клуба на пенсионера в общината" in r.cells["description"]
    assert r.cells["funding"] == "Община Ихтиман, съгласно утвърден бюджет за 2020г"
    assert r.cells["provider"] == "Председател и УС на клубовете Община Ихтиман"
    assert r.cells["term"] == "Декември 2020г."
    assert (r.first_line, r.section, r.quarters, r.item_no) == (7, "social_service", None, None)
    assert parsed.dispositions[7] == ("record", 0)
    assert parsed.dispositions[9] == ("record", 0)


def test_parse_document_service_row_splits_name_from_characteristic():
    # Ihtiman 28: the first cell holds the name, then capacity and staff
    text = "\n".join([
        "ОБЩИНА ИХТИМАН за 2020 г.",
        "I. СОЦИАЛНИ УСЛУГИ ПРЕДОСТАВЯНИ В ОБЩНОСТТА",
        SERVICE_HEADER,
        row("<p style=\"text-align: center;\">Домашен социален патронаж</p> <p>Капацитет - 100бр. Персонал - 7 бр.</p>",
            "<p>„Домашен социален патронаж“ (ДСП) е комплекс от социални услуги</p>",
            "<p>1. Разширяване на териториалния обхват на предоставяната услуга</p>",
            "<p>1. Повишаване качеството на предоставяната услуга</p>",
            "<p>Община Ихтиман, съгласно утвърден бюджет за 2020</p>", "<p>Управител на ДСП Община Ихтиман</p>",
            "<p>Декември 2020г.</p>"),
    ])
    parsed = parse_document(make_doc(text))
    assert len(parsed.rows) == 1
    r = parsed.rows[0]
    assert r.cells["name"] == "Домашен социален патронаж"
    assert r.cells["description"].startswith("Капацитет - 100бр. Персонал - 7 бр.")
    assert "„Домашен социален патронаж“ (ДСП)" in r.cells["description"]


def test_parse_document_goal_layout_shifted_sub_row_and_fragment():
    # Ihtiman 48–51: a sub-row with its own (shifted) funding, then a row of text fragments merged into it
    text = "\n".join([
        "ОБЩИНА ИХТИМАН за 2020 г.",
        "II. ДРУГИ ДЕЙНОСТИ",
        row("ЦЕЛ", "ДЕЙНОСТИ", "ОЧАКВАНИ РЕЗУЛТАТИ", "ФИНАНСИРАНЕ", "ОТГОВОРНИК", "СРОК"),
        row("<p>Оптимизиране на грижата за деца с увреждания, деца в риск и техните семейства</p>",
            "<p>1. Подкрепа на семейства, които имат деца с увреждания и ги отглеждат в семейна среда.</p>",
            "<p>1. Превенция на риска от изоставяне;</p>", "<p>В рамките на утвърдения бюджет на Община Ихтиман</p>",
            "<p>Община Ихтиман, ЦОП, Обществен съвет</p>", "<p>Декември 2020г.</p>"),
        row("", "<p>2. Ранно идентифициране на риска от изоставяне.</p>",
            "<p>2. Превенция и подкрепа на семействата и децата от рисковите групи.</p>",
            "<p>3. Идентифициране на деца и семейства, които се нуждаят от подкрепа.</p>",
            "<p>В рамките на утвърдения бюджет на Община Ихтиман, МКБПШМН.</p>",
            "<p>Община Ихтиман, ЦОП, Обществен съвет, училища на територията на Община Ихтиман, МКБПШМН.</p>"),
        row("", "<p>Сътрудничество и екипна работа на ДСП, МКБПШМН, училищните ръководства.</p>",
            "<p>4. Създаване на механизъм от институциите за реакция при кризисни ситуации.</p>", "", "", ""),
    ])
    parsed = parse_document(make_doc(text))
    assert parsed.layouts == ["name activities results funding provider term"]
    assert [r.section for r in parsed.rows] == ["other", "other"]
    sub = parsed.rows[1]
    assert sub.parent == 0
    assert sub.cells["funding"] == "В рамките на утвърдения бюджет на Община Ихтиман, МКБПШМН."
    assert sub.cells["activities"].endswith("Сътрудничество и екипна работа на ДСП, МКБПШМН, училищните ръководства.")
    assert [ln.no for ln in sub.lines] == [5, 6]
    assert parsed.dispositions[6] == ("continuation", 1)


def test_parse_document_without_table_reports_an_error():
    parsed = parse_document(make_doc("Годишен план\n\nОбщина Дупница\nПланов период: 01.01.2021 г. -31.12.2021 г."))
    assert parsed.layouts == []
    assert parsed.rows == []
    assert parsed.year == 2021
    assert any(i.severity == "error" and i.category == "no_table" for i in parsed.issues)


def test_parse_document_row_before_header_is_read_and_flagged():
    parsed = parse_document(make_doc("\n".join([
        HEAD,
        row("1.", "Клуб на пенсионера", "Продължаване на дейността.", "гр. Дупница"),
        QUARTERLY_HEADER,
    ])))
    [first] = parsed.rows
    assert first.item_no == "1" and first.cells["name"] == "Клуб на пенсионера"
    assert first.cells["place"] == "гр. Дупница"
    assert first.flags == ["no_header"]
    assert parsed.dispositions[2] == ("record", 0)


@pytest.mark.parametrize(("text", "year"), [
    ("ГОДИШЕН ПЛАН ЗА РАЗВИТИЕ НА СОЦИАЛНИТЕ УСЛУГИ – 2022 г.", 2022),
    ("Годишен план по стратегията 2016-2020 за развитие", None),
    ("Годишен план по стратегията (2016 – 2020)", None),
])
def test_find_year_in_a_title_without_za_but_not_a_strategy_period(text, year):
    assert find_year(text) == year


def test_municipality_after_a_colon():
    assert municipality_candidates("ОБЩИНА: ГОРНА ОРЯХОВИЦА\nПЛАН")[0][0] == "ГОРНА ОРЯХОВИЦА"


# --- two-line headers: when the capacity columns stand, a period in two date columns, months abbreviated ---------


def test_capacity_columns_under_one_header_ordered_by_their_years():
    header = ["№", "Социална услуга", "Капацитет (брой места)", "", "Срок", "Финансиране", "", "Забележка"]
    sub = ["", "", "към 31.12.2017 г.", "през 2018 г.", "", "сума (лв.)", "източник", ""]
    columns = header_columns(header, sub)
    assert columns.roles == ["item_no", "name", "capacity_before", "capacity", "term", "amount", "funding", "notes"]


def test_a_two_line_header_is_not_read_as_a_row():
    doc = make_doc("\n".join([
        row("№", "Социална услуга / мярка", "Капацитет (брой места)", "", "Срок", "Финансиране през 2018 г.", "",
            "Забележка"),
        row("", "", "към 31.12.2017 г.", "през 2018 г.", "", "сума (лв.)", "източник", ""),
        row("1.", "Център за обществена подкрепа", "40", "50", "постоянен", "152.400", "ДДД", ""),
    ]))
    parsed = parse_document(doc)
    assert len(parsed.rows) == 1
    cells_ = parsed.rows[0].cells
    assert (cells_["capacity_before"], cells_["capacity"], cells_["amount"], cells_["funding"]) == ("40", "50",
                                                                                                      "152.400", "ДДД")


def test_a_period_in_start_and_end_columns_is_one_period():
    doc = make_doc("\n".join([
        row("№", "Цел / дейност", "Място на предоставяне", "Период на изпълнение", "", "Бюджет, лв.", "Финансиране"),
        row("", "", "", "начало", "край", "", ""),
        row("1.1", "Център за обществена подкрепа", "гр. Берковица", "01.09.2016", "31.12.2016", "89 400", "ДДД"),
    ]))
    parsed = parse_document(doc)
    assert parsed.rows[0].quarters is None
    assert parsed.rows[0].cells["term"] == "01.09.2016 – 31.12.2016"


def test_months_abbreviated_to_two_letters_are_a_label_row():
    months = ["ян", "фев", "мар", "апр", "май", "юни", "юли", "авг", "сеп", "окт", "ное", "дек"]
    doc = make_doc("\n".join([
        row("№", "Социална услуга / дейност", "Месеци на изпълнение през 2023 г.", *[""] * 11, "Финансиране"),
        row("", "", *months, ""),
        row("1", "Център за обществена подкрепа", *["■"] * 6, *[""] * 6, "ДДД"),
    ]))
    parsed = parse_document(doc)
    assert len(parsed.rows) == 1 and parsed.rows[0].schedule_kind == "m"
    assert parsed.rows[0].quarters == ["■"] * 6 + [""] * 6


# --- the unit of a table's amounts, stated once (blind-5) ---------------------------------------------------------


def test_an_amount_header_merged_over_empty_cells_keeps_its_unit():
    # the empty cells under "(хил. лв.)" state no unit of their own: the amounts are in thousands
    assert header_columns(["№", "Услуга", "Необходими средства (хил. лв.)", "", ""]).scale == 1000.0
    # the unit in the label row under the header
    assert header_columns(["№", "Услуга", "Необходими средства", "Финансиране"], ["", "", "хил. лв.", ""]).scale == 1000.0


def test_amount_headers_stating_different_units_leave_the_unit_in_doubt():
    assert header_columns(["№", "Услуга", "Сума (лв.)", "Сума (хил. лв.)"]).scale is None


@pytest.mark.parametrize(("caption", "unit"), [
    ("Таблица 2 (в хил. лв.)", 1000.0), ("Стойностите са в хиляди лева", 1000.0), ("(млн. лв.)", 1e6),
    ("Таблица 1 (лв.)", None), ("Общият бюджет е 1 200 хил. лв.", None),  # an amount, not the unit of the table
])
def test_the_unit_a_caption_states(caption, unit):
    assert caption_scale(caption) == unit


def test_a_caption_states_the_unit_of_a_whole_table_on_every_page():
    doc = make_doc("\n".join([
        "Таблица 2. Нови услуги (в хил. лв.)",
        "",
        row("№", "Социална услуга", "Финансиране", "Необходими средства"),
        row("1.", "Център за обществена подкрепа", "ДДД", "78,6"),
        "",
        row("№", "Социална услуга", "Финансиране", "Необходими средства"),
        row("2.", "Дневен център за стари хора", "ДДД", "42,3"),
    ]))
    assert [r.scale for r in parse_document(doc).rows] == [1000.0, 1000.0]


def test_a_caption_and_a_header_stating_different_units_leave_the_unit_in_doubt():
    doc = make_doc("\n".join([
        "Таблица 2 (в хил. лв.)",
        row("№", "Социална услуга", "Финансиране", "Сума (лв.)"),
        row("1.", "Център за обществена подкрепа", "ДДД", "78,6"),
    ]))
    assert parse_document(doc).rows[0].scale is None


# --- labelled parameter lines, Roman item numbers, a settlement matrix, notes under the table (blind-5) -------------


@pytest.mark.parametrize(("text", "parts"), [
    ("Място: гр. Червен бряг, ул. „Антим I“ № 6", [("place", "гр. Червен бряг, ул. „Антим I“ № 6")]),
    ("Капацитет: 20 → 24 места", [("capacity", "20 → 24 места")]),
    ("Финансиране: ДДД – 132 940 лв.; дофинансиране – 8 000 лв.",
     [("funding", "ДДД – 132 940 лв.; дофинансиране – 8 000 лв.")]),
    # a count under a label naming the service's users is its capacity; a label naming no role is description
    ("Потребители: 48; лични асистенти: 45", [("capacity", "48"), ("description", "лични асистенти: 45")]),
    ("Брой приемни семейства: 8", [("capacity", "8")]),
    # not a label a header would name: not a labelled parameter
    ("Център: за деца", None),
    ("Дневен център за деца", None),
])
def test_labelled_parts(text, parts):
    assert labelled_parts(text) == parts


def test_a_service_spread_over_labelled_lines_is_one_record_with_its_fields():
    doc = make_doc("\n".join([
        row("№ по ред", "Социална услуга / мярка и основни параметри", "Отговорник / изпълнител"),
        row("1.", "Център за обществена подкрепа", "Община Червен бряг"),
        row("", "Място: гр. Червен бряг", ""),
        row("", "Капацитет: 30 места", ""),
        row("", "Финансиране: ДДД – 171 600 лв.", ""),
        row("", "Срок: 01.01. – 31.12.2020 г.", ""),
        row("", "Промяна: без промяна", ""),
    ]))
    parsed = parse_document(doc)
    assert len(parsed.rows) == 1
    c = parsed.rows[0].cells
    assert c["name"] == "Център за обществена подкрепа"
    assert (c["place"], c["capacity"], c["funding"], c["term"], c["status"]) == (
        "гр. Червен бряг", "30 места", "ДДД – 171 600 лв.", "01.01. – 31.12.2020 г.", "без промяна")


def test_roman_item_numbers_start_records_and_are_no_marks():
    doc = make_doc("\n".join([
        row("№", "Социална услуга", "Място на предоставяне", "Финансиране"),
        row("IV.", "Център за обществена подкрепа", "гр. Балчик", "ДДД"),
        row("V.", "Дневен център", "с. Кранево", "ДДД"),
        row("", "в т.ч. изнесен пункт", "с. Сенокос", "местна дейност"),
        row("IX.", "Кризисен център", "гр. Балчик", "общински бюджет"),
    ]))
    parsed = parse_document(doc)
    assert [(r.item_no, r.cells["name"]) for r in parsed.rows if r.parent is None] == [
        ("IV", "Център за обществена подкрепа"), ("V", "Дневен център"), ("IX", "Кризисен център")]


def test_a_schedule_header_over_one_column_is_a_period_in_its_unit():
    columns = header_columns(["№", "Социална услуга", "Тримесечие", "Финансиране"])
    assert columns.roles == ["item_no", "name", "term", "funding"] and columns.term_unit == "q"


def test_a_settlement_matrix_names_the_marked_settlements():
    doc = make_doc("\n".join([
        row("№", "Социална услуга", "Населено място", "", "", "Финансиране"),
        row("", "", "гр. Белоградчик", "с. Рабиша", "с. Салаш", ""),
        row("1.", "Клуб на пенсионера", "х", "", "х", "Общински бюджет"),
        row("2.", "Приемна грижа", "на територията на цялата община", "", "", "ДДД"),
    ]))
    parsed = parse_document(doc)
    assert [r.cells["place"] for r in parsed.rows] == ["гр. Белоградчик, с. Салаш", "на територията на цялата община"]


def test_a_cell_pointing_to_a_numbered_note_gets_the_note():
    note = "1. Капацитетът на ДЦДУ се увеличава от 15 на 20 места от 01.04.2018 г."
    doc = make_doc("\n".join([
        row("№", "Социална услуга", "Капацитет", "Забележка"),
        row("1.", "ЦОП", "30", "–"),
        row("2.", "ДЦДУ", "20", "виж бел. 1"),
        "",
        "Бележки:",
        note,
    ]))
    parsed = parse_document(doc)
    assert parsed.rows[0].cells["notes"] == "–"
    assert parsed.rows[1].cells["notes"] == "виж бел. 1 ; Капацитетът на ДЦДУ се увеличава от 15 на 20 места от 01.04.2018 г."
    assert [ln.no for ln in parsed.rows[1].lines] == [3, 6]


# --- numbers are read per cell ---------------------------------------------------------------------------------------

def test_two_cells_of_one_role_with_numbers_are_never_joined_into_one_number():
    # a funding header over four columns with no labels under it: the cells share the role, never their digits
    columns = header_columns(["№", "Социална услуга", "Финансиране за 2024 г. (лв.)", "", "", ""])
    fields, _, _ = read_cells(["1.", "Център за обществена подкрепа", "128 600", "", "", "128 600"], columns)
    assert "128 600 128 600" not in fields["funding"]
    assert fields["funding"] == "128 600 | 128 600"


def test_amount_columns_under_a_money_header_are_kept_apart_by_label():
    columns = header_columns(["№", "Услуга", "Финансиране за 2024 г. (лв.)", "", "", ""],
                             ["", "", "ДДД", "Общински бюджет", "Други източници", "Общо"])
    fields, _, _ = read_cells(["2.", "ЦСРИ", "112 400", "6 000", "", "118 400"], columns)
    assert {k: v for k, v in fields.items() if k.startswith("amount:")} == {
        "amount:ДДД": "112 400", "amount:Общински бюджет": "6 000", "amount:Общо": "118 400"}


def test_a_numbered_line_and_its_detail_line_are_one_row_but_sub_rows_stay_rows():
    header = row("№", "Услуга / действие", "Място", "Капацитет", "Средства (лв.)", "Тримесечие", "", "", "", "Доставчик")
    sub = row("", "", "", "", "", "I", "II", "III", "IV", "")
    parsed = parse_document(make_doc("\n".join([
        "ГОДИШЕН ПЛАН ЗА 2014 ГОДИНА", "", header, sub,
        row("1.", "Домашен социален патронаж", "гр. Кула", "", "", "", "", "", "", "Община Кула"),
        row("", "Продължаване на дейността", "", "120", "146 800", "X", "X", "X", "X", ""),
        row("2.", "Център за обществена подкрепа", "гр. Кула", "20", "48 360", "X", "X", "X", "X", "Община Кула"),
        row("", "Обучение на екипа", "гр. Кула", "", "1 000", "", "X", "", "", ""),
    ])))
    assert len(parsed.rows) == 3
    assert [ln.no for ln in parsed.rows[0].lines] == [5, 6]  # the detail line completes the numbered line
    assert parsed.rows[0].cells["capacity"] == "120" and parsed.rows[0].cells["provider"] == "Община Кула"
    assert parsed.rows[2].parent == 1  # a row after a complete numbered row is a sub-row, as before


def test_schedule_labels_of_another_year_than_the_plan_are_not_its_schedule():
    header = ["№", "Социална услуга", "І-во полугодие 2016 г.", "ІІ-ро полугодие 2016 г.", "І-во полугодие 2017 г.",
              "ІІ-ро полугодие 2017 г."]
    assert header_columns(header, None, None, 2017).roles == ["item_no", "name", "other_period", "other_period",
                                                              "h1", "h2"]


def test_a_row_under_a_header_that_continues_the_name_is_no_label_row():
    doc = make_doc("\n".join([
        row("Пор. №", "Вид соц. услуга", "Нас. място", "Кап. (места)", "Бележки"),
        row("", "увреждания (ЦНСТПЛФУ) – 3 бр.", "", "", "BG16RFOP001-5.002-0011"),
        row("1)", "Личен асистент", "гр. Елена", "30", ""),
    ]))
    parsed = parse_document(doc)
    assert parsed.dispositions[2][0] != "header"  # text under the header: a row's, not the header's second line
    assert parsed.rows[-1].cells["name"] == "Личен асистент"


# --- tables copied from a PDF, header labels, action columns ---------------------------------------------------------

PDF_WRAPPED = [
    row("№", "Наименование на услугата /", "Местоположение", "Капацитет", "Източник на", "Средства", "Срок"),
    row("", "мярката", "", "", "финансиране", "(лв.)", ""),
    row("1.", "Център за обществена подкрепа", "гр. Петрич, ул. „Цар", "40", "делегирана от", "118 400",
        "01.01.2014 г. –"),
    row("", "(ЦОП)", "Борис III“ № 27", "места", "държавата дейност", "лв.", "31.12.2014 г."),
    row("2.", "Център за социална рехабилитация", "гр. Петрич", "от 30 на", "ДДД", "96", "01.04.2014 г. –"),
    row("", "и интеграция", "", "35 места", "", "240 лв.", "31.12.2014 г."),
    row("3.", "Дом за стари хора", "с. Първомай", "виж заб. 1", "ДДД", "612 000", "през годината"),
    row("", "", "", "", "", "лв.", ""),
    "",
    "Забележки:",
    "1. Капацитетът на дома (т. 3) е 60 места, от които 12 за лежащо болни.",
]


def test_a_header_whose_second_line_names_roles_too_is_one_header():
    parsed = parse_document(make_doc("\n".join(PDF_WRAPPED)))
    assert parsed.layouts == ["item_no name place capacity funding amount term"]
    assert [r.item_no for r in parsed.rows] == ["1", "2", "3"]


def test_cells_wrapped_onto_the_next_line_of_a_pdf_table_are_joined_with_their_row():
    # the line above breaks off mid-phrase ('делегирана от', '… –'): the line below carries the same row's cells on,
    # though it fills a place and a funding cell (which would otherwise start an activity of its own)
    first, second, third = parse_document(make_doc("\n".join(PDF_WRAPPED))).rows
    assert first.cells["capacity"] == "40 места"
    assert first.cells["funding"] == "делегирана от държавата дейност"
    assert first.cells["amount"] == "118 400 лв."
    assert first.cells["term"] == "01.01.2014 г. – 31.12.2014 г."
    # a number cell broken off after a preposition, and an amount broken between the groups of its digits
    assert second.cells["capacity"] == "от 30 на 35 места"
    assert second.cells["amount"] == "96 240 лв."
    # the note the capacity cell points to, without the note's own number
    assert third.cells["capacity"] == "виж заб. 1 ; Капацитетът на дома (т. 3) е 60 места, от които 12 за лежащо болни."


def test_two_numbers_in_one_column_of_lines_that_do_not_wrap_stay_apart():
    doc = make_doc("\n".join([
        row("№", "Социална услуга", "Капацитет", "Финансиране", "Средства (лв.)"),
        row("1.", "Център за обществена подкрепа", "30", "ДДД", "96"),
        row("", "", "", "", "240 лв."),
    ]))
    assert parse_document(doc).rows[0].cells["amount"] == "96 | 240 лв."


def test_a_sub_row_without_a_name_of_its_own_continues_the_row_above():
    doc = make_doc("\n".join([
        row("№", "Социална услуга", "Населено място", "Капацитет", "Финансиране"),
        row("1.", "Домашен социален патронаж", "всички населени", "180", "общински бюджет"),
        row("", "", "места в общината", "потребители", "(местна дейност)"),
    ]))
    rows = parse_document(doc).rows
    assert len(rows) == 1
    assert rows[0].cells["place"] == "всички населени места в общината"
    assert rows[0].cells["capacity"] == "180 потребители"


def test_half_year_columns_named_by_their_months_under_a_period_header():
    columns = header_columns(
        ["№ по ред", "Социална услуга", "Капацитет", "Персонал", "Изпълнение през 2018 г.", "", "Бюджет 2018 г."],
        ["", "", "", "(щ. бр.)", "януари – юни", "юли – декември", "(лв.)"])
    assert columns.roles == ["item_no", "name", "capacity", "staff", "h1", "h2", "amount"]
    fields, schedule, _ = read_cells(["1", "ЦОП", "35 места", "7", "–", "да", "104 500"], columns)
    assert schedule == ["–", "да"]
    assert fields["amount"] == "104 500"


def test_columns_of_one_action_answered_yes_or_no_give_the_status():
    columns = header_columns(
        ["№", "Социална услуга", "Разкриване", "Разширяване", "Закриване", "Срок – тримесечие", "", "", ""],
        ["", "", "(Да/Не)", "(Да/Не)", "(Да/Не)", "1-во", "2-ро", "3-то", "4-то"])
    assert columns.roles == ["item_no", "name", "status_flag", "status_flag", "status_flag", "q1", "q2", "q3", "q4"]
    fields, schedule, _ = read_cells(["г)", "Дом за деца", "Не", "Не", "Да", "Х", "Х", "–", "–"], columns)
    assert fields["status"] == "закриване"
    assert schedule == ["Х", "Х", "–", "–"]
    fields, _, _ = read_cells(["а)", "ЦОП", "Не", "Не", "Не", "Х", "Х", "Х", "Х"], columns)
    assert not fields.get("status")


def test_items_lettered_under_a_numbered_group_are_rows():
    doc = make_doc("\n".join([
        row("№", "Социална услуга", "Населено място", "Капацитет", "Финансиране"),
        row("1.", "Услуги за деца и семейства", "", "", ""),
        row("а)", "Център за обществена подкрепа", "гр. Свищов", "30", "ДДД"),
        row("б)", "Приемна грижа", "Община Свищов", "12 сем.", "ДДД"),
    ]))
    assert [r.item_no for r in parse_document(doc).rows] == ["1", "а", "б"]


def test_a_period_in_a_start_month_and_an_end_month_column():
    columns = header_columns(["№", "Социална услуга", "От месец", "До месец", "Финансиране"])
    assert columns.roles == ["item_no", "name", "term", "term", "funding"]
    fields, _, _ = read_cells(["3.", "ЦНСТ за стари хора", "юли", "декември", "ДДД"], columns)
    assert fields["term"] == "юли – декември"


def test_a_legend_of_numbered_columns_gives_their_wordings():
    legend = ("1 – пореден номер; 2 – наименование на услугата / мярката; 3 – място на предоставяне; "
              "4 – капацитет; 5 – персонал (бр.)")
    assert column_legend(legend) == ["пореден номер", "наименование на услугата / мярката",
                                     "място на предоставяне", "капацитет", "персонал (бр.)"]
    assert column_legend("1 – пореден номер; 3 – място; 4 – капацитет; 5 – персонал") is None  # a gap
    assert column_legend("Решение № 97 от 28.01.2016 г.") is None


@pytest.mark.parametrize(("text", "year"), [
    ("Годишен план за развитие на социалните услуги – 2018 г. (с индикативна част за 2019 г.)", 2018),
    ("Годишен план (за 2021 г.)", 2021),  # only in brackets: still the year
])
def test_a_year_in_brackets_is_an_aside(text, year):
    assert find_year(text) == year


def test_amount_columns_labelled_by_year_keep_the_plan_years_only():
    header = ["№", "Услуга", "Финансиране", "Средства (лв.)", ""]
    columns = header_columns(header, ["", "", "", "2024 г.", "2025 г."], None, 2024)
    assert columns.roles == ["item_no", "name", "funding", "amount", "other_year"]


def test_a_symbol_that_is_no_known_mark_keeps_its_schedule_column():
    """'?' where a mark stands (tests/test_admin.py: Дупница 2021, line 24, its first X made a '?') fits a schedule
    column as a mark does, so that the row is not shifted into the place column; the records stage flags it
    (unknown_mark). Dots alone are a filler, a dash is a 'no'."""
    assert cell_what("?") == "mark" and cell_what("...") != "mark" and cell_what("–") == "no"


# --- layouts first seen in blind-11 ---------------------------------------------------------------------------


def test_a_wide_table_printed_in_two_parts_is_joined_by_row_number():
    """Part 1 (№ / service / place / capacity) holds the rows; part 2, on the next page, repeats only the number and
    gives funding, amount and quarters: its cells join the part-1 row of the same number in the same section, and
    no part-2 line is a record of its own."""
    text = "\n".join([
        "ГОДИШЕН ПЛАН ЗА РАЗВИТИЕ НА СОЦИАЛНИТЕ УСЛУГИ ЗА 2014 Г.", "",
        row("№", "Социална услуга / мярка", "Населено място", "Капацитет"),
        row("I. Социални услуги", "", "", ""),
        row("1.", "Център за обществена подкрепа", "гр. Банско", "20 места"),
        row("2.", "Домашен социален патронаж", "гр. Банско", "120 потребители"),
        row("", "", "", "– 1 –"),
        row("II. Хоризонтални мерки", "", "", ""),
        row("1.", "Обучение на персонала", "гр. Банско", "–"),
        "",
        row("№", "Източник на финансиране", "Средства за 2014 г. (лв.)", "Тримесечие", "", "", "", "Отговорна институция"),
        row("", "", "", "I", "II", "III", "IV", ""),
        row("1.", "Държавно делегирана дейност", "112 400", "Х", "Х", "Х", "Х", "Община Банско"),
        row("2.", "Общински бюджет", "210 000", "Х", "Х", "", "", "Община Банско"),
        row("", "II. Хоризонтални мерки", "", "", "", "", "", ""),
        row("1.", "ОП РЧР", "14 500", "", "", "Х", "Х", "Община Банско"),
    ])
    parsed = parse_document(make_doc(text))
    assert [(r.item_no, r.section, r.first_line) for r in parsed.rows] == [
        ("1", "social_service", 5), ("2", "social_service", 6), ("1", "horizontal_measure", 9)]
    cop, patronage, training = parsed.rows
    assert (cop.cells["funding"], cop.cells["amount"], cop.quarters) == ("Държавно делегирана дейност", "112 400",
                                                                         ["Х", "Х", "Х", "Х"])
    assert (patronage.cells["capacity"], patronage.quarters) == ("120 потребители", ["Х", "Х", "", ""])
    assert (training.cells["funding"], training.cells["amount"], training.quarters) == ("ОП РЧР", "14 500",
                                                                                        ["", "", "Х", "Х"])
    assert [ln.no for ln in training.lines] == [9, 16]
    assert parsed.dispositions[7] == ("separator", None)  # the page's number: no part of the row above


def test_quarter_end_dates_head_quarter_columns_and_spreadsheet_letters_are_no_row():
    text = "\n".join([
        "ГОДИШЕН ПЛАН ЗА РАЗВИТИЕ НА СОЦИАЛНИТЕ УСЛУГИ ЗА 2016 Г.", "",
        row("A", "B", "C", "D", "E", "F", "G"),
        row("№", "Социална услуга", "Капацитет", "Отчетни срокове", "", "", ""),
        row("", "", "", "31.03.", "30.06.", "30.09.", "31.12."),
        row("1", "Център за обществена подкрепа", "30", "•", "•", "", ""),
    ])
    parsed = parse_document(make_doc(text))
    assert parsed.layouts == ["item_no name capacity q1-q4"]
    assert [(r.first_line, r.cells["capacity"], r.quarters) for r in parsed.rows] == [(6, "30", ["•", "•", "", ""])]
    assert parsed.dispositions[3] == ("header", None)


def test_dates_under_a_capacity_header_say_when_it_stands_not_quarters():
    columns = header_columns(["№", "Социална услуга", "Капацитет", ""], ["", "", "31.12.2015 г.", "31.12.2016 г."],
                             plan_year=2016)
    assert columns.roles == ["item_no", "name", "capacity_before", "capacity"]


def test_year_end_dates_under_a_money_header_are_years_not_quarters():
    """Two columns of money at the end of two years: the plan year's is the amount, never quarterly money."""
    columns = header_columns(["№", "Социална услуга", "Средства (лв.)", ""], ["", "", "31.12.2015 г.", "31.12.2016 г."],
                             plan_year=2016)
    assert columns.roles == ["item_no", "name", "other_year", "amount"] and not columns.schedule


def test_spreadsheet_quarter_columns_t1_t4_hold_one_and_zero():
    text = "\n".join([
        "Община Каспичан – Годишен план за развитие на социалните услуги за 2025 г.", "",
        row("№", "Социална услуга", "Капацитет", "Т1", "Т2", "Т3", "Т4"),
        row("1", "Клуб на пенсионера", "", "1", "0", "0", "0"),
    ])
    parsed = parse_document(make_doc(text))
    assert parsed.layouts == ["item_no name capacity q1-q4"]
    assert parsed.rows[0].quarters == ["1", "0", "0", "0"]


def test_a_second_table_whose_subject_is_in_unknown_words_is_no_second_part():
    """'№ | Основни дейности по линия на ОП | Срок | Финансиране' after a table of services: a column of no known role
    may be the subject, so its rows are not joined to the services of the same numbers."""
    text = "\n".join([
        "ГОДИШЕН ПЛАН ЗА РАЗВИТИЕ НА СОЦИАЛНИТЕ УСЛУГИ ЗА 2014 Г.", "",
        row("№", "Социална услуга", "Капацитет", "Финансиране"),
        row("1.", "Център за обществена подкрепа", "20 места", "ДДД"),
        "",
        row("№", "Основни дейности по линия на ОП", "Срок", "Финансиране"),
        row("1.", "Обучение на приемни родители", "м. март", "ОП РЧР"),
    ])
    parsed = parse_document(make_doc(text))
    assert [(r.item_no, r.first_line) for r in parsed.rows] == [("1", 4), ("1", 7)]
    assert "ОП РЧР" not in parsed.rows[0].cells["funding"] and 7 not in [ln.no for ln in parsed.rows[0].lines]


def test_a_name_given_again_in_another_table_stands_for_one_row():
    rows = [(0, "Център за обществена подкрепа"), (1, "Личен асистент по Механизма лична помощ"),
            (2, "Център за настаняване от семеен тип за деца без увреждания"),
            (3, "Център за настаняване от семеен тип за деца с увреждания")]
    assert named_row("Център за обществена подкрепа", rows) == 0
    assert named_row("Механизъм лична помощ", rows) == 1  # shortened: every word of it in the full name
    assert named_row("ЦНСТ за деца без увреждания", rows) == 2  # initials of the full name's words
    assert named_row("ЦНСТ за деца", rows) is None  # two rows fit: not sure which
    assert named_row("Клуб на пенсионера", rows) is None  # no row


def test_a_table_joins_an_earlier_one_by_name_only_when_it_adds_columns_it_lacks():
    first = ["item_no", "name", "place", "capacity", "q1", "q2", "q3", "q4"]
    assert joins_by_name(first, ["name", "funding", "amount", "provider"])
    assert not joins_by_name(first, ["name", "place", "amount"])  # a place again: a table of other rows
    assert not joins_by_name(first, ["item_no", "name", "funding", "amount"])  # numbered: a table of its own


def test_two_month_labels_stand_only_as_six():
    """Six two-month columns are a year's schedule; two of them alone ('I–II' | 'III–IV') say nothing sure."""
    six = ["№", "Услуга", "I–II", "III–IV", "V–VI", "VII–VIII", "IX–X", "XI–XII"]
    assert resolve_numbers([column_role(t) or "x" for t in six])[2:] == ["b1", "b2", "b3", "b4", "b5", "b6"]
    assert resolve_numbers(["name", "b1", "b2"]) == ["name", "sched", "sched"]


def test_a_twelve_sign_month_string_stands_in_its_period_column():
    """'□□□■■■■■■■■■' under 'Месеци I – XII' is the period column's text, not a mark out of place."""
    assert cell_what("□□□■■■■■■■■■") == "text"
    assert cell_what("■") == "mark"


def test_shifts_and_people_over_the_year_under_capacity_are_no_part_of_it():
    """'Капацитет' over 'места на смяна' | 'смени' | 'потребители за годината': the places per shift are the
    capacity; the shifts and the people served over the year are other counts, kept as text."""
    columns = header_columns(["№", "Услуга", "Капацитет", "", ""], ["", "", "места на смяна", "смени",
                                                                   "потребители за годината"])
    assert columns.roles[2] == "capacity"
    assert "capacity_part" not in columns.roles and "capacity" not in columns.roles[3:]


def test_lettered_notes_under_the_table_are_read_with_the_row(tmp_path):
    """A 'Бел.' column of letters ('б), г)') points to the lettered notes under the table: their words (an
    opening) are the row's notes."""
    text = ("ГОДИШЕН ПЛАН ЗА РАЗВИТИЕ НА СОЦИАЛНИТЕ УСЛУГИ В ОБЩИНА ДЖЕБЕЛ ЗА 2021 г.\n\n"
            "№\tСоциална услуга\tНаселено място\tКапацитет\tСрок\tФинансиране\tСума (лв.)\tБел.\n"
            "1.\tДневен център за пълнолетни лица с увреждания\tс. Припек\t20 места\t01.07. – 31.12.\tДДД\t48 900\tб), г)\n"
            "2.\tЗащитено жилище\tс. Вълкович\t8 места\t01.01. – 31.03.\tДДД\t21 600\tв)\n\n"
            "Бележки:\nб) Услугата се разкрива от 01.07.2021 г.\nв) Услугата се закрива от 01.04.2021 г.\n"
            "г) Сумата включва 12 000 лв. за оборудване.\n")
    path = tmp_path / "dzhebel-2021.txt"
    path.write_text(text, encoding="utf-8")
    rows = parse_document(read_document(path)).rows
    assert "разкрива се от 01.07" not in rows[0].cells["notes"]  # the note's own words, not a paraphrase
    assert "Услугата се разкрива от 01.07.2021 г." in rows[0].cells["notes"]
    assert "Сумата включва 12 000 лв." in rows[0].cells["notes"]
    assert "Услугата се закрива от 01.04.2021 г." in rows[1].cells["notes"]
    assert "разкрива" not in rows[1].cells["notes"]
