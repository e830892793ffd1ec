"""Bulgarian in Latin letters by the Streamlined System of the Transliteration Act (Закон за транслитерацията,
ДВ бр. 19/2009, чл. 3): one Latin letter or group per Cyrillic letter; 'ия' at the end of a word is 'ia'
(София → Sofia). Plan ids, file names and the English UI's place names all come from here."""

from __future__ import annotations

import re

TABLE = dict(zip("абвгдежзийклмнопрстуфхцчшщъьюя",
                 ["a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r",
                  "s", "t", "u", "f", "h", "ts", "ch", "sh", "sht", "a", "y", "yu", "ya"], strict=True))
WORD_END_IA = re.compile(r"ия\b")


def lower_latin(text: str) -> str:
    """text in lower case Latin letters; other characters kept ('Стара Загора' → 'stara zagora')."""
    return "".join(TABLE.get(ch, ch) for ch in WORD_END_IA.sub("ia", text.lower()))


def slug(text: str) -> str:
    """A lower-case slug: 'Стара Загора' → 'stara-zagora' (plan ids, file names)."""
    return re.sub(r"[^a-z0-9]+", "-", lower_latin(text)).strip("-")


def latin(text: str | None) -> str | None:
    """text in Latin letters, each word's case kept: 'Стара Загора' → 'Stara Zagora', 'с. Бистрица' →
    's. Bistritsa', 'ЦОП' → 'TSOP'. Other characters are kept; None stays None."""
    if not isinstance(text, str):
        return text
    out, word = [], []
    for ch in text + " ":
        if ch.isalpha():
            word.append(ch)
            continue
        if word:
            out.append(_latin_word("".join(word)))
            word = []
        out.append(ch)
    return "".join(out)[:-1]


def _latin_word(word: str) -> str:
    latin_word = lower_latin(word)
    if len(word) > 1 and word.isupper():
        return latin_word.upper()  # an acronym (ЦОП → TSOP)
    if word[:1].isupper():
        return latin_word[:1].upper() + latin_word[1:]
    return latin_word
