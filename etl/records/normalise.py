"""Normalise stage: raw rows + reference → canonical records (service type, capacity, funding, places, status)."""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from ..reference import Reference
from ..rows.parse import Issue, ParsedPlan, RawRow
from ..vocabulary import DATA
from .numbers import parse_amount as read_amount
from .numbers import parse_capacity_cell, parse_count, words_to_digits
from .schedule import (
    mark_value,
    quarters_from_halves,
    quarters_from_months,
    quarters_from_period,
    read_legend,
)
from .services import classify_service

NUMBER_WORDS = {"един": 1, "една": 1, "едно": 1, "два": 2, "две": 2, "три": 3, "четири": 4, "пет": 5,
                "шест": 6, "седем": 7, "осем": 8, "девет": 9, "десет": 10}
UNIT_WORDS = {"места": "places", "място": "places", "бр": "places", "потребители": "users",
              "потребителя": "users", "семейства": "families"}
TRANSLIT = dict(zip("абвгдежзийклмнопрстуфхцчшщъьюя",
                    ["a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r",
                     "s", "t", "u", "f", "h", "ts", "ch", "sh", "sht", "a", "y", "yu", "ya"], strict=True))
YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")


# --- reference tables kept as CSV in etl/data ---------------------------------------------------


@lru_cache(maxsize=1)
def funding_patterns() -> list[tuple[str, re.Pattern, str]]:
    with open(DATA / "funding_phrases.csv", encoding="utf-8") as f:
        return [(r["funding_class"], re.compile(r["pattern"], re.I), r["unless"]) for r in csv.DictReader(f)]


@lru_cache(maxsize=1)
def status_patterns() -> list[tuple[str, re.Pattern, tuple[str, ...]]]:
    """The status phrases, written in lower case and matched on lower-cased text (without re.IGNORECASE the
    engine finds literal stems quickly), each with its keywords: stems one of which every match contains, so
    a text holding none is not searched (tests/test_vocabulary.py checks both on every text of the samples,
    the test plans and their variations)."""
    with open(DATA / "status_phrases.csv", encoding="utf-8") as f:
        return [(r["status"], re.compile(r["pattern"].lower()), tuple(r["keywords"].split(";")))
                for r in csv.DictReader(f)]


@lru_cache(maxsize=1)
def service_types() -> dict[str, dict[str, str]]:
    with open(DATA / "service_types.csv", encoding="utf-8") as f:
        return {r["code"]: r for r in csv.DictReader(f)}


# --- text helpers --------------------------------------------------------------------------------


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
    low = re.sub(r"ия\b", "ia", name.lower())
    latin = "".join(TRANSLIT.get(ch, ch) for ch in low)
    return re.sub(r"[^a-z0-9]+", "-", latin).strip("-")


def to_int(text: str) -> int:
    return int(re.sub(r"\s", "", text))


# --- service type --------------------------------------------------------------------------------


# --- capacity, staff, units, amounts ----------------------------------------------------------------

CHANGE = re.compile(r"(?:капацит|увеличава|увеличени|разширява|намалява|намалени)\w*[^;]{0,40}?\bот\s+(\d{1,4})\s*(?:места|м\.|приемни семейства)?\s+на\s+(\d{1,4})\s*"
                    r"(места|потребители|приемни семейства)?")
NUMBER = r"\d{1,3}(?:[ \u00a0]\d{3})+|\d{1,5}"
EXPLICIT = re.compile(rf"капацит\w*\s*[-–—:]?\s*(?:до\s+)?({NUMBER})\s*(места|място|бр|потребител\w*|приемни семейства)?")
PLAIN_UNIT = re.compile(rf"(?<![\d.])({NUMBER})\s*(места|приемни семейства|потребител\w*)")
# CHANGE, EXPLICIT and PLAIN_UNIT are written in lower case and read lower-cased text (capacity_facts): without
# re.IGNORECASE the engine finds their literal stems quickly


@dataclass
class Capacity:
    capacity: int | None = None
    before: int | None = None
    unit: str | None = None
    direction: str | None = None  # expanded | reduced when changed in the plan year


def unit_of(word: str | None) -> str:
    if not word:
        return "places"
    word = word.lower().rstrip(".")
    if word.startswith("потребител"):
        return "users"
    return UNIT_WORDS.get(word.split()[-1], "places")


def years_near(text: str, start: int, end: int) -> set[int]:
    return {int(y) for y in YEAR.findall(text[max(0, start - 45):end + 60])}


def parse_capacity(text: str, year: int) -> Capacity:
    """The capacity a text states (numbers also in words: 'капацитет дванадесет места')."""
    return Capacity(*_parse_capacity(text, year))


@lru_cache(maxsize=16384)
def _parse_capacity(text: str, year: int) -> tuple:
    if NUMBER_WORD_IN.search(text):
        text = words_to_digits(text)[0]
    c = _read_capacity(text, year)
    return c.capacity, c.before, c.unit, c.direction


def _read_capacity(text: str, year: int) -> Capacity:
    facts = capacity_facts(text)
    if facts is None:
        return Capacity()
    if facts[0] == "stated":
        return Capacity(facts[1], None, facts[2])
    _, years, before, after, unit = facts
    if years and year not in years:
        if min(years) > year:  # announced for a later year: the plan year ends with the old figure
            return Capacity(before, None, unit)
        return Capacity(after, None, unit)  # made in an earlier year: the current state
    direction = "expanded" if after > before else "reduced" if after < before else None
    return Capacity(after, before, unit, direction)


@lru_cache(maxsize=16384)
def capacity_facts(text: str) -> tuple | None:
    """What a text says of capacity, whatever the plan year (the same text recurs in the plans of other
    years): its first change ('change', years it is dated in, from, to, unit), else a stated capacity
    ('stated', value, unit), else None."""
    text = text.lower()
    for m in CHANGE.finditer(text):
        years = frozenset(years_near(text, m.start(1) - 4, m.end()))
        return "change", years, int(m.group(1)), int(m.group(2)), unit_of(m.group(3))
    m = EXPLICIT.search(text) or PLAIN_UNIT.search(text)
    if m:
        return "stated", to_int(m.group(1)), unit_of(m.group(2))
    return None


STAFF = [re.compile(r"персонал\w*\s*[-–—:]?\s*(\d{1,4})", re.I),
         re.compile(r"(\d{1,4})\s*(?:лични|социални)?\s*асистент", re.I),
         re.compile(r"(\d{1,4})\s*(?:служители|специалисти|души персонал)", re.I)]


@lru_cache(maxsize=16384)
def parse_staff(text: str) -> int | None:
    for pattern in STAFF:
        m = pattern.search(text)
        if m:
            return int(m.group(1))
    return None


NUMBER_WORD = "|".join(NUMBER_WORDS)
NUMBER_WORD_IN = re.compile(r"(?<!\w)(" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")", re.I)
UNITS = [re.compile(r"[-–—]\s*(\d{1,3})\s*бр\b", re.I),
         # "Клубове на пенсионера – четири", "… – четири клуба"
         re.compile(rf"[-–—]\s*({NUMBER_WORD})\s*(?:бр\b|броя\b|клуб\w*|цент\w*|жилищ\w*|звен\w*|дом\w*)?\.?\s*$",
                    re.I),
         re.compile(rf"(\d{{1,3}}|{NUMBER_WORD})\s+броя\b", re.I),
         re.compile(rf"^({NUMBER_WORD})\s+\S", re.I),
         re.compile(r"(\d{1,3})\s*бр\.?\s*(?:клуб|цент|жилищ|цнст|звен|дом)", re.I)]


TITLE_UNITS = 4  # the first UNITS patterns are read in the title alone, the last in the title and description


@lru_cache(maxsize=16384)
def parse_units(name: str, description: str, has_type: bool) -> int | None:
    # the title's part remembered per title: titles recur from plan to plan, descriptions vary
    found = _units_in_title(name) if len(name) <= 2000 else _units_in_title.__wrapped__(name)
    if found is None:
        text = f"{name} {description}"
        for pattern in UNITS[TITLE_UNITS:]:
            m = pattern.search(text)
            if m:
                return unit_value(m)
    return found if found is not None else 1 if has_type else None


@lru_cache(maxsize=16384)
def _units_in_title(name: str) -> int | None:
    """What the title-only UNITS patterns find in a title."""
    for pattern in UNITS[:TITLE_UNITS]:
        m = pattern.search(name)
        if m:
            return unit_value(m)
    return None


def unit_value(m: re.Match) -> int:
    value = m.group(1).lower()
    return int(value) if value.isdigit() else NUMBER_WORDS[value]


# --- funding and status ---------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def classify_funding(text: str) -> tuple[tuple[str, str], ...]:
    """Funding classes with the phrase that signalled each; a matched phrase is used up so that a
    longer, more specific phrase decides (e.g. 'чрез бюджета на общината' is not municipal money).
    A phrase with an 'unless' class does not count next to that class ('държавния бюджет' beside
    a ДДД phrase is where the ДДД money comes from)."""
    rest = text
    found: list[tuple[str, str, str]] = []
    for cls, pattern, unless in funding_patterns():
        matches = list(pattern.finditer(rest))
        if not matches:
            continue
        if cls:
            found += [(cls, text[m.start():m.end()], unless) for m in matches]
        rest = blank(rest, matches)  # what pattern.sub would replace: the same non-overlapping matches
    classes = {c for c, _, _ in found}
    return tuple((c, p) for c, p, unless in found if not (unless and unless in classes))


def blank(text: str, matches: list[re.Match]) -> str:
    """The text with the matched spans replaced by as many spaces."""
    parts, at = [], 0
    for m in matches:
        parts += [text[at:m.start()], " " * (m.end() - m.start())]
        at = m.end()
    return "".join(parts) + text[at:]


@lru_cache(maxsize=16384)
def status_phrases_in(text: str, year: int) -> tuple[tuple[str, str], ...]:
    """(status, phrase) for each status phrase in the text that is not dated in another year."""
    hits: dict[str, str] = {}
    for status, phrase, years in status_matches(text):
        if not years or year in years:
            hits.setdefault(status, phrase)
    return tuple(hits.items())


@lru_cache(maxsize=16384)
def status_matches(text: str) -> tuple[tuple[str, str, frozenset[int]], ...]:
    """Every status phrase in the text, in pattern order, with the years it is dated in (the same text
    recurs in the plans of other years, so this part is remembered whatever the plan year)."""
    found = []
    text = text.lower()
    for status, pattern, keywords in status_patterns():
        if not any(k in text for k in keywords):
            continue
        for m in pattern.finditer(text):
            years = years_near(text, m.start(), m.end())
            if status == "new" and "от" in m.group(0).lower():
                years = {int(y) for y in YEAR.findall(text[m.end():m.end() + 12])} or years
            found.append((status, m.group(0), frozenset(years)))
    return tuple(found)


NUMBERS_IN = re.compile(r"(?<![\d.,])\d+(?:[ \u00a0.,]\d+)*")
TOTAL_LABEL = re.compile(r"\bобщ(о|а|ия)\b", re.I)
PREPARATION = re.compile(r"подготов|изграждан|планиран|проектиран|кандидатстван|проучван", re.I)


def preparation_marks(legend: dict[str, str]) -> frozenset[str]:
    """The schedule marks that mean preparation only: those the plan's legend says so of, else '+' (the contract)."""
    if not legend:
        return frozenset({"+"})
    return frozenset(mark for mark, meaning in legend.items() if PREPARATION.search(meaning))


def find_status(text: str, year: int, quarters: list[str] | None, capacity: Capacity,
                preparation: frozenset[str] = frozenset({"+"})) -> str:
    """What happens to the service in the plan year; a phrase dated in another year does not count. A schedule
    marked only with marks of preparation (the legend's, or '+') is `planned`."""
    hits = dict(status_phrases_in(text, year))
    if capacity.direction:
        hits.setdefault(capacity.direction, "capacity change")
    marked = [q.strip() for q in quarters or () if q.strip()]
    if marked and all(q in preparation for q in marked):
        hits.setdefault("planned", marked[0])
    for status in ("closing", "transformed", "new", "planned", "expanded", "reduced"):
        if status in hits:
            return status
    return "continuing"


# --- place ------------------------------------------------------------------------------------------

WIDE = re.compile(r"населените места (от|в|на) общината|всички населени места|на територията на (цялата )?общината|"
                  r"села(та)? (от|в|на) общината|цялата община|^\s*(община|общ\.)\s+[А-Я]\w+(\s+[А-Я]\w+)?", re.I)
REGION = re.compile(r"\b(област|обл\.)\s+[А-Я]\w+(\s+[А-Я]\w+)?|областно ниво|регионално ниво", re.I)
QUALIFIER = re.compile(r",?\s*\bобщ(\.|ина)\s+[А-Я]\w+(\s+[А-Я]\w+)?\.?", re.I)
ADDRESS = re.compile(r"(^|\s)(ул|пл|бул|жк|ж\.к|кв|бл|вх|ет|ап)(?=[\s.„“”\"'])|№", re.I)
PREFIX = re.compile(r"^(гр\.|град\b|с\.|село\b)\s*", re.I)
PREFIX_SPLIT = re.compile(r"(?<=[\s,;])(?=(гр\.|с\.)\s*[А-Я])", re.I)
HAS_SETTLEMENT = re.compile(r"(^|\s)(гр\.|с\.)", re.I)
WHOLE_MUNICIPALITY = re.compile(r"общината|населени", re.I)
PLACE_SPLIT = re.compile(r"[,;]|\s+и\s+")
NAMED = re.compile(r"\b(?:гр|с)\.\s*([А-Я][а-я]+(?:\s+[А-Я][а-я]+)?)")


@dataclass(frozen=True)
class Located:
    """A settlement read from a plan: the text it came from and its EKATTE match."""

    raw: str
    name: str
    ekatte: str | None
    match: str  # exact | alias | fuzzy | unmatched | no_reference


@dataclass
class Place:
    settlements: list[Located] = field(default_factory=list)
    scope: str | None = None
    unmatched: list[str] = field(default_factory=list)


def parse_place(text: str, municipality_code: str | None, reference: Reference) -> Place:
    """Settlements and scope of a place cell (a fresh Place; the reading is remembered per text, municipality
    and reference: place cells repeat from row to row and year to year)."""
    if len(text) > 2000:
        return _read_place(text, municipality_code, reference)
    place = _parse_place(text, municipality_code, reference)
    return Place(list(place.settlements), place.scope, list(place.unmatched))


@lru_cache(maxsize=16384)
def _parse_place(text: str, municipality_code: str | None, reference: Reference) -> Place:
    return _read_place(text, municipality_code, reference)


def _read_place(text: str, municipality_code: str | None, reference: Reference) -> Place:
    place = Place()
    if not text:
        return place
    if REGION.search(text):
        place.scope = "region"
    has_settlement = bool(HAS_SETTLEMENT.search(text))
    if WIDE.search(text) and not (has_settlement and not WHOLE_MUNICIPALITY.search(text)):
        place.scope = place.scope or "municipality"
    text = REGION.sub(" ", WIDE.sub(" ", QUALIFIER.sub(" ", text) if has_settlement else text))
    for part in PLACE_SPLIT.split(text):
        for chunk in PREFIX_SPLIT.split(part):
            add_settlement(place, chunk, municipality_code, reference)
    if place.settlements and not place.scope:
        place.scope = "settlement"
    return place


def add_settlement(place: Place, chunk: str | None, municipality_code: str | None, reference: Reference) -> None:
    if not chunk or PREFIX.fullmatch(chunk.strip() + " "):
        return
    cut = ADDRESS.search(chunk)
    chunk = (chunk[: cut.start()] if cut else chunk).strip(" .,;:-–„“”\"'()")
    prefixed = bool(PREFIX.match(chunk))
    name = PREFIX.sub("", chunk).strip(" .,;:-–„“”\"'()")
    if not name or not name[0].isupper():
        return
    match = reference.match_settlement(name, municipality_code)
    if match.match == "unmatched":
        place.unmatched.append(name)
        if not prefixed:
            return
    if all((s.ekatte or s.name) != (match.ekatte or match.name) for s in place.settlements):
        place.settlements.append(Located(chunk, match.name, match.ekatte, match.match))


def places_in_text(text: str, municipality_code: str | None, reference: Reference) -> Place:
    """Settlements written as 'гр. X' / 'с. X' inside a title or description (layouts with no place column)."""
    place = Place()
    for m in NAMED.finditer(text):
        add_settlement(place, m.group(0), municipality_code, reference)
    place.settlements = [s for s in place.settlements if s.match != "unmatched" or not reference.available]
    place.unmatched = []
    if place.settlements:
        place.scope = "settlement"
    return place


# --- records ----------------------------------------------------------------------------------------


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


def quarters_of(row: RawRow, term: str, year: int) -> tuple[list[int] | None, list[str]]:
    """q1-q4 of a row and its review flags: quarter columns as marked, month and half-year columns folded into
    quarters, else a period column naming months, dates or quarters of the plan year (the contract's
    Schedules). A schedule cell that is neither a mark nor a 'no' leaves the quarters empty, flagged."""
    if row.quarters is None:
        return (quarters_from_period(term, year) if term else None), []
    kind = row.schedule_kind or "q"
    if kind == "m" and len(row.quarters) == 12:
        quarters, unclear = quarters_from_months(row.quarters)
    elif kind == "h" and len(row.quarters) == 2:
        quarters, unclear = quarters_from_halves(row.quarters)
    elif len(row.quarters) == 4:
        values = [mark_value(q) for q in row.quarters]
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
    if candidates and reference.available and not any(reference.find_municipality(p) for ps in candidates for p in ps):
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
    oblast = reference.oblast_of(code) if code else None
    plan_id = f"{transliterate(municipality)}-{year}"
    legend = read_legend([ln.cells[ln.nonempty[0]] for ln in doc.lines if len(ln.nonempty) == 1])
    ctx = _Context(plan_id, municipality, code, year, doc.name, reference, issues, plan_flags,
                   preparation_marks(legend))
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
        text = " ".join(t for t in (name, description, cells.get("activities", ""), *said) if t)
        service = classify_service(name, description)
        capacity = self.capacity(cells, text, review)
        funding_raw = cells.get("funding", "")
        funding = classify_funding(funding_raw)
        amount = self.amount(cells, funding_raw, row.scale, row.money_in_funding, review)
        place = self.place(row, cells, name, description)
        quarters, flags = quarters_of(row, cells.get("term", ""), self.year)
        review += flags
        staff = parse_count(cells["staff"]) if cells.get("staff") else parse_staff(
            f"{text} {cells.get('capacity', '')} {funding_raw}")
        if cells.get("staff") and staff is None:
            review.append("unparsed_number")
        status_text = f"{cells['status']} {text}" if cells.get("status") else text
        line = row.first_line
        record = Record(
            item_id=f"{self.plan_id}:{line}", plan_id=self.plan_id, municipality=self.municipality, year=self.year,
            seq=index + 1, item_no=row.item_no,
            parent_item_id=f"{self.plan_id}:{parent.first_line}" if parent else None,
            section=row.section or ("social_service" if service else "horizontal_measure"),
            name=name, description=description, service_type=service,
            settlements=place.settlements, scope=place.scope, quarters=quarters,
            funding=funding, funding_raw=funding_raw, amount_bgn=amount,
            capacity=capacity.capacity, capacity_before=capacity.before,
            capacity_unit=capacity.unit if capacity.capacity is not None else None,
            staff=staff, units=parse_units(name, description, service is not None),
            status=find_status(status_text, self.year, row.quarters, capacity, self.preparation), provider=cells.get("provider", ""),
            place_raw=cells.get("place", ""), term_raw=cells.get("term", ""), layout=row.layout,
            source_file=self.source_file, source_line=line, source_lines=[ln.no for ln in row.lines],
            source_text="\n".join(ln.raw for ln in row.lines), source_ref=row.lines[0].ref, review=review)
        self.check(record, place)
        record.review = list(dict.fromkeys(record.review))
        return record

    def capacity(self, cells: dict[str, str], text: str, review: list[str]) -> Capacity:
        """From a capacity column when the table has one and the cell says something, else from the texts."""
        cell = cells.get("capacity", "")
        if cell:
            read = parse_capacity_cell(cell)
            if read.flag:
                review.append(read.flag)
                return Capacity()
            if read.capacity is not None and cells.get("capacity_before"):  # a column of the capacity before
                before = parse_count(cells["capacity_before"])
                if before is None:
                    review.append("unparsed_number")
                read = replace(read, before=before)
            if read.capacity is not None:
                direction = None
                if read.before is None:  # the change may be stated in the texts: "… от 15 на 24 места"
                    facts = capacity_facts(text)
                    if facts and facts[0] == "change" and facts[3] == read.capacity and self.year in (facts[1] or {self.year}):
                        read = replace(read, before=facts[2])
                if read.before is not None:
                    direction = "expanded" if read.capacity > read.before else "reduced" if read.capacity < read.before else None
                return Capacity(read.capacity, read.before, read.unit or "places", direction)
        return parse_capacity(text, self.year)

    @staticmethod
    def amount(cells: dict[str, str], funding_raw: str, scale: float, money_in_funding: bool,
               review: list[str]) -> float | None:
        """The row's amount in leva: from an amount column (bare numbers in its header's unit), else the funding
        cell; a number not read completely, or several without a total, leaves it empty, flagged."""
        cell = cells.get("amount", "")
        if cell:
            read = read_amount(cell, scale=scale, bare_numbers=True)
        else:  # a funding cell, in the unit its header names when it names one ("Финансиране (хил. лв.)")
            read = read_amount(funding_raw, scale=scale, bare_numbers=money_in_funding)
            if (money_in_funding and read.value is not None and len(NUMBERS_IN.findall(funding_raw)) > 1
                    and not TOTAL_LABEL.search(funding_raw)):
                read = replace(read, value=None, flag="several_amounts")  # bare numbers of several sources
        if read.flag:
            review.append(read.flag)
        return read.value

    def place(self, row: RawRow, cells: dict[str, str], name: str, description: str) -> Place:
        if "place" in cells:
            return parse_place(cells["place"], self.code, self.reference)
        return places_in_text(f"{name} {description}", self.code, self.reference)

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
