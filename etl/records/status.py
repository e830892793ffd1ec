"""Funding and status read from a row's texts: the sources of money its phrases name (etl/data/funding_phrases.csv)
and what the plan does with the service (new, expanded, reduced, closing, transformed, planned or continuing)
from its status phrases (etl/data/status_phrases.csv), schedule marks and capacity change."""

from __future__ import annotations

import csv
import re
from functools import lru_cache

from ..vocabulary import DATA, lower_same_length, lowered
from .capacity import YEAR, Capacity, years_near


@lru_cache(maxsize=1)
def funding_patterns() -> list[tuple[str, re.Pattern, str]]:
    with open(DATA / "funding_phrases.csv", encoding="utf-8") as f:
        return [(r["funding_class"], re.compile(lowered(r["pattern"])), r["unless"]) for r in csv.DictReader(f)]


@lru_cache(maxsize=1)
def status_patterns() -> list[tuple[str, re.Pattern, tuple[str, ...]]]:
    """The status phrases, written in lower case and matched on lower-cased text (without re.IGNORECASE the
    engine finds literal stems quickly), each with its keywords: stems one of which every match contains, so
    a text holding none is not searched (tests/test_vocabulary.py checks both on every text of the samples,
    the test plans and their variations)."""
    with open(DATA / "status_phrases.csv", encoding="utf-8") as f:
        return [(r["status"], re.compile(lowered(r["pattern"])), frozenset(r["keywords"].split(";")))
                for r in csv.DictReader(f)]


@lru_cache(maxsize=1)
def status_keywords() -> frozenset[str]:
    return frozenset().union(*(keywords for _, _, keywords in status_patterns()))


def classify_funding(text: str) -> tuple[tuple[str, str], ...]:
    """Funding classes with the phrase that signalled each; a matched phrase is used up so that a
    longer, more specific phrase decides (e.g. 'чрез бюджета на общината' is not municipal money).
    A phrase with an 'unless' class does not count next to that class ('държавния бюджет' beside
    a ДДД phrase is where the ДДД money comes from)."""
    return tuple((cls, text[start:end]) for cls, start, end in funding_spans(text.translate(DIGITS_AS_ZERO)))


DIGITS_AS_ZERO = str.maketrans("123456789", "000000000")  # no funding phrase tells digits apart


@lru_cache(maxsize=8192)  # the text with its digits as 0: the same wording with other amounts is the same
def funding_spans(text: str) -> tuple[tuple[str, int, int], ...]:
    """(class, start, end) of each funding phrase of classify_funding."""
    rest = lower_same_length(text)
    found: list[tuple[str, int, int, str]] = []
    for cls, pattern, unless in funding_patterns():
        matches = list(pattern.finditer(rest))
        if not matches:
            continue
        if cls:
            found += [(cls, m.start(), m.end(), unless) for m in matches]
        rest = blank(rest, matches)  # what pattern.sub would replace: the same non-overlapping matches
    classes = {c for c, _, _, _ in found}
    return tuple((c, a, b) for c, a, b, unless in found if not (unless and unless in classes))


def blank(text: str, matches: list[re.Match]) -> str:
    """The text with the matched spans replaced by as many spaces."""
    parts, at = [], 0
    for m in matches:
        parts += [text[at:m.start()], " " * (m.end() - m.start())]
        at = m.end()
    return "".join(parts) + text[at:]


@lru_cache(maxsize=16384)
def status_phrases_in(text: str, year: int) -> tuple[tuple[str, str], ...]:
    """(status, phrase) for each status phrase in the text that is not dated in another year; preparing what opens
    in a later year ('изготвяне на предложение за разкриване … от 2025 г.' in a 2024 plan) is preparation now."""
    hits: dict[str, str] = {}
    for status, phrase, years in status_matches(text):
        if not years or year in years or (status == "planned" and min(years) > year):
            hits.setdefault(status, phrase)
    return tuple(hits.items())


NEGATED = re.compile(r"[^.;]{0,30}?(?<!\w)не\s+(?:се\s+)?(?:предвижда|планира|предвиден|очаква)")


@lru_cache(maxsize=16384)
def status_matches(text: str) -> tuple[tuple[str, str, frozenset[int]], ...]:
    """Every status phrase in the text, in pattern order, with the years it is dated in (the same text
    recurs in the plans of other years, so this part is remembered whatever the plan year)."""
    found = []
    text = text.lower()
    present = {k for k in status_keywords() if k in text}
    for status, pattern, keywords in status_patterns():
        if present.isdisjoint(keywords):
            continue
        for m in pattern.finditer(text):
            if NEGATED.match(text, m.end()):
                continue  # 'разширяване на обхвата не се предвижда': what will not happen
            years = years_near(text, m.start(), m.end())
            if status == "new" and "от" in m.group(0).lower():
                years = {int(y) for y in YEAR.findall(text[m.end():m.end() + 12])} or years
            found.append((status, m.group(0), frozenset(years)))
    return tuple(found)
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
