"""etl.records.schedule: schedule cells and period columns → q1–q4, as the export contract's Schedules table says.

Expected quarters are read from the texts by hand. Real wordings come from the sample plans (data/plans) and
the test plans (/work/shared/test-plans/plans); the rest are adversarial.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.records.normalise import quarters_of
from etl.records.schedule import (
    mark_value,
    quarters_from_duration,
    quarters_from_halves,
    quarters_from_months,
    quarters_from_period,
    read_legend,
)
from etl.rows.model import RawRow

# --- mark_value -----------------------------------------------------------------------------------------------

MARKED = ["X", "Х", "x", "х", "+", "/", "//////////", "*", "*****", "✓", "✔", "√", "•", "●", "■", "да", "Да",
          "yes", "YES", "1", "v", "V", "XX", "Х Х", "(X)", "×", "χ", "<p>X</p>", " X ", "\u00a0Х", "+ +", "///",
          "да."]
UNMARKED = ["", "   ", "\u00a0", "<p></p>", "не", "Не", "no", "NO", "–", "-", "—", "0", "няма", "Няма", "☐"]
NOT_UNDERSTOOD = ["текущ", "по заявка", "X – текущ", "2021", "2", "15", "01.04", "?", "X?", "...", ".", "…",
                  "--", "———", "н", "abc", "постоянно", "м. март", "№", "%", "€"]


@pytest.mark.parametrize("text", MARKED)
def test_any_mark_in_any_script_is_1(text):
    assert mark_value(text) == 1


@pytest.mark.parametrize("text", UNMARKED)
def test_an_empty_cell_or_a_no_is_0(text):
    assert mark_value(text) == 0


@pytest.mark.parametrize("text", NOT_UNDERSTOOD)
def test_words_and_other_text_are_not_understood(text):
    assert mark_value(text) is None


@given(st.text(alphabet="/*+•●■✓✔√XxХх×", min_size=1, max_size=12))
def test_any_run_of_mark_symbols_is_1(text):
    assert mark_value(text) == 1


# --- quarters from month and half-year cells -------------------------------------------------------------------

E = ""
MONTHS = [
    (["X"] * 12, [1, 1, 1, 1], False),
    (["X"] + [E] * 11, [1, 0, 0, 0], False),
    ([E, E, E, "✓", E, E, E, E, E, E, E, "✓"], [0, 1, 0, 1], False),
    ([E, E, "✓", "✓", E, E, E, E, E, E, E, E], [1, 1, 0, 0], False),  # March marks q1, April q2
    ([E] * 6 + ["/"] * 6, [0, 0, 1, 1], False),
    ([E] * 12, [0, 0, 0, 0], False),
    (["не"] * 12, [0, 0, 0, 0], False),
    (["X", "текущ", E] + [E] * 9, [1, 0, 0, 0], True),  # q1 is sure: January is marked
    (["?", E, E] + [E] * 9, None, True),  # q1 cannot be told
    ([E] * 11 + ["2021"], None, True),
]
HALVES = [
    (["X", E], [1, 1, 0, 0], False),
    ([E, "✓"], [0, 0, 1, 1], False),
    (["X", "X"], [1, 1, 1, 1], False),
    ([E, E], [0, 0, 0, 0], False),
    (["текущ", "X"], None, True),
    (["X", "?"], None, True),
]


@pytest.mark.parametrize(("cells", "quarters", "unknown"), MONTHS)
def test_month_cells_mark_their_quarters(cells, quarters, unknown):
    assert quarters_from_months(cells) == (quarters, unknown)


@pytest.mark.parametrize(("cells", "quarters", "unknown"), HALVES)
def test_half_year_cells_mark_two_quarters_each(cells, quarters, unknown):
    assert quarters_from_halves(cells) == (quarters, unknown)


@pytest.mark.parametrize("cells", [["X"] * 11, ["X"] * 13, []])
def test_month_cells_must_be_twelve(cells):
    with pytest.raises(ValueError):
        quarters_from_months(cells)


def test_half_year_cells_must_be_two():
    with pytest.raises(ValueError):
        quarters_from_halves(["X", "X", "X"])


@given(st.lists(st.sampled_from(["X", "✓", "", "не", "-"]), min_size=12, max_size=12))
def test_a_quarter_is_marked_exactly_when_one_of_its_months_is(cells):
    marked = [c in ("X", "✓") for c in cells]
    expected = [int(any(marked[3 * q:3 * q + 3])) for q in range(4)]
    assert quarters_from_months(cells) == (expected, False)


# --- quarters from a period column -----------------------------------------------------------------------------

PERIODS = [
    # date and month ranges
    ("01.01.–31.12.2017 г.", 2017, [1, 1, 1, 1]),
    ("01.01.2017 - 31.12.2017", 2017, [1, 1, 1, 1]),
    ("от 01.01.2022 г. до 31.12.2022 г.", 2022, [1, 1, 1, 1]),
    ("01.01.2022 г. – 31.12.2022 г.", 2022, [1, 1, 1, 1]),  # 'Планов период' of samokov-2022.txt
    ("от 01.04.2022 г. до 30.06.2022 г.", 2022, [0, 1, 0, 0]),
    ("15.03.2022 – 15.04.2022", 2022, [1, 1, 0, 0]),
    ("31.03.2022 – 30.06.2022", 2022, [1, 1, 0, 0]),  # one day of q1 is still q1
    ("01.04. – 30.06.", 2022, [0, 1, 0, 0]),
    ("01.04.22 - 30.09.22", 2022, [0, 1, 1, 0]),
    ("01.IV.2022 – 30.VI.2022", 2022, [0, 1, 0, 0]),
    ("1.X.2022 - 31.XII.2022", 2022, [0, 0, 0, 1]),
    ("01.Х.2022 – 31.ХІІ.2022", 2022, [0, 0, 0, 1]),  # Roman numerals typed with Cyrillic Х and І
    ("м. март – м. юни 2022", 2022, [1, 1, 0, 0]),
    ("март-юни", 2022, [1, 1, 0, 0]),
    ("МАРТ - ЮНИ", 2022, [1, 1, 0, 0]),
    ("от март до юни", 2022, [1, 1, 0, 0]),
    ("януари – декември 2020 г.", 2020, [1, 1, 1, 1]),
    ("яну - фев", 2022, [1, 0, 0, 0]),
    ("септ. – дек.", 2022, [0, 0, 1, 1]),
    ("Юли - Септември", 2022, [0, 0, 1, 0]),
    ("от 1 април до 30 юни 2022 г.", 2022, [0, 1, 0, 0]),
    ("от 01.07.2021 до края на годината", 2021, [0, 0, 1, 1]),
    # ranges reaching out of the plan year: only the plan-year part counts
    ("01.10.2021 – 31.03.2022", 2021, [0, 0, 0, 1]),
    ("01.10.2021 – 31.03.2022", 2022, [1, 0, 0, 0]),
    ("октомври 2021 – март", 2022, [1, 0, 0, 0]),
    ("октомври – март 2022", 2022, [1, 0, 0, 0]),
    ("01.10. – 31.03.2022", 2022, [1, 0, 0, 0]),
    ("01.01.2017 - 31.12.2019", 2018, [1, 1, 1, 1]),
    # named quarters and halves
    ("IV тримесечие", 2020, [0, 0, 0, 1]),
    ("II и IV тримесечие", 2020, [0, 1, 0, 1]),
    ("I-ви и III-ти трим.", 2020, [1, 0, 1, 0]),
    ("I - III тримесечие", 2022, [1, 1, 1, 0]),
    ("II-IV тримесечие", 2022, [0, 1, 1, 1]),
    ("I, II и III тримесечие", 2022, [1, 1, 1, 0]),
    ("1-во тримесечие", 2022, [1, 0, 0, 0]),
    ("3-то и 4-то тримесечие", 2022, [0, 0, 1, 1]),
    ("3 тримесечие", 2022, [0, 0, 1, 0]),
    ("първо и второ тримесечие", 2022, [1, 1, 0, 0]),
    ("през последното тримесечие", 2022, [0, 0, 0, 1]),
    ("Q2-Q3", 2022, [0, 1, 1, 0]),
    ("I тримесечие – III тримесечие", 2022, [1, 1, 1, 0]),
    ("от IV тримесечие на 2021 г. до II тримесечие на 2022 г.", 2022, [1, 1, 0, 0]),
    ("м. април – IV тримесечие", 2022, [0, 1, 1, 1]),
    ("II полугодие 2021 – I полугодие 2022", 2022, [1, 1, 0, 0]),
    ("IV тримесечие 2022 г.", 2022, [0, 0, 0, 1]),
    ("2022 г. – II и IV тримесечие", 2022, [0, 1, 0, 1]),
    ("I полугодие", 2020, [1, 1, 0, 0]),
    ("II полугодие", 2020, [0, 0, 1, 1]),
    ("II-ро полугодие на 2015 г.", 2015, [0, 0, 1, 1]),
    ("първо полугодие", 2020, [1, 1, 0, 0]),
    ("I и II полугодие", 2020, [1, 1, 1, 1]),
    # named months
    ("м. април и м. октомври", 2020, [0, 1, 0, 1]),
    ("април, май", 2020, [0, 1, 0, 0]),
    ("м. април 2022 и м. октомври", 2022, [0, 1, 0, 1]),
    ("през м. май", 2022, [0, 1, 0, 0]),
    ("през месец декември", 2022, [0, 0, 0, 1]),
    # several stretches in one cell: their union
    ("01.01.2022 – 31.03.2022 и 01.10.2022 – 31.12.2022", 2022, [1, 0, 0, 1]),
    ("01.01.-31.03.2022; 01.07.-30.09.2022", 2022, [1, 0, 1, 0]),
    ("I тримесечие – подготовка, II-IV тримесечие – изпълнение", 2022, [1, 1, 1, 1]),
    ("<p>м. март – м. юни 2022</p>", 2022, [1, 1, 0, 0]),
]
NO_QUARTERS = [
    # single deadlines
    ("до 30.09.2016 г.", 2016), ("Декември 2020 г.", 2020), ("Декември 2020г.", 2020), ("31.12.2020 г.", 2020),
    ("31.12.2020г.", 2020), ("м. декември", 2020), ("до м. юни", 2022), ("до края на годината", 2022),
    ("срок 30.06.2022", 2022),
    # an open start
    ("от 01.07.2021 г.", 2021), ("от м. март", 2022), ("считано от 01.04.2022 г.", 2022),
    # words without a month, date or quarter (ihtiman-2020.txt: 'Ежемесечен', 'На тримесечие')
    ("постоянен", 2020), ("през годината", 2020), ("ежемесечно", 2020), ("Ежемесечен", 2020),
    ("На тримесечие", 2020), ("ежетримесечно", 2020), ("текущ", 2020), ("целогодишно", 2020),
    ("2022 г.", 2022), ("2021-2027", 2022), ("2021 – 2027 г.", 2022), ("при необходимост", 2022), ("", 2022),
    ("3 тримесечия", 2022),  # counts quarters, names none
    ("2 полугодия", 2022),
    # a stretch wholly in another year
    ("01.10.2021 – 31.03.2022", 2023), ("01.01.2017 - 31.12.2017", 2018), ("IV тримесечие на 2021 г.", 2022),
    ("април и май 2023", 2022), ("I полугодие 2019", 2020),
    # not understood for sure
    ("октомври – март", 2022),  # which year is which?
    ("30.06.2022 - 01.04.2022", 2022),  # the end before the start
    ("31.02.2022 - 31.03.2022", 2022),  # no such day
    ("01.13.2022 - 31.12.2022", 2022),
    ("01.04.2022 - 30.06.2022 - 30.09.2022", 2022),  # a chain
    ("01.03.2022 и 01.09.2022", 2022),  # two days: deadlines, not a stretch
    ("април/май", 2022),  # April or May?
    ("V тримесечие", 2022), ("III полугодие", 2022),
    ("I и II тримесечие – IV тримесечие", 2022),  # a list cannot start a range
    ("III тримесечие – I тримесечие", 2022),  # no years: the end comes before the start
    ("м. март – м. юни 2022, отчет до 31.07.2022", 2022),  # a deadline beside a stretch
    ("2021 г. и 2022 г.: м. април", 2022),
    ("от 18.00 ч. до 10.00 ч.", 2022),
]


@pytest.mark.parametrize(("text", "year", "quarters"), PERIODS)
def test_a_period_marks_the_quarters_it_overlaps_in_the_plan_year(text, year, quarters):
    assert quarters_from_period(text, year) == quarters


@pytest.mark.parametrize(("text", "year"), NO_QUARTERS)
def test_a_deadline_or_a_period_not_understood_gives_no_quarters(text, year):
    assert quarters_from_period(text, year) is None


@given(st.dates(date(2000, 1, 1), date(2040, 12, 31)), st.dates(date(2000, 1, 1), date(2040, 12, 31)),
       st.integers(2010, 2030))
def test_any_date_range_marks_exactly_the_quarters_it_overlaps(a, b, year):
    start, end = min(a, b), max(a, b)
    text = f"{start:%d.%m.%Y} – {end:%d.%m.%Y} г."
    overlap = [start.year < year or (start.year == year and start.month <= 3 * q) for q in range(1, 5)]
    overlap = [o and (end.year > year or (end.year == year and end.month >= 3 * q - 2))
               for q, o in zip(range(1, 5), overlap, strict=True)]
    expected = [int(o) for o in overlap] if any(overlap) else None
    assert quarters_from_period(text, year) == expected


# --- legends ---------------------------------------------------------------------------------------------------

LEGENDS = [
    (["////////// - изпълнение на дейността", "***** - подготвителни дейности"],
     {"//////////": "изпълнение на дейността", "*****": "подготвителни дейности"}),
    (["х – дейността се изпълнява през тримесечието"], {"х": "дейността се изпълнява през тримесечието"}),
    (["✓ – месецът, в който се изпълнява"], {"✓": "месецът, в който се изпълнява"}),
    (["X = изпълнение", "+: подготовка"], {"X": "изпълнение", "+": "подготовка"}),
    # stara-zagora-2015.txt, with the lines around its legend
    (["Легенда:", "", "Знак „+“ – период на подготовка и подаване на проектно предложение", "",
      "Знак „//“ – период на трансформиране на съществуваща услуга, намаляне/увеличаване на капацитет, "
      "разкриване на нова услуга", "", "Знак „*“ – период на реализиране на проектни дейности, след сключване на "
      "договор", "", "Дата: 07.07.2012г.", "", "Гр. Стара Загора"],
     {"+": "период на подготовка и подаване на проектно предложение",
      "//": "период на трансформиране на съществуваща услуга, намаляне/увеличаване на капацитет, разкриване на "
            "нова услуга",
      "*": "период на реализиране на проектни дейности, след сключване на договор"}),
    # kresna-2020.txt writes its legend without a separator: an entry then speaks of a period or schedule
    (["X период на предоставяне на социалната услуга, дейност",
      "+ период на подготовка и изграждане на социалната услуга, дейност"],
     {"X": "период на предоставяне на социалната услуга, дейност",
      "+": "период на подготовка и изграждане на социалната услуга, дейност"}),
    # samokov-2022.txt
    (["X – период на предоставяне на социалната услуга / изпълнение на дейността",
      "+ – период на подготовка, кандидатстване и изграждане"],
     {"X": "период на предоставяне на социалната услуга / изпълнение на дейността",
      "+": "период на подготовка, кандидатстване и изграждане"}),
    # samokov-2023.txt: two entries on one line
    (["Легенда: Х – предоставяне на услугата / изпълнение на дейността; + – подготовка, изграждане, "
      "кандидатстване."],
     {"Х": "предоставяне на услугата / изпълнение на дейността", "+": "подготовка, изграждане, кандидатстване"}),
]
NO_LEGEND = [
    ["- Деца и семейства в риск;", "- Хора с увреждания;", "* Стари хора", "• Деца"],
    ["Съгласувал:", "Директор на ДСИ", "Дата: 07.07.2012г.", "№ – пореден номер", "1. – текст"],
    ["- – не се изпълнява", "X –", "+ – 2021"],
    [],
    [""],
]


@pytest.mark.parametrize(("lines", "legend"), LEGENDS)
def test_read_legend_gives_each_mark_its_meaning(lines, legend):
    assert read_legend(lines) == legend


@pytest.mark.parametrize("lines", NO_LEGEND)
def test_lines_that_are_no_legend_give_nothing(lines):
    assert read_legend(lines) == {}


@pytest.mark.parametrize(("text", "expected"), [
    ("м. IV – м. XII", [0, 1, 1, 1]),  # April to December
    ("м. VII – м. XII", [0, 0, 1, 1]),
    ("мес. II – мес. V 2022 г.", [1, 1, 0, 0]),
])
def test_months_by_their_roman_numbers_after_m(text, expected):
    assert quarters_from_period(text, 2022) == expected


# --- one definition of a mark for every stage ---------------------------------------------------------------------

@pytest.mark.parametrize("text", ["ü", "þ", "ý"])  # a Wingdings tick, checked box, crossed box as a text layer extracts them
def test_wingdings_ticks_extracted_as_letters_are_marks(text):
    assert mark_value(text) == 1


def test_a_table_cell_is_a_mark_by_the_same_definition_as_a_schedule_cell():
    from etl.marks import is_mark
    from etl.rows import parse

    assert parse.is_mark is is_mark  # the rows stage uses the shared definition, not one of its own
    assert is_mark("X") and is_mark("✔") and is_mark("ü") and is_mark("да")
    assert not is_mark("1") and not is_mark("1.")  # in a table a digit is a number (an item number) before a mark
    assert mark_value("1") == 1  # in a schedule cell it is a yes
    assert not is_mark("–") and not is_mark("...") and not is_mark("Община")


@pytest.mark.parametrize(("text", "expected"), [
    ("м. 01 – м. 12", [1, 1, 1, 1]),
    ("м. 04 – м. 12", [0, 1, 1, 1]),
    ("м. 01 – м. 03; м. 10 – м. 12", [1, 0, 0, 1]),  # two stretches
    ("м. 02, м. 05, м. 08, м. 11", [1, 1, 1, 1]),  # a list of months, one a quarter
    ("м. 09 – м. 11", [0, 0, 1, 1]),
    ("месец 4 – месец 12", [0, 1, 1, 1]),
    ("м. 13", None),  # no month
    ("до м. 06", None),  # a deadline
])
def test_months_by_their_numbers_after_m(text, expected):
    assert quarters_from_period(text, 2025) == expected


@pytest.mark.parametrize(("start", "months", "expected"), [
    ("01.01.", "12", [1, 1, 1, 1]),
    ("01.04.", "9", [0, 1, 1, 1]),  # April – December
    ("01.10.", "15", [0, 0, 0, 1]),  # October 2020 – December 2021: of 2020 only Q4
    ("01.03.", "1", [1, 0, 0, 0]),  # March
    ("01.09.", "4", [0, 0, 1, 1]),  # September – December
    ("01.01.", "6 месеца", [1, 1, 0, 0]),
    ("до 01.03.", "1", None),  # a deadline is no start
    ("01.01.", "1,5", None),  # not a whole number of months
    ("31.02.", "2", None),  # no such day
])
def test_a_period_as_a_start_and_a_length_in_months(start, months, expected):
    assert quarters_from_duration(start, months, 2020) == expected


def _row(quarters, kind=None, term="", unit=""):
    return RawRow("test", None, None, {"term": term}, quarters, schedule_kind=kind, term_unit=unit)


@pytest.mark.parametrize(("term", "unit", "expected"), [
    ("□□□■■■■■■■■■", "m", [0, 1, 1, 1]),  # one sign a month: April to December
    ("■■■■■■□□□□□□", "", [1, 1, 0, 0]),  # hollow beside filled: a month string even without a months header
    ("■■■■■■■■■■■■", "m", [1, 1, 1, 1]),
    ("□□□□□□□□■■■□", "m", [0, 0, 1, 1]),
])
def test_a_string_of_twelve_month_signs(term, unit, expected):
    assert quarters_of(_row(None, term=term, unit=unit), term, 2026) == (expected, [])


def test_twelve_filled_signs_without_a_months_header_are_not_read_as_months():
    assert quarters_of(_row(None, term="■■■■■■■■■■■■"), "■■■■■■■■■■■■", 2026)[0] is None


def test_quarter_cells_holding_their_own_numerals():
    """'В колоните на тримесечията е изписан номерът на тримесечието': 'II' under II is a mark."""
    assert quarters_of(_row(["", "II", "III", "IV"], "q"), "", 2017) == ([0, 1, 1, 1], [])
    assert quarters_of(_row(["I", "III", "", ""], "q"), "", 2017) == (None, ["unknown_mark"])  # III under II


def test_two_month_columns_fold_into_quarters():
    """Six columns 'I–II' … 'XI–XII': 'III–IV' is March and April, so it marks the first and second quarters."""
    assert quarters_of(_row(["", "Х", "", "", "", ""], "b"), "", 2024) == ([1, 1, 0, 0], [])
    assert quarters_of(_row(["Х", "", "", "", "", "Х"], "b"), "", 2024) == ([1, 0, 0, 1], [])
    assert quarters_of(_row(["", "", "●", "●", "●", "●"], "b"), "", 2024) == ([0, 1, 1, 1], [])
