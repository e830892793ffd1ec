"""etl.records.numbers: decimals, amounts in leva, counts and capacities — and never a wrong number.

Every expected value below is what a careful reader of the text says. Real wordings are quoted from the
sample plans (data/plans) and the test plans (/work/shared/test-plans/plans); the rest are adversarial.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.records.numbers import (
    CAPACITY_ELSEWHERE,
    NUMBER_WORDS,
    Capacity,
    Number,
    breakdown_total,
    count_at,
    parse_amount,
    parse_capacity_cell,
    parse_count,
    parse_decimal,
    parse_staff_cell,
    units_in_capacity,
    with_currency,
)

from .helpers import number_words

UNPARSED = Number(None, "unparsed_number")
SEVERAL = Number(None, "several_amounts")
NONE = Number(None)
FLAGGED = Capacity(None, flag="unparsed_number")

# --- parse_decimal ----------------------------------------------------------------------------------------

DECIMALS = [
    ("64 800,00", 64800.0),
    ("64 800.00", 64800.0),
    ("64,800.00", 64800.0),
    ("64800", 64800.0),
    ("12.500", 12500.0),  # a lone '.' before three digits groups thousands in Bulgarian
    ("12,50", 12.5),
    ("1,2", 1.2),
    ("1.5", 1.5),
    ("12.50", 12.5),
    ("1 234 567,89", 1234567.89),
    ("1.234.567,89", 1234567.89),
    ("1,234,567.89", 1234567.89),
    ("1.234,5", 1234.5),
    ("1 234.5", 1234.5),
    ("1.000.000", 1000000.0),
    ("1,000,000", 1000000.0),
    ("1\u00a0234\u00a0567,89", 1234567.89),  # no-break spaces
    ("1\u202f234", 1234.0),  # narrow no-break space
    ("64  800", 64800.0),  # a doubled space from a PDF is still one separator
    ("0,500", 0.5),  # '0' cannot lead a thousands group
    ("0.500", 0.5),
    ("1234,567", 1234.567),  # four digits before: no grouping possible
    (" 64 800,00 ", 64800.0),
    ("0", 0.0),
]
NOT_DECIMALS = [
    "12.50.30", "1,2,3", "1.2.3", "64 800,00,00", "12,5,3",
    "12,500",  # 12.5 in Bulgarian, 12500 in English: ambiguous
    "1,234",
    "1.234.56", "1,234.5,6", "1.234,567.89", "1 234,567 8",
    "12 50", "1234 567", "0 500", "1 2 3",
    "", " ", "-5", "+5", ".5", "5.", "5,", "abc", "5 000 лв", "1,2 млн", "01.04.2019", "1 234.567.000",
]


@pytest.mark.parametrize(("text", "value"), DECIMALS)
def test_parse_decimal_reads_written_numbers(text, value):
    assert parse_decimal(text) == value


@pytest.mark.parametrize("text", NOT_DECIMALS)
def test_parse_decimal_refuses_what_it_cannot_read_completely(text):
    assert parse_decimal(text) is None


def spaced(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


def formats(n: int, cents: int) -> list[str]:
    return [f"{spaced(n, ' ')},{cents:02d}", f"{spaced(n, '.')},{cents:02d}", f"{n}.{cents:02d}",
            f"{spaced(n, ',')}.{cents:02d}", f"{spaced(n, chr(0xA0))},{cents:02d}", f"{n},{cents:02d}"]


def test_parse_decimal_round_trips_every_grouping_length():
    for n in range(1, 1_000_000, 97):
        cents = n % 100
        expected = float(f"{n}.{cents:02d}")
        assert [parse_decimal(f) for f in formats(n, cents)] == [expected] * 6, n


@given(st.integers(1, 999_999_999), st.integers(0, 99))
def test_parse_decimal_round_trips_any_amount(n, cents):
    expected = float(f"{n}.{cents:02d}")
    assert all(parse_decimal(f) == expected for f in formats(n, cents))


@given(st.integers(1000, 999_999_999))
def test_whole_numbers_grouped_with_spaces_or_dots_read_back(n):
    assert parse_decimal(spaced(n, " ")) == n
    assert parse_decimal(spaced(n, ".")) == n


# --- parse_amount: cells with currency --------------------------------------------------------------------

REAL_AMOUNTS = [  # funding cells of simitli-2019.txt and lyubimets-2013.txt
    ("Местна дейност – 186 400 лв.", Number(186400.0)),
    ("НП „Асистенти на хора с увреждания“ – 212 000 лв.", Number(212000.0)),
    ("Механизъм „Лична помощ“ – 38 500 лв.", Number(38500.0)),
    ("Проект „Независим живот“ по ОП РЧР 2014–2020 – 64 800,00 лв.", Number(64800.0)),
    ("ОП РЧР, проект „Независим живот“ – 41 200 лв.", Number(41200.0)),
    ("Общо 108 500 лв., от които ДДД – 96 500 лв. и дофинансиране от общинския бюджет – 12 000 лв.",
     Number(108500.0)),
    ("ДДД – 152 300 лв.", Number(152300.0)),
    ("Държавно делегирана дейност – 71 400 лв.", Number(71400.0)),
    ("Общински бюджет", NONE),
    ("Общински бюджет 48 000 лв", Number(48000.0)),  # 'Общински' is no 'общо' label, a lone amount
    ("НП „Заетост и обучение на хора с трайни увреждания“ – 9 600 лева", Number(9600.0)),
    ("966 300 лв.", Number(966300.0)),
    ("Не е необходимо", NONE),
    ("Общински бюджет – 3 000 лв.", Number(3000.0)),
    ("От общинския бюджет – общо отпуснат 244440 лв.; – за издръжка -132550 лв за заплати и осигурителни "
     "вноски – 109949 лв", Number(244440.0)),
    ("Проект „Подкрепа за достоен живот” – 22 лични асистенти, за които общия бюджет е 39792 лв., а "
     "месечния – съответно 2700 лв.", Number(39792.0)),
    ("Общо 45 човека – 29 от тях за една година, а 16 от тях за 9 месеца. Общ бюджет – 163520 лв от ОП РЧР "
     "„Подкрепа за заетост”", Number(163520.0)),
    ("20 човека по 7600 лв на месец Обща сума- 91200 лв от ОП РЧР „Развитие и реализация”", Number(91200.0)),
    ("538 952 лева", Number(538952.0)),
    ("<p>ДДД – 18 600 лв.</p>", Number(18600.0)),
]

ADVERSARIAL_AMOUNTS = [
    ("2021 г. – 5 000 лв.", Number(5000.0)),
    ("Решение № 312/2019 – 5 000 лв.", Number(5000.0)),
    ("за 2021 г.: 5 000лв", Number(5000.0)),
    ("64\u00a0800,00 лв.", Number(64800.0)),
    ("12.500 лв.", Number(12500.0)),
    ("1,2 млн. лв.", Number(1200000.0)),
    ("0,29 млн. лв.", Number(290000.0)),  # exact: not 290000.00000000006
    ("64,8 хил. лв.", Number(64800.0)),
    ("64,8 хил.лв.", Number(64800.0)),
    ("5 хиляди лева", Number(5000.0)),
    ("2 милиона лева", Number(2000000.0)),
    ("1 234 BGN", Number(1234.0)),
    ("BGN 1 234", Number(1234.0)),
    ("5 000 лв. месечно, 60 000 лв. годишно", Number(60000.0)),  # the rate is no total; the annual sum is
    ("Общо 10 000 лв., от които 2 000 евро от донор", Number(10000.0)),
    ("12,5,3 лв", UNPARSED),
    ("64 800,00,00 лв.", UNPARSED),
    ("1.2.3 лв.", UNPARSED),
    ("12,500 лв.", UNPARSED),  # 12.5 or 12 500: not sure
    ("Общо: 12,500 лв.", UNPARSED),
    ("5 ООО лв.", UNPARSED),  # Cyrillic О for zeros
    ("пет хиляди лева", UNPARSED),
    ("1 2 500 лв.", UNPARSED),
    ("2021 5 000 лв.", UNPARSED),  # a year glued to an amount: the run cannot be read for sure
    ("5 000 евро", UNPARSED),
    ("€ 2 556,46", UNPARSED),
    ("2 556,46 EUR", UNPARSED),
    ("5 000 лв. (2 556,46 €)", Number(5000.0)),  # the same sum in euro (at 1,95583 лв. per euro) in brackets
    ("2 556,46 евро (5 000 лв.)", Number(5000.0)),
    ("5 000 лв. (3 000 €)", UNPARSED),  # not the same sum: the euro amount is not an equivalent
    ("1 000 евро (5 000 лв.)", UNPARSED),
    ("1 000 евро и 2 000 лв.", UNPARSED),
    ("20 човека по 7600 лв на месец", UNPARSED),  # only a rate: the total is not stated
    ("500 лв./месец", UNPARSED),
    ("по 300 лв. за потребител", UNPARSED),
    ("1,2 млн.", UNPARSED),  # a scale but no currency: leva or euro?
    ("тел. 0889 848 383 5 000 лв.", UNPARSED),  # where does the phone end?
    ("0889 848 383 5 912 757 лв.", UNPARSED),
    ("тел. 0889 848 383, 5 000 лв.", Number(5000.0)),
    ("ул. „Солун” № 4 – 31.12.2020 – 7 500 лв.", Number(7500.0)),
    ("5 000 лв. на година", Number(5000.0)),
    ("ДДД – 96 500 лв. и МД 12 000 лв.", SEVERAL),
    ("ДДД – 96 500 лв.; общински бюджет – 12 000 лв.", SEVERAL),
    ("ДДД – 5 000 лв., общински бюджет – 5 000 лв.", SEVERAL),  # two equal parts are no lone total
    ("Общо 5 000 лв. и общо 6 000 лв.", SEVERAL),
    ("Общо 5 000 лв., общо 5 000 лв.", Number(5000.0)),  # the same total said twice
    ("", NONE),
    ("96 500", NONE),  # no currency and no amount column
    ("за 50 % от разходите", NONE),
    ("тел. 0889848383", NONE),
    ("ул. Васил Левски 12", NONE),
    ("деца от 3 до 7 г.", NONE),
    ("Общински бюджет 2021 г.", NONE),
    ("ОП РЧР 2014–2020", NONE),
]


@pytest.mark.parametrize(("text", "expected"), REAL_AMOUNTS + ADVERSARIAL_AMOUNTS)
def test_parse_amount_reads_the_stated_total_in_leva(text, expected):
    assert parse_amount(text) == expected


# --- parse_amount: a column whose header states the unit ---------------------------------------------------

BARE_AMOUNTS = [
    ("96 500", 1, Number(96500.0)),
    ("97 320,00", 1, Number(97320.0)),
    ("64,8", 1000, Number(64800.0)),
    ("1 234,5", 1000, Number(1234500.0)),
    ("ДДД – 96 500", 1, Number(96500.0)),
    ("96 500 ДДД", 1, Number(96500.0)),
    ("96 500 от ДДД", 1, Number(96500.0)),
    ("Общо 108 500, от които ДДД 96 500 и МД 12 000", 1, Number(108500.0)),
    ("ДДД 96 500, МД 12 000", 1, SEVERAL),
    ("5 000 лв.", 1000, Number(5000.0)),  # the cell's own currency wins over the column's scale
    ("1,2 млн. лв.", 1000, Number(1200000.0)),
    ("2021 г.", 1, NONE),
    ("50 %", 1, NONE),
    ("Решение № 312/2019", 1, NONE),
    ("тел. 0889 848 383", 1, NONE),
    ("0889848383", 1, NONE),
    ("деца от 3 до 7 г.", 1, NONE),
    ("до 6 месеца", 1, NONE),
    ("12 служители", 1, NONE),
    ("30 места", 1, NONE),
    ("01.04.2019", 1, NONE),
    ("2014-2020", 1, NONE),
    ("-", 1, NONE),
    ("", 1000, NONE),
    ("5 проекта", 1, UNPARSED),  # a number followed by an unknown word: not sure it is an amount
    ("12 500 – 15 000", 1, UNPARSED),  # a range
    ("12,500", 1, UNPARSED),
    ("2021", 1, UNPARSED),  # a year or 2 021 leva?
    ("2 021", 1, Number(2021.0)),
]


@pytest.mark.parametrize(("text", "scale", "expected"), BARE_AMOUNTS)
def test_parse_amount_in_an_amount_column_reads_plain_numbers(text, scale, expected):
    assert parse_amount(text, scale=scale, bare_numbers=True) == expected


@given(st.integers(1, 99_999_999), st.integers(0, 99))
def test_any_amount_with_currency_reads_back_exactly(n, cents):
    expected = float(f"{n}.{cents:02d}")
    assert parse_amount(f"ДДД – {spaced(n, ' ')},{cents:02d} лв.") == Number(expected)
    assert parse_amount(f"Общо {spaced(n, '.')},{cents:02d} лева, от които 1 лв. ДДД") == Number(expected)


@given(st.integers(1, 99_999), st.integers(0, 9))
def test_thousands_scale_is_exact(n, tenth):
    assert parse_amount(f"{n},{tenth} хил. лв.") == Number(float(f"{n}{tenth}00"))
    assert parse_amount(f"{n},{tenth}", scale=1000, bare_numbers=True) == Number(float(f"{n}{tenth}00"))


# --- parse_count --------------------------------------------------------------------------------------------

COUNTS = [
    ("15", 15), ("0", 0), ("1 200", 1200), ("7 бр.", 7), ("три броя", 3),
    ("двадесет", 20), ("двадесет и пет", 25), ("Двадесет И Пет", 25), ("сто", 100), ("три", 3), ("две", 2),
    ("два", 2), ("един", 1), ("една", 1), ("едно", 1), ("двама", 2), ("нула", 0), ("петнайсет", 15),
    ("двайсет и две", 22), ("сто и пет", 105), ("сто двадесет и пет", 125), ("двеста", 200),
    ("деветстотин деветдесет и девет", 999),
    ("15 (петнадесет)", 15), ("петнадесет (15)", 15), ("15 (петнадесет).", 15),
]
NOT_COUNTS = [
    "", "-", "15 (шестнадесет)", "1-ви", "първи", "пет три", "двадесет петнадесет", "петнадесет и пет",
    "и пет", "пет и", "пет и и три", "15,5", "15 места", "около 15", "07", "три хиляди", "нула и пет",
    "15 (15", "Решение № 15",
    # a capacity-before column spoilt as the rewritten phrases are: never another number
    "1О", "l0", "8-10", "8 или 10", "12,500", "1ОО бр.",
]


@pytest.mark.parametrize(("text", "value"), COUNTS)
def test_parse_count_reads_digits_and_words(text, value):
    assert parse_count(text) == value


@pytest.mark.parametrize("text", NOT_COUNTS)
def test_parse_count_refuses_what_is_not_one_count(text):
    assert parse_count(text) is None


def test_every_count_up_to_999_in_words_reads_back():
    assert [parse_count(number_words(n)) for n in range(1, 1000)] == list(range(1, 1000))


def test_number_words_table_holds_the_usual_forms():
    assert {w: NUMBER_WORDS[w] for w in ("един", "една", "едно", "два", "две", "три", "десет", "двадесет", "сто")} == \
        {"един": 1, "една": 1, "едно": 1, "два": 2, "две": 2, "три": 3, "десет": 10, "двадесет": 20, "сто": 100}


# --- parse_capacity_cell -------------------------------------------------------------------------------------

CAPACITIES = [
    ("30", Capacity(30)),
    ("30 места", Capacity(30, None, "places")),
    ("30 места.", Capacity(30, None, "places")),
    ("до 30 места", Capacity(30, None, "places")),
    ("25 потребители", Capacity(25, None, "users")),
    ("за 30 души", Capacity(30, None, "users")),
    ("12 приемни семейства", Capacity(12, None, "families")),
    ("30 бр. потребители", Capacity(30, None, "places")),  # 'бр. потребители в услуга' = places
    ("0 места", Capacity(0, None, "places")),
    ("1 200 места", Capacity(1200, None, "places")),
    ("от 20 на 30 места", Capacity(30, 20, "places")),
    ("20 → 30", Capacity(30, 20)),
    ("20 -> 30 места", Capacity(30, 20, "places")),
    ("увеличение от 20 на 30", Capacity(30, 20)),
    ("намаляване от 40 на 30 места", Capacity(30, 40, "places")),
    ("от 40 места на 30 места", Capacity(30, 40, "places")),
    ("двадесет места", Capacity(20, None, "places")),
    ("тридесет и пет места", Capacity(35, None, "places")),
    ("15 (петнадесет)", Capacity(15)),
    ("30 (тридесет) места", Capacity(30, None, "places")),
    ("<p>Капацитет: 30</p>", Capacity(30)),
    ("места: 30", Capacity(30, None, "places")),
    ("30 места за деца от 3 до 7 г.", Capacity(30, None, "places")),
    ("30 места от 01.04.2022 г.", Capacity(30, None, "places")),
    ("гр. Самоков, ул. „Македония“ № 42, 25 места", Capacity(25, None, "places")),
    ("30 места, ул. Васил Левски 12", Capacity(30, None, "places")),
    # first cells of ihtiman-2020.txt
    ("Капацитет - 100бр. Персонал - 7 бр.", Capacity(100, None, "places")),
    ("Капацитет - 65 места Персонал - 7бр.", Capacity(65, None, "places")),
    ("Капацитет – 36 места Персонал-14 бр.", Capacity(36, None, "places")),
    ("Капацитет-40бр. Персонал- 8 бр.", Capacity(40, None, "places")),
    ("5 лични асистенти 5 потребители", Capacity(5, None, "users")),
    ("83 лични асистенти 123 потребители", Capacity(123, None, "users")),
    # descriptions in the test plans and the samples
    ("Потребители – 85, лични асистенти – 70.", Capacity(85, None, "users")),
    ("Продължава предоставянето на услугата – капацитет: 150 потребители. Персонал: 9 бр.",
     Capacity(150, None, "users")),
    ("Увеличаване на капацитета с 10 места (от 15 на 25) от 01.04.2022 г.", Capacity(25, 15, "places")),
    ("Увеличаване на капацитета от 150 на 180 потребители от 01.01.2023 г.", Capacity(180, 150, "users")),
    ("Увеличаване на броя на приемните семейства от 12 на 15.", Capacity(15, 12, "families")),
    ("Продължаване на дейността - капацитет 20 места. Увеличаване на капацитета от 2021 г. от 20 на 30 места.",
     Capacity(30, 20, "places")),
    ("Нова от 2021 год. с капацитет 4 места.", Capacity(4, None, "places")),
    ("Нова услуга от 01.06.2019 г. с капацитет 6 места за младежи, напускащи резидентна грижа.",
     Capacity(6, None, "places")),
    ("Временно настаняване до 6 месеца на бременни жени и майки с деца от 0 до 3 години; капацитет 8 места.",
     Capacity(8, None, "places")),
    ("Стартиране на услугата от 01.04.2023 г. за младежи от 15 до 18 години, напускащи резидентна грижа; "
     "капацитет 8 места.", Capacity(8, None, "places")),
    ("Продължаване на дейността – 24 лични асистенти за 24 потребители.", Capacity(24, None, "users")),
    ("Продължаване на дейността – 8 домашни помощници за 18 потребители.", Capacity(18, None, "users")),
]
NO_CAPACITY = ["", "-", "—", "–", "няма", "Няма", "<p></p>", " - "]
UNREADABLE_CAPACITY = [
    "деца от 3 до 7 г.", "от 0 до 3 години", "до 6 месеца", "по заявка", "по потребност",
    "15 (шестнадесет)", "20-30 места", "от 20 до 30 места", "над 30 места", "около 30",
    "12,5 места", "2021", "30 м.", "пет и шест места",
    "2 групи по 12 деца", "тел. 0889848383", "50 %",
    "14бр. Клуба на пенсионера в общината персонал :1 организатора на клуб.",  # 14 clubs, not places
    "от 20 места на 30 потребители", "от 20 на 30 и от 30 на 40",
    "Увеличаване на капацитета с 5 места (от 15 на 25)",  # the stated difference disagrees
]


@pytest.mark.parametrize(("text", "expected"), CAPACITIES)
def test_parse_capacity_cell_reads_the_capacity(text, expected):
    assert parse_capacity_cell(text) == expected


@pytest.mark.parametrize("text", NO_CAPACITY)
def test_an_empty_or_no_capacity_cell_has_no_capacity_and_no_flag(text):
    assert parse_capacity_cell(text) == Capacity(None)


@pytest.mark.parametrize("text", UNREADABLE_CAPACITY)
def test_a_capacity_not_sure_is_flagged_never_guessed(text):
    assert parse_capacity_cell(text) == FLAGGED


@given(st.integers(1, 5000), st.sampled_from([("места", "places"), ("потребители", "users"),
                                               ("приемни семейства", "families")]))
def test_any_stated_capacity_reads_back(n, unit):
    word, code = unit
    assert parse_capacity_cell(f"{n} {word}") == Capacity(n, None, code)
    assert parse_capacity_cell(f"капацитет до {n} {word} от 01.01.2022 г.") == Capacity(n, None, code)


@given(st.integers(0, 999), st.integers(0, 999))
def test_any_change_reads_back(before, after):
    assert parse_capacity_cell(f"от {before} на {after} места") == Capacity(after, before, "places")
    assert parse_capacity_cell(f"{before} → {after}") == Capacity(after, before)


# --- staff cells, breakdowns, amounts in euro (written from blind-3's cells as they read) -----------------

@pytest.mark.parametrize(("text", "expected"), [
    ("7", Number(7.0)), ("20 соц. асистенти", Number(20.0)), ("25 ЛА", Number(25.0)),
    ("78 лични асистенти", Number(78.0)), ("дванадесет", Number(12.0)), ("–", Number(None)),
    ("до 10", UNPARSED), ("6 (2 на половин щат)", UNPARSED),
    ("0,5", UNPARSED), ("7 от 01.04.2021 г.", UNPARSED),
])
def test_a_staff_cell_is_one_whole_number_among_words(text, expected):
    assert parse_staff_cell(text) == expected


@pytest.mark.parametrize(("text", "capacity", "unit", "flag"), [
    ("24 места (2 × 12)", 24, "places", None),  # how the total is made up
    ("45 (3 × 15)", 45, None, None),
    ("25 (3 x 15)", None, None, "unparsed_number"),  # does not add up: not read
    ("10 ПС", 10, "families", None),  # ПС: the initials of приемни семейства
])
def test_a_capacity_with_its_breakdown(text, capacity, unit, flag):
    read = parse_capacity_cell(text)
    assert (read.capacity, read.unit, read.flag) == (capacity, unit, flag)


@pytest.mark.parametrize(("cell", "currency", "expected"), [
    ("117 597,13 (230 000)", "euro (leva)", Number(230000.0)),  # "Средства – евро (лв.)"
    ("230 000 (117 597,13)", "leva (euro)", Number(230000.0)),
    ("51 129,19 €", "euro (leva)", UNPARSED),  # euro only: never exported as leva
    ("1 000", "euro", UNPARSED),  # "Сума (евро)"
    ("1 000 (500)", "unclear", UNPARSED),
])
def test_an_amount_column_in_euro_gives_leva_only_when_written(cell, currency, expected):
    assert parse_amount(with_currency(cell, currency), bare_numbers=True) == expected


@pytest.mark.parametrize(("text", "capacity", "unit", "flag"), [
    ("28 места (14 + 14)", 28, "places", None),  # a sum in brackets: how the total is made up
    ("30 (10 + 10 + 10)", 30, None, None),
    ("28 места (14 + 15)", None, None, "unparsed_number"),  # does not add up: not read
    ("по 15 места, общо 45", 45, None, None),  # a figure per unit beside the stated total: the total
    ("по 12 места", None, None, "unparsed_number"),  # a figure per unit alone: never the capacity
    ("2 къщи по 12 места", None, None, "unparsed_number"),  # never the product either
])
def test_a_capacity_made_up_of_parts(text, capacity, unit, flag):
    read = parse_capacity_cell(text)
    assert (read.capacity, read.unit, read.flag) == (capacity, unit, flag)


# --- a number read completely, or not at all (issue 16, "Numbers") -------------------------------------------
# The sample plans' own phrases ("капацитет 8 места", dupnitsa-2021.txt line 24; "Капацитет - 100бр.",
# ihtiman-2020.txt line 28; "64 800,00 лв.") rewritten the way people write or mistype them. The rule: the number
# is right, or empty with `unparsed_number` — never another number.

CELLS_NOT_READ_COMPLETELY = [
    "капацитет 1О места",  # a Cyrillic О for a zero
    "капацитет 1O места",  # a Latin O
    "капацитет l0 места",  # a Latin l for a one: was read as 0
    "капацитет 1З места",
    "капацитет 8,5 места",
    "капацитет 8-10 места",
    "капацитет от 8 до 10 места",
    "капацитет 8 или 10 места",
    "увеличаване от 8 на 10 на 12 места",
    "Капацитет - 1ОО бр.",
    "Капацитет - 1 ОО бр.",
    "Капацитет - 12,500 бр.",
    "Капацитет - 100 или 120 бр.",
    "Капацитет - двадесет и бр.",  # words not finished: was read as 20
    "Капацитет - двадест бр.",
]


@pytest.mark.parametrize("text", CELLS_NOT_READ_COMPLETELY)
def test_a_capacity_cell_not_read_completely_is_empty_and_flagged(text):
    assert parse_capacity_cell(text) == FLAGGED


@pytest.mark.parametrize(("text", "expected"), [
    ("капацитет 8 места", Capacity(8, None, "places")),
    ("Капацитет - 100бр.", Capacity(100, None, "places")),
    ("Капацитет - сто бр.", Capacity(100, None, "places")),
    ("Капацитет - двадесет и пет места", Capacity(25, None, "places")),
    ("от 20 на 30 места", Capacity(30, 20, "places")),
    ("24 (2 × 12)", Capacity(24)),
    ("капацитет 1 200 места", Capacity(1200, None, "places")),
])
def test_a_capacity_cell_read_completely(text, expected):
    assert parse_capacity_cell(text) == expected


@pytest.mark.parametrize("text", [
    "Персонал - 7О бр.", "Персонал - 1O бр.", "1б щатни бройки", "8З лични асистенти", "7,5", "7-8", "7 или 8",
])
def test_a_staff_cell_not_read_completely_is_empty_and_flagged(text):
    assert parse_staff_cell(text) == UNPARSED


@pytest.mark.parametrize("text", [
    "5 000 - 6 000 лв.",  # a range: was 6000
    "5000-6000 лв.",
    "от 5000 до 6000 лв.",
    "5 000 до 6 000 лв.",
    "5000 или 6000 лв.",  # an alternative: was 6000
    "5 000/6 000 лв.",
    "5000 + 3000 лв.",  # a sum without its total
    "5000 и 3000 лв.",
    "1О 000 лв.",  # a letter О for a zero: was 0
    "5О00лв.",  # was 0
    "64 8ОО лв.",
    "12,500 лв.",  # 12.5 or 12 500?
])
def test_an_amount_not_read_completely_is_empty_and_flagged(text):
    assert parse_amount(text) == UNPARSED
    assert parse_amount(text, bare_numbers=True).value is None


@pytest.mark.parametrize(("text", "expected"), [
    ("64 800,00 лв.", 64800.0),
    ("5000лв.", 5000.0),
    ("12 хил. лв.", 12000.0),
    ("12,5 хил. лв.", 12500.0),
    ("ДДД – 5 000 лв.", 5000.0),
    ("BG05M9OP001-2.018-0001 – 50 000 лв.", 50000.0),  # a procedure's code before the amount is no range
])
def test_an_amount_read_completely(text, expected):
    assert parse_amount(text) == Number(expected)


@given(st.integers(1, 99_999), st.sampled_from(["{}О", "{}O", "О{}", "{}-{}", "{} – {}", "{} или {}", "от {} до {}",
                                                "{}/{}", "{} + {}"]))
def test_an_amount_is_never_another_number(n, shape):
    spoilt = shape.format(n, n + 1) + " лв."
    assert parse_amount(spoilt).value is None, spoilt


@given(st.integers(2, 999), st.sampled_from(["{}О", "{}O", "l{}", "{},5", "{}-{}", "{} или {}", "от {} до {}",
                                             "{}/{}"]))
def test_a_capacity_or_staff_cell_is_never_another_number(n, shape):
    spoilt = shape.format(n, n + 2)
    assert parse_capacity_cell(f"капацитет {spoilt} места") == FLAGGED, spoilt
    assert parse_staff_cell(f"Персонал - {spoilt} бр.") == UNPARSED, spoilt


@pytest.mark.parametrize(("text", "digits", "expected"), [
    ("капацитет 8 места", "8", Number(8.0)),
    ("Капацитет - 100бр.", "100", Number(100.0)),  # a unit glued to the number
    ("капацитет 1 200 места", "200", Number(1200.0)),  # the digits found are part of a grouped number
    ("капацитет 1О места", "1", UNPARSED),
    ("капацитет 8,5 места", "5", UNPARSED),
    ("капацитет 8-10 места", "10", UNPARSED),
    ("капацитет 8 до 10 места", "10", UNPARSED),
    ("Капацитет - 100 или 120 бр.", "100", UNPARSED),
    ("1О 000 лв.", "000", UNPARSED),
    ("от 20 на 30 места", "30", Number(30.0)),  # a change is read by the readers, not refused here
    ("Нова от 2021 год. с капацитет 4 места.", "4", Number(4.0)),
])
def test_count_at_reads_the_whole_written_number(text, digits, expected):
    start = text.index(digits)
    assert count_at(text, start, start + len(digits)) == expected


# --- numbers read whole, never a part of them (blind-5) ----------------------------------------------------------


def test_a_grouped_amount_whose_group_starts_with_zero_is_no_phone_number():
    # '1 020 560' is one million twenty thousand five hundred and sixty; '020 560' is no phone number inside it
    assert parse_amount("1 020 560", bare_numbers=True) == Number(1020560.0)
    assert parse_amount("1 020 560 лв.") == Number(1020560.0)
    # a phone number after its label is still no amount
    assert parse_amount("тел. 0888 123 456", bare_numbers=True).value is None


@pytest.mark.parametrize(("text", "expected"), [
    # a product worked out in the cell: its total
    ("2 × 12 = 24 места", Capacity(24, None, "places")),
    ("14 + 14 = 28", Capacity(28)),
    # a product that does not give its total: not read
    ("2 x 12 = 25 места", Capacity(None, flag="unparsed_number")),
    # a change written with an arrow
    ("20 → 24 места (от 01.03.2020 г.)", Capacity(24, 20, "places")),
    # a part of the number in brackets ('of which 2 professional'): the number
    ("8 (от тях 2 професионални)", Capacity(8)),
    ("30 места, от които 10 за деца с увреждания", Capacity(30, None, "places")),  # a part of the places, after a comma
    ("30 места (в т.ч. 6 за спешно настаняване)", Capacity(30, None, "places")),
    # so many units of so many places: two homes of 8 are 16 places
    ("2 по 8", Capacity(16)),
    ("2 по 8 места", Capacity(16, None, "places")),
    ("2 х 15", Capacity(30)),
    # anything more around it is not read
    ("2 х 15 и 5", Capacity(None, flag="unparsed_number")),
])
def test_capacity_cells_worked_out_or_with_a_part_in_brackets(text, expected):
    assert parse_capacity_cell(text) == expected


@pytest.mark.parametrize("text", ["20 → 24", "2 × 12", "2 х 15", "5 = 5"])
def test_a_number_joined_to_another_by_an_arrow_or_a_product_is_not_a_count_alone(text):
    assert count_at(text, 0, len(text.split()[0])) == UNPARSED


@pytest.mark.parametrize("text", ["1 000 2021 г.", "100 000 01.01.2021"])
def test_a_distractor_glued_to_a_grouped_number_leaves_it_unread(text):
    # '1 000 2021 г.': a thousand and a year, or a number cut short? Never the '1' before the gap.
    assert parse_amount(text, bare_numbers=True) == UNPARSED


@pytest.mark.parametrize(("text", "capacity", "before"), [
    ("20 места / 7 щ.бр.", 20, None),  # the staff beside the places
    ("25 места, 18 настанени, 9 служители", 25, None),  # 18 residents now: occupancy, not the places
    ("от 50 на 36 места / 31 щ.бр.", 36, 50),
])
def test_a_capacity_cell_with_staff_and_occupancy_beside_the_places(text, capacity, before):
    assert parse_capacity_cell(text) == Capacity(capacity, before, "places")


def test_occupancy_alone_is_no_capacity():
    assert parse_capacity_cell("18 настанени").capacity is None


def test_a_date_after_do_ends_no_range():
    text = "от 7 на 9 до 30.06.2022 г."
    assert count_at(text, text.index("9"), text.index("9") + 1) == Number(9.0)
    text = "от 8 до 10 места"
    assert count_at(text, text.index("8"), text.index("8") + 1).value is None  # a range: 8 to 10


# --- blind-8: figures beside their distractors ----------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("12 места, настанени 10 деца от 3 до 18 г.", Capacity(12, None, "places")),  # occupancy is not the places
    ("20 места, заети 17", Capacity(20, None, "places")),
    ("Капацитетът на дома (т. 8) е 60 места, от които 12 за лежащо болни.", Capacity(60, None, "places")),
    ("50 места (досега 60)", Capacity(50, 60, "places")),  # the new figure with the old one in brackets
    ("55 (от 70)", Capacity(55, 70, None)),
    ("30 места до 30.06.; 40 места от 01.07.2018 г.", Capacity(40, 30, "places")),  # a change dated in the year
    ("12 сем.", Capacity(12, None, "families")),
    ("45 потребители; 45 ЛА", Capacity(45, None, "users")),  # the personal assistants are staff
    ("виж заб. 1", Capacity(None, flag="unparsed_number")),  # a reference to a note is no capacity
    ("виж бел. 2", Capacity(None, flag="unparsed_number")),
])
def test_capacity_beside_occupancy_references_and_earlier_figures(text, expected):
    assert parse_capacity_cell(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("около 480 000", UNPARSED),  # an estimate is not the planned amount
    ("около 30 000 лв.", UNPARSED),
    ("приблизително 12 000 лв.", UNPARSED),
    ("480 000", Number(480000.0)),
])
def test_an_approximate_amount_is_left_empty(text, expected):
    assert parse_amount(text, 1.0, bare_numbers=True) == expected


def test_staff_with_the_figure_per_unit_in_brackets():
    assert parse_staff_cell("22 (по 11)") == Number(22.0)


def test_staff_with_a_part_of_it_in_brackets():
    assert parse_staff_cell("14 (в т.ч. 2 шофьори)").value == 14


def test_a_capacity_marked_as_a_forecast_is_left_empty_and_flagged():
    read = parse_capacity_cell("до 15 места (предвиждане)")
    assert read.capacity is None and read.flag == "unparsed_number"


def test_users_beside_abbreviated_social_assistants():
    read = parse_capacity_cell("15 потребители; 6 соц. асистенти")
    assert (read.capacity, read.unit) == (15, "users")


@pytest.mark.parametrize(("text", "expected"), [
    ("12 места (8 за деца и 4 за младежи)", Capacity(12, None, "places")),  # the parts sum to the total
    ("30 места (20 деца, 10 младежи)", Capacity(30, None, "places")),
    ("12 места (8 за деца и 5 за младежи)", Capacity(None, flag="unparsed_number")),  # 13 ≠ 12: not sure
])
def test_parts_of_a_capacity_in_words_in_brackets(text, expected):
    assert parse_capacity_cell(text) == expected


def test_units_of_places_with_their_product_written_out():
    """'2 х 15 = 30 места': two units of fifteen places, thirty in all; a product that does not agree ('2 х 15 = 40')
    is not read (which of the numbers is wrong is not known)."""
    assert parse_capacity_cell("2 х 15 = 30 места") == Capacity(30, None, "places")
    assert units_in_capacity("2 х 15 = 30 места") == 2
    assert units_in_capacity("2 х 15 места = 30 места") == 2
    wrong = parse_capacity_cell("2 х 15 = 40 места")
    assert wrong.capacity is None and wrong.flag == "unparsed_number"
    assert units_in_capacity("2 х 15 = 40 места") is None


@pytest.mark.parametrize(("text", "expected"), [
    ("2 клуба", 2),  # the cell counts the service's units, no places
    ("два клуба", 2),
    ("3 бр. клубове", 3),
    ("2 х 12 места", 2),
    ("20 места", None),  # places, not units
    ("2 клуба, 60 членове", None),  # not the whole cell: not read as units
])
def test_a_capacity_cell_naming_units_of_the_service_counts_them(text, expected):
    assert units_in_capacity(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("96'400", 96400.0),  # apostrophes group thousands, as in some municipal budget tables
    ("142'380.50", 142380.5),
    ("1’200 лв.", 1200.0),
    ("96'40", None),  # a group of two digits: not a written number
])
def test_apostrophes_group_thousands(text, expected):
    assert parse_amount(text, bare_numbers=True).value == expected


def test_a_product_worked_out_in_an_amount_cell_gives_its_total_only_when_it_agrees():
    assert parse_amount("3 x 1'200 = 3'600", bare_numbers=True) == Number(3600.0)
    assert parse_amount("3 x 1'200 = 3'700", bare_numbers=True) == Number(None, "unparsed_number")  # 3 600 ≠ 3 700


def test_a_sum_each_beside_a_total_is_a_rate_and_alone_is_no_amount():
    assert parse_amount("6 000 (по 1 500 на клуб)", bare_numbers=True) == Number(6000.0)
    assert parse_amount("по 1 500 на клуб", bare_numbers=True).value is None  # so much each, no total: not an amount
    assert parse_amount("по 800 лв. на клуб", bare_numbers=True).value is None


@pytest.mark.parametrize(("text", "expected"), [
    ("61 355,03 € / 120 000,00 лв.", Number(120000.0)),  # the same sum at the fixed rate 1,95583: the leva one
    ("120 000 лв. / 61 355,03 евро", Number(120000.0)),
    ("61 000,00 € / 120 000,00 лв.", Number(None, "unparsed_number")),  # 61 000 € is 119 305,63 лв.: they disagree
    ("98 000,00 €", Number(None, "unparsed_number")),  # euro only: never exported as leva
])
def test_an_amount_in_euro_and_leva_after_a_slash_is_the_leva_one_when_they_agree(text, expected):
    assert parse_amount(text, bare_numbers=True) == expected


@pytest.mark.parametrize(("cell", "expected"), [
    ("96 450 | 71 200 | 25 250", "96 450"),  # salaries and upkeep under the service's total add up to it
    ("148 300 | 64 100 | 58 600 | 25 600", "148 300"),
    ("96 450 | 71 200 | 25 000", "96 450 | 71 200 | 25 000"),  # they do not add up: left as it is (not read)
    ("96 450 | 96 450", "96 450 | 96 450"),  # one number under another is no breakdown
])
def test_a_budget_breakdown_under_a_total_leaves_the_total(cell, expected):
    assert breakdown_total(cell) == expected


@pytest.mark.parametrize(("text", "elsewhere"), [
    ("съгласно лиценза", True), ("по стандарт", True), ("виж забележка", True), ("по лиценз", True),
    ("30 места", False), ("по 15 места", False),
])
def test_a_capacity_cell_pointing_to_the_licence_or_the_notes(text, elsewhere):
    assert bool(CAPACITY_ELSEWHERE.match(text.lower())) == elsewhere


def test_a_capacity_given_as_a_share_of_a_whole_is_the_share():
    assert parse_capacity_cell("20 места (от общо 40)") == Capacity(20, None, "places")


@pytest.mark.parametrize(("text", "expected"), [
    ("210 потребители (на 01.01.2017 г. – 184)", Capacity(210, None, "users")),  # users as the year began: an aside
    ("40 места (към 01.01.2020 г.: 36)", Capacity(40, None, "places")),
])
def test_a_count_at_the_start_of_the_year_beside_the_capacity_is_no_capacity(text, expected):
    assert parse_capacity_cell(text) == expected


def test_a_count_at_another_date_is_not_dropped():
    """'(от 01.07.2017 г. – 30)' is a change in the year: not the aside of a count as the year began."""
    assert parse_capacity_cell("20 места (от 01.07.2017 г. – 30)").capacity != 20
