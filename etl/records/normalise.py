"""Records stage: a parsed plan's rows and the reference data → records in the export contract's fields. The
plan's identity (municipality, year) is resolved here and each row assembled into a record (service type,
places, schedule, funding, amounts, capacity, status) with its review flags; the readers it calls live in
capacity.py, status.py, numbers.py, schedule.py, services.py and places.py."""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from ..reference import Reference
from ..rows.model import Issue, ParsedPlan, RawRow
from ..transliteration import slug
from ..vocabulary import DATA, names_own_column, read_abbreviations, read_codes
from .capacity import (
    CEILING,
    CEILING_CAPACITY,
    PEOPLE_CEILING,
    PLACE_AFTER_DASH,
    PLACES_WRITTEN,
    SIGNED_CHANGE,
    UNIT_SAID,
    UNIT_WORDS,
    YEAR,
    Capacity,
    capacity_facts,
    parse_capacity,
    read_staff,
    read_units,
    unit_of,
)
from .numbers import (
    CAPACITY_ELSEWHERE,
    LEVA_PER_EURO,
    NO_CAPACITY,
    UNPARSED,
    Number,
    blank_distractors,
    breakdown_total,
    capacity_breakdown_total,
    parse_capacity_cell,
    parse_staff_cell,
    units_in_capacity,
    with_currency,
)
from .numbers import parse_amount as read_amount
from .places import MUNICIPALITY_AT_END, WIDE_IN_TEXT, Located, Place, parse_place, places_in_text
from .schedule import (
    mark_value,
    month_string,
    quarters_from_duration,
    quarters_from_halves,
    quarters_from_months,
    quarters_from_period,
    read_legend,
)
from .services import classify_service
from .status import classify_funding, find_status, preparation_marks

# a sub-row that is a part of its numbered row's service: "в т.ч." / "в това число" / "вкл.", an extension or a
# group of it, or places of its own
PART_OF = re.compile(r"^\s*(в\s*т\.\s*ч\.|в\s+това\s+число|вкл\.|включително)|разширяване|изнесен|филиал|"
                     r"\d+\s*(места|потребител|семейств)", re.I)
SCALE_UNCLEAR = "amount_scale_unclear"  # the table's headers or caption disagree on the unit of its amounts
ACTIVITY_CAPACITY = "capacity_of_activity"  # a number of places in a row that is an activity, not a service: not read


@lru_cache(maxsize=1)
def activity_leads() -> re.Pattern:
    """etl/data/activity_leads.csv: the words that, leading a row's name, say the row is an activity about services
    (a study, planning, preparation, a campaign, a training, a partnership), not the delivery of one."""
    with open(DATA / "activity_leads.csv", encoding="utf-8") as f:
        return re.compile("|".join(f"(?:{r['pattern']})" for r in csv.DictReader(f)), re.I)


def is_activity(name: str) -> bool:
    """Whether a row's name leads with an activity about services ('Проучване на потребностите от Дневен център',
    'Планиране на Преходно жилище'): its numbers ('до 20 места') are not the capacity of a service it runs."""
    return activity_leads().match(name.strip(" \t-–—.„“\"")) is not None


@lru_cache(maxsize=1)
def service_types() -> dict[str, dict[str, str]]:
    with open(DATA / "service_types.csv", encoding="utf-8") as f:
        return {r["code"]: r for r in csv.DictReader(f)}


HYPHENATED = re.compile(r"(?<=[а-я])- (?=[а-я])")


def clean(text: str | None) -> str:
    """Single-spaced text; words hyphenated at a line end ('об- щности') joined again."""
    if not text:
        return ""
    return _clean(text) if len(text) <= 2000 else _clean.__wrapped__(text)


@lru_cache(maxsize=32768)
def _clean(text: str) -> str:
    return HYPHENATED.sub("", " ".join(text.split()))


def join_texts(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def transliterate(name: str) -> str:
    """Bulgarian official transliteration (2009 law), as a lowercase slug: 'Стара Загора' → 'stara-zagora'."""
    return slug(name)


def to_int(text: str) -> int:
    return int(re.sub(r"\s", "", text))


NUMBERS_IN = re.compile(r"(?<![\d.,])\d+(?:[ \u00a0.,]\d+)*")
TOTAL_LABEL = re.compile(r"\bобщ(о|а|ия)\b", re.I)


@dataclass
class PlanRecord:
    plan_id: str
    municipality: str
    municipality_code: str | None
    oblast: str | None
    oblast_code: str | None
    year: int
    title: str
    source_file: str
    source_sha256: str
    encoding: str
    layout: str
    items: int
    lines_total: int
    lines_nonempty: int


@dataclass
class Record:
    item_id: str
    plan_id: str
    municipality: str
    year: int
    seq: int
    item_no: str | None
    parent_item_id: str | None
    section: str
    name: str
    description: str
    service_type: str | None
    settlements: list[Located]
    scope: str | None
    quarters: list[int] | None
    funding: list[tuple[str, str]]
    funding_raw: str
    amount_bgn: float | None
    capacity: int | None
    capacity_before: int | None
    capacity_unit: str | None
    staff: int | None
    units: int | None
    status: str
    provider: str
    place_raw: str
    term_raw: str
    layout: str
    source_file: str
    source_line: int
    source_lines: list[int]
    source_text: str
    source_ref: str | None = None  # .docx/.pdf: where the row starts ("стр. 2, табл. 1, ред 5"); None for text
    review: list[str] = field(default_factory=list)  # why a person should check it (docs/conventions.md)

    @property
    def funding_classes(self) -> list[str]:
        return sorted({c for c, _ in self.funding})


@dataclass
class NormalisedPlan:
    plan: PlanRecord
    records: list[Record]
    dispositions: list[tuple[int, str, str | None, str]]  # line, disposition, item_id, text
    issues: list[Issue]
    line_refs: dict[int, str] = field(default_factory=dict)  # line → place in a .docx/.pdf (Line.ref)


class PlanError(Exception):
    """A document that is text but cannot be loaded as a plan (no municipality, no year, no table)."""


def municipality_from_file_name(stem: str, reference: Reference) -> str | None:
    """'dupnitsa-2021' → the municipality whose transliterated name the file name carries (longest first)."""
    slug = transliterate(stem)
    found = [m for m in reference.municipalities.values() if re.search(rf"(^|-){transliterate(m.name)}(-|$)", slug)]
    return max(found, key=lambda m: len(m.name)).name if found else None


def same_name(name: str, reference: Reference) -> list[str]:
    """The codes of the EKATTE municipalities called `name` (two for Бяла: Varna and Ruse oblasts)."""
    return reference.municipalities_named(name)


def oblast_named(codes: list[str], text: str, reference: Reference) -> str | None:
    """Of municipalities sharing a name, the one whose oblast `text` names (Latin slug or Cyrillic); None unless one."""
    slug, words = f"-{transliterate(text)}-", f" {text.lower()} "
    hits = [c for c in codes if (o := reference.oblast_of(c)) and
            (f"-{transliterate(o.name)}-" in slug or re.search(rf"(?<!\w){re.escape(o.name.lower())}(?!\w)", words))]
    return hits[0] if len(hits) == 1 else None


def resolve_municipality(candidates: list[list[str]], reference: Reference) -> tuple[str, str | None]:
    """The municipality named in the heading: the EKATTE one most mentioned, else the text as written."""
    if reference.available:
        codes = Counter()
        for phrases in candidates:
            for phrase in phrases:
                found = reference.find_municipality(phrase)
                if found:
                    codes[found.code] += 1
                    break
        if codes:
            municipality = reference.municipalities[codes.most_common(1)[0][0]]
            return municipality.name, municipality.code
    # as written: the longest phrase of capitalised words
    longest = Counter(next((p for p in phrases if all(w[0].isupper() for w in p.split())), phrases[-1])
                      for phrases in candidates)
    if not longest:
        raise PlanError("the municipality cannot be determined from the heading ('Община …')")
    return " ".join(w.capitalize() for w in longest.most_common(1)[0][0].split()), None


BARE_NUMERALS = re.compile(r"^\s*(?:[ivx]{1,4}|[1-4])(?:\s*(?:[-–—,]|и|до)\s*(?:[ivx]{1,4}|[1-4]))*\s*$", re.I)
UNIT_WORD = {"q": "тримесечие", "h": "полугодие"}
MONTH_NUMBERS = re.compile(r"^\s*(?:1[0-2]|0?[1-9]|[ivx]{1,4})(?:\s*(?:[-–—,;]|и|до)\s*(?:1[0-2]|0?[1-9]|[ivx]{1,4}))*\s*$",
                           re.I)
MONTH_TOKEN = re.compile(r"\d+|[ivx]+|[-–—]|до", re.I)
ROMAN_MONTHS = {r: n for n, r in enumerate(("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"), 1)}
ROMAN_RANGES = re.compile(r"^\s*[ivx]{1,4}(?:\s*(?:[-–—,;]|и|до)\s*[ivx]{1,4})*\s*$", re.I)
BEYOND_QUARTERS = re.compile(r"(?<![ivx])(?:v|vi{1,3}|ix|xi{0,2})(?![ivx])", re.I)  # V … XII: months, never quarters


def month_numbers(text: str) -> set[int] | None:
    """The months a cell under a months header names by number ('1 – 12', '4 – 12', '3, 6, 9, 12', '5 и 9'):
    a range runs from its first to its last month; None when the cell is anything else or a range runs
    backwards."""
    if not MONTH_NUMBERS.match(text):
        return None
    months: set[int] = set()
    last, pending = None, False
    for token in MONTH_TOKEN.findall(text):
        roman = ROMAN_MONTHS.get(token.lower(), 0) if not token.isdecimal() and token[0] in "ivxIVX" else None
        if roman == 0:
            return None  # not a month's numeral ('XIV', 'IIII')
        if not token.isdecimal() and roman is None:
            pending = True
            continue
        value = roman or int(token)
        if pending:
            if last is None or value < last:
                return None
            months.update(range(last, value + 1))
        months.add(value)
        last, pending = value, False
    return months or None


SOURCE_PARTS = re.compile(r"\s*;\s*")
INCLUDED = re.compile(r"в\s*т\.\s*ч\.|в\s+това\s+число|от\s+които|включ", re.I)


def sources_sum(cell: str) -> Number | None:
    """A funding cell naming each source with its own amount ('ДДД – 184 000 лв.; Общински бюджет – 9 500 лв.'):
    the row's amount is their sum. Only when every part (between ';') is one source of its own funding class with
    one amount in leva, and no part says it is included in another ('в т.ч.', 'от които'); else None."""
    parts = [p for p in SOURCE_PARTS.split(cell) if p.strip()]
    if len(parts) < 2 or INCLUDED.search(cell):
        return None
    total, classes = 0.0, set()
    for part in parts:
        read = read_amount(part, bare_numbers=False)
        found = {c for c, _ in classify_funding(part)}
        if read.value is None or read.flag or len(found) != 1 or found & classes:
            return None
        total, classes = total + read.value, classes | found
    return Number(total)


def money_mark(cell: str) -> int | None:
    """A quarter cell of a schedule of amounts ('Разходи по тримесечия (лв.)'): money in it means the service is
    provided that quarter (1), an empty cell, a dash or 0 that it is not (0); so is a count of users ('Брой
    потребители по тримесечия': '22'); a mark is a mark; anything else is not understood."""
    marked = mark_value(cell)
    if marked is not None:
        return marked
    read = read_amount(cell, bare_numbers=True)
    return None if read.value is None else int(read.value > 0)


# a period stated inside a text, after its label, up to the end of its line or sentence ('… дейността. / Срок:
# 01.01.–31.12.2021 г.', 'срок: м. юли – м. декември 2021 г.', 'период 01.01.–30.06.2021 г.')
LABELLED_PERIOD = re.compile(r"(?:^|(?<=[/;.,]\s)|(?<=[/;.,]))\s*(?:срок|период)(?!\w)(?:\s+(?:за|на)\s+изпълнение)?\s*[:–—-]?"
                             r"\s*(?P<period>[^/;]+?)\s*(?:[/;]|$)", re.I)


@lru_cache(maxsize=8192)
def period_in_text(text: str) -> str:
    """The period a text states after a label of its own ('Срок: …', 'период …') when the table has no schedule
    column, else ''. Only a label opening the text, a line (' / ') or a sentence counts."""
    found = [m["period"] for m in LABELLED_PERIOD.finditer(text)]
    return found[0] if len(found) == 1 else ""


STATUS_CODE = re.compile(r"^\s*(?P<code>[А-Я][а-я]?)(?![\w.])")


@lru_cache(maxsize=4096)
def quarter_cell(cell: str, quarter: int) -> int | None:
    """A quarter cell: a mark as mark_value reads it, or the quarter's own label written in its column ('II' under
    II, 'III тр.' under III): marked. Another quarter's label stays not understood (None)."""
    value = mark_value(cell)
    return 1 if value is None and names_own_column(cell, f"q{quarter}") else value


def quarters_of(row: RawRow, term: str, year: int) -> tuple[list[int] | None, list[str]]:
    """q1-q4 of a row and its review flags: quarter columns as marked, month and half-year columns folded into
    quarters, else a period column naming months, dates or quarters of the plan year (the contract's
    Schedules). A schedule cell that is neither a mark nor a 'no' leaves the quarters empty, flagged."""
    if row.quarters is None:
        signs = month_string(term, row.term_unit == "m") if term else None
        if signs is not None:  # one sign a month: '□□□■■■■■■■■■'
            return [int(any(signs[3 * q:3 * q + 3])) for q in range(4)], []
        if row.term_unit == "m" or (not row.term_unit and ROMAN_RANGES.match(term) and BEYOND_QUARTERS.search(term)):
            # under "Месеци": '1 – 12', '3, 6, 9, 12', 'I–XII' name months; Roman numerals beyond IV are months
            months = month_numbers(term)
            if months is not None:
                return [int(any(3 * q - 2 <= m <= 3 * q for m in months)) for q in range(1, 5)], []
        elif row.term_unit and BARE_NUMERALS.match(term):  # under "Тримесечие": 'I–IV', 'II и IV' name quarters
            term = f"{term} {UNIT_WORD[row.term_unit]}"
        return (quarters_from_period(term, year) if term else None), []
    kind = row.schedule_kind or "q"
    if kind == "m" and len(row.quarters) == 12:
        quarters, unclear = quarters_from_months(row.quarters)
    elif kind == "b" and len(row.quarters) == 6:  # two months a cell: each cell stands for both its months
        quarters, unclear = quarters_from_months([cell for cell in row.quarters for _ in (1, 2)])
    elif kind == "h" and len(row.quarters) == 2:
        quarters, unclear = quarters_from_halves(row.quarters)
    elif len(row.quarters) == 4:
        values = [money_mark(q) if row.schedule_money else quarter_cell(q, k) for k, q in enumerate(row.quarters, 1)]
        unclear = None in values
        quarters = None if unclear else values
    else:
        return None, ["unknown_mark"]
    return quarters, (["unknown_mark"] if unclear else [])


def normalise_plan(parsed: ParsedPlan, reference: Reference) -> NormalisedPlan:
    doc = parsed.document
    if not parsed.rows:
        raise PlanError(parsed.issues[-1].message if parsed.issues else "no plan table")
    issues = list(parsed.issues)
    plan_flags: list[str] = []
    year = parsed.year
    if year is None:
        from_name = YEAR.search(Path(doc.name).stem)
        if not from_name:
            raise PlanError("the plan year cannot be determined from the heading ('за 2021 година', "
                            "'планов период 2020') nor from the file name")
        year = int(from_name.group(1))
        plan_flags.append("guessed_year")
        issues.append(Issue("warning", "year_from_file_name", f"no plan year in the heading; {year} taken from the file name"))
    candidates = parsed.municipality_candidates
    shared = any(len(same_name(p, reference)) > 1 for ps in candidates for p in ps)  # a name two municipalities bear
    if candidates and reference.available and not shared and \
            not any(reference.find_municipality(p) for ps in candidates for p in ps):
        # the heading names no municipality EKATTE knows: the file name may
        if municipality_from_file_name(Path(doc.name).stem, reference):
            candidates = []
    if not candidates and reference.available:
        found = municipality_from_file_name(Path(doc.name).stem, reference)
        if found:
            candidates = [[found]]
            plan_flags.append("guessed_municipality")
            issues.append(Issue("warning", "municipality_from_file_name",
                                f"no 'Община …' in the heading; {found} taken from the file name"))
    municipality, code = resolve_municipality(candidates, reference)
    homonyms = same_name(municipality, reference)
    if code is None and len(homonyms) > 1:  # two municipalities named Бяла: the oblast in the file name or heading
        code = oblast_named(homonyms, f"{Path(doc.name).stem} {parsed.title or ''}", reference)
    oblast = reference.oblast_of(code) if code else None
    # identity is the EKATTE code: a name two municipalities share gets its oblast in the plan id ('byala-varna-2021')
    plan_id = (f"{transliterate(municipality)}-{transliterate(oblast.name)}-{year}" if oblast and len(homonyms) > 1
               else f"{transliterate(municipality)}-{year}")
    notes = [ln.cells[ln.nonempty[0]] for ln in doc.lines if len(ln.nonempty) == 1]
    legend = read_legend(notes)
    ctx = _Context(plan_id, municipality, code, year, doc.name, reference, issues, plan_flags,
                   preparation_marks(legend), Abbreviations(read_abbreviations(notes)), read_codes(notes))
    records = [ctx.record(i, row, parsed.rows) for i, row in enumerate(parsed.rows)]
    plan = PlanRecord(plan_id, municipality, code, oblast.name if oblast else None, oblast.code if oblast else None,
                      year, parsed.title, doc.name, doc.sha256, doc.encoding, ";".join(parsed.layouts),
                      len(records), len(doc.lines), sum(not ln.is_blank for ln in doc.lines))
    dispositions = []
    for ln in doc.lines:
        if ln.is_blank:
            continue
        disposition, row = parsed.dispositions.get(ln.no, ("prose", None))
        dispositions.append((ln.no, disposition, records[row].item_id if row is not None else None, ln.raw[:500]))
    refs = {ln.no: ln.ref for ln in doc.lines if ln.ref is not None and not ln.is_blank}
    return NormalisedPlan(plan, records, dispositions, ctx.issues, refs)


class Abbreviations:
    """The abbreviations a plan explains in its legend or notes ('МД – местна дейност')."""

    def __init__(self, meanings: dict[str, str]):
        self.meanings = meanings
        self.pattern = re.compile("|".join(rf"(?<!\w){re.escape(a)}(?!\w)" for a in meanings)) if meanings else None

    def expanded(self, text: str) -> str:
        """The text with each explained abbreviation replaced by its meaning ('ДСП' → 'Домашен социален патронаж')."""
        if self.pattern is None or not text:
            return text
        return self.pattern.sub(lambda m: self.meanings[m.group(0)], text)

    def spelled_out(self, text: str) -> str:
        """The text followed by the meaning of each explained abbreviation it uses."""
        if self.pattern is None or not text:
            return text
        used = dict.fromkeys(self.meanings[m.group(0)] for m in self.pattern.finditer(text))
        return " ".join([text, *used])


def sum_parts(parts: list[str]) -> Number:
    """The places of a service given in parts (columns 'деца' and 'пълнолетни'): the sum of the parts that state a
    count, a dash or an empty part counting none; a part that cannot be read leaves the sum empty, flagged."""
    total, counted = 0, False
    for text in parts:
        if NO_CAPACITY.match(text.strip()):
            continue
        read = parse_capacity_cell(text)
        if read.flag or read.capacity is None:
            return Number(None, read.flag or UNPARSED)
        total, counted = total + read.capacity, True
    return Number(total if counted else None)


CAPACITY_DISAGREE = "capacity_parts_disagree"  # capacity columns by part and their total do not add up


def total_of_parts(totals: list[str], parts: list[str]) -> str | None:
    """The capacity cell of a row whose places are given in parts and in a total column ('гр. Смядово' | 'с. Риш' |
    'Общо'): the total's text, when the parts that state places add up to it (or state none, or count something
    else than the total reads as places: '1' | '1' | '3 клуба'); None when they disagree or there are two totals."""
    if len(totals) != 1:
        return None
    total = parse_capacity_cell(totals[0])
    summed = sum_parts(parts) if parts else Number(None)
    if total.capacity is not None and summed.value is not None and summed.value != total.capacity:
        return None
    if total.capacity is not None and summed.flag:
        return None
    return totals[0]


UNIT_COUNT = re.compile(r"^\s*([1-9]\d?)\s*$")


def unit_product(cells: dict[str, str]) -> bool:
    """A capacity per unit beside the count of units ('Брой единици' 2 | 'Капацитет на единица' 14 | 'Общ
    капацитет' 28): the total is checked against units × per unit, or is that product when the row gives no
    total; a per-unit change ('от 20 на 25') of a single unit is the capacity before. False when the figures
    disagree or cannot be read together (the capacity is then left empty, flagged); the cells are completed."""
    each_text = cells.pop("capacity_each").strip()
    if NO_CAPACITY.match(each_text):
        return True  # no places per unit stated ('–'): the total column, if any, stands alone
    each = parse_capacity_cell(each_text)
    counted = UNIT_COUNT.match(cells.get("units", ""))
    total_text = cells.get("capacity", "").strip()
    total = parse_capacity_cell(total_text) if total_text and not NO_CAPACITY.match(total_text) else None
    if each.flag or each.capacity is None or counted is None or (total is not None and total.flag):
        return total is not None and total.capacity is not None and counted is None and not each.flag \
            and each.capacity == total.capacity  # no count of units: the same figure in both columns
    n = int(counted.group(1))
    if total is None:
        cells["capacity"] = str(n * each.capacity)
    elif total.capacity != n * each.capacity:
        return False
    if each.before is not None and n == 1 and total is not None and total.before is None and \
            not cells.get("capacity_before"):
        cells["capacity_before"] = str(each.before)
    return True


PART_LEVA = re.compile(r"^\W*(?:в\s+)?(?:лв\.?|лева|bgn)\W*$", re.I)
PART_EURO = re.compile(r"^\W*(?:в\s+)?(?:евро|eur|€)\W*$", re.I)
PART_TOTAL = re.compile(r"^\W*(?:общо|всичко)(?!\w)", re.I)
BRACKETS = re.compile(r"\(([^()]*)\)")
DISAGREE = "amount_parts_disagree"  # amount columns of one row that should agree do not (sources vs. total, лв. vs. евро)


@dataclass(frozen=True)
class Parts:
    value: float | None
    flag: str | None
    sources: str  # the sources of money the filled columns name, for the funding classes


def read_parts(parts: list[tuple[str, str]], scale: float | None) -> Parts | None:
    """A row's amount from several amount columns, each read on its own (never one number of two cells): columns
    by source of money ('ДДД', 'Общински бюджет', 'Други източници' – a source the cell names wins, in brackets or
    beside the number) with or without a total column ('Общо'), or one column in leva and one in euro. The total is
    the amount; the sources' sum is checked against it; with no total, a single source's amount is the amount and
    several leave it empty (several_amounts). Leva and euro are the same sum at the fixed rate or the amount is left empty. None
    when a label is of no known kind (the caller reads the cells as one amount column)."""
    unit = 1.0 if scale is None else scale
    leva = euro = total = None
    values: list[float] = []
    sources: list[str] = []
    flags: list[str] = []
    kinds = {"leva": 0, "euro": 0, "source": 0, "total": 0}
    for label, text in parts:
        body = BRACKETS.sub(" ", text).strip(" |")
        note = " ".join(BRACKETS.findall(text))
        kind = ("leva" if PART_LEVA.match(label) else "euro" if PART_EURO.match(label) else
                "total" if PART_TOTAL.match(label) else "source" if classify_funding(label) else None)
        if kind is None:
            return None
        kinds[kind] += 1
        read = read_amount(body, scale=1.0 if kind == "euro" else unit, bare_numbers=True)
        if read.flag:
            flags.append(read.flag)
        if kind == "source" and (read.value or (read.flag and body)):
            # the source the cell names wins over its column's ('Други източници': 'НП „АХУ“ – 187 000')
            sources.append(note if note and classify_funding(note) else body if classify_funding(body) else label)
        if read.value is None:
            continue
        if kind == "source":
            values.append(read.value)
        elif kind == "total":
            total = read.value
        elif kind == "leva":
            leva = read.value
        else:
            euro = read.value
    if (kinds["leva"] or kinds["euro"]) and (kinds["source"] or kinds["total"]):
        return None
    flag = flags[0] if flags else None
    if kinds["leva"] or kinds["euro"]:
        if leva is not None and euro is not None and abs(euro * float(LEVA_PER_EURO) - leva) > 1:
            return Parts(None, DISAGREE, "")
        if leva is None:
            return Parts(None, flag or ("unparsed_number" if euro is not None else None), "")
        return Parts(leva, None, "")
    if total is not None:
        if values and abs(sum(values) - total) > 0.005:
            return Parts(None, DISAGREE, "; ".join(sources))
        return Parts(total, None, "; ".join(sources))
    if flag or len(values) > 1:
        return Parts(None, flag or "several_amounts", "; ".join(sources))
    return Parts(values[0] if values else None, None, "; ".join(sources))


@dataclass
class _Context:
    plan_id: str
    municipality: str
    code: str | None
    year: int
    source_file: str
    reference: Reference
    issues: list[Issue]
    plan_flags: list[str] = field(default_factory=list)  # guessed_year, guessed_municipality: on every record
    preparation: frozenset[str] = frozenset({"+"})  # schedule marks that mean preparation only
    abbreviations: Abbreviations = field(default_factory=lambda: Abbreviations({}))  # the plan's own legend
    codes: dict[str, str] = field(default_factory=dict)  # one-letter codes its legend explains ('Н – нова услуга')

    def record(self, index: int, row: RawRow, rows: list[RawRow]) -> Record:
        cells = {k: clean(v) for k, v in row.cells.items()}
        review = list(row.flags) + self.plan_flags
        parent = rows[row.parent] if row.parent is not None else None
        extras = " ".join(v for k, v in cells.items() if k.startswith("extra") and v)
        if extras:
            review.append("unknown_column")
        description = join_texts(cells.get("description") or cells.get("activities", ""), extras)
        name = cells.get("name") or description or (clean(parent.cells.get("name")) if parent else "")
        # what the row says of itself, wherever the plan wrote it: status, staff and capacity may stand in a
        # status column, the notes or the indicators as well as in the title and description
        said = [cells.get(k, "") for k in ("status", "target_group", "notes", "indicator", "results")]
        text = " ; ".join(t for t in (name, description, cells.get("activities", ""), *said) if t)
        # an abbreviation the plan explains means what the plan says ('ДСП – Домашен социален патронаж')
        service = classify_service(self.abbreviations.expanded(name), self.abbreviations.expanded(description))
        if service is None and parent is not None and row.section in (None, "social_service") and PART_OF.search(text):
            # a sub-row naming no service of its own but a part of one ("в т.ч. изнесена група", "Разширяване на
            # обхвата – …", places of its own) is of the service its numbered row's title names; one that names an
            # activity ("Информационна кампания за услугата") is a measure
            service = classify_service(clean(parent.cells.get("name")))
        measure = service is None and row.section not in (None, "social_service")
        capacity = self.capacity(cells, text, review, service, measure)
        if capacity.capacity is not None and is_activity(name):
            # a study, planning, preparation, campaign or training runs no service this year: a number of places in
            # its row ('до 20 места') is what a future service may hold, not a capacity; left empty for a person
            review.append(ACTIVITY_CAPACITY)
            capacity = Capacity()
        if capacity.capacity is not None and "до" in (cells.get("capacity") or text) and \
                str(capacity.capacity) in PEOPLE_CEILING.findall(cells.get("capacity") or text):
            review.append(CEILING_CAPACITY)  # 'до 60 потребители': at most so many served, no count of them
            capacity = Capacity()
        funding_raw = cells.get("funding", "")
        parts = [(k.partition(":")[2], cells.pop(k)) for k in [k for k in cells if k.startswith("amount:")]]
        from_parts = read_parts(parts, row.scale) if parts else None
        if from_parts is None and parts:  # labels of no known kind: the cells read as one amount column
            cells["amount"] = " | ".join(filter(None, [cells.get("amount", ""), *(t for _, t in parts)]))
        elif from_parts is not None:
            funding_raw = "; ".join(filter(None, [funding_raw, from_parts.sources]))
        if not funding_raw and row.funding_heading:  # the heading over the row names its money, unless the row does
            noted = " ; ".join(t for t in (cells.get("notes", ""), cells.get("status", "")) if t)
            funding_raw = noted if noted and classify_funding(noted) else row.funding_heading
        funding = classify_funding(self.abbreviations.spelled_out(funding_raw))
        if row.currency and cells.get("amount"):  # the header names euro: each bare number in its currency
            cells["amount"] = with_currency(cells["amount"], row.currency)
        if from_parts is not None:
            amount = from_parts.value
            review += [from_parts.flag] if from_parts.flag else []
        else:
            amount = self.amount(cells, funding_raw, row.scale, row.money_in_funding, review)
        place = self.place(row, cells, name, description, service is not None)
        term, duration = cells.get("term", ""), cells.get("duration", "")
        if not term and not duration and row.quarters is None and ("рок" in description or "ериод" in description):
            term = period_in_text(description)  # no schedule column: 'Описание … / Срок: 01.01.–31.12.2021 г.'
        from_duration = quarters_from_duration(term, duration, self.year) if duration and term else None
        # a start and a length in months ('01.04.' | '9'); a length column alone is read as the period
        quarters, flags = (from_duration, []) if from_duration else quarters_of(row, term or duration, self.year)
        review += flags
        if cells.get("staff"):
            staff_cell = parse_staff_cell(cells["staff"])
            staff = None if staff_cell.value is None else int(staff_cell.value)
            if staff_cell.flag:
                review.append(staff_cell.flag)
        elif measure:
            # a measure's texts count the people it reaches ("Обучение на персонала (40 служители)"): staff is a
            # service's own personnel, so a measure has staff only from a staff column
            staff = None
        else:
            staff, staff_flag = read_staff(name, description, cells.get("activities", ""), *said,
                                           cells.get("capacity", ""), funding_raw)
            if staff_flag:
                review.append(staff_flag)
        status_cell = cells.get("status", "")
        code = STATUS_CODE.match(status_cell)
        if code and code["code"] in self.codes:  # a code of the plan's legend ('Н', 'Нм'): read as its meaning
            status_cell = f"{self.codes[code['code']]} {status_cell[code.end():]}".strip()
        status_text = f"{status_cell} ; {text}" if status_cell else text
        units, units_flag = read_units(name, description, service is not None)
        in_capacity = units_in_capacity(cells.get("capacity", "")) if service is not None else None
        counted = UNIT_COUNT.match(cells.get("units", ""))
        if counted and service is not None and not in_capacity:  # a column counting the units ('Брой единици')
            in_capacity = int(counted.group(1))
        if in_capacity and not units_flag:  # '2 х 12 места': two units
            if units in (None, 1):
                units = in_capacity
            elif units != in_capacity:  # the title and the capacity count the units differently: not sure which
                units, units_flag = None, UNPARSED
        if units_flag:
            review.append(units_flag)
        elif units is None and service is not None:
            review.append("units_unknown")
        status = find_status(status_text, self.year, row.quarters, capacity, self.preparation)
        if status == "planned" and capacity.capacity is not None and \
                CEILING.search(f"{cells.get('capacity', '')} ; {text}"):
            # preparation only (a study, a project, an application) of a service of at most so many places ('до 15
            # места'): what it may hold once opened, not places in the plan year
            review.append(ACTIVITY_CAPACITY)
            capacity = Capacity()
        line = row.first_line
        record = Record(
            item_id=f"{self.plan_id}:{line}" + (f".{row.column}" if row.column else ""), plan_id=self.plan_id, municipality=self.municipality, year=self.year,
            seq=index + 1, item_no=row.item_no,
            parent_item_id=f"{self.plan_id}:{parent.first_line}" if parent else None,
            section=row.section or ("social_service" if service else "horizontal_measure"),
            name=name, description=description, service_type=service,
            settlements=place.settlements, scope=place.scope, quarters=quarters,
            funding=funding, funding_raw=funding_raw, amount_bgn=amount,
            capacity=capacity.capacity, capacity_before=capacity.before,
            capacity_unit=capacity.unit if capacity.capacity is not None else None,
            staff=staff, units=units,
            status=status, provider=cells.get("provider", ""),
            place_raw=cells.get("place", ""), term_raw=cells.get("term", ""), layout=row.layout,
            source_file=self.source_file, source_line=line, source_lines=[ln.no for ln in row.lines],
            source_text="\n".join(ln.raw for ln in row.lines), source_ref=row.lines[0].ref, review=review)
        self.check(record, place)
        record.review = list(dict.fromkeys(record.review))
        return record

    def capacity(self, cells: dict[str, str], text: str, review: list[str], service: str | None,
                 measure: bool = False) -> Capacity:
        """From a capacity column when the table has one and the cell says something, else from the texts (not a
        measure's: a row that is no service, under a heading of measures). A
        number with no unit counts places, or families for foster care; a 'before' equal to the capacity is no
        change."""
        parts = [(k.partition(":")[2], cells.pop(k)) for k in [k for k in cells if k.startswith("capacity:")]]
        stated = [(label, text) for label, text in parts if not NO_CAPACITY.match(text.strip())]
        totals = [text for label, text in stated if PART_TOTAL.match(label)]
        if totals:  # a total column beside the parts ('Общо'): the total is the capacity, the parts are checked
            agreed = total_of_parts(totals, [text for label, text in stated if not PART_TOTAL.match(label)])
            if agreed is None:
                review.append(CAPACITY_DISAGREE)
                return Capacity()
            cells["capacity"], stated = agreed, []
        if stated:  # places in parts ('деца' | 'пълнолетни'): their sum
            summed = sum_parts([text for _, text in stated])
            # columns named by their unit ('места' | 'потребители' | 'семейства'): the unit of the one that holds
            # the number; numbers of different units are not added up
            units = {UNIT_WORDS.get(label.strip().lower()) for label, _ in stated}
            plain = cells.get("capacity", "").strip()  # a column of the same header not named as a part
            if summed.flag or (len(units) > 1 and None not in units) or (plain and not NO_CAPACITY.match(plain)):
                review.append(summed.flag or UNPARSED)
                return Capacity()
            unit_word = stated[0][0].strip() if len(units) == 1 and None not in units else ""
            cells["capacity"] = "" if summed.value is None else f"{int(summed.value)} {unit_word}".strip()
        if cells.get("capacity_each", "").strip() and not unit_product(cells):
            review.append(CAPACITY_DISAGREE)
            return Capacity()
        cell = cells.get("capacity", "")
        if " | " in cell:  # numbers of several rows: a breakdown by settlement under the service's total
            cell = capacity_breakdown_total(cell)
        if CAPACITY_ELSEWHERE.match(cell.lower()):
            cell = ""  # 'съгласно лиценза', 'по стандарт': the number is the one the notes or the texts state
        if cell:
            read = parse_capacity_cell(cell)
            if read.flag:
                review.append(read.flag)
                return Capacity()
            before_cell = cells.get("capacity_before", "").strip()
            opened = False
            if read.capacity is not None and before_cell:  # a column of the capacity before, read as the other
                earlier = parse_capacity_cell(before_cell)
                opened = NO_CAPACITY.match(before_cell) is not None  # '–' before a number: it did not exist
                if earlier.flag or earlier.before is not None or (earlier.capacity is None and not opened) or \
                        (earlier.unit and read.unit and earlier.unit != read.unit):
                    review.append("unparsed_number")
                    earlier = Capacity(None)
                read = replace(read, before=earlier.capacity)
            if read.capacity is not None:
                direction = "new" if opened else None
                if read.before is None:  # the change may be stated in the texts: "… от 15 на 24 места"
                    facts = capacity_facts(text)
                    if facts and facts[0] == "change" and facts[3] == read.capacity and self.year in (facts[1] or {self.year}):
                        read = replace(read, before=facts[2])
                change = SIGNED_CHANGE.match(cells.get("status", "")) if read.before is None else None
                if change:  # a change column ('Промяна (+/–)': '+5', '–10', '0'): the capacity before is the rest
                    sign, by = change.groups()
                    before = read.capacity - (int(by) if sign == "+" else -int(by))
                    if before < 0:
                        review.append(UNPARSED)
                    elif before == 0:
                        direction = "new"  # '+15' beside 15: the service is new, it had no capacity before
                    else:
                        read = replace(read, before=before)
                if read.before == read.capacity:
                    read = replace(read, before=None)
                if read.before is not None:
                    direction = "expanded" if read.capacity > read.before else "reduced" if read.capacity < read.before else None
                said = UNIT_SAID.search(text)
                unit = read.unit or (unit_of(said.group(1)) if said else None) or \
                    ("families" if service == "FOSTER_CARE" else "places")
                return Capacity(read.capacity, read.before, unit, direction)
        if measure:  # a measure's texts count what it reaches ('Обучение на 20 приемни семейства'), not places
            return Capacity()
        read = parse_capacity(text, self.year)
        if read.flag:
            review.append(read.flag)
        if service == "FOSTER_CARE" and read.unit == "places" and not PLACES_WRITTEN.search(text):
            read.unit = "families"  # foster care counts families unless the plan writes places
        return read

    @staticmethod
    def amount(cells: dict[str, str], funding_raw: str, scale: float | None, money_in_funding: bool,
               review: list[str]) -> float | None:
        """The row's amount in leva: from an amount column (bare numbers in its header's unit), else the funding
        cell; a number not read completely, or several without a total, leaves it empty, flagged."""
        cell = cells.get("amount", "")
        if " | " in cell:  # numbers of several rows: a budget breakdown under the row's total is no amount of its own
            cell = breakdown_total(cell)
        if scale is None:  # the table's headers or caption disagree on the unit: only an amount with its currency
            read = read_amount(cell or funding_raw, bare_numbers=False)
            bare = cell or (funding_raw if money_in_funding else "")  # where a bare number would be an amount
            if read.value is None and not read.flag and bare and read_amount(bare, bare_numbers=True).value is not None:
                read = replace(read, flag=SCALE_UNCLEAR)
        elif cell:
            read = read_amount(cell, scale=scale, bare_numbers=True)
        else:  # a funding cell, in the unit its header names when it names one ("Финансиране (хил. лв.)")
            read = read_amount(funding_raw, scale=scale, bare_numbers=money_in_funding)
            if (money_in_funding and read.value is not None
                    and len(NUMBERS_IN.findall(blank_distractors(funding_raw))) > 1  # not programme periods, dates
                    and not TOTAL_LABEL.search(funding_raw)):
                read = replace(read, value=None, flag="several_amounts")  # bare numbers of several sources
            elif read.flag == "several_amounts":
                read = sources_sum(funding_raw) or read
        if read.flag:
            review.append(read.flag)
        return read.value

    def place(self, row: RawRow, cells: dict[str, str], name: str, description: str, is_service: bool) -> Place:
        if cells.get("place"):
            return parse_place(cells["place"], self.code, self.reference)
        tail = PLACE_AFTER_DASH.search(name)
        if tail:  # no place column: the place after a dash in the name ('ЦОП – гр. Дряново', 'ЛА – Община Дряново')
            place = parse_place(tail.group(1), self.code, self.reference)
            if (place.settlements or place.scope) and not place.unmatched:
                return place
        place = places_in_text(f"{name} {description}", self.code, self.reference)
        if not place.settlements and (WIDE_IN_TEXT.search(name) or MUNICIPALITY_AT_END.search(name)):  # 'Приемна грижа – на територията на общината'
            place.scope = "municipality"
        if not place.settlements and not place.scope and row.place_heading:  # the settlement heading over the row
            return parse_place(row.place_heading, self.code, self.reference)
        if not place.settlements and not place.scope and row.group_place and is_service:
            # a service under a merged place cell (the place column first, filled on its group's first row); a
            # measure's blank place stays blank (it may be said of no place)
            return parse_place(row.group_place, self.code, self.reference)
        return place

    def check(self, record: Record, place: Place) -> None:
        def warn(category: str, message: str, severity: str = "warning") -> None:
            self.issues.append(Issue(severity, category, message, record.source_line))
            if severity == "warning":
                record.review.append(category)

        if record.section == "social_service" and not record.service_type:
            warn("unknown_service", f"no service type recognised in the social-services section: {record.name[:80]!r}")
        if record.funding_raw and not record.funding:
            warn("no_funding", f"no funding class recognised in {record.funding_raw[:80]!r}")
        elif not record.funding_raw:
            warn("no_funding", "no funding stated", "notice")
        for name in place.unmatched:
            if self.reference.available:
                warn("settlement_unmatched", f"settlement {name!r} not found in EKATTE for {self.municipality}")
