"""Normalise stage: raw rows + reference → canonical records (service type, capacity, funding, status; places in
places.py)."""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from ..reference import Reference
from ..rows.parse import Issue, ParsedPlan, RawRow
from ..transliteration import slug
from ..vocabulary import DATA, lower_same_length, lowered, read_abbreviations, read_codes
from .numbers import (
    CAPACITY_ELSEWHERE,
    FORECAST,
    LEVA_PER_EURO,
    LOOKALIKES,
    NO_CAPACITY,
    UNPARSED,
    Number,
    blank_distractors,
    breakdown_total,
    capacity_breakdown_total,
    count_at,
    parse_capacity_cell,
    parse_staff_cell,
    units_in_capacity,
    with_currency,
    words_to_digits,
)
from .numbers import NUMBER_WORDS as ALL_NUMBER_WORDS
from .numbers import parse_amount as read_amount
from .places import MUNICIPALITY_AT_END, WIDE_IN_TEXT, Located, Place, parse_place, places_in_text
from .schedule import (
    mark_value,
    quarters_from_duration,
    quarters_from_halves,
    quarters_from_months,
    quarters_from_period,
    read_legend,
)
from .services import classify_service, service_mentions

# the number words that count things (not persons: 'двама', 'трима'), one to ten, from the one list of numbers.py
NUMBER_WORDS = {w: v for w, v in ALL_NUMBER_WORDS.items() if 1 <= v <= 10 and not w.endswith(("ма", "мина"))}
UNIT_WORDS = {"места": "places", "място": "places", "бр": "places", "потребители": "users",
              "потребителя": "users", "семейства": "families"}
# a sub-row that is a part of its numbered row's service: "в т.ч." / "в това число" / "вкл.", an extension or a
# group of it, or places of its own
PART_OF = re.compile(r"^\s*(в\s*т\.\s*ч\.|в\s+това\s+число|вкл\.|включително)|разширяване|изнесен|филиал|"
                     r"\d+\s*(места|потребител|семейств)", re.I)
YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")
SCALE_UNCLEAR = "amount_scale_unclear"  # the table's headers or caption disagree on the unit of its amounts
ACTIVITY_CAPACITY = "capacity_of_activity"  # a number of places in a row that is an activity, not a service: not read


# --- reference tables kept as CSV in etl/data ---------------------------------------------------


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
    return slug(name)


def to_int(text: str) -> int:
    return int(re.sub(r"\s", "", text))


# --- service type --------------------------------------------------------------------------------


# --- capacity, staff, units, amounts ----------------------------------------------------------------

CHANGE = re.compile(r"(?:капацит|увеличава|увеличен|разширява|разширен|намалява|намален)\w*(?:[^;]{0,40}?|[^;\d]{0,80}?)\bот\s+(\d{1,4})\s*(?:места|м\.|приемни семейства)?\s+на\s+(\d{1,4})\s*"
                    r"(места|потребители|приемни семейства)?")
NUMBER = r"\d{1,3}(?:[ \u00a0]\d{3})+|\d{1,5}"
EXPLICIT = re.compile(rf"капацит\w*\s*[-–—:]?\s*(?:до\s+)?({NUMBER})\s*(места|място|бр|потребител\w*|приемни семейства)?")
# "по 12 места" is a figure per unit (per house, per group), never the capacity; letters typed for digits ("1О места")
# are matched so that the number is seen, and not read (count_at)
PLAIN_UNIT = re.compile(rf"(?<!\d)(?<!по )(?<!по\xa0)({NUMBER})(?:[{LOOKALIKES}]{{1,3}})?\s*"
                        r"(места|приемни семейства|потребител\w*)")
# a capacity stated in something that is no number ('капацитет – двадест бр.', 'капацитет О8 места') or as a range
# ('капацитет – от 8 до 10 места'): not read, flagged
UNREAD_EXPLICIT = re.compile(r"капацит\w*\s*[-–—:]?\s*(?:до\s+|от\s+)?(?!(?:за|на|от|до|с|в|и|нови|свободни|"
                             r"допълнителни)\s)[^\W_]+(?:\s+(?:и\s+)?[^\W_]+)?\s*(?:места|място|бр(?!\w)|броя|"
                             r"потребител|приемни семейства)"
                             r"|капацит\w*\s*[-–—:]?\s*от\s+\d+\s*(?:до|[-–—])\s*\d")
# a change whose numbers CHANGE cannot take ('увеличаване от 20 на l30 места', 'от 2О на 30'): not read, flagged
UNREAD_CHANGE = re.compile(r"(?:капацит|увеличава|увеличени|разширява|намалява|намалени)\w*(?:[^;]{0,40}?|[^;\d]{0,80}?)"
                           r"\bот\s+\S*\d\S*\s*(?:места|м\.|приемни семейства)?\s+на\s+(?!\d{1,4}(?:\s|$|[^\w.,]))"
                           r"|(?:капацит|увеличава|увеличени|разширява|намалява|намалени)\w*(?:[^;]{0,40}?|[^;\d]{0,80}?)"
                           r"\bот\s+(?!\d{1,4}\s)\S*\d\S*\s*(?:места|м\.|приемни семейства)?\s+на\s+\S*\d")
UNREAD_CHANGE_HINT = re.compile(r"от\s+\S*\d\S*\s*(?:места|м\.|приемни семейства)?\s+на\s")  # quick: each match has one
# a chain of changes: 'от 8 на 10 на 12 места' (not a date after the change: 'на 01.07.2021')
CHAIN_AFTER = re.compile(r"\s*на\s+\d{1,4}(?![.,/]?\d)")
# CHANGE, EXPLICIT and PLAIN_UNIT are written in lower case and read lower-cased text (capacity_facts): without
# re.IGNORECASE the engine finds their literal stems quickly


# a place after a dash at the end of a service's name: 'Център за обществена подкрепа – гр. Дряново'
PLACE_AFTER_DASH = re.compile(r"\s[-–—]\s+((?:гр\.|с\.|град\s|село\s|община\s|общ\.|на територията|всички|"
                              r"населените)[^–—]*)$", re.I)
# a ceiling of places, not a count of them: 'до 15 места'
CEILING = re.compile(r"(?<!\w)до\s+\d{1,4}\s*(?:места|място|потребител|ползвател|лица|деца|семейства|бр\.?)(?!\w)", re.I)
# a ceiling of the people served ('до 60 потребители'): how many may be served, not how many are; places are a
# maximum by their nature, so 'капацитет до 18 места' is 18 places, but a ceiling of people states no count
PEOPLE_CEILING = re.compile(r"(?<!\w)до\s+(\d{1,4})\s*(?:потребител|ползвател|лица|души|човека|деца|семейств|"
                            r"приемни\s+семейств)\w*", re.I)
CEILING_CAPACITY = "capacity_ceiling"  # the capacity is said only as a ceiling of people served: not read
# a status column holding only a signed number ('+5', '–10', '0'): how the capacity changes in the plan year
SIGNED_CHANGE = re.compile(r"^\s*(?:([+\-–—−])\s*(?=[1-9])|(?=0\s*$))(\d{1,4})\s*$")  # a sign, or 0 alone
# the row says in what its capacity is counted ('капацитет в брой потребители'): the unit of a bare number
UNIT_SAID = re.compile(r"капацитет\w*\s+(?:е\s+|се\s+измерва\s+)?в\s+(?:брой\s+)?(места|потребители|"
                       r"приемни\s+семейства|семейства)(?!\w)", re.I)
PLACES_WRITTEN = re.compile(r"\d\s*(?:места|място|легла|бр\.?\s*места)(?!\w)", re.I)


@dataclass
class Capacity:
    capacity: int | None = None
    before: int | None = None
    unit: str | None = None
    direction: str | None = None  # expanded | reduced when changed in the plan year
    flag: str | None = None  # unparsed_number: a capacity is stated but its number cannot be read completely


def unit_of(word: str | None) -> str:
    if not word:
        return "places"
    word = word.lower().rstrip(".")
    if word.startswith("потребител"):
        return "users"
    return UNIT_WORDS.get(word.split()[-1], "places")


# a building's year ("сградата (построена 1936 г.)") dates the building, and a decision's or protocol's date
# ("Решение № 418/28.10.2021 г.") the decision, not what happens to the service
BUILT_YEAR = re.compile(r"(?:построен|строен|изграден)\w*\s+(?:през\s+|в\s+)?(?:19|20)\d\d|"
                        # an aside on when a service was founded: '(открит през 1998 г.)', '(създаден 2004 г.)'
                        r"\(\s*(?:открит|основан|създаден|разкрит|функционира\s+от)\w*\s+(?:през\s+|в\s+|от\s+)?(?:19|20)\d\d|"
                        r"(?:решение|протокол)\s*№?\s*[\w-]*\s*(?:/|от)\s*\d{1,2}\s*\.\s*\d{1,2}\s*\.\s*(?:19|20)\d\d",
                        re.I)


def years_near(text: str, start: int, end: int) -> set[int]:
    window = BUILT_YEAR.sub(" ", text[max(0, start - 45):end + 60])
    return {int(y) for y in YEAR.findall(window)}


def parse_capacity(text: str, year: int) -> Capacity:
    """The capacity a text states (numbers also in words: 'капацитет дванадесет места', 'капацитет – сто бр.');
    a capacity whose number is not read completely ('капацитет 1О места', '8-10 места', '100 или 120 бр.') is
    empty, flagged 'unparsed_number'."""
    return Capacity(*_parse_capacity(text, year))


@lru_cache(maxsize=16384)
def _parse_capacity(text: str, year: int) -> tuple:
    c = _read_capacity(words_to_digits(text)[0], year)
    return c.capacity, c.before, c.unit, c.direction, c.flag


def _read_capacity(text: str, year: int) -> Capacity:
    facts = capacity_facts(text)
    if facts is None:
        return Capacity()
    if facts[0] == "unparsed":
        return Capacity(flag=UNPARSED)
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
    ('stated', value, unit), else None; ('unparsed',) when the number of the change or the stated capacity is
    not read completely (count_at: glued letters, a fraction, a range, an alternative) or a change runs on
    ('от 8 на 10 на 12')."""
    text = text.lower()
    for m in CHANGE.finditer(text):
        before, after = count_at(text, m.start(1), m.end(1)).value, count_at(text, m.start(2), m.end(2)).value
        if before is None or after is None or CHAIN_AFTER.match(text, m.end()):
            return ("unparsed",)
        years = frozenset(years_near(text, m.start(1) - 4, m.end()))
        unit = m.group(3)
        if not unit:  # 'капацитет 90 потребители; намалява от 110 на 90': the unit the new figure is stated in
            unit = next((s.group(2) for s in EXPLICIT.finditer(text) if s.group(1) == m.group(2) and s.group(2)), None)
        return "change", years, int(before), int(after), unit_of(unit)
    if UNREAD_CHANGE_HINT.search(text) and UNREAD_CHANGE.search(text):
        return ("unparsed",)
    m = EXPLICIT.search(text)
    if m is None and "капацит" in text and UNREAD_EXPLICIT.search(text):
        return ("unparsed",)
    m = m or PLAIN_UNIT.search(text)
    if m and FORECAST.match(text, m.end()):  # 'до 15 места (предвиждане)': a forecast, as in a capacity cell
        return ("unparsed",)
    if m:
        value = count_at(text, m.start(1), m.end(1)).value
        return ("unparsed",) if value is None else ("stated", int(value), unit_of(m.group(2)))
    return None


# letters typed for digits around a number ('Персонал – 7О', '1б щатни бройки') are matched so that the number is
# seen, and not read (count_at)
_TYPED = rf"(?:[{LOOKALIKES}бБ]{{1,3}})?"
STAFF = [re.compile(rf"(?:персонал|щатн\w*\s+(?:бройки|численост|длъжности))\w*\s*[-–—:]?\s*{_TYPED}(\d{{1,4}})", re.I),
         re.compile(rf"(\d{{1,4}}){_TYPED}\s*(?:щатни\s+(?:бройки|длъжности|единици)|щ\.\s?бр\.)", re.I),
         re.compile(rf"(\d{{1,4}}){_TYPED}\s*(?:лични|социални|лич\.|соц\.)?\s*асистент", re.I),
         re.compile(rf"(\d{{1,4}}){_TYPED}\s*(?:служители|специалисти|души персонал|домашни\s+помощници)", re.I),
         re.compile(rf"(\d{{1,4}}){_TYPED}\s*(?:ЛА|СА|ДП)(?!\w)"),  # '45 ЛА': лични / социални асистенти, домашни помощници
         # a labelled count: 'лични асистенти: 45', 'служители – 6'
         re.compile(rf"(?:(?:лични|социални)\s+асистенти|служители|специалисти)\s*[:\-–—]\s*{_TYPED}(\d{{1,4}})", re.I)]
# every STAFF match has one of these words (matched on lower-cased text) or abbreviations
STAFF_WORDS = re.compile(r"персонал|щатн|щ\.\s?бр|асистент|служител|специалист|помощници")
STAFF_ABBREVIATIONS = re.compile(r"ЛА|СА|ДП")
# people an activity reaches ("обучени 40 служители", "обучение на 20 специалисти") are not the service's staff
NOT_STAFF_BEFORE = re.compile(r"(обучен\w*|обучение\s+на|квалификация\s+на|участ\w*|преминал\w*|включен\w*|"
                              r"супервизия\s+на|(?<!назначаване )на|за)\s*$", re.I)  # (hiring: staff)


def parse_staff(*texts: str) -> int | None:
    """The staff a row's texts state (read_staff), without its flag."""
    return read_staff(*texts)[0]


@lru_cache(maxsize=16384)
def read_staff(*texts: str) -> tuple[int | None, str | None]:
    """The staff a row's texts state ('Персонал – 9', '16 щатни бройки', '32 лични асистенти', 'Персонал – седем')
    and a flag: each cell read on its own (a number never runs on into the next cell), the surest wording first;
    (None, None) when none does; (None, 'unparsed_number') when the first wording that does holds a number not
    read completely ('Персонал – 7-8', '16,5 щатни бройки', '8З лични асистенти')."""
    texts = tuple(words_to_digits(t)[0] for t in texts
                  if t and (STAFF_WORDS.search(t.lower()) or STAFF_ABBREVIATIONS.search(t)))
    for pattern in STAFF:
        for text in texts:
            for m in pattern.finditer(text):
                if not NOT_STAFF_BEFORE.search(text[max(0, m.start() - 30):m.start()]):
                    value = count_at(text, m.start(1), m.end(1)).value
                    return (None, UNPARSED) if value is None else (int(value), None)
    return None, None


NUMBER_WORD = "|".join(NUMBER_WORDS)
# matched on lower-cased text (lower_same_length) without IGNORECASE: quicker
UNITS = [re.compile(lowered(rf"[-–—]\s*(\d{{1,3}}){_TYPED}\s*бр\b")),
         re.compile(lowered(rf"\(\s*(\d{{1,3}}){_TYPED}\s*(?:бр\.?|броя)\s*\)")),  # "Клубове на пенсионера (3 бр.)"
         # "Клубове на пенсионера – четири", "… – четири клуба"
         re.compile(lowered(rf"[-–—]\s*({NUMBER_WORD})\s*(?:бр\b|броя\b|клуб\w*|цент\w*|жилищ\w*|звен\w*|дом\w*)?\.?\s*$")),
         re.compile(lowered(rf"(\d{{1,3}}{_TYPED}|{NUMBER_WORD})\s+броя\b")),
         re.compile(lowered(rf"^({NUMBER_WORD})\s+\S")),
         # "изграждане на два Центъра", "3 защитени жилища" (not "трансформиране в два ЦНСТ": what it becomes)
         re.compile(lowered(rf"(?<!\w)(?<!\sв )(?<!\sвъв )({NUMBER_WORD}|\d{{1,2}})\s+(?:нов\w*\s+|социални\s+|защитени\s+|"
                    r"дневни\s+)?(?:центъра|центрове|клуба|клубове|жилища|звена|дома|домове|къщи|трапезарии)(?!\w)")),
         re.compile(lowered(rf"(\d{{1,3}}){_TYPED}\s*бр\.?\s*(?:клуб|цент|жилищ|цнст|звен|дом)")),
         re.compile(lowered(rf"(?<!\w)({NUMBER_WORD})\s+броя\s+(?:клуб|цент|жилищ|цнст|звен|дом)"))]  # 'Два броя клубове'



TITLE_UNITS = 6  # the first UNITS patterns are read in the title alone, the last in the title and description


def parse_units(name: str, description: str, has_type: bool) -> int | None:
    """How many units of a service a row names (read_units), without its flag."""
    return read_units(name, description, has_type)[0]


@lru_cache(maxsize=16384)
def read_units(name: str, description: str, has_type: bool) -> tuple[int | None, str | None]:
    """How many units of a service a row names ('Клубове на пенсионера – 5 бр.', 'два Центъра', a single service:
    1) and a flag: (None, 'unparsed_number') when the count is written but not read completely ('– 5-6 бр.',
    '1,2 броя', '3 или 4 клуба')."""
    # the title's part remembered per title: titles recur from plan to plan, descriptions vary
    found = _units_in_title(name) if len(name) <= 2000 else _units_in_title.__wrapped__(name)
    if found is None:
        text = lower_same_length(f"{name} {description}")
        for pattern in UNITS[TITLE_UNITS:]:
            m = pattern.search(text)
            if m:
                return unit_value(m)
    if found is not None or not has_type:
        return found or (None, None)
    if PLURAL_TITLE.match(name):
        return None, None  # 'Клубове на пенсионера' with no count: how many is not said
    return coordinated_units(name), None


COORDINATED = re.compile(r"(?:\s+и|\s*,)\s*[„“\"']?$")


def coordinated_units(name: str) -> int | None:
    """How many units a title names: services joined by 'и' or a comma ('ЦНСТДМ „Слънце“ и ЦНСТДМ „Надежда“')
    are as many units when they are of one type, and an unknown number (None) when of several; a title naming
    one service (its abbreviation in brackets or after a dash is the same one) is one unit."""
    mentions = service_mentions(name)
    if len(mentions) < 2:
        return 1
    joined = [b for (_, _), (b, _) in zip(mentions, mentions[1:], strict=False) if COORDINATED.search(name[:b])]
    if not joined:
        return 1
    if len({code for _, code in mentions}) > 1:
        return None
    return len(joined) + 1


# a title naming several units of a service without saying how many ('Клубове на пенсионера', 'Защитени жилища')
PLURAL_TITLE = re.compile(r"^\W*(?:[^\W\d_]+\s+)?(?:центрове|клубове|жилища|звена|домове|трапезарии)(?!\w)", re.I)


@lru_cache(maxsize=16384)
def _units_in_title(name: str) -> tuple[int | None, str | None] | None:
    """What the title-only UNITS patterns find in a title (unit_value), None when none matches."""
    name = lower_same_length(name)
    for pattern in UNITS[:TITLE_UNITS]:
        m = pattern.search(name)
        if m:
            return unit_value(m)
    return None


def unit_value(m: re.Match) -> tuple[int | None, str | None]:
    """The count a UNITS match holds, in digits read whole (count_at) or in words; (None, 'unparsed_number')
    when its digits are not the whole written number."""
    value = m.group(1).lower()
    if value in NUMBER_WORDS:
        return NUMBER_WORDS[value], None
    count = count_at(m.string, m.start(1), m.end(1)).value
    return (None, UNPARSED) if count is None else (int(count), None)


# --- funding and status ---------------------------------------------------------------------------


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


def quarters_of(row: RawRow, term: str, year: int) -> tuple[list[int] | None, list[str]]:
    """q1-q4 of a row and its review flags: quarter columns as marked, month and half-year columns folded into
    quarters, else a period column naming months, dates or quarters of the plan year (the contract's
    Schedules). A schedule cell that is neither a mark nor a 'no' leaves the quarters empty, flagged."""
    if row.quarters is None:
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
    elif kind == "h" and len(row.quarters) == 2:
        quarters, unclear = quarters_from_halves(row.quarters)
    elif len(row.quarters) == 4:
        values = [money_mark(q) if row.schedule_money else mark_value(q) for q in row.quarters]
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
