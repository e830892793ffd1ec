"""The document's heading: the municipality named in it, the plan's year, the years a table's caption names, and
the plan's title."""

from __future__ import annotations

import re
from collections import Counter

from ..lines import Line

MUNICIPALITY = re.compile(r"общин[аи]\s*:?\s+([^\n]{2,60})", re.I)
YEAR_PATTERNS = [
    re.compile(r"\bза\s+((?:19|20)\d\d)\s*(?:г|год)", re.I),
    re.compile(r"планов\s+период\D{0,12}?(?:\d\d\.\d\d\.)?((?:19|20)\d\d)", re.I),
    re.compile(r"\b((?:19|20)\d\d)\s*(?:г\.?\s*)?година", re.I),
    re.compile(r"(?:план за действие|времеви график за|времени график за)\s+((?:19|20)\d\d)", re.I),
    # a year in the title line, not a strategy period such as "2016-2020"
    re.compile(r"годишен\s*план[^\n]{0,160}?(?<!\d[-–])(?<!\d[-–]\s)(?<!\d\s[-–]\s)\b((?:19|20)\d\d)\b(?!\s*[-–]\s*(?:19|20)\d\d)",
               re.I),
]
STOP_WORDS = {"за", "област", "обл", "в", "на", "и", "планов", "година", "г"}


def heading_text(lines: list[Line]) -> str:
    text = "\n".join(" ".join(c for c in ln.cells if c) for ln in lines)
    return re.sub(r"(?<=\b\w) (?=\w\b)", "", text)  # "Г О Д И Ш Е Н" → "ГОДИШЕН"


ASIDE = re.compile(r"\([^()\n]*\)")


def find_year(text: str) -> int | None:
    """The plan year the heading states. A year in brackets is an aside ('(с индикативна част за 2019 г.)'): read
    only when the heading names no year outside brackets."""
    return _find_year(ASIDE.sub(" ", text)) or _find_year(text)


def _find_year(text: str) -> int | None:
    for pattern in YEAR_PATTERNS:
        found = Counter(int(m) for m in pattern.findall(text))
        if found:
            return found.most_common(1)[0][0]
    return None


def document_year(lines: list[Line], first_table: int | None) -> int | None:
    """The plan year: the title's own year first (another line of the heading may name the next year's plan),
    else the heading's above the first table, else the whole document's."""
    head = [ln for ln in lines if first_table is None or ln.no < first_table]
    title_line = next((ln for ln in head if TITLE.search(heading_text([ln]))), None)
    return (title_line is not None and find_year(heading_text([title_line]))) or find_year(find_title(head)) or \
        find_year(heading_text(head)) or find_year(heading_text(lines))


OTHER_YEAR = re.compile(r"\b(?:през|за)\s+((?:19|20)\d\d)\s*г", re.I)


def caption_years(caption: str) -> set[int]:
    """The years a table's caption says its activities are for ('Таблица 2. Дейности през 2019 г.')."""
    return {int(y) for y in OTHER_YEAR.findall(caption)}


def municipality_candidates(text: str) -> list[list[str]]:
    """Per mention of 'община …' in the heading: the following words (up to three) cut at a stop word, longest
    first. A later word may be lower-case ("Нови пазар", "Долни чифлик"); the first must be a capital."""
    out = []
    for match in MUNICIPALITY.finditer(text):
        words = []
        for word in re.split(r"[\s\-–,.:;()]+", match.group(1).strip(" *")):
            if not word or word.lower() in STOP_WORDS or not word[0].isalpha() or (not words and not word[0].isupper()):
                break
            words.append(word)
        if words:
            out.append([" ".join(words[:n]) for n in range(min(3, len(words)), 0, -1)])
    return out


TITLE = re.compile(r"годишен\s+план", re.I)


def find_title(lines: list[Line]) -> str:
    for i, ln in enumerate(lines):
        text = heading_text([ln])
        if TITLE.search(text):
            parts = [text]
            for nxt in lines[i + 1 : i + 8]:
                if nxt.is_blank:
                    continue
                t = heading_text([nxt])
                if len(parts) >= 4 or len(t) > 200:
                    break
                parts.append(t)
                if find_year(t):
                    break
            return " ".join(" ".join(parts).replace("*", " ").split())
    return ""
