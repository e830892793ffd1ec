"""The plan vocabulary every stage shares: section headings, total rows and table-header wordings, read
from the CSV tables in etl/data (a domain expert edits those, not this code)."""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"

TOTAL = re.compile(r"^(общо|всичко)\b", re.I)
# a service for the whole municipality, in a place cell, a text or a heading over rows
WIDE_IN_TEXT = re.compile(r"(?:на|за|в|по) територията на (цялата )?общината|всички населени места|населените места (от|в|на) "
                          r"общината|цялата община", re.I)


def read_csv(name: str) -> list[dict[str, str]]:
    """The rows of etl/data/<name> (UTF-8, header row)."""
    with open(DATA / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=1)
def section_patterns() -> list[tuple[str, re.Pattern]]:
    return [(r["section"], re.compile(r["pattern"], re.I)) for r in read_csv("section_headings.csv")]


SECTION_NUMBER = re.compile(r"^(раздел\s+)?([ivxі]+|\d{1,2}|[а-г])[.)]?\s+", re.I)  # 'І' Cyrillic, as 'I' is often typed


def match_section(text: str) -> str | None:
    first = SECTION_NUMBER.sub("", text.strip().split("\n")[0].strip(" *"))
    for section, pattern in section_patterns():
        if pattern.search(first):
            return section
    return None


@lru_cache(maxsize=1)
def column_role_patterns() -> list[tuple[str, re.Pattern]]:
    """etl/data/column_roles.csv: a header wording → the role of its column; the first row that matches wins."""
    return [(r["role"], re.compile(lowered(r["pattern"]))) for r in read_csv("column_roles.csv")]


ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10, "xi": 11, "xii": 12}
MONTHS = ("яну", "фев", "мар", "апр", "май", "юни", "юли", "авг", "сеп", "окт", "ное", "дек")
ORDINAL = r"(?:\s*-?\s*(?:во|ро|то|ти|ви|о))?"
QUARTER_WORD = r"(?:тримесечие|трим\.?|тр\.?|кв\.?|квартал)"
QUARTER = re.compile(rf"^(?:(i{{1,3}}|iv|[1-4]){ORDINAL}\.?\s*{QUARTER_WORD}|{QUARTER_WORD}\s*(i{{1,3}}|iv|[1-4])"
                     rf"|[qт]\s*([1-4])|(първо|второ|трето|четвърто)\s+тримесечие"
                     rf"|(?:ме\s?се[цп]\w*|мес\.?|м\.)?\s*(1|4|7|10)\s*[-–]\s*(3|6|9|12))$", re.I)
HALF_WORD = r"(?:полугодие|пол\.?|шестмесечие)"
HALF = re.compile(rf"^(?:(i{{1,2}}|[12]){ORDINAL}\.?\s*{HALF_WORD}|(първо|второ)\s+(?:полугодие|шестмесечие)"
                  rf"|(?:h|{HALF_WORD})\s*(i{{1,2}}|[12]))$", re.I)
MONTH_WORD = re.compile(r"^(ме\s?се[цп]|месец|мес)$")
WORDS_1_4 = {"първо": 1, "второ": 2, "трето": 3, "четвърто": 4}
MONTH_RANGE_START = {"1": 1, "4": 2, "7": 3, "10": 4}
ROMAN_MONTHS = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")
_ROMAN_MONTH = r"(xii|xi|x|ix|viii|vii|vi|v|iv|iii|ii|i)"
ROMAN_MONTH_RANGE = re.compile(rf"^(?:ме\s?се[цп]\w*|мес\.?|м\.)?\s*{_ROMAN_MONTH}\s*[-–—]\s*{_ROMAN_MONTH}$")
_MONTH_NAME = r"((?:яну|фев|мар|апр|май|юни|юли|авг|сеп|окт|ное|дек)[а-я]*)\.?"
MONTH_NAME_RANGE = re.compile(rf"^{_MONTH_NAME}\s*[-–—]\s*{_MONTH_NAME}$")


LABEL_YEAR = re.compile(r"\s+(?:за\s+|през\s+)?(?:19|20)\d\d\s*(?:г\.?|година)?\s*$")


@lru_cache(maxsize=4096)
def names_own_column(cell: str, role: str) -> bool:
    """A schedule cell that writes its own column's label ('II' or '2' under the second quarter, 'IV тр.' under
    the fourth): in a plan that marks a quarter by its numeral, a mark."""
    label = schedule_label(cell) if cell and len(cell) <= 30 else None
    return bool(label) and label[1:] == role[1:] and label[0] in (role[0], "n")


def schedule_label(text: str) -> str | None:
    """A schedule column's label → 'q1'..'q4', 'h1'/'h2' or 'm1'..'m12'; None for other text. A bare Roman or
    Arabic numeral is 'n<k>': a quarter, a half or a month depending on how many labels stand together."""
    # the Cyrillic/Ukrainian 'і' typed for the Roman 'i' ('І-во полугодие'); a year after the label is the
    # caller's to check ('ІІ-ро полугодие 2017 г.')
    t = LABEL_YEAR.sub("", " ".join(text.lower().replace("і", "i").split())).strip(" .:")
    if not t or len(t) > 30:
        return None
    if MONTH_WORD.match(t):
        return "sched"  # "Месец" over a schedule column, no number
    m = QUARTER.match(t)
    if m:
        k = m.group(1) or m.group(2) or m.group(3)
        if k:
            return f"q{ROMAN.get(k) or int(k)}"
        if m.group(4):
            return f"q{WORDS_1_4[m.group(4)]}"
        return f"q{MONTH_RANGE_START[m.group(5)]}"
    m = MONTH_NAME_RANGE.match(t)  # "януари – март", "окт.–дек.", "юли – декември": a quarter or half by its months
    if m:
        first, last = (MONTHS.index(g[:3]) + 1 for g in m.groups())
        if first % 3 == 1 and last == first + 2:
            return f"q{(first + 2) // 3}"
        if first in (1, 7) and last == first + 5:
            return f"h{(first + 5) // 6}"
    m = ROMAN_MONTH_RANGE.match(t.replace("х", "x"))  # 'I–III', 'VII–IX' under 'Месеци': a quarter or a half
    if m:  # (the Cyrillic 'Х' typed for the Roman 'X', as 'І' for 'I')
        first, last = ROMAN_MONTHS.index(m.group(1)) + 1, ROMAN_MONTHS.index(m.group(2)) + 1
        if first % 2 == 1 and last == first + 1:
            return f"b{(first + 1) // 2}"  # 'III–IV': two months, January–February the first
        if first % 3 == 1 and last == first + 2:
            return f"q{(first + 2) // 3}"
        if first in (1, 7) and last == first + 5:
            return f"h{(first + 5) // 6}"
    m = HALF.match(t)
    if m:
        k = m.group(1) or m.group(3)
        if k:
            return f"h{ROMAN.get(k) or int(k)}"
        return "h1" if m.group(2) == "първо" else "h2"
    for i, month in enumerate(MONTHS, start=1):
        if t.startswith(month) and (len(t) <= 4 or t[:3] + t[3:].rstrip(".") in MONTH_NAMES):
            return f"m{i}"
    month = MONTH_PREFIXES.get(t.rstrip("."))  # "ян", "фе", "юн": the start of one month's name only
    if month:
        return f"m{month}"
    m = DATE_RANGE.match(t)
    if m:
        return date_range_label(*(int(g) for g in m.groups()))
    m = QUARTER_END.match(t)  # '31.03.' | '30.06.' | '30.09.' | '31.12.': the day a quarter ends (a reporting date)
    if m:
        return QUARTER_ENDS.get((int(m.group(1)), int(m.group(2))))
    k = ORDINAL_SUFFIX.sub("", t.rstrip("."))  # '1-во', '2-ро', 'III-то': a numeral with its ordinal ending
    if k in ROMAN or (k.isdecimal() and 1 <= int(k) <= 12):
        return f"n{ROMAN.get(k) or int(k)}"
    return None


ORDINAL_SUFFIX = re.compile(r"(?<=[\divx])\s*-?\s*(?:во|ро|то|ти|ви|ми|о)$")
# a period of dates over a schedule column: '01.01 – 31.03', '01.07.2016 – 30.09.2016 г.'
DATE_RANGE = re.compile(r"^(\d{1,2})\s*\.\s*(\d{1,2})(?:\s*\.\s*(?:\d{4}|\d{2}))?\s*(?:г\.?)?\s*[-–—]\s*"
                        r"(\d{1,2})\s*\.\s*(\d{1,2})(?:\s*\.\s*(?:\d{4}|\d{2}))?\s*(?:г\.?)?$")
# a quarter's last day alone as a schedule column's label ('31.03.', '30.06.2016 г.'): that quarter
QUARTER_END = re.compile(r"^(\d{1,2})\s*\.\s*(\d{1,2})(?:\s*\.\s*(?:\d{4}|\d{2}))?\s*(?:г\.?)?$")
QUARTER_ENDS = {(31, 3): "q1", (30, 6): "q2", (30, 9): "q3", (31, 12): "q4"}
MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def date_range_label(day1: int, month1: int, day2: int, month2: int) -> str | None:
    """The schedule column a period of whole months is: one month 'm<k>', a quarter 'q<k>', a half-year 'h<k>';
    None for a period that does not start on a month's first day and end on a month's last day, or spans
    anything else."""
    if not (1 <= month1 <= month2 <= 12) or day1 != 1 or day2 not in (MONTH_DAYS[month2 - 1], 28 if month2 == 2 else 0):
        return None
    if month1 == month2:
        return f"m{month1}"
    if month2 - month1 == 2 and month1 % 3 == 1:
        return f"q{month1 // 3 + 1}"
    if month2 - month1 == 5 and month1 in (1, 7):
        return f"h{month1 // 6 + 1}"
    return None


FULL_MONTHS = ("януари", "февруари", "март", "април", "май", "юни", "юли", "август", "септември", "октомври",
               "ноември", "декември")
# every start of two letters or more that begins one month's name and no other's ("ян" but not "ма": март, май)
MONTH_PREFIXES = {prefix: k for k, name in enumerate(FULL_MONTHS, start=1) for prefix in
                  (name[:n] for n in range(2, len(name) + 1))
                  if sum(other.startswith(prefix) for other in FULL_MONTHS) == 1}
MONTH_NAMES = {"януари", "февруари", "март", "април", "май", "юни", "юли", "август", "септември", "октомври",
               "ноември", "декември", "сеп", "септ", "окт", "ное", "ноем", "дек", "фев", "февр", "яну", "апр", "авг"}


ESCAPE_OR_TEXT = re.compile(r"\\.|[^\\]+", re.S)


def lowered(pattern: str) -> str:
    """A regular expression in lower case, its escapes as written (\\W is not \\w): matched without re.IGNORECASE
    on lower-cased text (lower_same_length), the engine finds its literal stems quickly."""
    return "".join(part if part.startswith("\\") else part.lower() for part in ESCAPE_OR_TEXT.findall(pattern))


def lower_same_length(text: str) -> str:
    """The text in lower case, each character to one (so that a match's place in it is its place in the text)."""
    low = text.lower()
    return low if len(low) == len(text) else "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


@lru_cache(maxsize=16384)
def column_role(text: str) -> str:
    """The role a header cell's wording names ('' for none): a schedule label ('q1', 'm3', 'h2', 'n2') or the
    role of the first row of column_roles.csv whose pattern matches."""
    text = " ".join(text.split())
    if not text:
        return ""
    label = schedule_label(text)
    if label:
        return label
    low = lower_same_length(text)
    role = next((role for role, pattern in column_role_patterns() if pattern.search(low)), "")
    if not role and LATIN_ONLY.match(text):  # a header transliterated ('Kapacitet', 'Srok (mesetsi)'): read back
        return column_role(cyrillic_of(text))
    if role or len(text) > 40:  # a slip is looked for in a short header wording only
        return role
    corrected = HEADER_WORD.sub(lambda m: known_header_word(m.group(0).lower()) or m.group(0), text)
    if corrected == text:
        return ""
    low = lower_same_length(corrected)
    return next((role for role, pattern in column_role_patterns() if pattern.search(low)), "")


LATIN_ONLY = re.compile(r"^[^а-яА-Я]*[a-zA-Z]{2}[^а-яА-Я]*$")  # a wording in Latin letters alone
LATIN_GROUPS = re.compile(r"sht|zh|ts|ch|sh|yu|ya|ia\b|[a-z]")
CYRILLIC_OF = {"sht": "щ", "zh": "ж", "ts": "ц", "ch": "ч", "sh": "ш", "yu": "ю", "ya": "я", "ia": "ия",
               "x": "кс", **dict(zip("abvgdezijklmnoprstufhcywq", "абвгдезийклмнопрстуфхцйвк", strict=True))}


def cyrillic_of(text: str) -> str:
    """A Bulgarian wording written in Latin letters (the Streamlined System: 'Personal (shtatni br.)') back in
    Cyrillic, lower case ('персонал (щатни бр.)'); 'a' stands for 'ъ' too, which the header slips' check mends
    ('izpalnitel' → 'изпалнител' → 'изпълнител')."""
    return LATIN_GROUPS.sub(lambda m: CYRILLIC_OF.get(m.group(0), m.group(0)), text.lower())


HEADER_WORD = re.compile(r"[а-яА-Я]{8,}")  # shorter words differ by a letter from other words too ('услуги')


@lru_cache(maxsize=1)
def header_word_index() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """The words (8 letters or more) of the header wordings column_roles.csv gives as examples, and each of them
    under every form it takes with one letter left out: what a slip in a header ('Финасиране', 'Отговорнк') is
    checked against."""
    words = frozenset(w for r in read_csv("column_roles.csv") for w in HEADER_WORD.findall(r["examples"].lower()))
    index: dict[str, set[str]] = {}
    for word in words:
        for i in range(len(word)):
            index.setdefault(word[:i] + word[i + 1:], set()).add(word)
    return words, {k: frozenset(v) for k, v in index.items()}


def known_header_word(word: str) -> str | None:
    """The one known header word a word is a slip of (a letter left out, added or typed for another, the first
    letter right), or None: none, or more than one."""
    words, index = header_word_index()
    if word in words:
        return None
    found = set(index.get(word, ()))  # a letter left out
    for i in range(len(word)):
        shorter = word[:i] + word[i + 1:]
        if shorter in words:  # a letter added
            found.add(shorter)
        found |= index.get(shorter, frozenset())  # a letter typed for another
    found = {w for w in found if w[0] == word[0]}
    return found.pop() if len(found) == 1 else None


SUBJECT_ROLES = {"name", "activities", "description"}


def header_roles(cells: list[str]) -> list[str] | None:
    """The role of each cell of a table's header row, or None when the row is not a header: a header's cells are
    short, most of them name a known role, and one of them names the row's subject (service, activity)."""
    if max(map(len, cells), default=0) > 120:  # the cheaper test first: most table rows have a long cell
        return None
    roles = _header_roles(tuple(cells))
    return None if roles is None else list(roles)


@lru_cache(maxsize=16384)  # a plan's header and many of its rows recur in the plans of other years
def _header_roles(cells: tuple[str, ...]) -> tuple[str, ...] | None:
    count = sum(1 for c in cells if c.strip())
    if count < 2:
        return None
    # a header names a role in at least 60 % of its cells and in at least three (or all, when fewer): the row is
    # given up at the first unknown cell too many (most rows are no header, and their cells' wording is new)
    unknown_allowed = min(count - min(3, count), 2 * count // 5)
    roles, unknown = [], 0
    for c in cells:
        role = column_role(c) if c.strip() else ""
        if not role and c.strip():
            unknown += 1
            if unknown > unknown_allowed:
                return None
        roles.append(role)
    return tuple(roles) if SUBJECT_ROLES & set(roles) else None


def is_table_header(cells: list[str]) -> bool:
    """Whether a row is a plan table's header row (by its wording)."""
    return header_roles(cells) is not None


ABBREVIATION_ENTRY = re.compile(
    r"(?:^|[;:]\s*|\.\s+)(?:\*{1,4}\s*)?(?P<abbr>[А-ЯA-Z]{2,8}(?:\s+[„\"«][^“\"»]{2,12}[“\"»])?)\s+[–—-]\s+(?P<meaning>[^;]{3,160})")


def read_abbreviations(lines: list[str]) -> dict[str, str]:
    """The abbreviations a plan explains in a legend or a note ('Съкращения: МД – местна дейност; ДДД – държавно
    делегирана дейност') → {abbreviation: meaning}; an abbreviation explained two ways is left out."""
    found: dict[str, set[str]] = {}
    for line in lines:
        if " – " not in line and " - " not in line and " — " not in line:
            continue
        for m in ABBREVIATION_ENTRY.finditer(" ".join(line.split())):
            found.setdefault(m["abbr"], set()).add(m["meaning"].strip(" .;"))
    return {abbr: meanings.pop() for abbr, meanings in found.items() if len(meanings) == 1}


CODE_ENTRY = re.compile(r"(?:^|[;:]\s*)(?P<code>[А-Я][а-я]?)\s+[–—-]\s+(?P<meaning>[^;]{3,120})")


def read_codes(lines: list[str]) -> dict[str, str]:
    """The one- or two-letter codes a legend explains ('* Статус: Д – действаща; Н – нова услуга; З – закриване')
    → {code: meaning}: only from a line listing three codes or more, a code explained two ways left out."""
    found: dict[str, set[str]] = {}
    for line in lines:
        entries = CODE_ENTRY.findall(" ".join(line.split()))
        if len(entries) >= 3:
            for code, meaning in entries:
                found.setdefault(code, set()).add(meaning.strip(" .;"))
    return {code: meanings.pop() for code, meanings in found.items() if len(meanings) == 1}


@lru_cache(maxsize=1)
def review_flag_fields() -> dict[str, tuple[str, ...]]:
    """etl/data/review_flags.csv: each review flag (docs/conventions.md) → the export fields it points at (none for a
    flag about the whole row). The review command and the /data grid mark those fields."""
    return {r["code"]: tuple(r["fields"].split()) for r in read_csv("review_flags.csv")}
