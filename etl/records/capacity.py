"""Capacity, staff and units read from a row's texts: the number of places a service has (said outright, as a
change 'от 20 на 30 места', or only as a ceiling of people served), its staff and its count of units.
A single cell is read by etl/records/numbers.py (parse_capacity_cell, parse_staff_cell); the readers here
read free text, a name or description, where the figure stands among other words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..vocabulary import lower_same_length, lowered
from .numbers import FORECAST, LOOKALIKES, UNPARSED, count_at, words_to_digits
from .numbers import NUMBER_WORDS as ALL_NUMBER_WORDS
from .services import service_mentions

# the number words that count things (not persons: 'двама', 'трима'), one to ten, from the one list of numbers.py
NUMBER_WORDS = {w: v for w, v in ALL_NUMBER_WORDS.items() if 1 <= v <= 10 and not w.endswith(("ма", "мина"))}
UNIT_WORDS = {"места": "places", "място": "places", "бр": "places", "потребители": "users",
              "потребителя": "users", "семейства": "families"}
YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")


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
