"""Rows stage: lines of cells → plan table rows, each cell under its column's role, with source lines.

A table is found by its header row, whose cells name column roles (etl/data/column_roles.csv: item number,
name, description, place, capacity, schedule, funding, amount, provider, …) in any order and wording; a second
header row may name the schedule's quarters, months or half-years under a merged cell. A table with no header
the vocabulary recognises is still read: its columns' roles are inferred from what their cells hold (marks,
amounts, settlements, item numbers, long texts), and its rows carry the review flag `no_header`. Columns of
unknown role are kept as text (`extra<N>`). A table written with each service as a column (its first column
labels naming roles: 'Наименование', 'Капацитет', …) is read a record per column. Every line is accounted for in
`dispositions`."""

from __future__ import annotations

import heapq
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from itertools import combinations

from ..lines import Document, Line
from ..marks import is_mark, stands_for_mark
from ..vocabulary import (
    LATIN_ONLY,
    QUARTER_END,
    TOTAL,
    WIDE_IN_TEXT,
    column_role,
    cyrillic_of,
    header_roles,
    lower_same_length,
    lowered,
    match_section,
    schedule_label,
)

# an item number: '12.', '1.2', 'IV.' (a Roman one with its dot or bracket, never a mark)
ITEM_NO = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*|[IVX]{1,5}(?=[.)])|[а-я](?=\)))[.)]?$")  # "1.", "2.3", "IV.", "б)"
ROMAN_ITEM = re.compile(r"^[IVX]{1,5}[.)]$")
NO_MARK = re.compile(r"^(не|no|няма|[-–—]|0)$", re.I)
SEPARATOR = re.compile(r"^[-–—_=.\s]+$")
PAGE_MARK = re.compile(r"^\s*(?:[-–—]\s*\d{1,3}\s*[-–—]|(?:стр\.?|страница|page)\s*\d{1,3}(?:\s*(?:от|/|of)\s*\d{1,3})?)\s*$",
                       re.I)  # a page's number alone: '– 1 –', 'стр. 1 от 2', 'Страница 2'

GOAL_LINE = re.compile(r"^(обща цел|цел)\s*:", re.I)
SCHEDULE_KINDS = {"q": 4, "m": 12, "h": 2}


@dataclass
class Issue:
    severity: str  # error | warning | notice
    category: str
    message: str
    line: int | None = None


@dataclass
class RawRow:
    """One plan row as read: its cells by role plus where it came from."""

    layout: str  # the roles of its table's columns, e.g. "item_no name description place q1-q4 funding provider"
    section: str | None  # section code from the document's headings; None under priority headings
    item_no: str | None
    cells: dict[str, str]
    quarters: list[str] | None  # the schedule cells as written (4 quarters, 12 months or 2 halves), None: no schedule
    lines: list[Line] = field(default_factory=list)
    parent: int | None = None  # index of the numbered row a sub-row belongs to
    schedule_kind: str | None = None  # 'q' | 'm' | 'h' for quarters, months, half-years
    flags: list[str] = field(default_factory=list)  # review flags from reading the table (no_header, …)
    scale: float | None = 1.0  # the amount column's unit in leva ("хил. лв." → 1000); None: in doubt
    money_in_funding: bool = False  # amounts stand in the funding cell as bare numbers in that unit
    currency: str = ""  # the amount column's currency when it names euro: 'euro', 'euro (leva)', 'leva (euro)'
    term_unit: str = ""  # 'q' / 'h' / 'm': the period column's header names the unit of its bare numerals ('I–IV')
    schedule_money: bool = False  # the schedule cells hold amounts ('Разходи по тримесечия (лв.)'): money = provided
    place_heading: str = ""  # the settlement heading the row stands under, its place when it names none itself
    group_place: str = ""  # a merged place cell over the row's group, filled on the group's first row only
    funding_heading: str = ""  # the source-of-money heading the row stands under, in a table with no funding column
    column: int = 0  # of the records of one transposed table (one a value column, all starting on one line): which

    @property
    def first_line(self) -> int:
        return self.lines[0].no

    def merge_plan_line(self, other: RawRow, line: Line) -> None:
        """Append the plan year's line of a service written twice ('съществуваща към 31.12.2013 г.' above,
        'планирана за 2014 г.' below): its capacity and staff are the figures, the existing line's capacity is the
        capacity before. A figure the plan line leaves empty stays empty (the existing one is not the plan's)."""
        before = self.cells.get("capacity", "").strip()
        for role in ("capacity", "staff"):
            self.cells[role] = other.cells.pop(role, "").strip()
        if before and not self.cells.get("capacity_before"):
            self.cells["capacity_before"] = before
        for key in [k for k in self.cells if k.startswith("capacity:")]:
            del self.cells[key]  # capacity by part: the plan line's parts only
        self.merge(other, line)

    def merge(self, other: RawRow, line: Line) -> None:
        """Append a continuation row cell by cell (text carried over a page break). A text cell that is a labelled
        parameter ('Капацитет: 20 места', 'Финансиране: ДДД') goes to the field its label names."""
        # the line above breaks off mid-phrase in some cell: the row's cells wrap onto this line (a table copied
        # from a PDF), so a number cell breaking off mid-phrase ('от 30 на' / '35 места') or between the groups of
        # its digits ('96' / '240 лв.') goes on here
        wrapped = bool(self.lines) and any(DANGLING.search(c) for c in self.lines[-1].cells)
        for key, text in other.cells.items():
            if not text:
                continue
            parts = labelled_parts(text) if key in TEXT_ROLES or key.startswith("extra") else None
            for role, value in parts or [(key, text)]:
                before = self.cells.get(role, "")
                goes_on = wrapped and (DANGLING.search(before) is not None or
                                       (DIGIT_GROUP.match(before) is not None and GROUP_ON.match(value) is not None))
                if (role in NUMBER_ROLES or role == "funding" or role.startswith(("amount:", "capacity:"))) and \
                        HAS_DIGIT.search(before) and HAS_DIGIT.search(value) and not goes_on:
                    self.cells[role] = f"{before} | {value}"  # numbers of two cells: never one number's digits
                else:
                    self.cells[role] = join_text(before, value)
        if self.quarters and other.quarters and len(self.quarters) == len(other.quarters):
            self.quarters = [a or b for a, b in zip(self.quarters, other.quarters, strict=True)]
        self.lines.append(line)


@dataclass
class ParsedPlan:
    document: Document
    municipality_candidates: list[list[str]]  # per 'община …' mention: longest phrase first
    year: int | None
    title: str
    layouts: list[str]
    rows: list[RawRow]
    dispositions: dict[int, tuple[str, int | None]]  # line → (disposition, row index)
    issues: list[Issue]


TEXT_ROLES = {"name", "description", "activities"}
DIGIT_GROUP = re.compile(r"^\s*\d{1,3}\s*$")  # the first group of a number's digits alone ('96')
GROUP_ON = re.compile(r"^\s*\d{3}(?![\d])(?:[.,]\d{1,2})?\s*(?:лв\.?|лева)(?!\w)", re.I)  # the rest: '240 лв.'
# the fields a labelled line may fill: what a column of that header would hold
LABEL_ROLES = {"place", "capacity", "staff", "funding", "amount", "term", "status", "provider", "target_group",
               "results", "indicator", "notes", "description"}
LABELLED = re.compile(r"^\s*([^\W\d_][^:;\d]{1,40}?)\s*:\s*(\S.*)$", re.S)
NEXT_LABEL = re.compile(r";\s+(?=[^\W\d_][^:;\d]{1,40}?\s*:\s*\S)")
BARE_COUNT = re.compile(r"^\d{1,4}\s*(?:места|потребител\w*|души|лица|деца|семейства|бр\.?)?\s*$", re.I)


def labelled_parts(text: str) -> list[tuple[str, str]] | None:
    """A cell of labelled parameters ('Капацитет: 30 места', 'Потребители: 48; лични асистенти: 45') → (role,
    value) per label a header of that wording would name; a later part whose label names no role is description.
    None when the cell does not start with such a label. A count under a label that names a target group
    ('Потребители: 48') is a capacity."""
    if ":" not in text:
        return None
    out: list[tuple[str, str]] = []
    for part in NEXT_LABEL.split(text):
        m = LABELLED.match(part)
        role = column_role(m.group(1)) if m else ""
        if role in LABEL_ROLES:
            value = m.group(2).strip()
            if role == "target_group" and BARE_COUNT.match(value):
                role = "capacity"
            out.append((role, value))
        elif out:
            out.append(("description", part))
        else:
            return None
    return out


def join_text(a: str, b: str) -> str:
    if not a:
        return b
    if a.endswith("-") and b[:1].islower():  # a word hyphenated across the break
        return a[:-1] + b
    return f"{a} {b}"


COLUMN_LETTERS = {"A": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "А": "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩ"}  # Latin, Cyrillic


def is_column_numbers(cells: list[str], nonempty: list[int]) -> bool:
    """A row that numbers a table's columns: 1, 2, 3, … or A, B, C, … (a spreadsheet's column letters) in order,
    one a column, from the first."""
    first = cells[0].strip().rstrip(".") if cells else ""
    if len(nonempty) < 4 or nonempty[0] != 0 or (first != "1" and first not in COLUMN_LETTERS):  # the cheap test first
        return False
    numbers = [cells[i].strip().rstrip(".") for i in nonempty]
    if first in COLUMN_LETTERS:
        return "".join(numbers) == COLUMN_LETTERS[first][:len(numbers)] and all(len(n) == 1 for n in numbers)
    return numbers == [str(k) for k in range(1, len(numbers) + 1)]


LEGEND_ENTRY = re.compile(r"(?:^|[;:]\s*)(\d{1,2})\s*[–—-]\s*([^;]+)")


def column_legend(text: str) -> list[str] | None:
    """A legend that explains columns headed only by numbers ('1 – пореден номер; 2 – наименование …; 4 –
    капацитет'): the wording of columns 1, 2, 3 … in order, or None when the text is not such a legend (at
    least four entries, numbered 1, 2, 3 … without a gap)."""
    entries = LEGEND_ENTRY.findall(text)
    if len(entries) < 4 or [int(n) for n, _ in entries] != list(range(1, len(entries) + 1)):
        return None
    return [label.strip(" .") for _, label in entries]


def legend_headers(lines: list[Line]) -> dict[int, list[str]]:
    """Rows of column numbers (1, 2, 3 … one a column) below a legend of the columns (column_legend): each row's
    header in the legend's words, by line number. A numbered row the legend does not cover stays as it is."""
    out: dict[int, list[str]] = {}
    legend: list[str] | None = None
    for ln in lines:
        if len(ln.nonempty) == 1:
            legend = column_legend(ln.cells[ln.nonempty[0]]) or legend
        elif legend and is_column_numbers(ln.cells, ln.nonempty) and len(ln.nonempty) == len(legend):
            out[ln.no] = legend + [""] * (len(ln.cells) - len(legend))
    return out


def slash_labels(text: str) -> list[str]:
    """The labels of a header cell naming several numbers 'A / B / C'; in brackets after a word that names them
    all ('Ресурси (капацитет / персонал / средства)'), the bracket's."""
    inside = BRACKETED.search(text)
    if inside and "/" in inside.group(1):
        text = inside.group(1)
    return [t.strip(" ()") for t in SLASH.split(text.strip())]


def part_header_roles(cells: list[str]) -> list[str] | None:
    """The header of a wide table's second part (printed on its own page): the item number first, then only columns
    of known roles (funding, amount, schedule, provider …), no subject column (name, activity) — its rows are the
    rows of the first part with the same number, carried on. None for any other row."""
    nonempty = [c for c in cells if c.strip()]
    first = nonempty[0].strip() if nonempty else ""
    if len(nonempty) < 3 or len(first) > 20 or first[:1].isdigit() or max(map(len, nonempty)) > 80 or \
            column_role(first) != "item_no":
        return None  # the cheap tests first: most rows start with a number or a long text, not a '№' cell
    roles = [column_role(c) if c.strip() else "" for c in cells]
    known = [r for r in roles if r]
    if len(known) < len(nonempty) or set(known) & {"name", "activities", "description"} or \
            len(set(known) - {"item_no"}) < 2:
        return None  # a cell of no known role may be the subject in words the vocabulary does not know
    return roles


def repeats_start_of(cells: list[str], header: list[str] | None) -> bool:
    """Whether a header row repeats only the first cells of the table's header (a page break that repeats part
    of it): the table goes on with its columns."""
    filled = [c.strip() for c in cells]
    while filled and not filled[-1]:
        filled.pop()
    return bool(header) and 1 < len(filled) < len([c for c in header if c.strip()]) and \
        filled == [c.strip() for c in header[:len(filled)]]


def joins_by_name(first: list[str], second: list[str]) -> bool:
    """Whether a table's header (second) makes it a second table of the first table's services joined by their
    names: the first numbers its rows, the second does not; both name the service; every other column of the
    second is one the first lacks (the money, the provider of services whose places and schedule the first gave)."""
    old = {r for r in first if r and not r.startswith("extra")}
    new = {r for r in second if r and not r.startswith("extra")}
    added = new - {"name"}
    return "item_no" in old and "item_no" not in new and "name" in old and "name" in new and \
        bool(added) and not added & old


NAME_WORD = re.compile(r"[^\W\d_]+")
ABBREVIATION = re.compile(r"^[А-Я]{2,6}$")
MINOR_WORDS = {"със", "към", "при", "през", "или", "във"}


def name_words(name: str) -> tuple[set[str], set[str], str]:
    """A service's name as (the stems of its words, its abbreviations, the initials of its words): the words of
    three letters or more ('без' counts), their first five letters."""
    stems, abbreviations, initials = set(), set(), []
    for word in NAME_WORD.findall(name):
        if ABBREVIATION.match(word):
            abbreviations.add(word.lower())
            continue
        low = word.lower()
        if len(low) >= 3 and low not in MINOR_WORDS:
            stems.add(low[:5])
            initials.append(low[0])
    return stems, abbreviations, "".join(initials)


def named_row(name: str, candidates: list[tuple[int, str]]) -> int | None:
    """Of (row, its name), the one row a name given again in another table stands for: the same name, else the one
    name holding every word of it (a shortened name: 'Механизъм лична помощ' for 'Личен асистент по Механизма
    лична помощ'), an abbreviation in it standing for the initials of the full name's words ('ЦНСТ за деца без
    увреждания'). None when no row or several rows fit."""
    key = " ".join(NAME_WORD.findall(name.lower()))
    same = [i for i, other in candidates if " ".join(NAME_WORD.findall(other.lower())) == key]
    if same:
        return same[0] if len(same) == 1 else None
    stems, abbreviations, _ = name_words(name)
    if not stems and not abbreviations:
        return None
    fits = []
    for i, other in candidates:
        other_stems, other_abbreviations, initials = name_words(other)
        if stems <= other_stems and all(a in other_abbreviations or a in initials for a in abbreviations):
            fits.append(i)
    return fits[0] if len(fits) == 1 else None


def is_quarter_header(cells: list[str]) -> bool:
    """A header row of schedule labels only ('Месец 1-3', 'I тримесечие', 'Q3', 'яну', 'I полугодие')."""
    labels = [c for c in cells if c.strip()]
    return len(labels) >= 2 and all(schedule_label(c) for c in labels)


# --- the columns of a table ------------------------------------------------------------------------

AMOUNT_SCALE = re.compile(r"хил\.?\s*(лв|лева)|в\s+хиляди", re.I)
MILLION_SCALE = re.compile(r"млн\.?\s*(лв|лева)", re.I)
YEAR_START = re.compile(r"01\.01|начало|към\s+1\s+януари|преди", re.I)
YEAR_END = re.compile(r"31\.12|края|към\s+31\s+декември|след", re.I)
LEVA = re.compile(r"\bлв\b|\bлв\.|\bлева\b|\bbgn\b", re.I)
EURO = re.compile(r"\bевро\b|\beur\b|€", re.I)
BRACKETED = re.compile(r"\(([^()]*)\)")


def header_currency(text: str) -> str:
    """The currency of an amount column's bare numbers when its header names euro: 'euro'; 'euro (leva)' for
    euro with the leva equivalent in brackets ("Средства – евро (лв.)"), 'leva (euro)' the other way round;
    'unclear' when both are named and the brackets do not tell which is which; '' for leva."""
    if not EURO.search(text):
        return ""
    if not LEVA.search(text):
        return "euro"
    inside = " ".join(BRACKETED.findall(text))
    outside = BRACKETED.sub(" ", text)
    if LEVA.search(inside) and not LEVA.search(outside) and EURO.search(outside) and not EURO.search(inside):
        return "euro (leva)"
    if EURO.search(inside) and not EURO.search(outside) and LEVA.search(outside) and not LEVA.search(inside):
        return "leva (euro)"
    return "unclear"


def capacity_when(label: str) -> str:
    """A label under a capacity header: 'capacity_before' for the start of the year ('към 01.01.2014 г.'),
    'capacity' for its end ('към 31.12.'), '' for neither."""
    return "capacity_before" if YEAR_START.search(label) else "capacity" if YEAR_END.search(label) else ""


WHEN_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
WHEN_WORDS = re.compile(r"^(към|през|в|за|до|от|след|преди|начало|края|план\w*|сега|досега|налич\w*|текущ\w*|"
                        r"нов\w*|очакван\w*|г\.?|година|годината|на|\d[\d.\s]*)$", re.I)


def is_when_label(label: str) -> bool:
    """A short label saying when a capacity column stands: a date, a year or a word of time, nothing else."""
    words = re.findall(r"[^\s,/()–-]+", label.lower())
    return 0 < len(words) <= 5 and bool(capacity_when(label) or WHEN_YEAR.search(label)) and \
        all(WHEN_WORDS.match(w) or WHEN_YEAR.fullmatch(w.strip(".")) for w in words)


def order_capacity_columns(roles: list[str], labels: dict[int, str], plan_year: int | None = None) -> None:
    """Two columns under one capacity header labelled with different years ('към 31.12.2017 г.' / 'през
    2018 г.'): the earlier year is the capacity before, the later the capacity planned. Labels with the same
    year or none keep what their wording says (capacity_when). Columns labelled each with one year, one of them
    the plan year ('2022 г.' / '2023 г.' / '2024 г.' in a plan for 2023): the plan year's is the capacity, the
    latest year before it the capacity before, any other year's is never the plan's figure ('other_year')."""
    years_of = {i: {int(y) for y in WHEN_YEAR.findall(t)} for i, t in labels.items()}
    if plan_year is not None and len(labels) >= 2 and all(len(y) == 1 for y in years_of.values()) and \
            any(plan_year in y for y in years_of.values()):
        single = {i: next(iter(y)) for i, y in years_of.items()}
        earlier = [i for i, y in single.items() if y < plan_year]
        before = max(earlier, key=single.get) if earlier and len({single[i] for i in earlier}) == len(earlier) else None
        if sum(y == plan_year for y in single.values()) != 1:
            return
        for i, year in single.items():
            roles[i] = "capacity" if year == plan_year else "capacity_before" if i == before else "other_year"
        return
    if len(labels) != 2:
        return
    (a, first), (b, second) = sorted(labels.items())
    years = [sorted({int(y) for y in WHEN_YEAR.findall(t)}) for t in (first, second)]
    if len(years[0]) != 1 or len(years[1]) != 1 or years[0] == years[1]:
        return
    early, late = (a, b) if years[0][0] < years[1][0] else (b, a)
    roles[early], roles[late] = "capacity_before", "capacity"


# a money column of what was spent (a report of a past year) or of what is planned
MONEY_REPORT = re.compile(lowered(r"^\W*(?:отчет\w*|изпълнение|изразходван\w*|усвоен\w*|факт\w*)(?!\w)"))
MONEY_PLAN = re.compile(lowered(r"^\W*(?:план(?:\s+за\s+\d{4}(?:\s*г\.?)?)?|планиран\w*(?:\s+средства)?|"
                                r"прогноза|предвидени(?:\s+средства)?)\W*$"))


def money_kind(label: str) -> str:
    """'report' for a money column of a past year's spending, 'plan' for the planned sum, else ''."""
    text = label.lower()
    return "report" if MONEY_REPORT.match(text) else "plan" if MONEY_PLAN.match(text) else ""


def order_amount_years(roles: list[str], parts: dict[int, str], plan_year: int | None) -> None:
    """Amount columns of several under one money header, each labelled with one year ('2024 г.' / '2025 г.'), one
    of them the plan year: the plan year's is the amount, any other year's never the plan's figure
    ('other_year')."""
    kinds = {i: money_kind(t) for i, t in parts.items() if roles[i] == "amount_part"}
    if len(kinds) >= 2 and list(kinds.values()).count("plan") == 1 and set(kinds.values()) == {"plan", "report"}:
        # 'отчет за предходната година' beside 'план': the plan's column is the amount, a report never the plan's
        for i, kind in kinds.items():
            roles[i] = "amount" if kind == "plan" else "other_year"
            del parts[i]
        return
    years_of = {i: {int(y) for y in WHEN_YEAR.findall(t)} for i, t in parts.items() if roles[i] == "amount_part"}
    if plan_year is None or len(years_of) < 2 or any(len(y) != 1 for y in years_of.values()) or \
            sum(y == {plan_year} for y in years_of.values()) != 1:
        return
    for i, years in years_of.items():
        roles[i] = "amount" if years == {plan_year} else "other_year"
        del parts[i]


@dataclass
class Columns:
    """A table's columns: the role of each cell position and what the schedule columns hold."""

    roles: list[str]  # per position: a role, 'q1'.., 'm1'.., 'h1'.., 'sched' (an unlabelled schedule slot), 'extra<N>' or ''
    inferred: bool = False  # read from the cells' content: no recognised header
    scale: float | None = 1.0  # the amounts' unit in leva; None: in doubt (headers or caption disagree)
    money_in_funding: bool = False  # the funding column's header names a unit of money: bare numbers are amounts
    currency: str = ""  # see RawRow.currency
    stated_leva: bool = False  # an amount header names leva without a multiple ("Сума (лв.)")
    term_unit: str = ""  # 'q' / 'h' / 'm': the period column's header names quarters / half-years / months
    settlements: dict = field(default_factory=dict)  # position → the settlement its column stands for (a matrix)
    parts: dict = field(default_factory=dict)  # position → the label of an amount column of several ('ДДД', 'евро', 'Общо')
    schedule_money: bool = False  # the schedule columns stand under a money header: their cells are amounts
    shapes: dict = field(default_factory=dict)  # row length → how rows of that length were aligned (align)
    aligned: dict = field(default_factory=dict)  # rows that fit alike → their alignment (align, remembered)

    @property
    def width(self) -> int:
        return len(self.roles)

    @cached_property
    def schedule(self) -> list[int]:
        return [i for i, r in enumerate(self.roles) if is_schedule_role(r)]

    @cached_property
    def schedule_kind(self) -> str | None:
        kinds = {self.roles[i][0] for i in self.schedule if self.roles[i] != "sched"}
        if self.schedule and not kinds:
            return "q" if len(self.schedule) >= 4 else None
        return kinds.pop() if len(kinds) == 1 else None

    @cached_property
    def fit_roles(self) -> list[str]:
        """The roles as the cells' content should fit them: a schedule of amounts or counts holds quantities (or
        marks, in rows that say no quantity)."""
        return ["quantity" if self.schedule_money and is_schedule_role(r) else r for r in self.roles]

    @cached_property
    def fitting(self) -> list[frozenset[str]]:
        """Per position, what a cell may hold (cell_what) and still fit there, its cues aside: align's quick test."""
        return [frozenset(w for w in CELL_WHATS if fit_kind(r, (w, NO_CUES)) >= 0) for r in self.fit_roles]

    @cached_property
    def names_funding(self) -> bool:
        """Whether the table says where the money comes from: a funding column or amount columns by source."""
        return bool({"funding", "amount_part"} & set(self.roles))

    @cached_property
    def cue_roles(self) -> frozenset[str]:
        return frozenset(self.roles) & frozenset(CUES)

    @cached_property
    def layout(self) -> str:
        out: list[str] = []
        for role in self.roles:
            if is_schedule_role(role):
                kind = self.schedule_kind or "?"
                label = {"q": "q1-q4", "m": "m1-m12", "h": "h1-h2"}.get(kind, "schedule")
                if not out or out[-1] != label:
                    out.append(label)
            elif role:
                out.append("extra" if role.startswith("extra") else role)
        return " ".join(out) + (" (inferred)" if self.inferred else "")


@lru_cache(maxsize=256)
def is_schedule_role(role: str) -> bool:
    return role == "sched" or (len(role) >= 2 and role[0] in "qmhn" and role[1:].isdecimal())


def resolve_numbers(roles: list[str]) -> list[str]:
    """Bare numeral labels ('n1'…) become quarters, half-years or months by how many stand together."""
    numbered = [i for i, r in enumerate(roles) if r.startswith("n") and r[1:].isdecimal()]
    if not numbered:
        return roles
    count = len(numbered)
    kind = "q" if count == 4 else "m" if count == 12 else "h" if count == 2 else None
    return [(f"{kind}{r[1:]}" if kind else "sched") if i in numbered else r for i, r in enumerate(roles)]


YEAR_LABEL = re.compile(r"^\s*(?:19|20)\d\d\s*(?:г\.?|год\.?|година)?\s*$", re.I)


HYPHENATED = re.compile(r"[^\W\d_]-\s*$")
LOWER_WORDS = re.compile(r"^[а-я][а-я .]{0,19}$")  # the end of a header wording ('по ред' under '№')
UNIT_NOTE = re.compile(r"^\([^\d()]{1,15}\)$")  # a unit in brackets under a header wording: '(щ. бр.)', '(лв.)'


def continues_header(head: str, cell: str) -> bool:
    """Whether a cell of a header's second line continues the words of the header cell above it: the rest of a
    hyphenated word ('Капаци-' / 'тет'), or the end of a wording that names no role alone ('Населено' / 'място',
    'ЕКАТТЕ' / 'код')."""
    head, cell = head.strip(), cell.strip()
    if not head or not cell:
        return False
    if HYPHENATED.search(head):
        return cell[:1].islower()
    if UNIT_NOTE.match(cell):
        return True  # the unit of the column in brackets ('Персонал' / '(щ. бр.)', 'Бюджет' / '(лв.)')
    if column_role(head) or is_schedule_role(column_role(cell)):
        return False  # a schedule label under a period's header ('Изпълнение през 2018 г.' / 'януари – юни')
    return bool(column_role(join_text(head, cell))) or (cell[:1].islower() and len(cell) <= 20)


def header_columns(header: list[str], sub: list[str] | None = None, years: list[str] | None = None,
                   plan_year: int | None = None) -> Columns:
    """The columns named by a header row and, when there is one, the label row under it. A row of years between
    them (a schedule over two years): only the plan year's schedule columns count, the others are 'other_period'."""
    if sub:  # a header cell whose wording runs on into the label row ('Капаци-' / 'тет', 'Населено' / 'място'): one cell
        continued = [i for i in range(min(len(header), len(sub))) if continues_header(header[i], sub[i])]
        if continued:
            header, sub = list(header), list(sub)
            for i in continued:
                header[i], sub[i] = join_text(header[i].strip(), sub[i].strip()), ""
    roles = list(header_roles(header) or [column_role(c) if c.strip() else "" for c in header])
    if plan_year is not None:  # a schedule label naming another year than the plan's ('I полугодие 2016 г.')
        years_named = [{int(y) for y in WHEN_YEAR.findall(c)} for c in header]
        roles = ["other_period" if is_schedule_role(r) and years_named[i] and plan_year not in years_named[i] else r
                 for i, r in enumerate(roles)]
    width = max(len(roles), len(sub or []))
    roles += [""] * (width - len(roles))
    # a header cell spans the empty header cells after it (a merged cell in the text form)
    owner = []
    last = ""
    for i in range(width):
        if i < len(header) and header[i].strip():
            last = roles[i]
        owner.append(roles[i] if roles[i] else last)
    settlements: dict[int, str] = {}
    parts: dict[int, str] = {}
    if sub:
        when: dict[int, str] = {}
        heads = []  # per position: the text of the header cell over it
        for i in range(width):
            heads.append(header[i] if i < len(header) and header[i].strip() else heads[-1] if heads else "")
        # the days quarters end ('31.03.' | '30.06.' | …) head quarter columns only as a series: distinct, in order
        ends = [column_role(c) for c in sub if QUARTER_END.match(c.strip())]
        ends_are_quarters = len(ends) >= 2 and ends == sorted(set(ends))
        for i, cell in enumerate(sub):
            if not cell.strip():
                continue
            role = column_role(cell)
            if is_schedule_role(role) and QUARTER_END.match(cell.strip()) and \
                    (not ends_are_quarters or (owner[i] == "capacity" and is_when_label(cell))):
                role = ""  # a date under a capacity or money header ('31.12.2016 г.') says when it stands
            if owner[i] in ("amount", "funding") and is_amount_part(cell, role, owner[i], heads[i]):
                roles[i] = "amount_part"  # one amount column of several under a money header: by source, currency, total
                parts[i] = cell.strip()
                continue
            if owner[i] == "capacity" and UNIT_LABEL.match(cell):
                roles[i] = "capacity_unit"  # under "Капацитет": the unit of the number beside it ('мерна единица')
                continue
            if owner[i] == "capacity" and role in ("", "target_group") and not is_when_label(cell) and \
                    PART_LABEL.match(cell):
                roles[i] = "capacity_part"  # under "Капацитет": one part of the places ('деца' | 'пълнолетни')
                parts[i] = cell.strip()
                if is_settlement_label(cell):  # 'Капацитет по населени места' over 'гр. Смядово' | 'с. Риш' | 'Общо'
                    settlements[i] = cell.strip()
                continue
            if owner[i] == "capacity" and not role:  # under "Капацитет": at the start and at the end of the year
                role = capacity_when(cell)
                when[i] = cell
            elif owner[i] == "place" and role in ("", "place") and is_settlement_label(cell):
                role = "settlement"  # a settlement matrix: one column per settlement, marked where the service is
                settlements[i] = cell.strip()
            if role:
                roles[i] = role
            elif not roles[i]:
                roles[i] = f"extra{i}"
        order_capacity_columns(roles, when, plan_year)
        order_amount_years(roles, parts, plan_year)
        if "capacity_unit" in roles:  # 'брой' beside 'мерна единица': the number of the capacity, not a part of it
            for i in [i for i, r in enumerate(roles) if r == "capacity_part" and COUNT_LABEL.match(parts[i])]:
                roles[i] = "capacity"
                del parts[i]
    if years and plan_year is not None:
        over, year_of = "", []
        for i in range(width):
            over = years[i] if i < len(years) and years[i].strip() else over
            year_of.append(int(WHEN_YEAR.search(over).group(1)) if WHEN_YEAR.search(over) else None)
        if plan_year in year_of:
            roles = ["other_period" if year_of[i] not in (None, plan_year) else r for i, r in enumerate(roles)]
    roles = resolve_numbers(roles)
    for i in range(min(width, len(header))):  # 'Капацитет / заети / персонал': one cell, 'A / B / C', per label
        labels = slash_labels(header[i]) if "/" in header[i] else []
        named = {column_role(t) for t in labels}
        if roles[i] in NUMBER_ROLES and (len(named & NUMBER_ROLES) >= 2 or (
                len(labels) == 2 and named & NUMBER_ROLES and named <= NUMBER_ROLES | {"occupied"})):
            # ('Капацитет (места / заети)': the places, then the places occupied, which are no figure of the plan)
            roles[i], parts[i] = "split", header[i].strip()
    if sub is None:
        roles = span_schedules(roles, header)
    # an unlabelled schedule: the schedule header cell and the empty cells it spans
    for i in range(width):
        if not roles[i] and owner[i] == "schedule" or roles[i] == "schedule":
            roles[i] = "sched"
    term_unit = ""
    if roles.count("sched") == 1 and not any(is_schedule_role(r) for r in roles if r != "sched"):
        at = roles.index("sched")
        roles[at] = "term"  # a schedule header over one column: a period ('I–IV', 'II и IV')
        term_unit = period_unit(header[at] if at < len(header) else "")
    elif roles.count("term") == 1 and "sched" not in roles and roles.index("term") < len(header):
        term_unit = period_unit(header[roles.index("term")])  # 'Срок (месеци)': the unit of its bare numerals
    for i in range(width):
        if roles[i]:
            continue
        if i < len(header) and header[i].strip():
            roles[i] = f"extra{i}"  # a column of unknown role: kept as text
        elif owner[i] and owner[i] not in ("schedule", "term"):
            roles[i] = owner[i]  # under a merged header cell: the same role
    for i in range(min(width, len(header))):  # 'Разкриване' | 'Разширяване' | 'Закриване' answered 'Да' / 'Не'
        action = STATUS_ACTION.match(header[i].strip())
        if action and roles[i].startswith("extra"):
            roles[i], parts[i] = "status_flag", action.group(1).lower()
    # the unit of amounts: an amount column's header, or a funding column's that names one ("Финансиране
    # (хил. лв.)": its cells' bare numbers are amounts in that unit); an empty cell under a merged amount header
    # states nothing; amount headers that disagree on the unit leave it in doubt (scale None: bare numbers unread)
    scale, money_in_funding, currency = 1.0, False, ""
    stated: set[float | None] = set()
    for i in range(width):
        text = " ".join(t[i] for t in (header, sub or []) if i < len(t) and t[i].strip())  # both header rows
        if roles[i] == "amount_part" and MONEY_LABEL.search(parts[i]):
            continue  # a column in one currency of several: its cells are read in it (etl/records)
        if roles[i] in ("amount", "funding", "amount_part") and text.strip():
            unit = header_scale(text)
            in_leva = unit is not None or LEVA.search(text) is not None
            if roles[i] in ("amount", "amount_part") or ("amount" not in roles and in_leva):
                scale, money_in_funding = (unit or 1.0), roles[i] == "funding" and in_leva
                currency = header_currency(text)
                stated.add(unit if unit is not None else 1.0 if in_leva else None)
    if len(stated - {None}) > 1:
        scale = None
    # schedule columns under a header of money or of a count ('Разходи по тримесечия (лв.)', 'Брой потребители по
    # тримесечия'): their cells are quantities, one above zero meaning the service is provided that quarter
    schedule_money = any(is_schedule_role(r) and owner[i] in ("amount", "capacity") for i, r in enumerate(roles))
    return Columns(roles, scale=scale, money_in_funding=money_in_funding, currency=currency,
                   stated_leva=1.0 in stated, term_unit=term_unit, settlements=settlements, parts=parts,
                   schedule_money=schedule_money)


# a column headed by one action alone, its cells answering yes or no ('Разширяване' / '(Да/Не)')
STATUS_ACTION = re.compile(r"^(разкриване|откриване|разширяване|увеличаване|закриване|намаляване|преобразуване|"
                           r"трансформиране)\s*(?:\(\s*да\s*/\s*не\s*\))?$", re.I)
UNIT_LABEL = re.compile(r"^\s*(?:мерна\s+)?единица(?:\s+мярка)?\s*$|^\s*м(?:ерна)?\.\s*ед(?:\.|иница)?\s*$|^\s*мярка\s*$",
                        re.I)  # a capacity's unit in a column of its own
COUNT_LABEL = re.compile(r"^\s*(?:брой|бр\.?|число|количество)\s*$", re.I)
PART_LABEL = re.compile(r"^\s*[^\W\d_][^\d:]{0,30}$")  # a short label with no digit: 'деца', 'пълнолетни'
MONEY_LABEL = re.compile(r"^\W*(?:лв\.?|лева|bgn|евро|eur|€)\W*$|^\W*(?:в|във)\s+(?:лв\.?|лева|евро)\W*$", re.I)
TOTAL_LABEL = re.compile(r"^\W*(?:общо|всичко)(?!\w)", re.I)


def is_amount_part(label: str, role: str, owner: str, head: str) -> bool:
    """A label under a money header naming one column of several amounts: a currency ('лв.', 'евро'), the
    total ('Общо'), or, under a header that names money ('Финансиране за 2024 г. (лв.)', 'Средства'), a source
    of money ('ДДД', 'Общински бюджет', 'Други източници'). The records stage reads the amount and the funding
    from these columns together."""
    if MONEY_LABEL.search(label) or TOTAL_LABEL.search(label):
        return True
    return role in ("", "funding") and (owner == "amount" or bool(LEVA.search(head)))


def header_scale(text: str) -> float | None:
    """The unit in leva a header or a table's caption states for its amounts: 'хил. лв.' → 1000, 'млн. лв.' →
    1e6, else None."""
    return 1e6 if MILLION_SCALE.search(text) else 1000.0 if AMOUNT_SCALE.search(text) else None


CAPTION_SCALE = re.compile(r"(?<!\w)(хил\.?|хиляди|млн\.?|милиона)\s*(?:лв|лева)(?!\w)", re.I)


def caption_scale(text: str) -> float | None:
    """The unit of amounts a caption states ('(в хил. лв.)', 'Стойност в хиляди лева'): not an amount written in
    it ('бюджет 1 200 хил. лв.'); None when it states none or several."""
    units = {1e6 if m.group(1).lower().startswith(("млн", "мил")) else 1000.0 for m in CAPTION_SCALE.finditer(text)
             if not re.search(r"\d[\s\u00a0]*$", text[:m.start()])}
    return units.pop() if len(units) == 1 else None


def with_caption_scale(columns: Columns, caption: str) -> Columns:
    """A table whose caption states the unit of its amounts ('Таблица 2 (в хил. лв.)'): the amount columns whose
    header states none are read in it; one whose header states another unit leaves the unit in doubt."""
    unit = caption_scale(caption)
    if unit is None or columns.scale is None or not ({"amount", "funding"} & set(columns.roles)):
        return columns
    if columns.scale == unit:
        return columns
    named = columns.scale != 1.0 or columns.money_in_funding or columns.stated_leva
    return replace(columns, scale=None if named else unit)


PERIOD_UNIT = re.compile(r"(тримесеч|квартал)|(полугоди)|(месец|месеци)")


def period_unit(header: str) -> str:
    """The unit a period column's header names for its bare numerals ('Тримесечие' → 'q', 'Срок (месеци)' → 'm',
    a transliterated 'Srok (mesetsi)' too); '' for none."""
    named = PERIOD_UNIT.search(cyrillic_of(header) if LATIN_ONLY.match(header) else header.lower())
    return "" if named is None else "qhm"[named.lastindex - 1]


def span_schedules(roles: list[str], header: list[str]) -> list[str]:
    """A schedule or period header cell over 2, 4 or 12 columns with no labels under it (a merged cell):
    half-years, quarters or months."""
    roles = list(roles)
    for i, role in enumerate(roles):
        if role not in ("schedule", "sched", "term") or i >= len(header) or not header[i].strip():
            continue
        end = i + 1
        while end < len(roles) and not roles[end] and not (end < len(header) and header[end].strip()):
            end += 1
        span = end - i
        kind = {4: "q", 12: "m", 2: "h"}.get(span)
        if role == "term" and kind is None:
            continue
        for k in range(i, end):
            roles[k] = f"{kind}{k - i + 1}" if kind else "sched"
    return roles


SETTLEMENT_LABEL = re.compile(r"^(?:гр\.|с\.|град|село)\s*[А-Я][а-я]+(?:[\s-]+[А-Яа-я][а-я]+){0,2}$")
_ONE_SETTLEMENT = r"(?:гр\.|с\.|град|село)\s*[А-Я][а-я]+(?:[\s-]+[А-Я][а-я]+){0,2}"
SETTLEMENT_LIST = re.compile(rf"^{_ONE_SETTLEMENT}(?:\s*(?:,|и)\s*{_ONE_SETTLEMENT}){{1,4}}$")


def is_place_heading(text: str) -> bool:
    """A one-cell row naming where the rows below it are: one settlement ('гр. Левски', 'с. Българене'), a few ('с. Шишманово и
    с. Българин') or the whole municipality ('Услуги на територията на цялата община')."""
    text = text.strip()
    return is_settlement_label(text) or bool(SETTLEMENT_LIST.match(text)) or \
        (len(text) <= 80 and WIDE_IN_TEXT.search(text) is not None)


def is_settlement_label(text: str) -> bool:
    """A header cell naming one settlement ('гр. Белоградчик', 'с. Рабиша'): a column of a settlement matrix."""
    return bool(SETTLEMENT_LABEL.match(text.strip()))


# --- reading a row under its columns ---------------------------------------------------------------

PLACE_CUE = re.compile(r"(^|[\s,;(])(гр\.|с\.|град\s|село\s)|^(гр|с)\s+[А-Я]", re.I)
FUNDING_CUE = re.compile(r"бюджет|финанс|програм|проект|делегиран|\bддд\b|\bоп\b|\bнп\b|средства|дарени|\bеsф|механизъм|"
                         r"схема|фонд", re.I)
# a heading naming where the money of the rows below comes from ('I. ДЪРЖАВНО ДЕЛЕГИРАНИ ДЕЙНОСТИ', 'Местни дейности')
FUNDING_HEADING = re.compile(r"делегиран|местни\s+дейност|общински\s+бюджет|проект|програм|(?<!\w)(?:ддд|оп|нп)(?!\w)|"
                             r"дарени|механизъм", re.I)
OTHER_ACTIVITIES = re.compile(r"^\s*(?:[IVX]+|\d{1,2}|[А-Га-г])?[.)]?\s*други\s+дейности\W*$", re.I)
ROMAN_OR_NUMBER = re.compile(r"^\s*(?:[IVX]+|\d{1,2}|[А-Га-г])[.)]?\s+")
PROVIDER_CUE = re.compile(r"^(община|дирекция|дсп\b|агенция|сдружение|фондация|нпо|доставчик|кмет|читалище|бчк|"
                          r"рзи|мбал|центъра|управител|ръководител|екип|специалист|\S+\s+еоод|\S+\s+оод)|\bеоод\b|\bнпо\b",
                          re.I)
AMOUNT_CUE = re.compile(r"\d\s*(лв|лева|bgn|хил)\b", re.I)
TERM_CUE = re.compile(r"(19|20)\d\d|месеч|тримесеч|полугоди|постоян|текущ|срок|януари|февруари|март|април|май|юни|юли|"
                      r"август|септември|октомври|ноември|декември|\d\d\.\d\d\.", re.I)
COUNT_CUE = re.compile(r"^(до\s+)?\d{1,4}\s*(места|място|потреб\w*|души|лица|деца|семейства|бр\.?)?$", re.I)
CUES = {"place": PLACE_CUE, "funding": FUNDING_CUE, "provider": PROVIDER_CUE, "amount": AMOUNT_CUE, "term": TERM_CUE,
        "capacity": COUNT_CUE}
NO_CUES: frozenset[str] = frozenset()
NUMBER_ROLES = {"capacity", "capacity_before", "amount", "staff"}
HAS_DIGIT = re.compile(r"\d")
PART_COUNT = re.compile(r"^\s*[1-9]\d{0,3}\s*$")  # a count of places in one settlement's column ('24')
LETTER = re.compile(r"[^\W\d_]")
SLASH = re.compile(r"\s*/\s*")
# a cell holding one point of time and nothing else, a period's start or end: a date, a month or a quarter
# ("01.09.2016", "м. юли 2016 г.", "III трим. 2027 г.")
DATE_CELL = re.compile(r"^\s*(?:\d{1,2}\s*[./]\s*\d{1,2}(?:\s*[./]\s*(?:\d{4}|\d{2}))?|(?:(?:м\.\s*)?(?:януари|февруари|"
                       r"март|април|май|юни|юли|август|септември|октомври|ноември|декември)|(?:i{1,3}|iv|[1-4])\s*-?\s*"
                       r"(?:во|ро|то)?\.?\s*(?:трим\.?|тримесечие))(?:\s+(?:19|20)\d\d)?)\s*(?:г\.?|год\.?)?\s*$", re.I)
MAX_MOVES = 4  # cells a row may have more or fewer than its header and still be aligned by trying every way


CELL_WHATS = ("empty", "mark", "no", "item", "one", "text")  # what cell_what tells apart


@lru_cache(maxsize=65536)
def cell_what(text: str) -> str:
    """What a cell holds, as far as the columns' roles care: empty, a mark, a 'no', an item number or a text."""
    text = text.strip()
    if not text:
        return "empty"
    if "/" in text and all(NO_MARK.match(part.strip()) for part in text.split("/")):
        return "no"  # '– / – / –': no value for any of a split column's labels, not a mark
    if ROMAN_ITEM.match(text):  # 'V.', 'X.': a Roman item number, not a mark
        return "item"
    if is_mark(text):
        return "mark"
    if NO_MARK.match(text):
        return "no"
    if stands_for_mark(text):
        return "mark"  # symbols that are no mark we know: records flag them
    if text == "1":  # an item number, or a quarter column's mark ('1' / '0' where the plan says so)
        return "one"
    return "item" if ITEM_NO.match(text) else "text"


@lru_cache(maxsize=65536)
def cell_cues(text: str) -> frozenset[str]:
    """The roles whose cues a text shows (a settlement for the place, лв. for the amount, …)."""
    return frozenset(role for role, cue in CUES.items() if cue.search(text))


def cell_kind(text: str) -> tuple[str, frozenset[str]]:
    what = cell_what(text)
    return what, (cell_cues(text) if what in ("text", "item", "one") else frozenset())


def fit(role: str, text: str) -> float:
    """How well a cell's content fits its column's role."""
    return fit_kind(role, cell_kind(text))


@lru_cache(maxsize=16384)
def fit_kind(role: str, kind: tuple[str, frozenset[str]]) -> float:
    what, cues = kind
    if what == "empty":
        return 0.0
    if role == "settlement":  # a settlement matrix column: a mark, or a text merged over the settlements
        return 2.0 if what == "mark" else 1.0 if what == "no" else 1.5 if "place" in cues else 0.5
    if is_schedule_role(role) or role == "other_period":  # a labelled quarter, month or half-year column is surer than an unlabelled slot
        if what == "one":  # '1' under a labelled quarter: a mark as likely as a 'no' ('0') beside it
            return -4.0 if role == "sched" else 1.0
        return (2.0 if role == "sched" else 3.0) if what == "mark" else 1.0 if what == "no" else -4.0
    if role == "status_flag":  # a column of one action answered yes ('Да', a mark) or no ('Не', '–')
        return 2.0 if what in ("mark", "no") else -2.0
    if role == "quantity":  # a quarter column of amounts or counts: a quantity, or a mark where a row gives none
        return 2.0 if what == "mark" else 1.5 if "amount" in cues else 1.0
    if what == "mark":
        return -3.0
    if role == "item_no":
        return 2.0 if what in ("item", "one") else -2.0
    return 1.5 if role in cues else 1.0


def align(cells: list[str], columns: Columns) -> tuple[list[str], bool]:
    """The row's cells placed under its table's columns. A row may have more cells than its header (empty cells
    or a word split off by a page layout), fewer, or as many but shifted (a schedule one cell narrower than
    its header): empty cells are dropped or added and split texts joined where the content fits the columns'
    roles best (marks under the schedule, numbers under the item number, …); on a tie, the fewest texts
    moved, then missing cells added as late as possible and extra ones dropped as early as possible (extra
    cells stand before the marks). A row shaped like one
    aligned before in the same table (as many cells, empty where that one's dropped cells were) is aligned
    the same way: the rows of a table share their page layout. The flag says the row is in doubt: another way
    fits as well and reads it differently."""
    width = columns.width
    cells = list(cells)
    if len(cells) == width and all(cell_what(t) in ok for ok, t in zip(columns.fitting, cells, strict=True)):
        return cells, False  # every cell fits where it stands (a cue only adds to the fit: not needed here)
    known = columns.shapes.get(len(cells))
    if abs(len(cells) - width) > MAX_MOVES:  # no way to tell: the surplus joins the last column, flagged
        if len(cells) > width:
            return cells[: width - 1] + [" ".join(c for c in cells[width - 1:] if c)], True
        return cells + [""] * (width - len(cells)), True

    roles = columns.fit_roles
    relevant = columns.cue_roles
    kinds = [(what, cues & relevant) for what, cues in map(cell_kind, cells)]  # cues of roles this table has
    signature = (len(cells), known, tuple(kinds))
    if signature in columns.aligned:  # a row that fits alike was aligned before
        return _aligned(cells, columns, *columns.aligned[signature])
    single = [[fit_kind(role, kind) for role in roles] for kind in kinds]  # each cell's fit under each column
    joined: dict[tuple[int, ...], list[float]] = {}

    def fits(sources: tuple[int, ...], k: int) -> float:
        if len(sources) == 1:
            return single[sources[0]][k]
        if not sources:
            return 0.0
        if sources not in joined:
            text = _place(cells, (sources,))[0]
            joined[sources] = [fit(role, text) for role in roles]
        return joined[sources][k]

    texts = {i for i, text in enumerate(cells) if text.strip() and not is_mark(text)}

    def key(mapping: tuple[tuple[int, ...], ...]) -> tuple[float, int, int]:
        score = sum(fits(sources, k) for k, sources in enumerate(mapping))
        score += 1.0 if mapping == known else 0.0
        moved = sum(1 for k, sources in enumerate(mapping) for i in sources if i != k and i in texts)
        added = sum(k for k, sources in enumerate(mapping) if not sources)  # missing cells: as late as possible
        return score, -moved, added

    least = max(0, len(cells) - width)
    best, doubtful = None, False
    for extra in (0, 1):  # the fewest changes first; one more only when those leave a cell that does not fit
        # nlargest keeps the first of equals (changes earliest); a second way as good that reads the row
        # differently leaves the row in doubt
        top = heapq.nlargest(2, _options(cells, width, least + extra, joins=extra > 0), key=key)
        if not top:
            continue
        best = top[0]
        doubtful = len(top) == 2 and key(top[1])[0] >= key(best)[0] and _place(cells, top[1]) != _place(cells, best)
        if all(fits(sources, k) >= 0 for k, sources in enumerate(best)):
            break
    columns.aligned[signature] = (best, doubtful)
    return _aligned(cells, columns, best, doubtful)


def _aligned(cells: list[str], columns: Columns, best, doubtful: bool) -> tuple[list[str], bool]:
    if best is None:
        return cells[: columns.width] + [""] * (columns.width - len(cells)), True
    columns.shapes[len(cells)] = best
    return _place(cells, best), doubtful


def _used(mapping: tuple[tuple[int, ...], ...]) -> set[int]:
    return {i for sources in mapping for i in sources}


def _place(cells: list[str], mapping: tuple[tuple[int, ...], ...]) -> list[str]:
    out = []
    for sources in mapping:
        text = ""
        for i in sources:
            if cells[i] and HAS_DIGIT.search(text) and HAS_DIGIT.search(cells[i]):
                text = f"{text} | {cells[i]}"  # two cells with numbers joined: never one number's digits
            else:
                text = join_text(text, cells[i]) if cells[i] else text
        out.append(text)
    return out


MAX_OPTIONS = 5_000


def _options(cells: list[str], width: int, changes: int, joins: bool):
    """Ways to fit a row to `width` cells, as the source cells of each column: drop `changes` cells (empty ones,
    or, with joins or when there are not enough empty ones, texts joined to the text before them), then add
    empty cells anywhere to make up the width."""
    ops = [("drop", i) for i, c in enumerate(cells) if not c.strip()]
    if joins or len(ops) < changes:
        ops += [("join", i) for i in range(1, len(cells)) if cells[i].strip() and cells[i - 1].strip()
                and not is_mark(cells[i]) and not is_mark(cells[i - 1])]
    if changes > len(ops) or len(cells) - changes > width or width - (len(cells) - changes) > MAX_MOVES:
        return
    made = 0
    for chosen in combinations(ops, changes):
        reduced = _reduce(len(cells), chosen)
        for at in combinations(range(width), width - len(reduced)):
            yield _inserted(reduced, at)
            made += 1
            if made >= MAX_OPTIONS:
                return


def _reduce(count: int, ops: tuple[tuple[str, int], ...]) -> list[tuple[int, ...]]:
    dropped = {i for op, i in ops if op == "drop"}
    joined = {i for op, i in ops if op == "join"}
    out: list[tuple[int, ...]] = []
    for i in range(count):
        if i in dropped:
            continue
        if i in joined and out:
            out[-1] = out[-1] + (i,)
        else:
            out.append((i,))
    return out


def _inserted(reduced: list[tuple[int, ...]], at: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    out, source = [], iter(reduced)
    for i in range(len(reduced) + len(at)):
        out.append(() if i in at else next(source))
    return tuple(out)


def read_cells(cells: list[str], columns: Columns) -> tuple[dict[str, str], list[str] | None, bool]:
    """A row's cells by role, its schedule cells in order (None when the table has no schedule), and whether
    its alignment to the columns is in doubt."""
    placed, moved = align(cells, columns)
    fields, schedule = cells_by_role(placed, columns, max(0, len(cells) - columns.width))
    return fields, schedule, moved


def cells_by_role(placed: list[str], columns: Columns, surplus: int = 0) -> tuple[dict[str, str], list[str] | None]:
    """Cells standing each under its column (one a column, in order) by role, and the schedule cells in order
    (None when the table has no schedule); `surplus`: how many cells more than its columns the row had."""
    fields: dict[str, str] = {"item_no": "", "name": "", "description": ""}
    schedule: dict[str, str] = {}
    unlabelled: list[str] = []
    for at, (role, text) in enumerate(zip(columns.roles, placed, strict=True)):
        if role == "split":  # a cell of several numbers in the order its header's labels name them
            labels, values = slash_labels(columns.parts[at]), SLASH.split(text.strip()) if text.strip() else []
            if len(values) != len(labels):  # not one value per label: the whole cell under the first, never split
                values, labels = [text.strip()], labels[:1]
            for label, value in zip(labels, values, strict=True):
                named = column_role(label)
                if named in NUMBER_ROLES and value:
                    fields[named] = f"{fields[named]} | {value}" if fields.get(named) else value
            continue
        if role == "capacity_part" and at in columns.settlements and text.strip():
            # places by settlement: a count names the column's settlement, a text without a number is the place
            # written across the settlement columns ('на територията на цялата община')
            said = columns.settlements[at] if PART_COUNT.match(text) else "" if HAS_DIGIT.search(text) or \
                NO_MARK.match(text.strip()) else text.strip()
            if said:
                fields["place"] = f"{fields['place']}, {said}" if fields.get("place") else said
            if not HAS_DIGIT.search(text):
                continue
        if role in ("amount_part", "capacity_part"):  # each column of several kept apart, under its label: 'amount:ДДД'
            if text.strip():
                key = f"{role.partition('_')[0]}:{columns.parts[at]}"
                fields[key] = f"{fields[key]} | {text}" if fields.get(key) else text
            continue
        if role in ("other_period", "other_year"):  # a column of another year than the plan's: not read
            continue
        if role == "status_flag":  # a column of one action answered yes or no: the action is the row's status
            if is_mark(text.strip()):
                fields["status"] = f"{fields['status']} ; {columns.parts[at]}" if fields.get("status") \
                    else columns.parts[at]
            continue
        if role == "settlement":  # a settlement matrix: a mark names the column's settlement, a text is the place
            text = columns.settlements[at] if is_mark(text.strip()) else "" if NO_MARK.match(text.strip()) else text
            if text:
                fields["place"] = f"{fields['place']}, {text}" if fields.get("place") else text
            continue
        if not role:
            if text.strip():
                fields[f"extra{len(fields)}"] = text
            continue
        if role == "sched":
            unlabelled.append(text.strip())
        elif is_schedule_role(role):
            schedule[role] = join_text(schedule.get(role, ""), text.strip())
        elif text and role in NUMBER_ROLES and fields.get(role):
            fields[role] = f"{fields[role]} | {text}"  # two cells of numbers: never read as one number ("180 200")
        elif text and role == "term" and DATE_CELL.match(text) and DATE_CELL.match(fields.get(role, "")):
            fields[role] = f"{fields[role]} – {text}"  # a period in two columns ('Начало' | 'Край'): its start and end
        elif text and fields.get(role) and HAS_DIGIT.search(text) and HAS_DIGIT.search(fields[role]):
            fields[role] = f"{fields[role]} | {text}"  # two cells with numbers: never one number's digits
        elif text:
            fields[role] = join_text(fields.get(role, ""), text)
        else:
            fields.setdefault(role, "")
    unit = fields.pop("capacity_unit", "")
    if fields.get("capacity") and LETTER.search(unit):  # '25' | 'места': the capacity and its unit in two columns
        fields["capacity"] = f"{fields['capacity']} {unit}"
    kind = columns.schedule_kind
    if not columns.schedule:
        return fields, None
    if unlabelled and not schedule:
        return fields, best_window(unlabelled, surplus)
    size = SCHEDULE_KINDS.get(kind or "", 0)
    return fields, [schedule.get(f"{kind}{k}", "") for k in range(1, size + 1)] if size else None


def best_window(region: list[str], extra: int = 0) -> list[str]:
    """Four quarter cells out of an unlabelled schedule region: the four holding the most marks."""
    if len(region) <= 4:
        return [c.strip() for c in region] + [""] * (4 - len(region))
    shifted = min(extra, len(region) - 4)
    marks = [is_mark(c) for c in region]
    best = max(range(len(region) - 3), key=lambda s: (sum(marks[s: s + 4]), s == shifted, -s))
    return [c.strip() for c in region[best: best + 4]]


TERM = re.compile(r"(19|20)\d\d|месеч|тримесеч|постоян|текущ|срок|януари|февруари|март|април|май|юни|юли|"
                  r"август|септември|октомври|ноември|декември", re.I)
FUNDING_HINT = re.compile(r"бюджет|финанс|програм|проект|делегиран", re.I)


def realign_shifted(fields: dict[str, str]) -> dict[str, str]:
    """A row shifted one cell to the right (funding under the provider's column, the provider under the
    period's) is moved back, the surplus text joining the results column."""
    term, provider = fields.get("term", ""), fields.get("provider", "")
    if term and not TERM.search(term) and FUNDING_HINT.search(provider) and not FUNDING_HINT.search(
            fields.get("funding", "")):
        fields = dict(fields)
        fields["results"] = join_text(fields.get("results", ""), fields.get("funding", ""))
        fields["funding"], fields["provider"], fields["term"] = provider, term, ""
    return fields


# --- a table with no header the vocabulary knows: roles from the cells' content --------------------------


def looks_like_header(block: list[list[str]]) -> bool:
    """Whether the first row of a headerless table's block is a header in words the vocabulary does not know:
    short cells with no digits, over rows that are numbered or hold marks under its texts."""
    rows = [r for r in block if sum(1 for c in r if c.strip()) >= 2]
    if len(rows) < 2 or rows[0] is not block[0]:
        return False
    first = rows[0]
    if any(len(c) > 60 or re.search(r"\d", c) or is_mark(c) for c in first if c.strip()):
        return False
    below = rows[1:]
    numbered = sum(bool(ITEM_NO.match(next((c for c in r if c.strip()), "").strip())) for r in below)
    marks_under_text = any(i < len(r) and is_mark(r[i]) for r in below for i, c in enumerate(first) if c.strip())
    return numbered >= 0.6 * len(below) or marks_under_text


def infer_columns(rows: list[list[str]]) -> Columns | None:
    """Column roles of a headerless table from its rows' cells: a run of columns of marks is the schedule (4:
    quarters, 12: months, 2: half-years), a column of item numbers the number, columns whose cells mostly show
    an amount, a settlement, a funding source, a provider, a period or a count take that role, and the text
    columns left are the name, then the description; the rest are kept as text."""
    rows = [r for r in rows if sum(1 for c in r if c.strip()) >= 2]
    if not rows:
        return None
    width = Counter(len(r) for r in rows).most_common(1)[0][0]
    columns = [[r[i].strip() for r in rows if i < len(r) and r[i].strip()] for i in range(width)]
    roles = [""] * width
    marks = [bool(col) and sum(is_mark(c) or bool(NO_MARK.match(c)) for c in col) >= 0.8 * len(col)
             and any(is_mark(c) for c in col) for col in columns]
    i = 0
    while i < width:
        if not marks[i]:
            i += 1
            continue
        end = i
        while end + 1 < width and (marks[end + 1] or not columns[end + 1]):
            end += 1
        while end > i and not columns[end]:
            end -= 1
        span = end - i + 1
        kind = {4: "q", 12: "m", 2: "h"}.get(span)
        for k in range(i, end + 1):
            roles[k] = f"{kind}{k - i + 1}" if kind else "sched"
        i = end + 1
    for i, col in enumerate(columns):
        if roles[i] or not col:
            continue
        if "item_no" not in roles and sum(bool(ITEM_NO.match(c)) for c in col) >= 0.6 * len(col):
            roles[i] = "item_no"
            continue
        votes = Counter(role for c in col for role, cue in CUES.items() if cue.search(c))
        long_text = sum(len(c) > 60 for c in col) >= 0.5 * len(col)
        for role, n in votes.most_common():
            if n >= 0.6 * len(col) and role not in roles and not (long_text and role in ("term", "funding", "provider")):
                roles[i] = role
                break
    text_roles = iter(["name", "description", "results"])
    for i, col in enumerate(columns):
        if not roles[i] and col:
            roles[i] = next(text_roles, f"extra{i}")
    if "name" not in roles:
        return None
    return Columns(roles, inferred=True)

# --- document heading: municipality, year, title -------------------------------------------------

MUNICIPALITY = re.compile(r"общин[аи]\s*:?\s+([^\n]{2,60})", re.I)
YEAR_PATTERNS = [
    re.compile(r"\bза\s+((?:19|20)\d\d)\s*(?:г|год)", re.I),
    re.compile(r"планов\s+период\D{0,12}?(?:\d\d\.\d\d\.)?((?:19|20)\d\d)", re.I),
    re.compile(r"\b((?:19|20)\d\d)\s*(?:г\.?\s*)?година", re.I),
    re.compile(r"(?:план за действие|времеви график за|времени график за)\s+((?:19|20)\d\d)", re.I),
    # a year in the title line, not a strategy period such as "2016-2020"
    re.compile(r"годишен\s*план[^\n]{0,160}?(?<!\d[-–])(?<!\d[-–]\s)(?<!\d\s[-–]\s)\b((?:19|20)\d\d)\b(?!\s*[-–]\s*(?:19|20)\d\d)",
               re.I),
]
STOP_WORDS = {"за", "област", "обл", "в", "на", "и", "планов", "година", "г"}


def heading_text(lines: list[Line]) -> str:
    text = "\n".join(" ".join(c for c in ln.cells if c) for ln in lines)
    return re.sub(r"(?<=\b\w) (?=\w\b)", "", text)  # "Г О Д И Ш Е Н" → "ГОДИШЕН"


ASIDE = re.compile(r"\([^()\n]*\)")


def find_year(text: str) -> int | None:
    """The plan year the heading states. A year in brackets is an aside ('(с индикативна част за 2019 г.)'): read
    only when the heading names no year outside brackets."""
    return _find_year(ASIDE.sub(" ", text)) or _find_year(text)


def _find_year(text: str) -> int | None:
    for pattern in YEAR_PATTERNS:
        found = Counter(int(m) for m in pattern.findall(text))
        if found:
            return found.most_common(1)[0][0]
    return None


def document_year(lines: list[Line], first_table: int | None) -> int | None:
    """The plan year: the title's own year first (another line of the heading may name the next year's plan),
    else the heading's above the first table, else the whole document's."""
    head = [ln for ln in lines if first_table is None or ln.no < first_table]
    title_line = next((ln for ln in head if TITLE.search(heading_text([ln]))), None)
    return (title_line is not None and find_year(heading_text([title_line]))) or find_year(find_title(head)) or \
        find_year(heading_text(head)) or find_year(heading_text(lines))


OTHER_YEAR = re.compile(r"\b(?:през|за)\s+((?:19|20)\d\d)\s*г", re.I)


def caption_years(caption: str) -> set[int]:
    """The years a table's caption says its activities are for ('Таблица 2. Дейности през 2019 г.')."""
    return {int(y) for y in OTHER_YEAR.findall(caption)}


def municipality_candidates(text: str) -> list[list[str]]:
    """Per mention of 'община …' in the heading: the following words (up to three) cut at a stop word, longest
    first. A later word may be lower-case ("Нови пазар", "Долни чифлик"); the first must be a capital."""
    out = []
    for match in MUNICIPALITY.finditer(text):
        words = []
        for word in re.split(r"[\s\-–,.:;()]+", match.group(1).strip(" *")):
            if not word or word.lower() in STOP_WORDS or not word[0].isalpha() or (not words and not word[0].isupper()):
                break
            words.append(word)
        if words:
            out.append([" ".join(words[:n]) for n in range(min(3, len(words)), 0, -1)])
    return out


TITLE = re.compile(r"годишен\s+план", re.I)


def find_title(lines: list[Line]) -> str:
    for i, ln in enumerate(lines):
        text = heading_text([ln])
        if TITLE.search(text):
            parts = [text]
            for nxt in lines[i + 1 : i + 8]:
                if nxt.is_blank:
                    continue
                t = heading_text([nxt])
                if len(parts) >= 4 or len(t) > 200:
                    break
                parts.append(t)
                if find_year(t):
                    break
            return " ".join(" ".join(parts).replace("*", " ").split())
    return ""




# --- tables written with each service as a column (a parameter table is one with one value column) ---------

LABEL_LENGTH = 40  # a label is short: a header's wording, not a row's text


@dataclass
class TransposedBlock:
    """A table written with each service as a column and each parameter as a row: lines whose first cell is a
    label a header would name ('Наименование', 'Капацитет', 'Сума (лв.)') and whose further cells hold one
    value per service. The subject (the services' names) is a label line naming the name, or, for a table of one
    value column, a numbered name line right above it ('1. | Център за …'); the header lines stand over the
    labels ('Показател | Услуга 1 | Услуга 2', 'Параметър | Стойност')."""

    header: list[Line]
    labels: list[Line]  # every line of labelled values, in document order (the name label among them)
    subject: Line  # the line each service's record starts on
    numbered: bool  # the subject is a numbered name line above a table of one value column

    @property
    def start(self) -> int:
        return min(ln.no for ln in (*self.header, *self.labels, self.subject))

    @property
    def lines(self) -> list[Line]:
        return [*self.header, *self.labels] + ([self.subject] if self.numbered else [])


def label_line(line: Line, header_lines: set[int]) -> bool:
    """Whether a line could be a labelled line of a transposed table: two or more cells, the first a short text
    (no item number, no bare numeral), and no recognised header row."""
    nonempty = line.nonempty
    if len(nonempty) < 2 or nonempty[0] != 0 or line.no in header_lines:
        return False
    first = line.cells[0].strip()
    if len(first) > LABEL_LENGTH or ITEM_NO.match(first):
        return False
    role = column_role(first)
    return not (role[:1] == "n" and role[1:].isdecimal())


def transposed_blocks(lines: list[Line], header_lines: set[int]) -> list[TransposedBlock]:
    """The transposed tables of a document: runs of consecutive label lines (label_line), at least 60 % of them
    naming a column role, at least three distinct roles, one of them the name. A run with no name label whose
    lines hold one value each is a parameter table when a numbered name line stands right above it (or above
    its header): at least two distinct roles then. A recognised header row right above a run is the block's
    header, and so are a run's first lines that name no role and hold no digit ('Параметър | Стойност'). A run
    of no subject of its own after a page's footer or the block's header repeated carries the block above on."""
    blocks: list[TransposedBlock] = []
    run: list[Line] = []
    before: Line | None = None  # the non-blank line above the run
    between: list[Line] = []  # the non-blank lines since the last block
    for line in [*lines, None]:
        if line is not None and label_line(line, header_lines):  # (the cheap test first: a line's first cell)
            run.append(line)
            continue
        if run:
            block = transposed_block(run, before, header_lines)
            if block is not None:
                blocks.append(block)
                between = []
            elif blocks and carries_on(blocks[-1], run, between):
                blocks[-1].header += [ln for ln in between if ln.no in header_lines]
                blocks[-1].labels += run
                between = []
            else:
                between += run
            run = []
        if line is not None and line.nonempty:
            before = line
            if blocks:
                between.append(line)
    return blocks


def carries_on(block: TransposedBlock, run: list[Line], between: list[Line]) -> bool:
    """Whether a run of label lines goes on with the block above it, across a page break: between them no more
    than a page's footer and heading (lines of one cell, no section heading) and the block's header repeated;
    the run's labels name roles (60 %) and hold as many values a line as the block's."""
    header = [ln.cells for ln in block.header]
    if len(between) > 4 or any(ln.cells not in header and (len(ln.nonempty) > 1 or match_section(ln.raw.strip()))
                               for ln in between):
        return False
    known = [ln for ln in run if column_role(ln.cells[0].strip())]
    if len(known) < 0.6 * len(run):
        return False
    if block.numbered:
        return all(len(ln.nonempty) == 2 for ln in run)
    return max(len(ln.cells) for ln in run) == max(len(ln.cells) for ln in block.labels)


def transposed_block(run: list[Line], before: Line | None, header_lines: set[int]) -> TransposedBlock | None:
    """A run of label lines as a transposed table (transposed_blocks), or None."""
    run = list(run)
    adjacent = before is not None and before.no == run[0].no - 1
    header: list[Line] = []
    while run and not column_role(run[0].cells[0].strip()) and not any(HAS_DIGIT.search(c) for c in run[0].cells):
        header.append(run.pop(0))  # the labels' own header ('Параметър | Стойност')
    roles = [column_role(ln.cells[0].strip()) for ln in run]
    known = [r for r in roles if r]
    if len(run) < 2 or len(known) < 0.6 * len(run):
        return None
    if not header and adjacent and before.no in header_lines:
        header, before = [before], None  # a recognised header right above ('Показател | Услуга 1 | Услуга 2')
    if "name" in roles:
        if len(set(known)) < 3:
            return None
        return TransposedBlock(header, run, run[roles.index("name")], numbered=False)
    numbered = before is not None and adjacent and len(before.nonempty) == 2 and \
        before.nonempty[0] == 0 and ITEM_NO.match(before.cells[0].strip()) is not None
    if not numbered or len(set(known)) < 2 or any(len(ln.nonempty) != 2 for ln in run):
        return None
    return TransposedBlock(header, run, before, numbered=True)


def transposed_columns(labels: list[str], plan_year: int | None) -> Columns:
    """The columns a transposed table's labels name, as a header row of those wordings would: a label naming
    another year than the plan's ('Средства за 2022 г.' in a plan for 2023) is not the plan's figure; a second
    label of a role already given ('Обхват' after 'Място на провеждане') is description."""
    columns = header_columns(labels, plan_year=plan_year)
    seen: set[str] = set()
    for i, label in enumerate(labels):
        role = columns.roles[i]
        named = {int(y) for y in WHEN_YEAR.findall(label)}
        if plan_year is not None and named and plan_year not in named and not is_schedule_role(role):
            columns.roles[i] = "other_year"
            continue
        if role in seen and role not in TEXT_ROLES and not is_schedule_role(role) and role != "other_period":
            columns.roles[i] = "description"
        seen.add(role)
    return columns


# --- the table walk --------------------------------------------------------------------------------


class _Walker:
    def __init__(self, doc: Document):
        self.doc = doc
        self.table: Columns | None = None
        self.header: list[str] | None = None  # the header row of the table, while its label row may follow
        self.years: list[str] | None = None  # a row of years between the header and its label row
        self.place_heading = ""  # a settlement heading over rows ('с. Българене', 'На територията на цялата община')
        self.funding_heading = ""  # a heading naming a source of money over rows ('II. МЕСТНИ ДЕЙНОСТИ')
        self.under_funding = False  # the last heading named a source of money (a budget group, not a section)
        self.layouts: list[str] = []
        self.section: str | None = None
        self.rows: list[RawRow] = []
        self.dispositions: dict[int, tuple[str, int | None]] = {}
        self.issues: list[Issue] = []
        self.page_break = False
        self.pending_name: Line | None = None
        self.last_main: int | None = None
        self.skip_header: int | None = None
        self.last_header: list[str] | None = None  # the last header row and its table's caption (a page repeats it)
        self.last_caption = ""
        self.other_year = False  # in a table captioned for another year than the plan's: its rows are not records
        self.group_place = ""  # a place column first in the table, a merged cell: filled on the first row of a group
        self._plan_year: int | None | bool = False  # plan_year(), once known
        self.header_lines: set[int] = {ln.no for ln in doc.lines if len(ln.nonempty) >= 2 and header_roles(ln.cells)}
        # the header of a wide table's second part (no name column): its rows carry on the first part's by number
        self.part_lines: set[int] = {ln.no for ln in doc.lines if len(ln.nonempty) >= 3 and ln.no not in
                                     self.header_lines and part_header_roles(ln.cells)}
        self.joining: dict[int, bool] | None = None  # in a second part: the first part's rows, index → joined yet
        self.last_joined: int | None = None
        self.join_by_name = False  # the rows of the second part join by the service's name, not by the item number
        # columns headed by numbers, explained in a legend above the table: the legend's words are the header
        self.legend_headers = {n: labels for n, labels in legend_headers(doc.lines).items() if header_roles(labels)}
        self.header_lines |= set(self.legend_headers)
        # tables written with each service as a column: read whole where they start, their lines skipped after
        self.transposed = {b.start: b for b in transposed_blocks(doc.lines, self.header_lines)}
        self.in_transposed = {ln.no for b in self.transposed.values() for ln in b.lines}

    def mark(self, line: Line, disposition: str, row: int | None = None) -> None:
        self.dispositions[line.no] = (disposition, row)

    def walk(self) -> None:
        for line in self.doc.lines:
            if line.is_blank:
                self.page_break = self.table is not None
                continue
            self.step(line)
        if self.pending_name is not None:
            self.mark(self.pending_name, "prose")

    def step(self, line: Line) -> None:
        if line.no in self.in_transposed:
            if line.no in self.transposed:
                self.read_transposed(self.transposed[line.no])
            return
        cells = self.legend_headers.get(line.no, line.cells)
        nonempty = line.nonempty
        if line.no in self.header_lines and self.table is not None and repeats_start_of(cells, self.last_header):
            self.mark(line, "header")  # a page break repeating only the first header cells ('№' | 'Социална услуга')
            self.page_break = True
            return
        if line.no in self.header_lines and not (self.header is not None and self.is_label_row(cells, nonempty)):
            before = self.table
            self.start_table(cells, line)  # (a header's second line naming roles too: its label row, below)
            if self.joining is None and before is not None and not before.inferred and self.rows and \
                    joins_by_name(before.roles, self.table.roles):
                # a second table of the same services by name, with columns the first lacks (its money): its rows
                # carry on the first table's rows whose names they give (whole or shortened)
                self.joining = {i: False for i, row in enumerate(self.rows) if row.parent is None and row.item_no}
                self.join_by_name, self.last_joined = True, None
            self.mark(line, "header")
            return
        if line.no in self.part_lines and self.rows and self.table is not None and not self.table.inferred:
            self.start_table(cells, line)  # the second part of a wide table: its rows join the first part's
            self.joining = {i: False for i, row in enumerate(self.rows) if row.parent is None and row.item_no}
            self.section, self.last_joined, self.join_by_name = None, None, False
            self.mark(line, "header")
            return
        if is_column_numbers(cells, nonempty):
            self.mark(line, "header")  # the columns numbered 1, 2, 3 … (under a header, or alone: never a record)
            return
        if self.header is not None and self.is_year_row(cells, nonempty):
            self.years = cells  # a schedule over two years: the years over their quarters (the label row follows)
            self.mark(line, "header")
            return
        if self.header is not None and self.is_label_row(cells, nonempty):
            shapes = self.table.shapes
            self.table = with_caption_scale(self.columns_of(self.header, cells), self.last_caption)
            if self.layouts and self.table.layout == self.layouts[-1]:
                self.table.shapes = shapes
            self.header = None
            self.note_layout()
            self.mark(line, "header")
            return
        self.header = None
        if nonempty and all(SEPARATOR.match(cells[i]) for i in nonempty):
            self.mark(line, "separator")
            return
        if len(nonempty) == 1 and PAGE_MARK.match(cells[nonempty[0]]):
            self.mark(line, "separator")  # a page's number ('– 1 –', 'стр. 1 от 2'): a new page follows
            self.page_break = self.table is not None
            return
        if self.is_heading_row(cells, nonempty) and self.heading(line, " ".join(cells[i] for i in nonempty)):
            return
        if self.table is not None and len(nonempty) == 1 and is_place_heading(cells[nonempty[0]]) and \
                (nonempty == [0] or "place" not in self.table.roles and nonempty[0] < len(self.table.roles)
                 and self.table.roles[nonempty[0]] in ("name", "activities") and ":" not in cells[nonempty[0]]):
            # in the first cell, or in the name column of a table with no place column of its own
            self.place_heading = cells[nonempty[0]].strip()  # the rows below are in this place, up to the next
            self.mark(line, "section")
            return
        if self.table is None and len(nonempty) >= 3:
            self.infer_table(line)
        if self.table is None:
            self.mark(line, "prose")
            return
        if line.no == self.skip_header:
            self.mark(line, "header")  # a header in words the vocabulary does not know
            return
        if self.other_year:
            self.mark(line, "other_year")  # listed in the build report, never a record of this plan
            return
        self.table_row(line, nonempty)

    def columns_of(self, header: list[str], sub: list[str] | None) -> Columns:
        years, self.years = self.years, None
        return header_columns(header, sub, years, self.plan_year(header))

    def is_year_row(self, cells: list[str], nonempty: list[int]) -> bool:
        """A header row of years over schedule columns ('2018 г.' | '2019 г.'), quarters named in the row below."""
        roles = self.table.roles if self.table is not None else []
        return len(nonempty) >= 2 and all(YEAR_LABEL.match(cells[i]) and i < len(roles) and is_schedule_role(roles[i])
                                          for i in nonempty)

    def plan_year(self, header: list[str]) -> int | None:
        """The plan year as the heading above the first table states it (the year a schedule's columns count for)."""
        if self._plan_year is False:  # once per document: it does not depend on the header
            first = min((ln.no for ln in self.doc.lines if ln.no in self.header_lines), default=None)
            self._plan_year = document_year(self.doc.lines, first)
        return self._plan_year

    def start_table(self, cells: list[str], line: Line) -> None:
        if cells != self.last_header:
            self.joining = None  # a new table (a second part's header repeated on a new page joins on)
        caption = self.caption(line)
        years, plan_year = caption_years(caption), self.plan_year(cells)
        if years or cells != self.last_header:  # (a header repeated on a new page keeps its table's year)
            # a table captioned for another year only ('Дейности през 2019 г. (индикативно)') is not this plan's
            self.other_year = bool(years) and plan_year is not None and plan_year not in years
        if cells != self.last_header:
            self.group_place = ""  # a new table (not its header repeated on a new page)
        if caption_scale(caption) is None and cells == self.last_header:
            caption = self.last_caption  # the header repeated on a new page: the table's caption still holds
        self.last_header, self.last_caption = cells, caption
        columns = with_caption_scale(self.columns_of(cells, None), caption)
        if self.table is not None and columns.roles == self.table.roles:
            columns.shapes = self.table.shapes  # the header repeated on a new page: the same table goes on
        self.table = columns
        self.header = cells
        self.page_break = True
        self.note_layout()

    def caption(self, line: Line) -> str:
        """The text lines right above a header row (up to two, not table rows): the table's caption."""
        found: list[str] = []
        for ln in reversed(self.doc.lines[max(0, line.no - 6):line.no - 1]):
            if ln.is_blank:
                continue
            if len(ln.nonempty) > 1 or len(found) == 2 or len(ln.raw) > 300:
                break
            found.append(" ".join(c for c in ln.cells if c))
        return " ".join(reversed(found))

    def note_layout(self) -> None:
        if self.table.layout not in self.layouts:
            self.layouts.append(self.table.layout)

    def is_label_row(self, cells: list[str], nonempty: list[int]) -> bool:
        """The second header row: schedule labels, or role wordings under merged header cells; alone, the rest of
        a word hyphenated in the header above ('Продължи-' / 'телност (мес.)')."""
        if len(nonempty) < 2:
            at = nonempty[0] if nonempty else len(self.header or [])
            return at < len(self.header or []) and HYPHENATED.search(self.header[at].strip()) is not None and \
                continues_header(self.header[at], cells[at])
        if is_quarter_header(cells):  # before the test for marks: "X" and "V" are months too
            return True
        if any(len(cells[i]) > 60 or ITEM_NO.match(cells[i].strip()) or is_mark(cells[i]) for i in nonempty):
            return False
        roles = self.table.roles if self.table is not None else []
        header = self.header or []
        # under "Капацитет": when each column stands ("към 01.01.2014 г.", "към 31.12.2014 г.", "през 2018 г.")
        return all(column_role(cells[i]) or (i < len(header) and (continues_header(header[i], cells[i]) or
                                                                  (LOWER_WORDS.match(cells[i].strip()) is not None and
                                                                   column_role(join_text(header[i], cells[i]))))) or (i < len(roles) and roles[i] == "capacity" and is_when_label(cells[i]))
                   or (i < len(roles) and roles[i] == "place" and is_settlement_label(cells[i]))
                   or (i < len(roles) and roles[i] == "capacity" and PART_LABEL.match(cells[i]) is not None)
                   or (i < len(roles) and roles[i] in ("amount", "funding")
                       and is_amount_part(cells[i], "", roles[i], self.head_over(i))) for i in nonempty)

    def head_over(self, at: int) -> str:
        """The text of the header cell over a position (a merged cell spans the empty cells after it)."""
        header = self.header or []
        return next((header[i] for i in range(min(at, len(header) - 1), -1, -1) if header[i].strip()), "")

    def infer_table(self, line: Line) -> None:
        """A table row before any recognised header: the table's columns read from the rows up to the next
        header (or the end of the document)."""
        block = []
        for ln in self.doc.lines[line.no - 1:]:
            if ln.no in self.header_lines:
                break
            block.append(ln.cells)
        unknown_header = looks_like_header(block)
        columns = infer_columns(block[1:] if unknown_header else block)
        if columns is None:
            return
        columns = with_caption_scale(columns, self.caption(line))
        self.table = columns
        self.note_layout()
        self.issues.append(Issue("warning", "no_header", "a table with no recognised header row: its columns' roles "
                                 f"were read from their content ({columns.layout})", line.no))
        if unknown_header:
            self.skip_header = line.no

    @staticmethod
    def is_heading_row(cells: list[str], nonempty: list[int]) -> bool:
        """A single text cell, or a section number ('I', '2.') followed by one text cell."""
        if len(nonempty) == 1:
            return True
        return len(nonempty) == 2 and bool(re.fullmatch(r"([IVXivx]+|\d{1,2}|[А-Га-г])[.)]?", cells[nonempty[0]].strip()))

    def heading(self, line: Line, text: str) -> bool:
        section = match_section(text)
        if section == "other" and self.under_funding and self.section is None and OTHER_ACTIVITIES.match(text):
            # 'В. Други дейности' after 'А. Държавно делегирани дейности', 'Б. Местни дейности': the budget's third
            # group of activities, not the plan's section of other activities
            section = "priority"
        self.under_funding = section is None and bool(FUNDING_HEADING.search(text)) or \
            (section == "priority" and self.under_funding)
        if section is None:
            bare = ROMAN_OR_NUMBER.sub("", text)
            if self.table is None or self.table.names_funding or \
                    not FUNDING_HEADING.search(text) or \
                    HAS_DIGIT.search(bare) or len(text) > 80 or ":" in text or line.nonempty[0] != 0 or \
                    not (bare.isupper() or bare != text):  # a heading: numbered or in capitals, in the first cell
                return False
            self.funding_heading = text  # sections by source of money over a table with no funding column
            self.mark(line, "section")
            return True
        self.section = None if section == "priority" else section
        self.place_heading = self.funding_heading = self.group_place = ""
        self.mark(line, "section")
        return True

    def table_row(self, line: Line, nonempty: list[int]) -> None:
        cells = line.cells
        numbered = "item_no" in self.table.roles
        if len(cells) == 1 or (nonempty == [0] and not ITEM_NO.match(cells[0].strip())):
            self.lone_cell(line, numbered)
            return
        fields, schedule, moved = read_cells(cells, self.table)
        if TOTAL.match(fields.get("item_no", "").strip()) or TOTAL.match(fields.get("name", "").strip()) or (
                not fields.get("item_no") and not fields.get("name") and TOTAL.match(cells[nonempty[0]].strip())):
            self.mark(line, "total")  # a total row: "ОБЩО" where the row's number or name stands
            return
        if "term" in fields:
            fields = realign_shifted(fields)
        if self.joining is not None and self.join(fields, schedule, line, moved):
            return
        flags = (["no_header"] if self.table.inferred else []) + (["unsure_alignment"] if moved else [])
        row = RawRow(self.table.layout, self.section, None, fields, schedule, [line],
                     schedule_kind=self.table.schedule_kind if schedule is not None else None, flags=flags,
                     scale=self.table.scale, money_in_funding=self.table.money_in_funding,
                     currency=self.table.currency, term_unit=self.table.term_unit,
                     schedule_money=self.table.schedule_money, place_heading=self.place_heading,
                     funding_heading=self.funding_heading if not self.table.names_funding else "")
        item_no = ITEM_NO.match(fields.get("item_no", "").strip())
        if item_no and self.table.roles[0] == "place":
            # the place column first, a merged cell over a group of rows: blank on the rows after the group's first
            self.group_place = fields.get("place", "").strip() or self.group_place
            row.group_place = self.group_place
        starts = item_no or (not numbered and self.starts_unnumbered(cells, fields)) or self.pending_name
        if starts:
            self.new_row(row, item_no.group(1) if item_no else None, line, numbered)
        elif self.rows and plan_line_of(self.rows[-1], row):
            self.rows[-1].merge_plan_line(row, line)
            self.mark(line, "continuation", len(self.rows) - 1)
        elif numbered and self.is_second_line(row):
            last = len(self.rows) - 1
            if row.cells.get("name"):  # the block's action under its name: the numbered line's name stays the name
                row.cells["description"] = join_text(row.cells.pop("name"), row.cells.get("description", ""))
            self.rows[last].merge(row, line)
            self.mark(line, "continuation", last)
        elif self.is_sub_row(row):
            row.parent = self.last_main
            self.add(row, line)
        elif self.rows:
            target = self.continuation_target(row)
            self.rows[target].merge(row, line)
            self.mark(line, "continuation", target)
        else:  # an unnumbered row with no row above it: a record of its own, so that no row is lost
            self.new_row(row, None, line, numbered)
        self.page_break = False

    def join(self, fields: dict[str, str], schedule: list[str] | None, line: Line, moved: bool) -> bool:
        """A row of a wide table's second part: its cells go to the first part's row with the same number (in the
        same section when the part names one), an unnumbered line to the row joined last. False when no row of
        the first part is left to join (the row is then read as a record of its own: no row is lost)."""
        item_no = ITEM_NO.match(fields.get("item_no", "").strip())
        if self.join_by_name and fields.get("name", "").strip():
            item_no = None
            target = named_row(fields["name"], [(i, self.rows[i].cells.get("name", ""))
                                                for i, done in self.joining.items() if not done])
            if target is None:
                self.last_joined = None  # (the lines carrying this row on are its own, not the row joined before)
                return False
        elif item_no:
            number = item_no.group(1)
            open_rows = [i for i, done in self.joining.items() if not done and self.rows[i].item_no == number]
            same = [i for i in open_rows if self.section is None or self.rows[i].section == self.section]
            target = (same or open_rows or [None])[0]
        else:
            target = self.last_joined
        if target is None:
            return False
        row = self.rows[target]
        for role, text in fields.items():
            if role == "item_no" or not text.strip() or (self.join_by_name and role == "name"):
                continue  # (the name a second table joins by is the first table's row's, said again)
            before = row.cells.get(role, "")
            numbers = (role in NUMBER_ROLES or role == "funding") and HAS_DIGIT.search(before) and HAS_DIGIT.search(text)
            row.cells[role] = f"{before} | {text}" if numbers else join_text(before, text)  # never one number's digits
        if schedule is not None and row.quarters is None:
            row.quarters, row.schedule_kind = schedule, self.table.schedule_kind
        if item_no or self.join_by_name:  # what the part's columns say of their cells: the unit of amounts, a period's unit
            row.scale, row.money_in_funding, row.currency = self.table.scale, self.table.money_in_funding, self.table.currency
            row.term_unit, row.schedule_money = self.table.term_unit, self.table.schedule_money
            row.layout = f"{row.layout} + {self.table.layout}"
        if moved and "unsure_alignment" not in row.flags:
            row.flags.append("unsure_alignment")
        row.lines.append(line)
        self.joining[target], self.last_joined = True, target
        self.mark(line, "continuation", target)
        return True

    def read_transposed(self, block: TransposedBlock) -> None:
        """A transposed table (transposed_blocks): a record per value column that holds anything, starting on the
        subject line, its fields from the label lines (each label's role → that column's cell, read as a cell
        under a header of that wording), every line of the block the record's; the lines are the first record's
        in the dispositions (the subject its 'record', the others 'continuation', the header 'header')."""
        columns = transposed_columns([ln.cells[0].strip() for ln in block.labels], self.plan_year(None))
        width = 2 if block.numbered else max(len(ln.cells) for ln in block.labels)
        lines = [block.subject, *(ln for ln in block.labels if ln is not block.subject)]
        first = len(self.rows)
        for at in range(1, width):
            if block.numbered:  # one value column: the cells after the label, whichever they are
                values = [" ".join(ln.cells[i].strip() for i in ln.nonempty[1:]) for ln in block.labels]
            else:
                values = [ln.cells[at].strip() if at < len(ln.cells) else "" for ln in block.labels]
            if all(not v or SEPARATOR.match(v) for v in values):
                continue  # an empty column: no record
            fields, schedule = cells_by_role(values, columns)
            item_no = ITEM_NO.match((block.subject.cells[0] if block.numbered else fields.get("item_no", "")).strip())
            if block.numbered:
                fields["name"] = block.subject.cells[block.subject.nonempty[1]].strip()
            row = RawRow("transposed", self.section, item_no.group(1) if item_no else None, fields, schedule,
                         list(lines), schedule_kind=columns.schedule_kind if schedule is not None else None,
                         scale=columns.scale, money_in_funding=columns.money_in_funding, currency=columns.currency,
                         term_unit=columns.term_unit, schedule_money=columns.schedule_money,
                         place_heading=self.place_heading,
                         funding_heading=self.funding_heading if not columns.names_funding else "",
                         column=len(self.rows) - first)
            self.rows.append(row)
        if self.pending_name is not None:
            self.mark(self.pending_name, "prose")
        self.table, self.header, self.pending_name, self.last_main = None, None, None, None  # the block is a table
        for line in block.header:
            self.mark(line, "header")
        for line in lines:
            self.mark(line, "prose" if len(self.rows) == first else "record" if line is block.subject
                      else "continuation", first if len(self.rows) > first else None)
        if len(self.rows) > first and "transposed" not in self.layouts:
            self.layouts.append("transposed")

    def starts_unnumbered(self, cells: list[str], fields: dict[str, str]) -> bool:
        """In a table with no number column a row starts with its name (or its first cell) filled."""
        if self.page_break and not cells[0].strip():
            return False
        return bool(fields.get("name") or cells[0].strip())

    def lone_cell(self, line: Line, numbered: bool) -> None:
        text = " ".join(c for c in line.cells if c)
        if not numbered and "description" in self.table.roles and len(text) < 150 and not GOAL_LINE.match(text):
            if self.pending_name is not None:
                self.mark(self.pending_name, "prose")
            self.pending_name = line  # a service name standing alone above its cells
            return
        self.mark(line, "prose")

    def new_row(self, row: RawRow, item_no: str | None, line: Line, numbered: bool) -> None:
        row.item_no = item_no
        if self.pending_name is not None:
            name_line, self.pending_name = self.pending_name, None
            own_name = row.cells.get("name", "")
            row.cells["name"] = " ".join(c for c in name_line.cells if c)
            if own_name:
                row.cells["description"] = join_text(own_name, row.cells.get("description", ""))
            row.lines.insert(0, name_line)
            self.mark(name_line, "record", len(self.rows))
        elif not numbered and "description" in self.table.roles:
            split_service_name(row.cells)
        self.last_main = len(self.rows)
        self.add(row, line)

    def add(self, row: RawRow, line: Line) -> None:
        self.rows.append(row)
        self.mark(line, "record", len(self.rows) - 1)

    def continuation_target(self, row: RawRow) -> int:
        """The row a continuation carries on: the last row, or the numbered row above it when the last
        is a sub-row with nothing in the columns the continuation fills (its text belongs higher up)."""
        last = len(self.rows) - 1
        parent = self.rows[last].parent
        filled = [k for k, v in row.cells.items() if v and k != "item_no"]
        if parent is not None and not any(self.rows[last].cells.get(k) for k in filled):
            return parent
        return last

    def is_second_line(self, row: RawRow) -> bool:
        """A service written as a block of two lines: the numbered line names it and fills some other columns
        (place, provider) but none of its figures, marks, funding or status; the unnumbered line right below
        fills those and leaves the numbered line's other columns empty."""
        if self.last_main is None or self.last_main != len(self.rows) - 1:
            return False
        first = self.rows[-1]
        if len(first.lines) != 1 or has_details(first):
            return False
        own = {k for k, v in first.cells.items() if v and k not in TEXT_ROLES and k != "item_no"}
        other = {k for k, v in row.cells.items() if v and k not in TEXT_ROLES and k != "item_no"}
        return bool(own) and has_details(row) and not own & other

    def is_sub_row(self, row: RawRow) -> bool:
        """An unnumbered row is a separate activity (not a continuation) when it has its own schedule
        marks, or, after no page break, its own funding cell."""
        if self.last_main is None:
            return False
        if row.quarters and any(is_mark(q) for q in row.quarters):
            return True
        if self.page_break or any(DANGLING.search(c) for c in self.rows[-1].lines[-1].cells):
            return False  # the line above breaks off mid-phrase ('делегирана от', '01.01.2014 г. –'): cells wrapped
        return bool(row.cells.get("funding")) and bool(row.cells.get("provider") or row.cells.get("place")) and \
            any(row.cells.get(k) for k in TEXT_ROLES)  # an activity of its own is named or described


EXISTING_STATE = re.compile(lowered(r"^\W*(?:съществуващ\w*|налична?|действащ\w*|към\s+31\.12\.|"
                                    r"състояние\s+към|преди)(?!\w)"))
PLANNED_STATE = re.compile(lowered(r"^\W*(?:планиран\w*|предвиден\w*|план\s+за|през\s+(?:19|20)\d\d|"
                                   r"за\s+(?:19|20)\d\d)(?!\w)"))


def plan_line_of(above: RawRow, row: RawRow) -> bool:
    """Whether an unnumbered, unnamed row is the plan year's line of the service above it, the service being
    written twice: one column labels the line above as existing ('съществуваща към 31.12.2013 г.') and this line
    as planned ('планирана за 2014 г.')."""
    if row.item_no or row.cells.get("name") or row.cells.get("item_no") or len(above.lines) != 1:
        return False
    return any(PLANNED_STATE.match(lower_same_length(text)) and
               EXISTING_STATE.match(lower_same_length(above.cells.get(key, "")))
               for key, text in row.cells.items() if text and key not in NUMBER_ROLES)


DETAIL_ROLES = NUMBER_ROLES | {"funding", "term", "status"}
# a cell that breaks off mid-phrase: a dash, a hyphenated word or a preposition or conjunction at its end
DANGLING = re.compile(r"(?:\s[-–—]|[^\W\d_]-|(?<!\w)(?:на|от|за|с|със|и|в|във|по|до|към|при|или))\s*$", re.I)


def has_details(row: RawRow) -> bool:
    """Whether a row states any of a service's figures, marks, funding, period or status."""
    return any(q and is_mark(q) for q in row.quarters or []) or any(
        v and (k in DETAIL_ROLES or k.startswith(("amount:", "capacity:"))) for k, v in row.cells.items())


def split_service_name(cells: dict[str, str]) -> None:
    """A name cell holding the name as its first paragraph, then capacity and staff (or, in a short row, the
    whole characteristic): the rest goes to the description."""
    source = cells.get("name") or cells.get("description", "")
    first, _, rest = source.partition("\n")
    if cells.get("name"):
        cells["description"] = join_text(rest, cells.get("description", "")) if rest else cells.get("description", "")
    else:
        cells["description"] = rest
    cells["name"] = first


# a cell pointing to a numbered note under the table ('виж бел. 1', 'забележка 2'), and such a note ('1. Капацитетът …')
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_DIGITS = str.maketrans(SUPERSCRIPTS, "0123456789")
# a reference to a note: 'бел. 2', or a superscript number after a cell's text ('12¹', '264 000⁴')
NOTE_REF = re.compile(rf"(?<!\w)(?:бел\.|заб\.|бележка|забележка)\s*(?:№\s*)?(\d{{1,2}})(?![\d.,])|([{SUPERSCRIPTS}]{{1,2}})",
                      re.I)
NOTE_WORD = re.compile(r"(?<!\w)(?:бел\.|заб\.|бележка|забележка)\s*(?:№\s*)?\d")  # on lower-cased text
NUMBERED_NOTE = re.compile(rf"^\s*(?:(\d{{1,2}})[.)]|([{SUPERSCRIPTS}]{{1,2}})\s*[.)]?)\s*(\S.{{10,}})$", re.S)


def note_number(m: re.Match) -> int:
    """The number of a note reference or a note (NOTE_REF, NUMBERED_NOTE), written in digits or superscripts."""
    return int(m.group(1) or m.group(2).translate(_SUPERSCRIPT_DIGITS))


def resolve_notes(rows: list[RawRow], doc: Document, dispositions: dict[int, tuple[str, int | None]]) -> None:
    """A cell that points to a numbered note under the table gets the note's text (and the row its line): what
    the note says of the row (a change of capacity, an opening) is read with the row. A note number given twice is
    not followed."""
    text = "\n".join(ln.raw for ln in doc.lines)
    low = text.lower()
    if not any(c in text for c in SUPERSCRIPTS) and not (("бел" in low or "заб" in low) and NOTE_WORD.search(low)):
        return  # no note reference anywhere in the document: none in its rows (plain tests first: most have none)
    last_row_line = max(ln.no for row in rows for ln in row.lines)
    notes: dict[int, Line | None] = {}
    for ln in doc.lines[last_row_line:]:
        if len(ln.nonempty) == 1 and dispositions.get(ln.no, ("prose", None))[0] == "prose":
            m = NUMBERED_NOTE.match(ln.cells[ln.nonempty[0]])
            if m:
                number = note_number(m)
                notes[number] = None if number in notes else ln
    for row in rows:
        for key, text in list(row.cells.items()):
            for ref in NOTE_REF.finditer(text or ""):
                note = notes.get(note_number(ref))
                if note is not None and note not in row.lines:
                    said = NUMBERED_NOTE.match(note.cells[note.nonempty[0]]).group(3)  # without its number
                    cell = row.cells[key].replace(ref.group(2), " ") if ref.group(2) else row.cells[key]
                    row.cells[key] = f"{cell.strip()} ; {said}"  # a superscript mark is not a digit of the cell
                    if key != "notes":  # what the note says of the row (an opening, a closing) is read with it
                        row.cells["notes"] = join_text(row.cells.get("notes", ""), said)
                    row.lines.append(note)


def parse_document(doc: Document) -> ParsedPlan:
    walker = _Walker(doc)
    walker.walk()
    if walker.rows:
        resolve_notes(walker.rows, doc, walker.dispositions)
    first_table = min((n for n, (d, _) in walker.dispositions.items() if d in ("header", "record")), default=None)
    head_lines = [ln for ln in doc.lines if first_table is None or ln.no < first_table]
    text = heading_text(head_lines)
    title = find_title(head_lines)
    year = document_year(doc.lines, first_table)
    candidates = municipality_candidates(text) or municipality_candidates(heading_text(doc.lines))
    issues = walker.issues
    if not walker.rows:
        issues.append(Issue("error", "no_table", "no recognisable plan table: no line has three or more cells"))
    return ParsedPlan(doc, candidates, year, title, walker.layouts, walker.rows, walker.dispositions, issues)
