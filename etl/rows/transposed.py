"""Tables written with each service as a column: runs of lines whose first cell is a label naming a role
('Наименование', 'Капацитет', …) found as blocks, and the columns they give, a record per value column."""

from __future__ import annotations

from dataclasses import dataclass

from ..lines import Line
from ..vocabulary import column_role, match_section
from .columns import WHEN_YEAR, Columns, header_columns
from .model import HAS_DIGIT, ITEM_NO, TEXT_ROLES, is_schedule_role

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
