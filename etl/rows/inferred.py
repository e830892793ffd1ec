"""A table with no header the vocabulary knows: whether a block of rows looks like a header at all, and the
columns' roles inferred from what their cells hold (marks, amounts, settlements, item numbers, long texts)."""

from __future__ import annotations

import re
from collections import Counter

from ..marks import is_mark
from .cells import CUES
from .columns import Columns
from .model import ITEM_NO, NO_MARK


def looks_like_header(block: list[list[str]]) -> bool:
    """Whether the first row of a headerless table's block is a header in words the vocabulary does not know:
    short cells with no digits, over rows that are numbered or hold marks under its texts."""
    rows = [r for r in block if sum(1 for c in r if c.strip()) >= 2]
    if len(rows) < 2 or rows[0] is not block[0]:
        return False
    first = rows[0]
    if any(len(c) > 60 or re.search(r"\d", c) or is_mark(c) for c in first if c.strip()):
        return False
    below = rows[1:]
    numbered = sum(bool(ITEM_NO.match(next((c for c in r if c.strip()), "").strip())) for r in below)
    marks_under_text = any(i < len(r) and is_mark(r[i]) for r in below for i, c in enumerate(first) if c.strip())
    return numbered >= 0.6 * len(below) or marks_under_text


def infer_columns(rows: list[list[str]]) -> Columns | None:
    """Column roles of a headerless table from its rows' cells: a run of columns of marks is the schedule (4:
    quarters, 12: months, 2: half-years), a column of item numbers the number, columns whose cells mostly show
    an amount, a settlement, a funding source, a provider, a period or a count take that role, and the text
    columns left are the name, then the description; the rest are kept as text."""
    rows = [r for r in rows if sum(1 for c in r if c.strip()) >= 2]
    if not rows:
        return None
    width = Counter(len(r) for r in rows).most_common(1)[0][0]
    columns = [[r[i].strip() for r in rows if i < len(r) and r[i].strip()] for i in range(width)]
    roles = [""] * width
    marks = [bool(col) and sum(is_mark(c) or bool(NO_MARK.match(c)) for c in col) >= 0.8 * len(col)
             and any(is_mark(c) for c in col) for col in columns]
    i = 0
    while i < width:
        if not marks[i]:
            i += 1
            continue
        end = i
        while end + 1 < width and (marks[end + 1] or not columns[end + 1]):
            end += 1
        while end > i and not columns[end]:
            end -= 1
        span = end - i + 1
        kind = {4: "q", 12: "m", 2: "h"}.get(span)
        for k in range(i, end + 1):
            roles[k] = f"{kind}{k - i + 1}" if kind else "sched"
        i = end + 1
    for i, col in enumerate(columns):
        if roles[i] or not col:
            continue
        if "item_no" not in roles and sum(bool(ITEM_NO.match(c)) for c in col) >= 0.6 * len(col):
            roles[i] = "item_no"
            continue
        votes = Counter(role for c in col for role, cue in CUES.items() if cue.search(c))
        long_text = sum(len(c) > 60 for c in col) >= 0.5 * len(col)
        for role, n in votes.most_common():
            if n >= 0.6 * len(col) and role not in roles and not (long_text and role in ("term", "funding", "provider")):
                roles[i] = role
                break
    text_roles = iter(["name", "description", "results"])
    for i, col in enumerate(columns):
        if not roles[i] and col:
            roles[i] = next(text_roles, f"extra{i}")
    if "name" not in roles:
        return None
    return Columns(roles, inferred=True)
