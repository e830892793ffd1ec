"""Schedule marks, the one definition every stage uses: which cell text is a mark ('X', 'Х', '✓', '+', 'да', a
Wingdings tick extracted as 'ü', …), which is a 'no' ('–', 'не', '0', an empty cell) and which is neither."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

YES_WORDS = {"да", "yes", "1", "v"}
NO_WORDS = {"не", "no", "0", "няма"}
DASHES = set("-‐‑‒–—―−")
MARK_LETTERS = set("xхχ×v") | set("üûýþ")  # Latin x, Cyrillic х, Greek χ, the sign ×, v; Wingdings ✓ ✗ ☒ ☑ as extracted
FILLERS = set(".…,;:!\"'„“”«»()[]")  # punctuation alone is no mark
NOT_MARKS = set("№%§€$")  # symbols, but they stand for numbers or money, never for a mark
EMPTY_BOX = "☐"
HOLLOW = set("□○◯☐◻▫⬜◇")  # hollow shapes: beside filled ones in a string of months they mean 'not this month'


def clean_cell(text: str | None) -> str:
    """Cell text without HTML tags, with no-break spaces as spaces, stripped."""
    text = re.sub(r"<[^>]*>", " ", text or "")
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


@lru_cache(maxsize=16384)  # cells repeat from row to row and plan to plan
def mark_value(text: str) -> int | None:
    """One schedule cell: 1 for any mark (X, Х, +, /, *, ✓, •, 'да', '1', 'v', … in any script), 0 for an
    empty cell or a no ('не', '–', '0', 'няма'), None for anything else (a word, a date, '?')."""
    cell = clean_cell(text)
    word = cell.lower().rstrip(".!")
    if not cell:
        return 0
    if word in YES_WORDS:
        return 1
    if word in NO_WORDS or (len(cell) == 1 and cell in DASHES) or cell == EMPTY_BOX:
        return 0
    return _symbol_mark(cell)


def _symbol_mark(cell: str) -> int | None:
    """1 for a cell of mark symbols and mark letters ('XX', '//////', '✓', '+'), None otherwise: words,
    digits, a question mark, fillers ('...') or several dashes (a bar or a no: not sure which)."""
    chars = [c for c in cell if not c.isspace()]
    if "?" in chars or any(c in NOT_MARKS for c in chars):
        return None
    if all(c in DASHES for c in chars) or all(c in FILLERS for c in chars):
        return None
    if all(c.lower() in MARK_LETTERS or unicodedata.category(c)[0] in "SP" for c in chars):
        return 1
    return None


@lru_cache(maxsize=65536)  # called on every cell of many rows
def is_mark(text: str) -> bool:
    """A mark in a table cell (mark_value 1) with no digit: in a table '1' and '1.' are numbers before marks."""
    return mark_value(text) == 1 and not any(c.isdigit() for c in text)


SYMBOLS = re.compile(r"^[^\w\s][^\w]*$")  # a cell of symbols and punctuation only
RULE = re.compile(r"^[-–—‒―_.…]+$")  # dashes or dots alone: a rule or a filler


def stands_for_mark(text: str) -> bool:
    """Symbols that are no mark we know ('?') stand where marks stand: a row is aligned as if they were marks,
    and the records stage flags them (mark_value None: unknown_mark). A rule or filler of dashes or dots does not."""
    text = text.strip()
    return bool(SYMBOLS.match(text)) and not RULE.match(text)


def is_mark_symbols(mark: str) -> bool:
    """A legend key: mark symbols or letters ('X', 'х', '+', '//', '*****', '✓'), not dashes alone, not '№'."""
    if all(c in DASHES or c in ":=" for c in mark) or any(c in NOT_MARKS for c in mark):
        return False
    return all(c.lower() in MARK_LETTERS or unicodedata.category(c)[0] in "SP" for c in mark)


@lru_cache(maxsize=4096)
def month_string(text: str, months_header: bool) -> tuple[int, ...] | None:
    """A cell of twelve signs, one a month from January ('□□□■■■■■■■■■'): 1 for a mark, 0 for a hollow shape
    or a dash. Read under a months header, or when hollow and filled signs stand side by side; else None."""
    signs = [c for c in text if not c.isspace()]
    if len(signs) != 12:
        return None
    values = tuple(0 if c in HOLLOW or c in DASHES else 1 if c not in FILLERS and mark_value(c) == 1 else -1
                   for c in signs)
    if -1 in values or not (months_header or (0 in values and any(c in HOLLOW for c in signs) and 1 in values)):
        return None
    return values
