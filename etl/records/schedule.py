"""Records stage helper: a row's schedule → the quarters q1–q4 of the plan year, as the export contract's
*Schedules* table says. Quarter, month and half-year cells hold marks; a period column ("Срок") names a
stretch of time. Whatever is not understood comes back as None (the caller flags it), never as a guess.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

from ..marks import DASHES, clean_cell, is_mark_symbols, mark_value, month_string  # noqa: F401 (shared)


def quarters_from_months(cells: list[str]) -> tuple[list[int] | None, bool]:
    """12 month cells → q1..q4 (a quarter is 1 when any of its months is marked) and whether some cell
    was not understood. A quarter with no marked month and an unreadable one cannot be told: None."""
    if len(cells) != 12:
        raise ValueError(f"expected 12 month cells, got {len(cells)}")
    return _group_marks(cells, 3)


def quarters_from_halves(cells: list[str]) -> tuple[list[int] | None, bool]:
    """2 half-year cells → [h1, h1, h2, h2] and whether some cell was not understood."""
    if len(cells) != 2:
        raise ValueError(f"expected 2 half-year cells, got {len(cells)}")
    halves, unknown = _group_marks(cells, 1)
    return (None if halves is None else [halves[0], halves[0], halves[1], halves[1]]), unknown


def _group_marks(cells: list[str], size: int) -> tuple[list[int] | None, bool]:
    """Marks read in groups of `size` cells: 1 if any is marked, 0 if all are empty/no, else unknown."""
    values = [mark_value(c) for c in cells]
    unknown = None in values
    groups = [values[i:i + size] for i in range(0, len(values), size)]
    result = [1 if 1 in g else 0 if None not in g else None for g in groups]
    return (None if None in result else result), unknown


# --- a period column ------------------------------------------------------------------------------------

MONTHS = {"януари": 1, "яну": 1, "ян": 1, "февруари": 2, "февр": 2, "фев": 2, "март": 3, "мар": 3,
          "април": 4, "апр": 4, "май": 5, "юни": 6, "юли": 7, "август": 8, "авг": 8, "септември": 9,
          "септ": 9, "сеп": 9, "октомври": 10, "окт": 10, "ноември": 11, "ноем": 11, "ное": 11,
          "декември": 12, "дек": 12}
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10,
         "xi": 11, "xii": 12}
ORDINAL_WORDS = {"първ": 1, "втор": 2, "трет": 3, "четвърт": 4}

_MONTH_NAME = "|".join(sorted(MONTHS, key=len, reverse=True))
_ROMAN_MONTH = "|".join(sorted(ROMAN, key=len, reverse=True))
_SUFFIX = r"(?:\s?-?\s?(?:ви|ри|ти|во|ро|то|о)(?!\w))?"
_QNUM = rf"(?:(?:iv|iii|ii|i)(?![a-z])|[1-4](?!\d)|(?:първ|втор|трет|четвърт|последн)\w*){_SUFFIX}"
_QLIST = rf"{_QNUM}(?:\s*(?:,|и|-|до)\s*{_QNUM})*"
_YEAR_AFTER = r"(?:\s*(?:на\s+|за\s+)?(?P<year>(?:19|20)\d\d)(?!\d))?"

DATE = re.compile(rf"(?<![\d.])(?P<d>\d{{1,2}})\s?[./]\s?(?P<m>\d{{1,2}}|{_ROMAN_MONTH})(?![\da-z])"
                  rf"(?:\s?[./]\s?(?P<y>\d{{4}}|\d{{2}})(?!\d))?\.?")
MONTH = re.compile(rf"(?<!\w)(?:(?P<d>\d{{1,2}})\s+)?(?:(?:м\.|мес\.|месец)\s*)?(?P<name>{_MONTH_NAME})(?!\w)\.?"
                   rf"{_YEAR_AFTER}")
# a month by its number after 'м.', Roman or decimal ('м. IV – м. XII', 'м. 01 – м. 12')
ROMAN_MONTH = re.compile(rf"(?<!\w)(?:м\.|мес\.|месец)\s*(?P<name>{_ROMAN_MONTH}|0?[1-9](?!\d)|1[0-2](?!\d))(?![a-z\d])"
                         rf"(?!\.\d)\.?{_YEAR_AFTER}")
QUARTERS = re.compile(rf"(?<!\w)(?P<list>{_QLIST})\s*(?P<word>тримесечия|тримесечие(?:то)?|трим\.?|тр\.|кв\.|"
                      rf"квартал(?:а|ът)?)(?!\w){_YEAR_AFTER}")
Q_NOTATION = re.compile(rf"(?<!\w)(?P<list>q[1-4](?:\s*(?:,|и|-|до)\s*q[1-4])*)(?!\w){_YEAR_AFTER}")
HALVES = re.compile(rf"(?<!\w)(?P<list>{_QLIST})\s*(?P<word>полугоди(?:е|ето|я)|шестмесечи(?:е|ето|я))(?!\w)"
                    rf"{_YEAR_AFTER}")
END_OF_YEAR = re.compile(r"(?<!\w)края на (?:календарната |текущата )?(?:годината|(?P<year>(?:19|20)\d\d))")
YEAR = re.compile(r"(?<![\d.])(?:19|20)\d\d(?![\d])")

RANGE_GAP = re.compile(r"^\s*(?:-|до|-\s*до)\s*$")
LIST_GAP = re.compile(r"^\s*(?:,|;|и|,\s*и)\s*$")
DURING = re.compile(r"(?<!\w)(?:през|в|по време на)\s*$")
OPEN_OR_DEADLINE = re.compile(r"(?<!\w)(?:от|до|след|считано от|срок|не по-късно от)\s*$")


@dataclass(frozen=True)
class Atom:
    """One named time in a period text: a date, a month, named quarters or halves, or a plain year."""

    kind: str  # 'date' | 'month' | 'quarters' | 'halves' | 'year'
    start: int
    end: int
    year: int | None
    month: int | None = None
    day: int | None = None
    numbers: tuple[int, ...] = ()  # quarters or halves named
    bad: bool = False  # the text looks like a time but is no valid one


def quarters_from_period(text: str, year: int) -> list[int] | None:
    """A period cell ('01.01.–31.12.2017 г.', 'м. март – м. юни 2022', 'II и IV тримесечие') → 1 for each
    quarter the stretch overlaps within the plan year, 0 for the others.

    None for a single deadline ('до 30.09.2016 г.', 'Декември 2020 г.'), an open start ('от 01.07.2021 г.'),
    words without a month, date or quarter ('постоянен', '2021-2027'), a stretch wholly outside the plan
    year, and anything not understood for sure.
    """
    quarters = _period_quarters(text, year)
    return list(quarters) if quarters else None


@lru_cache(maxsize=16384)  # period cells repeat from row to row and plan to plan
def _period_quarters(text: str, year: int) -> tuple[int, ...] | None:
    low = normalise_period(text)
    atoms = find_atoms(low)
    intervals = stretch_intervals(low, atoms, context_year(atoms, year))
    if not intervals:
        return None
    quarters = tuple(int(any(_overlaps(i, quarter_interval(year, q)) for i in intervals)) for q in range(1, 5))
    return quarters if any(quarters) else None


DURATION = re.compile(r"^(\d{1,2})\s*(?:м\.|мес\.?|месеца?)?$")


def quarters_from_duration(start: str, duration: str, year: int) -> list[int] | None:
    """A period written as its start and its length in months, in two columns ('01.04.' | '9'): 1 for each
    quarter of the plan year the months from the start overlap ('01.10.' | '15' runs into the next year: Q4).
    None unless the start is one date or month, nothing else, and the length a whole number of months (1–60)."""
    length = DURATION.match(normalise_period(duration))
    low = normalise_period(start)
    atoms = find_atoms(low)
    if not length or not 1 <= int(length[1]) <= 60 or len(atoms) != 1 or atoms[0].kind not in ("date", "month") \
            or atoms[0].bad or low[:atoms[0].start].strip() or low[atoms[0].end:].strip(" ."):
        return None
    atom = atoms[0]
    first = date(atom.year or year, atom.month, atom.day or 1)
    last = first.year * 12 + first.month - 1 + int(length[1]) - 1  # the last month, counted from year 0
    stretch = (first, _month_end(last // 12, last % 12 + 1))
    quarters = [int(_overlaps(stretch, quarter_interval(year, q))) for q in range(1, 5)]
    return quarters if any(quarters) else None


def normalise_period(text: str) -> str:
    """Lower case, HTML and 'г.' after years removed, one kind of dash, Roman month numerals in Latin
    letters ('01.ХІІ.2022' typed in Cyrillic), single spaces."""
    low = clean_cell(text).lower().replace("і", "i")
    low = re.sub(r"[‐‑‒–—―−]", "-", low)
    low = re.sub(r"(?<=\d[./])[ivxх]{1,4}(?=[./])", lambda m: m.group(0).replace("х", "x"), low)  # Cyrillic Х
    low = re.sub(r"(?<=\d)\s*(?:година|годината|год\.?|г\.?)(?!\w)", "", low)
    return re.sub(r"\s+", " ", low).strip()


def find_atoms(low: str) -> list[Atom]:
    """The named times of a normalised period text, in order, without overlaps (dates first)."""
    found: list[Atom] = []
    for pattern, read in ((DATE, _date_atom), (QUARTERS, _quarters_atom), (Q_NOTATION, _q_notation_atom),
                          (HALVES, _halves_atom), (MONTH, _month_atom), (ROMAN_MONTH, _roman_month_atom),
                          (END_OF_YEAR, _end_of_year_atom),
                          (YEAR, _year_atom)):
        for m in pattern.finditer(low):
            if not any(m.start() < a.end and a.start < m.end() for a in found):
                atom = read(m)
                if atom is not None:
                    found.append(atom)
    return sorted(found, key=lambda a: a.start)


def _date_atom(m: re.Match) -> Atom:
    month = int(m["m"]) if m["m"].isdecimal() else ROMAN[m["m"]]
    year = _full_year(m["y"])
    bad = not 1 <= month <= 12 or not _valid_day(int(m["d"]), month, year)
    return Atom("date", m.start(), m.end(), year, month, int(m["d"]), bad=bad)


def _roman_month_atom(m: re.Match) -> Atom:
    month = int(m["name"]) if m["name"].isdecimal() else ROMAN[m["name"]]
    return Atom("month", m.start(), m.end(), int(m["year"]) if m["year"] else None, month, None)


def _month_atom(m: re.Match) -> Atom:
    day = int(m["d"]) if m["d"] else None
    year = int(m["year"]) if m["year"] else None
    month = MONTHS[m["name"]]
    return Atom("month", m.start(), m.end(), year, month, day, bad=day is not None and not _valid_day(day, month, year))


def _quarters_atom(m: re.Match) -> Atom | None:
    numbers = _numeral_list(m["list"], 4)
    if numbers and m["word"] == "тримесечия" and re.fullmatch(r"[1-4]", m["list"].strip()):
        return None  # '3 тримесечия' counts quarters, it names none
    return Atom("quarters", m.start(), m.end(), _year(m), numbers=numbers or (), bad=not numbers)


def _q_notation_atom(m: re.Match) -> Atom:
    numbers = _numeral_list(m["list"].replace("q", ""), 4)
    return Atom("quarters", m.start(), m.end(), _year(m), numbers=numbers or (), bad=not numbers)


def _halves_atom(m: re.Match) -> Atom | None:
    numbers = _numeral_list(m["list"], 2)
    if numbers and m["word"].endswith("я") and re.fullmatch(r"[12]", m["list"].strip()):
        return None  # '2 полугодия' counts
    return Atom("halves", m.start(), m.end(), _year(m), numbers=numbers or (), bad=not numbers)


def _end_of_year_atom(m: re.Match) -> Atom:
    return Atom("date", m.start(), m.end(), _year(m), 12, 31)


def _year_atom(m: re.Match) -> Atom:
    return Atom("year", m.start(), m.end(), int(m.group(0)))


def _year(m: re.Match) -> int | None:
    return int(m["year"]) if m["year"] else None


def _full_year(text: str | None) -> int | None:
    if not text:
        return None
    return int(text) if len(text) == 4 else 2000 + int(text)


def _valid_day(day: int, month: int, year: int | None) -> bool:
    return 1 <= day <= calendar.monthrange(year or 2000, month)[1]  # 2000: a leap year, 29.02 allowed


_NUMERAL_TOKEN = re.compile(rf"\s*(?:(?P<num>{_QNUM})|(?P<range>-|до(?!\w))|(?P<list>,|и(?!\w)))\s*")


def _numeral_list(text: str, highest: int) -> tuple[int, ...] | None:
    """'ii и iv' → (2, 4); 'i-iii' → (1, 2, 3); 'i-ви и iii-ти' → (1, 3); None when unreadable."""
    numbers: list[int] = []
    pending_range = False
    position = 0
    while position < len(text):
        token = _NUMERAL_TOKEN.match(text, position)
        if token is None or token.end() == position:
            return None
        position = token.end()
        if token["list"]:
            continue
        if token["range"]:
            pending_range = True
            continue
        value = _numeral(token["num"], highest)
        if value is None or (pending_range and (not numbers or value <= numbers[-1])):
            return None
        numbers.extend(range(numbers[-1] + 1, value + 1) if pending_range else [value])
        pending_range = False
    return tuple(sorted(set(numbers))) if numbers and not pending_range else None


def _numeral(text: str, highest: int) -> int | None:
    """One quarter/half numeral: 'iv', '3', 'i-ви', '2-ро', 'първо', 'последното'."""
    text = text.strip()
    if text.startswith("последн"):
        return highest
    value = next((v for w, v in ORDINAL_WORDS.items() if text.startswith(w)), None)
    if value is None:
        core = re.sub(r"[\s-]*(?:ви|ри|ти|во|ро|то|о)$", "", text)
        value = ROMAN.get(core) or (int(core) if core.isdecimal() else None)
    return value if value is not None and 1 <= value <= highest else None


# --- from atoms to stretches of time ---------------------------------------------------------------------

Interval = tuple[date, date]


def context_year(atoms: list[Atom], plan_year: int) -> int | None:
    """The year an atom without its own year falls in: the plan year when the text names no year, the
    one year it names, None when it names several (not sure which)."""
    years = {a.year for a in atoms if a.year is not None}
    if not years:
        return plan_year
    return years.pop() if len(years) == 1 else None


def stretch_intervals(low: str, atoms: list[Atom], default_year: int | None) -> list[Interval] | None:
    """The stretches of time a period text names, or None when it names none for sure: nothing but a
    deadline or an open start, an unreadable or ambiguous time, or a deadline beside a stretch."""
    elements = [a for a in atoms if a.kind != "year"]
    if not elements or any(a.bad for a in elements):
        return None
    intervals: list[Interval] = []
    for group in _groups(low, elements):
        found = _group_intervals(low, group, default_year)
        if found is None:
            return None
        intervals.extend(found)
    return intervals


def _groups(low: str, atoms: list[Atom]) -> list[list[tuple[Atom, ...]]]:
    """Atoms joined into groups: 'A - B' / 'A до B' is a range (one element), 'A и B' / 'A, B' a list of
    elements; any other text between two atoms starts a new group."""
    groups: list[list[tuple[Atom, ...]]] = [[]]
    i = 0
    while i < len(atoms):
        element: tuple[Atom, ...] = (atoms[i],)
        if i + 1 < len(atoms) and RANGE_GAP.match(low[atoms[i].end:atoms[i + 1].start]):
            element, i = (atoms[i], atoms[i + 1]), i + 1
        groups[-1].append(element)
        if i + 1 < len(atoms) and not LIST_GAP.match(low[atoms[i].end:atoms[i + 1].start]):
            groups.append([])
        i += 1
    return groups


def _group_intervals(low: str, group: list[tuple[Atom, ...]], default_year: int | None) -> list[Interval] | None:
    """The intervals of one group, None when one element is not a sure stretch. A list of dates is not
    understood (several deadlines? several days?)."""
    if len(group) > 1 and any(len(e) == 1 and e[0].kind == "date" for e in group):
        return None
    intervals: list[Interval] = []
    for element in group:
        found = _element_intervals(low, element, len(group) == 1, default_year)
        if found is None:
            return None
        intervals.extend(found)
    return intervals


def _element_intervals(low: str, element: tuple[Atom, ...], alone: bool,
                       default_year: int | None) -> list[Interval] | None:
    """A range → its interval. A lone date is a deadline or an open start (None); a lone month too,
    unless the text says 'през' (during) it; a month in a list, named quarters or halves → theirs."""
    if len(element) == 2:
        found = _range_interval(*element, default_year)
        return None if found is None else [found]
    atom = element[0]
    if atom.kind == "date" or (atom.kind == "month" and alone and not _during(low, atom)):
        return None
    return _atom_intervals(atom, default_year)


def _during(low: str, atom: Atom) -> bool:
    before = low[:atom.start]
    return bool(DURING.search(before)) and not OPEN_OR_DEADLINE.search(before)


def _atom_intervals(atom: Atom, default_year: int | None) -> list[Interval] | None:
    """A month, named quarters or named halves → their intervals in their year."""
    year = atom.year or default_year
    if year is None:
        return None
    if atom.kind in ("quarters", "halves"):
        return [_bounds(replace(atom, numbers=(n,)), year) for n in atom.numbers]
    return [_bounds(atom, year)]


def _range_interval(first: Atom, last: Atom, default_year: int | None) -> Interval | None:
    """'A - B' between two dates, months, quarters or halves. A missing year comes from the other end (a
    range may run into the next year: 'октомври 2021 - март'); with no year on either end, the context
    year, and then an end before the start is not understood."""
    if not (_single(first) and _single(last)):
        return None
    start_year, end_year = first.year, last.year
    if start_year is None and end_year is None:
        if default_year is None:
            return None
        start_year = end_year = default_year
    elif start_year is None:
        in_order = _bounds(first, end_year)[0] <= _bounds(last, end_year)[1]
        start_year = end_year if in_order else end_year - 1
    elif end_year is None:
        in_order = _bounds(last, start_year)[1] >= _bounds(first, start_year)[0]
        end_year = start_year if in_order else start_year + 1
    start, end = _bounds(first, start_year)[0], _bounds(last, end_year)[1]
    return (start, end) if start <= end else None


def _single(atom: Atom) -> bool:
    """An atom that can end a range: a date, a month, one quarter or one half."""
    return atom.kind in ("date", "month") or (atom.kind in ("quarters", "halves") and len(atom.numbers) == 1)


def _bounds(atom: Atom, year: int) -> Interval:
    """The first and last day an atom names in a year (a date or a month with a day: that day)."""
    if atom.kind == "quarters":
        return quarter_interval(year, atom.numbers[0])
    if atom.kind == "halves":
        return quarter_interval(year, 2 * atom.numbers[0] - 1)[0], quarter_interval(year, 2 * atom.numbers[0])[1]
    if atom.day:
        day = date(year, atom.month, min(atom.day, calendar.monthrange(year, atom.month)[1]))
        return day, day
    return date(year, atom.month, 1), _month_end(year, atom.month)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_interval(year: int, quarter: int) -> Interval:
    """The first and last day of a quarter of a year."""
    return date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter)


def _overlaps(a: Interval, b: Interval) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


# --- legends ----------------------------------------------------------------------------------------------

_QUOTES = "„“”\"'«»‘’"
LEGEND_PREFIX = re.compile(r"^\s*(?:легенда\s*[:\-–—]?\s*)?(?:знак|символ)?\s*", re.I)
LEGEND_ENTRY = re.compile(rf"^[{_QUOTES}]?(?P<mark>[^\s{_QUOTES}:=\-–—]+)[{_QUOTES}]?\s*(?P<sep>[-–—:=]\s*)?"
                          rf"(?P<meaning>.*\S)\s*$")
# without a separator ("X период на предоставяне …", as Kresna writes it), a legend entry speaks of a schedule
LEGEND_WORDS = re.compile(r"период|изпълн|предоставян|подготов|изграждан|реализиран|месец|тримесеч|срок", re.I)


def read_legend(lines: list[str]) -> dict[str, str]:
    """The meanings a legend gives to marks: lines (or ';'-separated parts) like
    '////////// - изпълнение на дейността', 'Знак „+“ – период на подготовка' or, without a separator, 'X период на
    предоставяне' → {mark: meaning}."""
    legend: dict[str, str] = {}
    for line in lines:
        for part in clean_cell(line).split(";"):
            entry = LEGEND_ENTRY.match(LEGEND_PREFIX.sub("", part, count=1))
            if (entry and is_mark_symbols(entry["mark"]) and re.search(r"[^\W\d_]", entry["meaning"])
                    and (entry["sep"] or LEGEND_WORDS.search(entry["meaning"]))):
                legend[entry["mark"]] = entry["meaning"].strip(" .;")
    return legend
