"""What the rows stage hands on: a plan row as read (RawRow, with its merging of continuation lines), the parsed
plan, an issue found while reading, and the small helpers and patterns every part of the stage shares."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..lines import Document, Line
from ..vocabulary import column_role

# an item number: '12.', '1.2', 'IV.' (a Roman one with its dot or bracket, never a mark)
ITEM_NO = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*|[IVX]{1,5}(?=[.)])|[а-я](?=\)))[.)]?$")  # "1.", "2.3", "IV.", "б)"
ROMAN_ITEM = re.compile(r"^[IVX]{1,5}[.)]$")
NO_MARK = re.compile(r"^(не|no|няма|[-–—]|0)$", re.I)
SCHEDULE_KINDS = {"q": 4, "m": 12, "h": 2, "b": 6}  # b: two months a column


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
    schedule_kind: str | None = None  # 'q' | 'm' | 'h' | 'b' for quarters, months, half-years, two months
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


def slash_labels(text: str) -> list[str]:
    """The labels of a header cell naming several numbers 'A / B / C'; in brackets after a word that names them
    all ('Ресурси (капацитет / персонал / средства)'), the bracket's."""
    inside = BRACKETED.search(text)
    if inside and "/" in inside.group(1):
        text = inside.group(1)
    return [t.strip(" ()") for t in SLASH.split(text.strip())]
BRACKETED = re.compile(r"\(([^()]*)\)")


@lru_cache(maxsize=256)
def is_schedule_role(role: str) -> bool:
    return role == "sched" or (len(role) >= 2 and role[0] in "qmhnb" and role[1:].isdecimal())
NUMBER_ROLES = {"capacity", "capacity_before", "amount", "staff"}
HAS_DIGIT = re.compile(r"\d")
SLASH = re.compile(r"\s*/\s*")
# a cell that breaks off mid-phrase: a dash, a hyphenated word or a preposition or conjunction at its end
DANGLING = re.compile(r"(?:\s[-–—]|[^\W\d_]-|(?<!\w)(?:на|от|за|с|със|и|в|във|по|до|към|при|или))\s*$", re.I)
