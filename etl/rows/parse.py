"""Rows stage: lines of cells → plan table rows, each cell under its column's role, with its source lines. The
table walk goes through a document's lines once: it finds each table by its header row (or infers its columns,
flagging its rows `no_header`), reads each row under the columns, joins continuation lines and two-part tables,
keeps the headings rows stand under, and accounts for every line in `dispositions` (`parse_document`)."""

from __future__ import annotations

import re

from ..lines import Document, Line
from ..marks import is_mark
from ..vocabulary import (
    TOTAL,
    column_role,
    header_roles,
    lower_same_length,
    lowered,
    match_section,
    schedule_label,
)
from .align import cells_by_role, read_cells, realign_shifted
from .columns import (
    HYPHENATED,
    LOWER_WORDS,
    PART_LABEL,
    YEAR_LABEL,
    Columns,
    caption_scale,
    continues_header,
    header_columns,
    is_amount_part,
    is_place_heading,
    is_settlement_label,
    is_when_label,
    with_caption_scale,
)
from .heading import caption_years, document_year, find_title, heading_text, municipality_candidates
from .inferred import infer_columns, looks_like_header
from .model import (
    DANGLING,
    HAS_DIGIT,
    ITEM_NO,
    NUMBER_ROLES,
    TEXT_ROLES,
    Issue,
    ParsedPlan,
    RawRow,
    is_schedule_role,
    join_text,
)
from .notes import resolve_notes
from .transposed import TransposedBlock, transposed_blocks, transposed_columns

SEPARATOR = re.compile(r"^[-–—_=.\s]+$")
PAGE_MARK = re.compile(r"^\s*(?:[-–—]\s*\d{1,3}\s*[-–—]|(?:стр\.?|страница|page)\s*\d{1,3}(?:\s*(?:от|/|of)\s*\d{1,3})?)\s*$",
                       re.I)  # a page's number alone: '– 1 –', 'стр. 1 от 2', 'Страница 2'

GOAL_LINE = re.compile(r"^(обща цел|цел)\s*:", re.I)


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
# a heading naming where the money of the rows below comes from ('I. ДЪРЖАВНО ДЕЛЕГИРАНИ ДЕЙНОСТИ', 'Местни дейности')
FUNDING_HEADING = re.compile(r"делегиран|местни\s+дейност|общински\s+бюджет|проект|програм|(?<!\w)(?:ддд|оп|нп)(?!\w)|"
                             r"дарени|механизъм", re.I)
OTHER_ACTIVITIES = re.compile(r"^\s*(?:[IVX]+|\d{1,2}|[А-Га-г])?[.)]?\s*други\s+дейности\W*$", re.I)
ROMAN_OR_NUMBER = re.compile(r"^\s*(?:[IVX]+|\d{1,2}|[А-Га-г])[.)]?\s+")


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
        # a grouping column that names a section ('Партньорство', a merged cell repeated on every row): the row's section
        grouped = match_section(fields["group"]) if fields.get("group") else None
        row = RawRow(self.table.layout, grouped if grouped and grouped != "priority" else self.section, None, fields,
                     schedule, [line],
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
