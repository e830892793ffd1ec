"""What one cell holds, read on its own: its kind (empty, mark, 'no', item number, one number, text), the cues in
its wording (a place, a source of money, a provider, an amount, a term, a count) and how well it fits a column's
role."""

from __future__ import annotations

import re
from functools import lru_cache

from ..marks import is_mark, month_string, stands_for_mark
from .model import ITEM_NO, NO_MARK, ROMAN_ITEM, is_schedule_role

PLACE_CUE = re.compile(r"(^|[\s,;(])(гр\.|с\.|град\s|село\s)|^(гр|с)\s+[А-Я]", re.I)
FUNDING_CUE = re.compile(r"бюджет|финанс|програм|проект|делегиран|\bддд\b|\bоп\b|\bнп\b|средства|дарени|\bеsф|механизъм|"
                         r"схема|фонд", re.I)
PROVIDER_CUE = re.compile(r"^(община|дирекция|дсп\b|агенция|сдружение|фондация|нпо|доставчик|кмет|читалище|бчк|"
                          r"рзи|мбал|центъра|управител|ръководител|екип|специалист|\S+\s+еоод|\S+\s+оод)|\bеоод\b|\bнпо\b",
                          re.I)
AMOUNT_CUE = re.compile(r"\d\s*(лв|лева|bgn|хил)\b", re.I)
TERM_CUE = re.compile(r"(19|20)\d\d|месеч|тримесеч|полугоди|постоян|текущ|срок|януари|февруари|март|април|май|юни|юли|"
                      r"август|септември|октомври|ноември|декември|\d\d\.\d\d\.", re.I)
COUNT_CUE = re.compile(r"^(до\s+)?\d{1,4}\s*(места|място|потреб\w*|души|лица|деца|семейства|бр\.?)?$", re.I)
CUES = {"place": PLACE_CUE, "funding": FUNDING_CUE, "provider": PROVIDER_CUE, "amount": AMOUNT_CUE, "term": TERM_CUE,
        "capacity": COUNT_CUE}
NO_CUES: frozenset[str] = frozenset()


CELL_WHATS = ("empty", "mark", "no", "item", "one", "text")  # what cell_what tells apart


@lru_cache(maxsize=65536)
def cell_what(text: str) -> str:
    """What a cell holds, as far as the columns' roles care: empty, a mark, a 'no', an item number or a text."""
    text = text.strip()
    if not text:
        return "empty"
    if "/" in text and all(NO_MARK.match(part.strip()) for part in text.split("/")):
        return "no"  # '– / – / –': no value for any of a split column's labels, not a mark
    if ROMAN_ITEM.match(text):  # 'V.', 'X.': a Roman item number, not a mark
        return "item"
    if is_mark(text):
        return "text" if month_string(text, True) else "mark"  # twelve signs, one a month: a period's text
    if NO_MARK.match(text):
        return "no"
    if stands_for_mark(text):
        return "mark"  # symbols that are no mark we know: records flag them
    if text == "1":  # an item number, or a quarter column's mark ('1' / '0' where the plan says so)
        return "one"
    return "item" if ITEM_NO.match(text) else "text"


@lru_cache(maxsize=65536)
def cell_cues(text: str) -> frozenset[str]:
    """The roles whose cues a text shows (a settlement for the place, лв. for the amount, …)."""
    return frozenset(role for role, cue in CUES.items() if cue.search(text))


def cell_kind(text: str) -> tuple[str, frozenset[str]]:
    what = cell_what(text)
    return what, (cell_cues(text) if what in ("text", "item", "one") else frozenset())


def fit(role: str, text: str) -> float:
    """How well a cell's content fits its column's role."""
    return fit_kind(role, cell_kind(text))


@lru_cache(maxsize=16384)
def fit_kind(role: str, kind: tuple[str, frozenset[str]]) -> float:
    what, cues = kind
    if what == "empty":
        return 0.0
    if role == "settlement":  # a settlement matrix column: a mark, or a text merged over the settlements
        return 2.0 if what == "mark" else 1.0 if what == "no" else 1.5 if "place" in cues else 0.5
    if is_schedule_role(role) or role == "other_period":  # a labelled quarter, month or half-year column is surer than an unlabelled slot
        if what == "one":  # '1' under a labelled quarter: a mark as likely as a 'no' ('0') beside it
            return -4.0 if role == "sched" else 1.0
        return (2.0 if role == "sched" else 3.0) if what == "mark" else 1.0 if what == "no" else -4.0
    if role == "status_flag":  # a column of one action answered yes ('Да', a mark) or no ('Не', '–')
        return 2.0 if what in ("mark", "no") else -2.0
    if role == "quantity":  # a quarter column of amounts or counts: a quantity, or a mark where a row gives none
        return 2.0 if what == "mark" else 1.5 if "amount" in cues else 1.0
    if what == "mark":
        return -3.0
    if role == "item_no":
        return 2.0 if what in ("item", "one") else -2.0
    return 1.5 if role in cues else 1.0
