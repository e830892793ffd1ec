"""Reading a row under its columns: a row's cells placed on the table's positions when it has more or fewer cells
than the header (the best fit of each cell's content to each role), then gathered by role."""

from __future__ import annotations

import heapq
import re
from itertools import combinations

from ..marks import is_mark
from ..vocabulary import column_role, names_own_column
from .cells import cell_kind, cell_what, fit, fit_kind
from .columns import Columns
from .model import (
    HAS_DIGIT,
    NO_MARK,
    NUMBER_ROLES,
    SCHEDULE_KINDS,
    SLASH,
    is_schedule_role,
    join_text,
    slash_labels,
)

PART_COUNT = re.compile(r"^\s*[1-9]\d{0,3}\s*$")  # a count of places in one settlement's column ('24')
LETTER = re.compile(r"[^\W\d_]")
# a cell holding one point of time and nothing else, a period's start or end: a date, a month or a quarter
# ("01.09.2016", "м. юли 2016 г.", "III трим. 2027 г.")
DATE_CELL = re.compile(r"^\s*(?:\d{1,2}\s*[./]\s*\d{1,2}(?:\s*[./]\s*(?:\d{4}|\d{2}))?|(?:(?:м\.\s*)?(?:януари|февруари|"
                       r"март|април|май|юни|юли|август|септември|октомври|ноември|декември)|(?:i{1,3}|iv|[1-4])\s*-?\s*"
                       r"(?:во|ро|то)?\.?\s*(?:трим\.?|тримесечие))(?:\s+(?:19|20)\d\d)?)\s*(?:г\.?|год\.?)?\s*$", re.I)
MAX_MOVES = 4  # cells a row may have more or fewer than its header and still be aligned by trying every way


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
    if len(cells) == width and all(cell_what(t) in ok or (is_schedule_role(role) and names_own_column(t.strip(), role))
                                   for ok, t, role in zip(columns.fitting, cells, columns.roles, strict=True)):
        return cells, False  # every cell fits where it stands (a cue only adds to the fit: not needed here); a
        # schedule cell may write its own column's label ('II' under II)
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
