"""Places of a record: the settlements of a place cell or of a title, matched against EKATTE in the plan's
municipality, and the scope (settlement, municipality, region) a place's wording states."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..reference import Reference
from ..vocabulary import WIDE_IN_TEXT  # noqa: F401 (shared with the rows stage)

WIDE = re.compile(r"населените места (от|в|на) общината|всички населени места|всички села (от|в|на) общината|територията на (цялата )?(?:общината|община\s+[А-Я]\w+)|"
                  r"села(та)? (от|в|на) общината|цялата община|^\s*(община|общ\.)\s+[А-Я]\w+(\s+[А-Я]\w+)?", re.I)
# the whole municipality, whatever settlement is named beside it ('гр. Елена и населените места в общината'): the
# contract's settlements are empty ('и селата от общината': all its villages; not 'и села от общината': some)
EVERY_SETTLEMENT = re.compile(r"населените места (от|в|на) общината|всички населени места|всички села (от|в|на) общината|територията на (цялата )?"
                              r"(?:общината|община\s+[А-Я]\w+)|цялата община|(?<!\w)селата (от|в|на) общината", re.I)
REGION = re.compile(r"\b(област|обл\.)\s+[А-Я]\w+(\s+[А-Я]\w+)?|\b[А-Я]\w+(ска|шка|ска\s+и\s+\w+)\s+област\b|"
                    r"областно ниво|регионално ниво", re.I)
QUALIFIER = re.compile(r",?\s*\bобщ(\.|ина)\s+[А-Я]\w+(\s+[А-Я]\w+)?\.?", re.I)
ADDRESS = re.compile(r"(^|\s)(ул|пл|бул|жк|ж\.к|кв|бл|вх|ет|ап)(?=[\s.„“”\"'])|№", re.I)
PREFIX = re.compile(r"^(гр\.|град\b|с\.|село\b|селата\b|села\b)\s*", re.I)
PREFIX_SPLIT = re.compile(r"(?<=[\s,;])(?=(гр\.|с\.)\s*[А-Я])", re.I)
HAS_SETTLEMENT = re.compile(r"(^|\s)(гр\.|с\.)", re.I)
# a title ending with the municipality as its place ('Приемна грижа, община Вършец'): the whole municipality
MUNICIPALITY_AT_END = re.compile(r"[,;–—-]\s*(?:на\s+територията\s+на\s+)?(?:община|общ\.)\s+[А-Я][а-я]+(?:\s+[А-Я][а-я]+)?\s*$")
WHOLE_MUNICIPALITY = re.compile(r"общината|населени", re.I)
COUNT_IN_BRACKETS = re.compile(r"\(\s*\d{1,3}\s*(?:бр\.?)?\s*\)")
REMARK_IN_BRACKETS = re.compile(r"\(\s*[а-я][^()]*\)")  # '(сградата е от 1962 г.)': a remark, unless it names a place
PLACE_SPLIT = re.compile(r"[,;]|\s+и\s+")
NAMED = re.compile(r"\b(?:гр|с)\.\s*([А-Я][а-я]+(?:\s+[А-Я][а-я]+)?)")
_NAME = r"[А-Я][а-я]+(?:\s+[А-Я][а-я]+)?"
VILLAGES = re.compile(rf"\b(?:селата|населените места)\s+({_NAME}(?:\s*,\s*{_NAME})*(?:\s+и\s+{_NAME})?)")
LISTED_NAME = re.compile(_NAME)


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
    original = text
    has_settlement = bool(HAS_SETTLEMENT.search(text))
    if WIDE.search(text) and not (has_settlement and not WHOLE_MUNICIPALITY.search(text)):
        place.scope = place.scope or "municipality"
    text = REGION.sub(" ", WIDE.sub(" ", QUALIFIER.sub(" ", text) if has_settlement else text))
    text = COUNT_IN_BRACKETS.sub(" ", text)  # 'гр. Провадия (3)': how many there are, not part of the name
    text = REMARK_IN_BRACKETS.sub(lambda m: m.group(0) if HAS_SETTLEMENT.search(m.group(0)[1:]) else " ", text)
    for part in PLACE_SPLIT.split(text):
        address = ADDRESS.search(part)  # a street address ends the part: 'ул. „Г. С. Раковски“' names no village
        if address:
            part = part[:address.start()]
        for chunk in PREFIX_SPLIT.split(part):
            add_settlement(place, chunk, municipality_code, reference)
    if place.scope == "municipality" and EVERY_SETTLEMENT.search(original):  # the whole municipality: none listed
        place.settlements = []
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
    """Settlements written as 'гр. X' / 'с. X' or listed after 'селата' ('в селата Бъта, Левски и Попинци': only
    names EKATTE knows in the municipality) inside a title or description (layouts with no place column)."""
    place = Place()
    for m in NAMED.finditer(text):
        add_settlement(place, m.group(0), municipality_code, reference)
        words = m.group(1).split()
        if len(words) == 2 and place.unmatched and place.unmatched[-1] == m.group(1):  # 'с. Юпер Включване …'
            add_settlement(place, f"{m.group(0)[:m.start(1) - m.start()]}{words[0]}", municipality_code, reference)
    if reference.available:
        for listed in VILLAGES.finditer(text):
            for name in LISTED_NAME.findall(listed.group(1)):
                if reference.match_settlement(name, municipality_code).match != "unmatched":
                    add_settlement(place, name, municipality_code, reference)
    place.settlements = [s for s in place.settlements if s.match != "unmatched" or not reference.available]
    place.unmatched = []
    if place.settlements:
        place.scope = "settlement"
    return place
