"""Parse stage: lines of cells → raw table rows with source lines (layouts, headers, sections, continuations)."""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .extract import Document, Line

DATA = Path(__file__).parent / "data"

# Logical columns of each recognised layout, in document order.
ITEM_NO = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)[.)]?$")
MARK = re.compile(r"^[XxХх+*/\\✓√•\s]+$")
SEPARATOR = re.compile(r"^[-–—_=.\s]+$")
TOTAL = re.compile(r"^(общо|всичко)\b", re.I)
GOAL_LINE = re.compile(r"^(обща цел|цел)\s*:", re.I)


@dataclass
class Issue:
    severity: str  # error | warning | notice
    category: str
    message: str
    line: int | None = None


@dataclass
class RawRow:
    """One plan row as read: logical column texts plus where it came from."""

    layout: str
    section: str | None  # section code from the document's headings; None under priority headings
    item_no: str | None
    cells: dict[str, str]
    quarters: list[str] | None  # the four schedule cells (raw marks), None when the layout has none
    lines: list[Line] = field(default_factory=list)
    parent: int | None = None  # index of the numbered row a sub-row belongs to

    @property
    def first_line(self) -> int:
        return self.lines[0].no

    def merge(self, other: RawRow, line: Line) -> None:
        """Append a continuation row cell by cell (text carried over a page break)."""
        for key, text in other.cells.items():
            if text:
                self.cells[key] = join_text(self.cells.get(key, ""), text)
        if self.quarters and other.quarters:
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


def join_text(a: str, b: str) -> str:
    if not a:
        return b
    if a.endswith("-") and b[:1].islower():  # a word hyphenated across the break
        return a[:-1] + b
    return f"{a} {b}"


@lru_cache(maxsize=1)
def section_patterns() -> list[tuple[str, re.Pattern]]:
    with open(DATA / "section_headings.csv", encoding="utf-8") as f:
        return [(r["section"], re.compile(r["pattern"], re.I)) for r in csv.DictReader(f)]


SECTION_NUMBER = re.compile(r"^(раздел\s+)?([ivx]+|\d{1,2}|[а-г])[.)]?\s+", re.I)


def match_section(text: str) -> str | None:
    first = SECTION_NUMBER.sub("", text.strip().split("\n")[0].strip(" *"))
    for section, pattern in section_patterns():
        if pattern.search(first):
            return section
    return None


HEADER_WORDS = [  # header cell wording → logical column; the first match wins
    ("item_no", re.compile(r"^(№|no\.?|n|номер|ред)\b|^№\s*(по ред)?$", re.I)),
    ("description", re.compile(r"описание|характеристика", re.I)),
    ("schedule", re.compile(r"график|тримесечи", re.I)),
    ("capacity", re.compile(r"капацитет", re.I)),
    ("name", re.compile(r"вид\s+дейност|дейност\s*/\s*услуга|услуга\s*/|наименование|^социална услуга|^услуга|"
                        r"мярка|^цел\b|^вид\b", re.I)),
    ("activities", re.compile(r"^дейност", re.I)),
    ("results", re.compile(r"резултат|индикатор", re.I)),
    ("place", re.compile(r"местоположение|населено място|място", re.I)),
    ("funding", re.compile(r"финансиране|източни", re.I)),
    ("provider", re.compile(r"отговорн|изпълнява|изпълнител|организация|доставчик|партньор", re.I)),
    ("term", re.compile(r"^срок|период", re.I)),
]


@lru_cache(maxsize=16384)
def header_word(text: str) -> str:
    """The logical column a header cell's wording names ('' for none): the first of HEADER_WORDS that matches."""
    return next((col for col, pattern in HEADER_WORDS if pattern.search(text)), "")


def header_columns(cells: list[str]) -> list[str] | None:
    """Logical column of each header cell, or None when the row is not a table header: a header names
    the row title and the funding, and most of its cells are known column wordings."""
    if max(map(len, cells), default=0) > 120:  # the cheaper test first: most table rows have a long cell
        return None
    joined = " ".join(cells).lower()
    if not ("финанс" in joined or "източни" in joined):
        return None
    columns = []
    for i, cell in enumerate(cells):
        text = cell.strip().replace("\n", " ")
        kind = header_word(text) if text else ""
        columns.append(kind or (f"extra{i}" if text else ""))
    known = [c for c in columns if c and not c.startswith("extra")]
    nonempty = [c for c in cells if c.strip()]
    if "funding" not in known or "name" not in known or len(known) < 3 or len(known) < 0.6 * len(nonempty):
        return None
    return columns


def header_layout(cells: list[str]) -> str | None:
    """Recognise a table header row by its wording (not its position)."""
    columns = header_columns(cells)
    if columns is None:
        return None
    first = cells[0].strip().lower()
    if "schedule" in columns:
        return "quarterly"
    if first.startswith("социална услуга") and "description" in columns:
        return "service"
    if first == "цел":
        return "goal"
    return "plain"


QUARTER_LABEL = re.compile(r"^((ме\s?се[цп]|мес\.?|м\.)?\s*\d{1,2}\s*[-–]\s*\d{1,2}|(ме\s?се[цп])|(i|ii|iii|iv|1|2|3|4)"
                           r"\s*(-?\s*(во|ро|то|ти))?\s*(тримесечие|трим\.?|кв\.?)|q\s*[1-4])\s*$", re.I)


def is_quarter_header(cells: list[str]) -> bool:
    """The second header row: quarter labels ('Месец 1-3', 'Ме сеп 4-6', 'I тримесечие', 'Q3') only."""
    labels = [c for c in cells if c.strip()]
    return len(labels) >= 2 and all(QUARTER_LABEL.match(c.strip()) for c in labels)


def is_mark(text: str) -> bool:
    return bool(text.strip()) and bool(MARK.match(text))


class _Table:
    """The table being read: its layout and column wordings, recognised from the header row."""

    def __init__(self, layout: str, header: list[str]):
        self.layout = layout
        columns = header_columns(header) or []
        while columns and not columns[-1]:
            columns.pop()
        self.width = len(header)
        if layout == "quarterly":
            self.head = columns[: columns.index("schedule")]
        else:
            self.columns = [c or f"extra{i}" for i, c in enumerate(columns)]

    def split(self, cells: list[str]) -> tuple[dict[str, str], list[str] | None]:
        if self.layout == "quarterly":
            return split_quarterly(cells, self.head, self.width)
        fields = split_plain(cells, self.columns)
        if self.layout in ("service", "goal"):
            fields = realign_shifted(fields)
        return fields, None


def split_plain(cells: list[str], columns: list[str]) -> dict[str, str]:
    """Cells → logical columns; a row shorter than the header is aligned to the right (a missing
    first cell), a longer one has its surplus folded into the last column."""
    cells = list(cells)
    while len(cells) > len(columns) and not cells[-1].strip():
        cells.pop()
    if len(cells) < len(columns):
        cells = [""] * (len(columns) - len(cells)) + cells
    if len(cells) > len(columns):
        cells = cells[: len(columns) - 1] + [" ".join(c for c in cells[len(columns) - 1 :] if c)]
    fields = dict(zip(columns, cells, strict=True))
    fields.setdefault("item_no", "")
    return fields


TERM = re.compile(r"(19|20)\d\d|месеч|тримесеч|постоян|текущ|срок|януари|февруари|март|април|май|юни|юли|"
                  r"август|септември|октомври|ноември|декември", re.I)
FUNDING_HINT = re.compile(r"бюджет|финанс|програм|проект|делегиран", re.I)


def realign_shifted(fields: dict[str, str]) -> dict[str, str]:
    """A row shifted one cell to the right (Ihtiman line 50: funding under ОТГОВОРНИК, the provider
    under СРОК) is moved back, the surplus text joining the results column."""
    term, provider = fields.get("term", ""), fields.get("provider", "")
    if term and not TERM.search(term) and FUNDING_HINT.search(provider) and not FUNDING_HINT.search(
            fields.get("funding", "")):
        fields = dict(fields)
        fields["results"] = join_text(fields.get("results", ""), fields.get("funding", ""))
        fields["funding"], fields["provider"], fields["term"] = provider, term, ""
    return fields


def split_quarterly(cells: list[str], head_columns: list[str] | None = None,
                    width: int | None = None) -> tuple[dict[str, str], list[str]]:
    """Standard quarterly row: №, name, description, place, 4 quarter cells, funding, provider.
    Rows carry extra empty cells before/after the marks or between funding and provider, so the
    quarters are the 4-cell window holding the most marks (on a tie, the window shifted by as many
    cells as the row has more than its header: extra cells stand before the marks), and
    funding/provider are read from the text cells that follow it."""
    head_columns = head_columns or ["item_no", "name", "description", "place"]
    width = len(head_columns)
    padded = list(cells) + [""] * max(0, width - len(cells))
    head = padded[:width]
    tail = padded[width:]
    region_end = 0
    while region_end < len(tail) and (not tail[region_end].strip() or is_mark(tail[region_end])):
        region_end += 1
    region = tail[:region_end]
    quarters = best_window(region, max(0, len(cells) - width) if width else 0)
    texts = [(i, t) for i, t in enumerate(tail[region_end:], start=region_end) if t.strip()]
    funding, provider = "", ""
    if len(texts) >= 2:
        funding = " ".join(t for _, t in texts[:-1])
        provider = texts[-1][1]
    elif len(texts) == 1:
        i, t = texts[0]
        # a lone text cell followed by empty cells is the funding cell (the provider column is last)
        if any(not c.strip() for c in tail[i + 1 :]):
            funding = t
        else:
            provider = t
    fields = {"item_no": "", "name": "", "description": "", "place": ""}
    for column, text in zip(head_columns, head, strict=True):
        if column:
            fields[column] = join_text(fields.get(column, ""), text) if text else fields.get(column, "")
    fields.update(funding=funding, provider=provider)
    return fields, quarters


def best_window(region: list[str], extra: int = 0) -> list[str]:
    if len(region) <= 4:
        return [c.strip() for c in region] + [""] * (4 - len(region))
    shifted = min(extra, len(region) - 4)
    marks = [is_mark(c) for c in region]
    best = max(range(len(region) - 3), key=lambda s: (sum(marks[s : s + 4]), s == shifted, -s))
    return [c.strip() for c in region[best : best + 4]]


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


def find_year(text: str) -> int | None:
    for pattern in YEAR_PATTERNS:
        found = Counter(int(m) for m in pattern.findall(text))
        if found:
            return found.most_common(1)[0][0]
    return None


def municipality_candidates(text: str) -> list[list[str]]:
    """Per mention of 'община …' in the heading: the following words cut at a stop word, longest first."""
    out = []
    for match in MUNICIPALITY.finditer(text):
        words = []
        for word in re.split(r"[\s\-–,.:;()]+", match.group(1).strip(" *")):
            if not word or word.lower() in STOP_WORDS or not word[0].isupper() or word[0].isdigit():
                break
            words.append(word)
        if words:
            out.append([" ".join(words[:n]) for n in range(min(3, len(words)), 0, -1)])
    return out


def find_title(lines: list[Line]) -> str:
    for i, ln in enumerate(lines):
        text = heading_text([ln])
        if re.search(r"годишен\s+план", text, re.I):
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


# --- the table walk --------------------------------------------------------------------------------


class _Walker:
    def __init__(self, doc: Document):
        self.doc = doc
        self.table: _Table | None = None
        self.layouts: list[str] = []
        self.section: str | None = None
        self.priority_mode = False
        self.rows: list[RawRow] = []
        self.dispositions: dict[int, tuple[str, int | None]] = {}
        self.issues: list[Issue] = []
        self.page_break = False
        self.pending_name: Line | None = None
        self.last_main: int | None = None

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
        cells = line.cells
        nonempty = line.nonempty
        # a header names at least three columns; a quarter-label row starts with a quarter label
        layout = header_layout(cells) if len(nonempty) >= 3 else None
        if layout:
            self.start_table(layout, cells)
            self.mark(line, "header")
            return
        if (self.table and len(nonempty) >= 2 and QUARTER_LABEL.match(cells[nonempty[0]].strip())
                and is_quarter_header(cells)):
            self.table.width = max(self.table.width, len(cells))
            self.mark(line, "header")
            return
        if all(SEPARATOR.match(cells[i]) for i in nonempty):
            self.mark(line, "separator")
            return
        if self.is_heading_row(cells, nonempty) and self.heading(line, " ".join(cells[i] for i in nonempty)):
            return
        if self.table is None:
            self.before_table(line, nonempty)
            return
        self.table_row(line, nonempty)

    def start_table(self, layout: str, cells: list[str]) -> None:
        if layout not in self.layouts:
            self.layouts.append(layout)
        self.table = _Table(layout, cells)
        self.page_break = True

    @staticmethod
    def is_heading_row(cells: list[str], nonempty: list[int]) -> bool:
        """A single text cell, or a section number ('I', '2.') followed by one text cell."""
        if len(nonempty) == 1:
            return True
        return len(nonempty) == 2 and bool(re.fullmatch(r"([IVXivx]+|\d{1,2}|[А-Га-г])[.)]?", cells[nonempty[0]].strip()))

    def heading(self, line: Line, text: str) -> bool:
        section = match_section(text)
        if section is None:
            return False
        if section == "priority":
            self.priority_mode, self.section = True, None
        else:
            self.priority_mode, self.section = False, section
        self.mark(line, "section")
        return True

    def before_table(self, line: Line, nonempty: list[int]) -> None:
        if len(nonempty) >= 3:
            self.issues.append(Issue("warning", "unknown_layout",
                                     "a table row before any recognised table header; not read", line.no))
            self.mark(line, "unrecognised")
        else:
            self.mark(line, "prose")

    def table_row(self, line: Line, nonempty: list[int]) -> None:
        cells = line.cells
        if len(cells) == 1 or (nonempty == [0] and not ITEM_NO.match(cells[0].strip())):
            self.lone_cell(line)
            return
        if any(TOTAL.match(cells[i]) for i in nonempty[:2]):
            self.mark(line, "total")
            return
        fields, quarters = self.table.split(cells)
        row = RawRow(self.table.layout, self.section, None, fields, quarters, [line])
        item_no = ITEM_NO.match(fields.get("item_no", "").strip())
        unnumbered_layout = self.table.layout in ("service", "goal")
        if item_no or (unnumbered_layout and cells[0].strip()) or self.pending_name:
            self.new_row(row, item_no.group(1) if item_no else None, line)
        elif self.is_sub_row(row):
            row.parent = self.last_main
            self.add(row, line)
        elif self.rows:
            target = self.continuation_target(row)
            self.rows[target].merge(row, line)
            self.mark(line, "continuation", target)
        else:
            self.issues.append(Issue("warning", "orphan_row", "an unnumbered row with no row above it; not read",
                                     line.no))
            self.mark(line, "unrecognised")
        self.page_break = False

    def lone_cell(self, line: Line) -> None:
        text = " ".join(c for c in line.cells if c)
        if self.table.layout == "service" and len(text) < 150 and not GOAL_LINE.match(text):
            if self.pending_name is not None:
                self.mark(self.pending_name, "prose")
            self.pending_name = line  # a service name standing alone above its cells
            return
        self.mark(line, "prose")

    def new_row(self, row: RawRow, item_no: str | None, line: Line) -> None:
        row.item_no = item_no
        if self.pending_name is not None:
            name_line, self.pending_name = self.pending_name, None
            own_name = row.cells.get("name", "")
            row.cells["name"] = " ".join(c for c in name_line.cells if c)
            if own_name:
                row.cells["description"] = join_text(own_name, row.cells.get("description", ""))
            row.lines.insert(0, name_line)
            self.mark(name_line, "record", len(self.rows))
        if self.table.layout == "service":
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

    def is_sub_row(self, row: RawRow) -> bool:
        """An unnumbered row is a separate activity (not a continuation) when it has its own schedule
        marks, or, after no page break, its own funding cell."""
        if self.last_main is None:
            return False
        if row.quarters and any(is_mark(q) for q in row.quarters):
            return True
        if self.page_break:
            return False
        has_own = bool(row.cells.get("funding")) and bool(row.cells.get("provider") or row.cells.get("place"))
        return has_own


def split_service_name(cells: dict[str, str]) -> None:
    """In the service layout the first cell holds the name as its first paragraph, then capacity and
    staff (or, in a short row, the whole characteristic): the rest goes to the description."""
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
    first_table = min((n for n, (d, _) in walker.dispositions.items() if d == "header"), default=None)
    head_lines = [ln for ln in doc.lines if first_table is None or ln.no < first_table]
    text = heading_text(head_lines)
    year = find_year(text) or find_year(heading_text(doc.lines))
    candidates = municipality_candidates(text) or municipality_candidates(heading_text(doc.lines))
    title = find_title(head_lines)
    issues = walker.issues
    if not walker.layouts:
        unknown = next((i.line for i in issues if i.category == "unknown_layout"), None)
        where = ""
        if unknown is not None:  # say where the table we cannot read starts, and what its header says
            cells = " | ".join(c for c in doc.lines[unknown - 1].cells if c)
            where = f"; line {unknown} starts a table of unknown layout: {cells[:120]!r}"
        issues.append(Issue("error", "no_table", "no recognisable plan table (no header row with "
                                                 "'Вид дейност … Финансиране', 'СОЦИАЛНА УСЛУГА … ХАРАКТЕРИСТИКА' or "
                                                 f"'ЦЕЛ … ДЕЙНОСТИ'){where}", unknown))
    return ParsedPlan(doc, candidates, year, title, walker.layouts, walker.rows, walker.dispositions, issues)
