"""The columns of a table: the roles its header cells name (with a second header row's quarters, months or
parts), the unit and currency of its amounts, which capacity and amount columns stand for which year, and the
schedule spans and settlement labels above its columns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property

from ..vocabulary import (
    LATIN_ONLY,
    QUARTER_END,
    WIDE_IN_TEXT,
    column_role,
    cyrillic_of,
    header_roles,
    lowered,
)
from .cells import CELL_WHATS, CUES, NO_CUES, fit_kind
from .model import BRACKETED, NUMBER_ROLES, is_schedule_role, join_text, slash_labels

AMOUNT_SCALE = re.compile(r"хил\.?\s*(лв|лева)|в\s+хиляди", re.I)
MILLION_SCALE = re.compile(r"млн\.?\s*(лв|лева)", re.I)
YEAR_START = re.compile(r"01\.01|начало|към\s+1\s+януари|преди", re.I)
YEAR_END = re.compile(r"31\.12|края|към\s+31\s+декември|след", re.I)
LEVA = re.compile(r"\bлв\b|\bлв\.|\bлева\b|\bbgn\b", re.I)
EURO = re.compile(r"\bевро\b|\beur\b|€", re.I)


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


def resolve_numbers(roles: list[str]) -> list[str]:
    """Bare numeral labels ('n1'…) become quarters, half-years or months by how many stand together; two-month
    labels ('III–IV': 'b2') stand only as six (a year of them), else they are an unlabelled schedule."""
    paired = [i for i, r in enumerate(roles) if r.startswith("b") and r[1:].isdecimal()]
    if paired and sorted(roles[i] for i in paired) != [f"b{k}" for k in range(1, 7)]:
        roles = ["sched" if i in paired else r for i, r in enumerate(roles)]
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
            if owner[i] == "capacity" and OTHER_MEASURE.search(cell.lower()):
                roles[i] = f"extra{i}"  # under "Капацитет": shifts, or people over the year: no part of the places
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
# a column under "Капацитет" that counts something else: shifts ('смени', 'брой смени'), people over the whole year
# ('потребители за годината', 'обслужени годишно'); on lower-cased text
OTHER_MEASURE = re.compile(r"^\s*(?:брой\s+|бр\.\s*)?смени\s*$|(?<!\w)(?:за|през)\s+(?:цялата\s+)?(?:годината|година)\s*$|"
                           r"(?<!\w)годишно\s*$")
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
