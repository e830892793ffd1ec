"""Records stage helper: numbers written in plan cells — decimals, amounts in leva, counts and capacities.

The rule is *never a wrong number*: a value the code is not sure of comes back as None together with a
flag code (``unparsed_number``, ``several_amounts``), never as a guess. Years, dates, decision and street
numbers, ages, lengths of stay, percentages and phone numbers are never read as amounts or capacities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache

UNPARSED = "unparsed_number"  # a number is there but cannot be read completely or unambiguously
SEVERAL = "several_amounts"  # several amounts and no stated total

# --- Bulgarian number words ---------------------------------------------------------------------------

UNIT_WORDS = {"един": 1, "една": 1, "едно": 1, "два": 2, "две": 2, "двама": 2, "три": 3, "трима": 3,
              "четири": 4, "четирима": 4, "пет": 5, "петима": 5, "шест": 6, "шестима": 6, "седем": 7,
              "седмина": 7, "осем": 8, "осмина": 8, "девет": 9, "деветима": 9}
TEEN_WORDS = {"десет": 10, "десетима": 10, "единадесет": 11, "единайсет": 11, "дванадесет": 12,
              "дванайсет": 12, "тринадесет": 13, "тринайсет": 13, "четиринадесет": 14, "четиринайсет": 14,
              "петнадесет": 15, "петнайсет": 15, "шестнадесет": 16, "шестнайсет": 16,
              "седемнадесет": 17, "седемнайсет": 17, "осемнадесет": 18, "осемнайсет": 18,
              "деветнадесет": 19, "деветнайсет": 19}
TEN_WORDS = {"двадесет": 20, "двайсет": 20, "тридесет": 30, "трийсет": 30, "четиридесет": 40,
             "четирийсет": 40, "петдесет": 50, "шестдесет": 60, "седемдесет": 70, "осемдесет": 80,
             "деветдесет": 90}
HUNDRED_WORDS = {"сто": 100, "двеста": 200, "триста": 300, "четиристотин": 400, "петстотин": 500,
                 "шестстотин": 600, "седемстотин": 700, "осемстотин": 800, "деветстотин": 900}
NUMBER_WORDS: dict[str, int] = {"нула": 0, **UNIT_WORDS, **TEEN_WORDS, **TEN_WORDS, **HUNDRED_WORDS}

# rank of each word in a compound number: hundreds, then tens (or a teen), then units
_RANK = {**dict.fromkeys(HUNDRED_WORDS, 3), **dict.fromkeys(TEN_WORDS, 2), **dict.fromkeys(TEEN_WORDS, 1.5),
         **dict.fromkeys(UNIT_WORDS, 1), "нула": 0}
_WORD = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
WORD_PHRASE = re.compile(rf"(?<!\w)(?:{_WORD})(?:\s+(?:и\s+)?(?:{_WORD}))*(?!\w)", re.I)
# the first three letters of every number word: a text holding none of them holds no number word (a quick test
# before WORD_PHRASE, whose many alternatives are slow to try at every position)
WORD_STARTS = re.compile("|".join(sorted({w[:3] for w in NUMBER_WORDS})))


def words_value(phrase: str) -> int | None:
    """The value of a Bulgarian number phrase ('двадесет и пет' → 25, 'сто и пет' → 105), None when the
    words do not form one number ('пет три', 'и пет')."""
    words = phrase.lower().split()
    if not words or words[0] == "и" or words[-1] == "и" or "и и" in " ".join(words):
        return None
    words = [w for w in words if w != "и"]
    if any(w not in NUMBER_WORDS for w in words):
        return None
    if len(words) > 1 and "нула" in words:
        return None
    ranks = [_RANK[w] for w in words]
    if any(a <= b for a, b in zip(ranks, ranks[1:], strict=False)):
        return None
    if 1.5 in ranks and (1 in ranks or 2 in ranks):  # a teen stands alone after the hundreds
        return None
    return sum(NUMBER_WORDS[w] for w in words)


# --- one written number ---------------------------------------------------------------------------------

SPACE_CHARS = " \u00a0\u202f\u2009"
# characters that group thousands like a space: spaces, and apostrophes between digits ("96'400", "1’200")
GROUP_CHARS = SPACE_CHARS + "'\u2019"
NUMBER_SHAPE = re.compile(rf"\d+(?:(?:[{SPACE_CHARS}]+|['\u2019]|[.,])\d+)*")
_PARTS = re.compile(rf"([{SPACE_CHARS}]+|['\u2019]|[.,])")


def parse_decimal(text: str) -> float | None:
    """One written number → its value, else None.

    Spaces (also no-break and narrow no-break) group thousands. With both '.' and ',' the last one is the
    decimal separator. A lone '.' followed by exactly three digits groups thousands ('12.500' → 12500);
    a lone ',' followed by exactly three digits is ambiguous ('12,500': 12.5 in Bulgarian, 12500 in
    English) and gives None. Anything not fully consumed ('12.50.30', '1,2,3') gives None.
    """
    plain = decimal_string(text)
    return None if plain is None else float(plain)


def decimal_string(text: str) -> str | None:
    """The number as a plain string ('64 800,00' → '64800.00'), or None when it cannot be read surely."""
    text = text.strip()
    if text.isdecimal():
        return text  # digits alone (the usual case): nothing to split
    if not NUMBER_SHAPE.fullmatch(text):
        return None
    parts = _PARTS.split(text)
    digits, seps = parts[::2], ["s" if p[0] in GROUP_CHARS else p for p in parts[1::2]]
    decimal = _decimal_separator(digits, seps)
    if decimal is False:
        return None
    whole = digits[:-1] if decimal else digits
    if not _grouped(whole, seps[:len(whole) - 1]):
        return None
    return "".join(whole) + ("." + digits[-1] if decimal else "")


def _decimal_separator(digits: list[str], seps: list[str]) -> str | None | bool:
    """The decimal separator of a number ('.' or ','), None when it has none, False when unreadable."""
    puncts = [s for s in seps if s != "s"]
    if not puncts:
        return None
    last = seps[-1]
    if len(set(puncts)) == 2 or "s" in seps:  # mixed separators: the last one is the decimal one
        return last if last != "s" and puncts.count(last) == 1 else False
    if len(puncts) > 1:
        return None  # '1.234.567': repeated, so grouping
    three_after = len(digits[-1]) == 3 and len(digits[0]) <= 3 and digits[0] != "0"
    if three_after:
        return None if last == "." else False  # '12.500' groups thousands; '12,500' is ambiguous
    return last


def _grouped(groups: list[str], seps: list[str]) -> bool:
    """Thousands grouping is regular: one kind of separator, 1–3 digits first, then groups of three."""
    if len(groups) == 1:
        return True
    if len(set(seps)) != 1 or not 1 <= len(groups[0]) <= 3 or groups[0].startswith("0"):
        return False
    return all(len(g) == 3 for g in groups[1:])


# --- a number read whole --------------------------------------------------------------------------------

# letters typed for digits: О (Cyrillic or Latin) for 0, l, I or | for 1, З for 3 (lower case too: some readers
# read lower-cased text)
LOOKALIKES = "ОоOolIi|Зз"
# what may be written glued to a number ('100бр.', '30места', '5000лв.', '12хил.лв.', '2021г.')
_GLUED = re.compile(r"места|място|легла|легло|бр|броя|брой|лв|лева|хил|млн|bgn|eur|евро|г|год|ч|м|мес|дни|души|"
                    r"лица|деца|човека|потребител\w*|ползвател\w*|семейства|служител\w*|асистент\w*|"
                    r"специалист\w*|ла|дп|са|пс", re.I)
_TOKEN = re.compile(rf"(?P<lead>bgn|eur)?(?P<num>{NUMBER_SHAPE.pattern})(?P<tail>[^\W\d_]*)", re.I)
_CONNECTOR = r"(?:[-–—/÷+→×*=]|->|(?<![^\W\d_])(?:или|до|и|[xхXХ])(?![^\W\d_]))"
# the written number goes on after it: a range, an alternative, a sum, an 'и' before a unit with no number
# between ('двадесет и места': a number in words not finished), letters typed for digits after a space ('1 ОО');
# a date after 'до' is a deadline, not the end of a range ('от 7 на 9 до 30.06.2022 г.')
_DATE_AHEAD = r"(?!\d{1,2}\.\d{1,2}\.(?:19|20)?\d\d(?!\d))"
_MORE_AFTER = re.compile(rf"\s*{_CONNECTOR}\s*{_DATE_AHEAD}\d|\s*\+|\s+и\s+(?:[^\W\d_]{{1,12}}\s+)?(?:места|място|бр(?!\w)|броя)"
                         rf"|\s+[{LOOKALIKES}]+(?:\d|(?![^\W_]))", re.I)
# another number-like word right before it, alone or joined by a connector ('8-10', '100 или 120', '1О 000')
# (a number inside a code, 'BG05M9OP001-2.018-0001 – 50 000 лв.', is not one)
_MORE_BEFORE = re.compile(rf"(?<![^\W_])(?<![^\W_][-./,])\d[\d.,]*[^\W\d_]*\s*{_CONNECTOR}?\s*$", re.I)
_DIGIT = re.compile(r"\d")


_SEPARATORS = GROUP_CHARS + ".,"


def token_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The whole written token a reader's digits text[start:end] belong to: the digits with every letter,
    digit and digit separator (between two digits: '64 800,00', '1.200') glued to them ('1О', 'l0', '8,5',
    '12,500', '100бр')."""
    while start > 0 and (text[start - 1].isalnum() or (
            text[start - 1] in _SEPARATORS and start > 1 and text[start - 2].isdigit() and text[start].isdigit())):
        start -= 1
    last = len(text) - 1
    while end <= last and (text[end].isalnum() or (
            text[end] in _SEPARATORS and end < last and text[end - 1].isdigit() and text[end + 1].isdigit())):
        end += 1
    return start, end


def standalone(text: str, start: int, end: int) -> str | None:
    """The number a reader found at text[start:end] as a plain string ('1 200' → '1200', '64 800,00' →
    '64800.00') when it stands alone: nothing but a unit or currency glued to it, no range, alternative, sum
    or chain around it. None when the written number is more than these digits or cannot be read."""
    start, end = token_around(text, start, end)
    token = _TOKEN.fullmatch(text, start, end)
    if token is None or (token["tail"] and not _GLUED.fullmatch(token["tail"])):
        return None
    if _MORE_AFTER.match(text, end):
        return None
    if _DIGIT.search(text, max(0, start - 30), start) and _MORE_BEFORE.search(text, max(0, start - 30), start) \
            and _more_before(text, start, end):
        return None
    return decimal_string(token["num"])


def _more_before(text: str, start: int, end: int) -> bool:
    """Whether another number stands right before the token text[start:end] once years, dates, addresses and the
    like are blanked (the token kept in the window: what follows decides some of them, '50+' but '5000 + 3000')."""
    written = text[start:end]
    window = blank_distractors(text[max(0, start - 30):end])
    return not window.endswith(written) or bool(_MORE_BEFORE.search(window[:len(window) - len(written)]))


def count_at(text: str, start: int, end: int) -> Number:
    """The whole count a reader found at text[start:end]: Number(value) when it stands alone and is a whole
    number; else Number(None, 'unparsed_number') — glued letters ('1О места', 'l0'), a fraction ('8,5'), a
    range ('8-10', 'от 8 до 10'), an alternative ('100 или 120'), an ambiguous grouping ('12,500')."""
    plain = standalone(text, start, end)
    if plain is None or "." in plain:
        return Number(None, UNPARSED)
    return Number(float(plain))


# --- counts ---------------------------------------------------------------------------------------------

_COUNT_TAIL = re.compile(r"\s*(?:бр\.?|броя|брой)\s*$", re.I)
_PAIR = re.compile(r"^(?P<a>[^()]+?)\s*\((?P<b>[^()]+)\)$")


def parse_count(text: str) -> int | None:
    """A small whole count in digits or Bulgarian words ('15', 'двадесет и пет', '15 (петнадесет)'),
    else None. Digits and words side by side must agree; a trailing 'бр.'/'броя' is allowed."""
    text = _COUNT_TAIL.sub("", re.sub(r"\s+", " ", text).strip(" .;:")).strip()
    pair = _PAIR.match(text)
    if pair:
        a, b = _single_count(pair["a"]), _single_count(pair["b"])
        return a if a is not None and a == b else None
    return _single_count(text)


def _single_count(text: str) -> int | None:
    text = text.strip(" .")
    if re.fullmatch(r"0|[1-9]\d{0,2}(?:[ \u00a0\u202f.]\d{3})*|[1-9]\d*", text):
        value = parse_decimal(text)
        return int(value) if value is not None else None
    return words_value(text) if WORD_PHRASE.fullmatch(text) else None


def words_to_digits(text: str) -> tuple[str, bool]:
    """The text with every number phrase written in digits ('двадесет места' → '20 места'), and whether
    some run of number words did not form one number."""
    broken = False
    if not WORD_STARTS.search(text.lower()):
        return text, broken

    def replace(m: re.Match) -> str:
        nonlocal broken
        value = words_value(m.group(0))
        if value is None:
            broken = True
            return m.group(0)
        return str(value)

    return WORD_PHRASE.sub(replace, text), broken


# --- distractors: numbers that are never amounts or capacities -----------------------------------------

BLANK = " ¦ "  # what a distractor is replaced with: breaks number runs and is no word
# a number starts here (not inside another number, nor at a group of one: '020 560' in '1 020 560')
_N = r"(?<!\d)(?<!\d[.,])(?<!\d[ \u00a0\u202f\u2009])"
_L = r"(?<![^\W\d_])"  # a keyword starts here (not inside a word)
_TIME_WORDS = r"(?:г\.?|год\.?|години|годишн\w*|година|месеца|месец|мес\.|дни|дена|ден|седмици|часа|ч\.)(?!\w)"
DISTRACTORS = [re.compile(p, re.I) for p in (
    rf"{_N}\d{{1,2}}\s?[./]\s?(?:\d{{1,2}}|[IVX]{{1,4}})\s?[./]\s?(?:\d{{4}}|\d{{2}})(?!\d)\s*(?:г\.?(?!\w))?",  # dates
    rf"{_N}\d{{1,2}}[.:]\d{{2}}\s*ч(?:\.|аса)?(?!\w)",  # times of day
    rf"{_L}(?:тел|факс|gsm|моб)\w*\.?\s*:?\s*\+?\d[\d\s/()\-]{{4,}}\d",  # phone numbers
    rf"{_N}(?:\+359[\s-]?|0)\d{{2,4}}(?:[\s/\-]?\d{{2,4}}){{1,3}}(?![.,]?\d)(?!\s*\d)",  # a whole run only
    rf"{_L}(?:улица|ул|бул|пл|жк|ж\.к|кв|бл|ет|ап|вх|пк|п\.к)(?:\.|(?!\w))\s*[^,;\d¦–—\-]{{0,40}}?\d+"
    r"(?:\s?[а-яa-z](?!\w))?",  # addresses: 'ул. Васил Левски 12', 'бл. 8А'
    rf"(?:№|{_L}no\.)\s*[\w\-/.]*\d[\w\-/.]*",  # numbers of decisions, orders, houses
    rf"{_N}\d+/(?:19|20)\d\d(?!\d)",  # '312/2019'
    rf"{_L}(?:бел|заб|бележка|забележка)\.?\s*(?:№\s*)?\d{{1,2}}(?!\d)",  # references to notes: 'виж заб. 1'
    rf"{_L}(?:т\.|точка|пункт)\s*\d{{1,2}}(?:\.\d{{1,2}})*(?![\d,])",  # references to items: 'по т. 3'
    rf"{_L}(?:заети|заето|заета|настанени|настанен[аио]?|обслужвани)\s*[:\-–—]?\s*\d+",  # occupancy: 'заети 17'
    rf"{_N}(?:19|20)\d\d\s*[-–—/]\s*(?:19|20)?\d\d(?!\d)",  # year ranges '2014–2020'
    rf"{_L}(?:от\s+)?{_N}\d+\s*(?:-|–|—|до)\s*\d+\s*-?\s*{_TIME_WORDS}",  # ages 'от 3 до 7 г.'
    rf"{_L}(?:над|под|до|след|около|за)\s+\d+\s*-?\s*{_TIME_WORDS}",  # 'до 6 месеца', 'над 65 г.'
    rf"{_N}\d+\s*-?\s*годишн\w*",  # '65-годишна'
    rf"{_N}\d+(?:[.,]\d+)?\s*{_TIME_WORDS}",  # '2021 г.', '18 години', '9 месеца'
    rf"{_N}\d+(?:[.,]\d+)?\s*(?:%|процент\w*|на сто(?!\w))",  # percentages
    rf"{_N}\d+\s*\+(?!\s*\d)",  # 'Приятели 50+' (not a sum: '5000 + 3000 лв.')
)]


def blank_distractors(text: str) -> str:
    """The text with years, dates, decision/street/phone numbers, ages, durations and percentages blanked."""
    for pattern in DISTRACTORS:
        text = pattern.sub(BLANK, text)
    return text


def strip_markup(text: str) -> str:
    """Cell text without HTML tags and with single spaces."""
    text = re.sub(r"<[^>]*>", " ", text or "")
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


# --- amounts --------------------------------------------------------------------------------------------

_CURRENCY_AFTER = re.compile(
    r"\s*(?:(?P<scale>хиляди|хил\.?|милиона|милион|млн\.?)\s*)?"
    r"(?P<cur>лв(?!\w)\.?|лева(?!\w)|bgn(?!\w)|евро(?!\w)|eur(?!\w)|€)", re.I)
_CURRENCY_BEFORE = re.compile(r"(?P<cur>€|(?<!\w)eur|(?<!\w)bgn)\s*$", re.I)
_SCALE_ONLY = re.compile(r"\s*(?:хиляди|хил\.?|милиона|милион|млн\.?)(?!\w)", re.I)  # '1,2 млн.': leva?
_CURRENCY_ANY = re.compile(r"(?<!\w)(?:лв|лева|bgn|евро|eur)(?!\w)|€", re.I)
_SCALES = {"хил": 1000, "хиляди": 1000, "млн": 1_000_000, "милион": 1_000_000, "милиона": 1_000_000}
_TOTAL_LABEL = re.compile(r"(?<!\w)(?:общ(?:о|а|ата|ия|ият|ото)?|всичко)(?!\w)", re.I)
# a rate, not a total: 'по 7600 лв', 'месечния – съответно 2700 лв.' (the rate word at most one word before)
_RATE_BEFORE = re.compile(r"(?<!\w)по\s*$|(?:месечн|дневн|единичн)\w*\s*(?:[-–—:]\s*)?(?:[^\W\d_]+\s+)?$", re.I)
_RATE_AFTER = re.compile(r"\s*(?:/|на|за(?:\s+(?:един|една|1))?|в)?\s*(?:месец|мес\.?(?!\w)|месечно|ден(?!\w)|дневно|"
                         r"час|седмица|човек|лице|потребител|дете|брой|бр\.)", re.I)
_BARE_OK_WORDS = {"от", "и", "за", "по", "в", "във", "чрез", "с", "със", "към", "като"}
_NOT_AMOUNT_AFTER = re.compile(
    r"\s*(?:места|място|легла|легло|потребител\w*|ползвател\w*|човек\w*|души|лица|деца|бр(?!\w)|броя|брой|"
    r"асистент\w*|семейств\w*|служител\w*|специалист\w*|помощни\w*|групи|група|клуб\w*|м\.|%)", re.I)
_NOT_AMOUNT_BEFORE = re.compile(r"(?:№|(?<!\w)no\.?|(?<!\w)тел\.?|факс|(?<!\w)пк|решение|протокол|заповед)\s*:?\s*$",
                                re.I)


@dataclass(frozen=True)
class Number:
    """A parsed value, or None with the reason (flag None when there is simply no number)."""

    value: float | None
    flag: str | None = None


@dataclass(frozen=True)
class _Token:
    kind: str  # 'leva' | 'euro' | 'rate' | 'unclear'
    value: Decimal | None
    labelled: bool


_EURO_WORDS = r"(?:евро|eur)(?!\w)|€"
_LEVA_WORDS = r"(?:лв(?!\w)\.?|лева(?!\w)|bgn(?!\w))"
_AMOUNT_RUN = rf"\d+(?:(?:[{GROUP_CHARS}]|[.,])\d+)*"
# the same sum in both currencies, one in brackets ('117 597,13 евро (230 000 лв.)'): the leva one is the amount,
# when the two agree at the fixed rate of the lev to the euro
_EQUIVALENTS = [re.compile(p, re.I) for p in (
    rf"(?P<euro>{_AMOUNT_RUN})\s*(?:{_EURO_WORDS})\s*\(\s*(?P<leva>(?P<bgn>{_AMOUNT_RUN})\s*{_LEVA_WORDS})\s*\)",
    rf"(?P<leva>(?P<bgn>{_AMOUNT_RUN})\s*{_LEVA_WORDS})\s*\(\s*(?P<euro>{_AMOUNT_RUN})\s*(?:{_EURO_WORDS})\s*\)",
    # or side by side after a slash ('61 355,03 € / 120 000,00 лв.', '120 000 лв. / 61 355,03 €')
    rf"(?P<euro>{_AMOUNT_RUN})\s*(?:{_EURO_WORDS})\s*/\s*(?P<leva>(?P<bgn>{_AMOUNT_RUN})\s*{_LEVA_WORDS})",
    rf"(?P<leva>(?P<bgn>{_AMOUNT_RUN})\s*{_LEVA_WORDS})\s*/\s*(?P<euro>{_AMOUNT_RUN})\s*(?:{_EURO_WORDS})",
)]
LEVA_PER_EURO = Decimal("1.95583")


# a product worked out in the cell ('3 x 1'200 = 3'600'): the total, when the product agrees with it
_WORKED_PRODUCT = re.compile(rf"(?<![\d.,'])(?P<n>\d{{1,3}})\s*[×xхXХ*]\s*(?P<each>{_AMOUNT_RUN})\s*=\s*(?P<total>{_AMOUNT_RUN})")


def _total_if_product(m: re.Match) -> str:
    """The total of a worked product when n × each is the total; else the text as written (several numbers)."""
    each, total = decimal_string(m["each"]), decimal_string(m["total"])
    if each is None or total is None or Decimal(m["n"]) * Decimal(each) != Decimal(total):
        return m.group(0)
    return m["total"]


def _leva_if_equivalent(m: re.Match) -> str:
    """The leva amount of a pair written in both currencies, when the euro amount is the same sum (to within a
    lev either way, for rounding); else the pair as written (a euro amount in it: not read)."""
    leva, euro = decimal_string(m["bgn"]), decimal_string(m["euro"])
    if leva is None or euro is None or abs(Decimal(euro) * LEVA_PER_EURO - Decimal(leva)) > 1:
        return m.group(0)
    return m["leva"]
_CURRENCY_NEXT = re.compile(rf"\s*(?:хил\.?\s*|хиляди\s*|млн\.?\s*)?(?:{_LEVA_WORDS}|{_EURO_WORDS})", re.I)
_WORDS_OF = {"euro": " евро", "leva": " лв."}


def with_currency(text: str, currency: str) -> str:
    """A cell of an amount column whose header names euro, with that currency written after each bare number:
    'euro' → every number is euro; 'euro (leva)' → euro outside brackets, leva inside ('117 597,13 (230 000)'
    → '117 597,13 евро (230 000 лв.)'), 'leva (euro)' the other way round; 'unclear' → every number euro (so
    that none is taken for leva)."""
    outside, _, inside = currency.partition(" (")
    inside = inside.rstrip(")") or outside
    if currency == "unclear":
        outside = inside = "euro"
    out, depth, at = [], 0, 0
    for m in re.finditer(rf"[()]|{_AMOUNT_RUN}", text):
        out.append(text[at:m.end()])
        at = m.end()
        token = m.group(0)
        if token in "()":
            depth += 1 if token == "(" else -1
        elif not _CURRENCY_NEXT.match(text, m.end()):
            out.append(_WORDS_OF[inside if depth > 0 else outside])
    return "".join(out) + text[at:]


@lru_cache(maxsize=16384)  # cells repeat from row to row and plan to plan
def parse_amount(text: str, scale: float = 1.0, bare_numbers: bool = False) -> Number:
    """The total in leva a cell states.

    An amount is a number followed by a currency word (лв, лева, BGN; 'хил. лв.' ×1000, 'млн. лв.' ×1e6)
    or, with ``bare_numbers`` (the column header states the unit), a plain number multiplied by ``scale``.
    A written currency in the cell wins over the column's scale. A total labelled общо/общ бюджет/обща
    сума wins; else a lone amount. Several amounts without a total → 'several_amounts'; an amount that
    cannot be read, a euro amount or only per-month/per-person rates → 'unparsed_number'.
    """
    text = strip_markup(text)
    for equivalent in _EQUIVALENTS:
        text = equivalent.sub(_leva_if_equivalent, text)
    if "=" in text:
        text = _WORKED_PRODUCT.sub(_total_if_product, text)
    text = blank_distractors(text)
    tokens = _amount_tokens(text, Decimal(str(scale)), bare_numbers)
    totals = [t for t in tokens if t.labelled and t.kind in ("leva", "unclear")]
    if totals:
        values = {t.value for t in totals}
        if None in values or any(t.kind == "unclear" for t in totals):
            return Number(None, UNPARSED)
        return Number(float(values.pop())) if len(values) == 1 else Number(None, SEVERAL)
    if any(t.kind in ("euro", "unclear") or t.value is None for t in tokens):
        return Number(None, UNPARSED)
    amounts = [t for t in tokens if t.kind == "leva"]
    if len(amounts) == 1:
        return Number(float(amounts[0].value))
    if len(amounts) > 1:
        return Number(None, SEVERAL)
    if tokens or _orphan_currency(text):
        return Number(None, UNPARSED)
    return Number(None)


def breakdown_total(text: str) -> str:
    """An amount cell whose numbers come from several rows ('96 450 | 71 200 | 25 250'): the first, when the
    others (a breakdown by budget line: salaries, food, upkeep) add up to it exactly; else the cell as it is."""
    parts = text.split(" | ")
    if len(parts) < 3:
        return text
    values = [parse_amount(part, bare_numbers=True) for part in parts]
    if any(v.value is None for v in values):
        return text
    total, rest = Decimal(str(values[0].value)), [Decimal(str(v.value)) for v in values[1:]]
    return parts[0] if sum(rest) == total else text


def capacity_breakdown_total(text: str) -> str:
    """A capacity cell whose numbers come from several rows ('90 потребители | 50 потребители | 20 потребители |
    20 потребители': the service's row, then its rows 'в т.ч.' by settlement): the first, when the others are of
    its unit and add up to it exactly; else the cell as it is."""
    parts = text.split(" | ")
    if len(parts) < 3:
        return text
    values = [parse_capacity_cell(part) for part in parts]
    if any(v.flag or v.capacity is None or v.before is not None for v in values) or \
            len({v.unit for v in values} - {None}) > 1:
        return text
    return parts[0] if sum(v.capacity for v in values[1:]) == values[0].capacity else text


def _amount_tokens(text: str, scale: Decimal, bare_numbers: bool) -> list[_Token]:
    """Every amount-like number run of a (distractor-blanked) cell, in order."""
    tokens, previous_end = [], 0
    for run in NUMBER_SHAPE.finditer(text):
        before = text[previous_end:run.start()]
        token = _currency_token(text, run, before)
        if token is None and bare_numbers:
            rate = not _is_labelled(before) and _RATE_BEFORE.search(before[-40:])
            # a bare 'по 1 500 (на клуб)': so much each, no total
            each = decimal_string(run.group(0)) if rate else None
            token = _Token("rate", Decimal(each) * scale, False) if each else _bare_token(text, run, scale)
        if token is None and _SCALE_ONLY.match(text, run.end()):
            token = _Token("unclear", None, False)
        if token is not None and token.kind == "leva" and standalone(text, run.start(), run.end()) is None:
            token = _Token("unclear", None, False)  # '5 000 - 6 000 лв.', '5000 или 6000 лв.', '1О 000 лв.'
        if token is not None and token.kind == "leva" and _APPROXIMATE.search(text[max(0, run.start() - 20):run.start()]):
            token = _Token("unclear", None, False)  # 'около 480 000': an estimate, not the planned amount
        if token is not None:
            tokens.append(replace(token, labelled=_is_labelled(before)))
            previous_end = run.end()
    return tokens


def _currency_token(text: str, run: re.Match, before: str) -> _Token | None:
    """A run written with its currency ('5 000 лв.', '1,2 млн. лв.', '€ 300'), else None."""
    after = _CURRENCY_AFTER.match(text, run.end())
    prefix = _CURRENCY_BEFORE.search(text[max(0, run.start() - 6):run.start()])
    if not after and not prefix:
        return None
    currency = (after["cur"] if after else prefix["cur"]).lower()
    if currency in ("евро", "eur", "€"):
        return _Token("euro", None, False)
    plain = decimal_string(run.group(0))
    multiplier = _SCALES.get((after["scale"] or "").lower().rstrip("."), 1) if after else 1
    value = None if plain is None else Decimal(plain) * multiplier
    rate_before = not _is_labelled(before) and _RATE_BEFORE.search(before[-40:])
    rate = rate_before or (after and _RATE_AFTER.match(text, after.end()))
    return _Token("rate" if rate else "leva", value, False)


def _bare_token(text: str, run: re.Match, scale: Decimal) -> _Token | None:
    """A plain number in an amount column: an amount, an unclear number, or None for a count of
    something else (places, staff), a code with a leading zero or a '№'/phone reference."""
    number = run.group(0)
    if _NOT_AMOUNT_BEFORE.search(text[max(0, run.start() - 12):run.start()]):
        return None
    if re.match(r"0\d", number) or _NOT_AMOUNT_AFTER.match(text, run.end()):
        return None
    plain = decimal_string(number)
    word = re.match(r"\s*([^\W\d_]+)", text[run.end():])
    ranged = re.match(r"\s*[-–—]\s*\d", text[run.end():]) or re.search(r"\d\s*[-–—]\s*$", text[:run.start()])
    year_like = re.fullmatch(r"(?:19|20)\d\d", number)  # '2021' in an amount column: a year or an amount?
    if plain is None or ranged or year_like or (word and not _bare_word_ok(word.group(1))):
        return _Token("unclear", None, False)
    return _Token("leva", Decimal(plain) * scale, False)


def _bare_word_ok(word: str) -> bool:
    """A word that may follow a plain amount: a connector ('от', 'по') or a funding abbreviation ('ДДД')."""
    return word.lower() in _BARE_OK_WORDS or (word.isupper() and 2 <= len(word) <= 6)


def _is_labelled(before: str) -> bool:
    """Whether the text since the previous amount ends with a total label and no digit after it."""
    labels = list(_TOTAL_LABEL.finditer(before))
    if not labels:
        return False
    between = before[labels[-1].end():]
    return len(between) <= 40 and not re.search(r"\d", between)


def _orphan_currency(text: str) -> bool:
    """A currency word after something number-like that is no readable number ('5 ООО лв.', 'пет хиляди
    лева'), or right after a distractor that may have swallowed the amount ('тел. 0889 848 383 5 000 лв.')."""
    for m in _CURRENCY_ANY.finditer(text):
        window = text[max(0, m.start() - 25):m.start()]
        if re.search(r"\d", window[-12:]) or WORD_PHRASE.search(window) or window.rstrip().endswith("¦"):
            return True
    return False


# --- capacity -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Capacity:
    """A capacity read from a capacity column: the value, the value before a change, the unit
    ('places' | 'users' | 'families' | None) and a flag when a number is there but not read."""

    capacity: int | None
    before: int | None = None
    unit: str | None = None
    flag: str | None = None


NO_CAPACITY = re.compile(r"^(?:|[-–—−]+|няма|не|н/п|n/a|няма данни)$", re.I)
# a capacity cell that points elsewhere for its number: the licence, the standard or the notes say it
CAPACITY_ELSEWHERE = re.compile(r"^\W*(?:съгласно|според|по|виж)\s+(?:(?:издадения|издаден)\s+)?(?:лиценз\w*|стандарт\w*|"
                                r"забележка\w*|бележка\w*|заб\.)\W*$")
_UNIT = (r"(?:места|място|легла|легло|бр(?!\w)\.?|броя|потребител\w*|потр(?!\w)\.?|ползвател\w*|лица|души|човека|деца|"
         r"(?:приемни\s+)?семейства|приемно\s+семейство|семейство|сем(?!\w)\.?|пс(?!\w)|м\.)")  # ПС: приемни семейства
UNIT_AFTER = re.compile(rf"\s*(?P<unit>{_UNIT})", re.I)
UNIT_BEFORE = re.compile(rf"(?P<unit>{_UNIT})\s*[:\-–—]?\s*$", re.I)
_STAFF = [re.compile(p, re.I) for p in (
    r"персонал\w*\s*[-–—:]?\s*\d+\s*(?:бр(?!\w)\.?)?",
    r"\d+\s*(?:(?:лични|социални|лич\.|соц\.)\s*)?(?:асистент\w*|служител\w*|специалист\w*|домашни помощници|"
    r"помощници|медиатор\w*|сътрудни\w*|работни\w*|организатор\w*|души персонал)",
    r"(?:(?:лични|социални|лич\.|соц\.)\s*асистенти|домашни помощници|служители)\s*[-–—:]\s*\d+",
    r"\d+\s*(?-i:ЛА|СА|ДП)(?!\w)",  # '45 ЛА': personal / social assistants, home helpers
    r"\d+\s*(?:щ\.\s?бр(?!\w)\.?|щатни\s+(?:бройки|длъжности|единици))",  # '7 щ.бр.', '16 щатни бройки'
    r"\d+\s*(?:настанени|настанен[аио]?)(?!\w)",  # occupancy ('18 настанени'), not the places
    rf"\d[\d{SPACE_CHARS}.,]*\s*(?:хил\.?\s*|млн\.?\s*)?(?:лв(?!\w)\.?|лева|bgn|евро|€)",
)]
CHANGE = re.compile(
    rf"(?:(?<!\w)от\s+(?P<a>\d+)\s*(?P<ua>{_UNIT})?\s+на\s+(?P<b>\d+)(?:\s*(?P<ub>{_UNIT}))?)"
    rf"|(?:(?P<a2>\d+)\s*(?P<ua2>{_UNIT})?\s*(?:→|->|=>|⇒|⟶|➝)\s*(?P<b2>\d+)(?:\s*(?P<ub2>{_UNIT}))?)"
    # the new figure with the old one in brackets: '50 места (досега 60)', '55 (от 70)'
    rf"|(?:(?<![\d.,])(?P<b3>\d+)\s*(?P<ub3>{_UNIT})?\s*\(\s*(?:досега|до момента|преди|от)\s+(?P<a3>\d+)"
    rf"(?:\s*(?P<ua3>{_UNIT}))?\s*\))", re.I)
_DAY = r"\d{1,2}\s*\.\s*\d{1,2}\.?(?:\s*(?:19|20)\d\d)?\s*(?:г\.?)?"
DATED_CHANGE = re.compile(rf"^(?P<a>\d+)\s*(?P<ua>{_UNIT})?\s*до\s+{_DAY}\s*[;,]\s*(?P<b>\d+)\s*(?P<ub>{_UNIT})?\s*"
                          rf"от\s+{_DAY}$", re.I)
_QUALIFIER_BEFORE = re.compile(r"(?:над|около|приблизително|поне|минимум|най-малко|повече от|под|"
                               r"по-малко от|между)\s*$", re.I)
# a figure said to be a forecast ('до 15 места (предвиждане)'), not the plan's; match() from a number's end
FORECAST = re.compile(r"[^.;]{0,20}?(?<!\w)(?:предвиждане|прогноз\w*)(?!\w)", re.I)
_APPROXIMATE = re.compile(r"(?<!\w)(?:около|приблизително|прибл\.|ориентировъчно|ок\.|~)\s*$", re.I)
_CONNECTORS = {"за", "в", "във", "от", "и", "към", "на", "общо", "с", "със", "като"}


def unit_of(word: str | None) -> str | None:
    """The contract's capacity unit for a unit word ('места' → places, 'потребители' → users)."""
    if not word:
        return None
    word = word.lower()
    if "семейств" in word or word in ("пс", "сем", "сем."):
        return "families"
    if word.startswith(("потр", "ползвател", "лица", "души", "човека", "деца")):  # 'потр.': потребители
        return "users"
    return None if word == "м." else "places"


# a bracketed count at the start of the year after the capacity: the users there were, not the capacity nor its change
START_COUNT = re.compile(r"\s*\((?:на|към)\s+01\.01\.(?:\d{4}|\d{2})?\s*(?:г\.?)?\s*[-–—:]\s*\d{1,4}"
                         r"(?:\s+[а-я]+)?\s*\)$")


@lru_cache(maxsize=16384)  # cells repeat from row to row and plan to plan
def parse_capacity_cell(text: str) -> Capacity:
    """The content of a capacity column ('30', '30 места', 'от 20 на 30 места', '25 потребители').

    Empty, '-' and 'няма' → no capacity. A change 'от A на B' / 'A → B' gives capacity B, before A. A cell
    whose only remaining number (after ages, dates, staff, amounts) is clearly a capacity gives it; anything
    else that is not empty gives Capacity(None, flag='unparsed_number').
    """
    text = strip_markup(text).strip(" .;")
    if NO_CAPACITY.match(text):
        return Capacity(None)
    if "01.01" in text:  # '210 потребители (на 01.01.2017 г. – 184)': how many there were as the year began, an aside
        text = START_COUNT.sub("", text).strip(" .;")
    if FORECAST.search(text):  # 'до 15 места (предвиждане)': a forecast, not the plan's capacity (see capacity_facts)
        return Capacity(None, flag=UNPARSED)
    digits, broken = words_to_digits(text)
    units_of = _UNITS_OF.match(digits)
    if units_of and not broken:  # N units of M places: N × M (with its product written out, it must agree)
        if units_of["total"] and int(units_of["total"]) != int(units_of["n"]) * int(units_of["size"]):
            return Capacity(None, flag=UNPARSED)
        unit = {unit_of(u) for u in (units_of["unit1"], units_of["unit"]) if u}
        if len(unit) > 1:
            return Capacity(None, flag=UNPARSED)
        return Capacity(int(units_of["n"]) * int(units_of["size"]), None, unit.pop() if unit else None)
    clean = _blank_staff(blank_distractors(_merge_pairs(_drop_breakdown(digits))))
    if broken or "¤" in clean:
        return Capacity(None, flag=UNPARSED)
    dated = DATED_CHANGE.match(digits)
    if dated:  # '30 места до 30.06.; 40 места от 01.07.2018 г.': the capacity until a date, then from the next day
        units = {unit_of(u) for u in (dated["ua"], dated["ub"]) if u}
        if len(units) > 1 or None in units:
            return Capacity(None, flag=UNPARSED)
        return Capacity(int(dated["b"]), int(dated["a"]), units.pop() if units else None)
    changes = list(CHANGE.finditer(clean))
    if len(changes) > 1:
        return Capacity(None, flag=UNPARSED)
    if changes:
        return _changed_capacity(clean, changes[0])
    return _stated_capacity(clean)


# so many units of so many places, the whole cell: '2 х 15', '2 по 8 места', '2 х 15 = 30 места'
_UNITS_OF = re.compile(rf"^(?P<n>[1-9])\s*(?:[×xхXХ*]|по)\s*(?P<size>[1-9]\d{{0,2}})\s*(?P<unit1>{_UNIT})?"
                       rf"\s*(?:=\s*(?P<total>\d{{1,4}})\s*)?(?P<unit>{_UNIT})?$", re.I)


# so many units of the service, the whole cell: '2 клуба', '3 бр. клубове', 'два центъра'
_UNITS_ONLY = re.compile(r"^(?P<n>[1-9]\d?)\s*(?:бр\.?\s*|броя\s+)?(?:клуба|клубове|центъра|центрове|жилища|звена|"
                         r"дома|домове|трапезарии)$", re.I)


def units_in_capacity(text: str) -> int | None:
    """How many units a capacity cell counts when it is written 'N × M места' ('2 х 12 места': two units of 12
    places) or names units of the service alone ('2 клуба'), else None."""
    digits, broken = words_to_digits(strip_markup(text).strip(" .;"))
    if not broken and (only := _UNITS_ONLY.match(digits)):
        return int(only["n"])
    m = _UNITS_OF.match(digits)
    if not m or broken or (m["total"] and int(m["total"]) != int(m["n"]) * int(m["size"])):
        return None
    return int(m["n"])


def _merge_pairs(text: str) -> str:
    """'15 (15)' → '15'; digits and words that disagree ('15 (16)') become an unreadable marker."""
    def merge(m: re.Match) -> str:
        return m["a"] if m["a"] == m["b"] else "¤"
    return re.sub(r"(?<![\d.,])(?P<a>\d+)\s*\(\s*(?P<b>\d+)\s*\)", merge, text)


_BREAKDOWN = re.compile(r"(?<![\d.,])(?P<total>\d+)(?P<between>[^\d()]{0,20}?)\s*"
                        r"\(\s*(?P<a>\d+)\s*[×xхXХ*]\s*(?P<b>\d+)\s*(?P<unit>[^\d()]{0,20})\)")


_SUM = re.compile(r"(?<![\d.,])(?P<total>\d+)(?P<between>[^\d()]{0,20}?)\s*"
                  r"\(\s*(?P<terms>\d+(?:\s*\+\s*\d+)+)\s*(?P<unit>[^\d()]{0,20})\)")
# a product or a sum worked out in the text: '2 × 12 = 24 места', '14 + 14 = 28'
_WORKED = re.compile(r"(?<![\d.,])(?P<terms>\d+(?:\s*(?:[×xхXХ*]|\+)\s*\d+)+)\s*=\s*(?P<total>\d+)(?![\d.,]\d)")
_OPERATOR = re.compile(r"\s*([×xхXХ*+])\s*")
# a part of the number before it, in brackets: '8 (от тях 2 професионални)', '30 места (в т.ч. 6 за спешно настаняване)'
# (or the whole the number is a share of: '20 места (от общо 40)')
_PART = re.compile(r"(?<=\d)(?P<between>[^\d()]{0,20}?)\s*\(\s*(?:от\s+тях|в\s*т\.\s*ч\.|в\s+това\s+число|вкл\.|включително|"
                   r"от\s+общо)"
                   r"[^()]*\)", re.I)
# a part of the number before it, after a comma: '60 места, от които 12 за лежащо болни'
_PART_AFTER = re.compile(r"(?<=\d)(?P<between>[^\d()]{0,20}?),\s*от\s+(?:които|тях)\s+\d+[^\d,;.()]*", re.I)
# parts of a total in words in brackets after it ('12 места (8 за деца и 4 за младежи)'): dropped when they sum to it
_PARTS_IN_WORDS = re.compile(r"(?<![\d.,])(?P<total>\d+)(?P<between>[^\d()]{0,20}?)\s*\((?P<parts>[^()\d]*\d+[^()\d./:,-]+"
                             r"(?:и|,)[^()\d]*\d+[^()\d./:,-]*)\)")
# a per-unit figure ("по 15 места") beside a stated total ("общо 45"): the total is the capacity
_PER_UNIT = re.compile(rf"(?<!\w)по\s+\d+\s*(?:{_UNIT})?", re.I)
_TOTAL_STATED = re.compile(r"(?<!\w)общо\s*[:\-–—]?\s*\d", re.I)


def _drop_breakdown(text: str) -> str:
    """'24 места (2 × 12)' → '24 места', '28 места (14 + 14)' → '28 места': a product or a sum in brackets after a
    number is how that total is made up, and so is one worked out before it ('2 × 12 = 24 места' → '24 места'); one
    that does not give its total becomes an unreadable marker; a part of it in brackets ('8 (от тях 2
    професионални)') is dropped. 'по 15 места, общо 45' → 'общо 45': with a stated total, a figure per unit is how it is made up (without
    one, both numbers stay and the cell is not read)."""
    def drop(m: re.Match) -> str:
        made = int(m["total"]) == int(m["a"]) * int(m["b"])
        return f"{m['total']}{m['between']}" if made else "¤"

    def drop_sum(m: re.Match) -> str:
        made = int(m["total"]) == sum(int(t) for t in m["terms"].split("+"))
        return f"{m['total']}{m['between']}" if made else "¤"
    def worked(m: re.Match) -> str:
        parts = _OPERATOR.split(m["terms"])
        operators = set(parts[1::2])
        if operators == {"+"}:
            value = sum(int(t) for t in parts[::2])
        elif "+" not in operators and len(parts) == 3:
            value = int(parts[0]) * int(parts[2])
        else:
            return "¤"
        return m["total"] if value == int(m["total"]) else "¤"
    def drop_parts(m: re.Match) -> str:
        parts = [int(n) for n in re.findall(r"\d+", m["parts"])]
        return f"{m['total']}{m['between']}" if len(parts) >= 2 and sum(parts) == int(m["total"]) else m.group(0)
    text = _PARTS_IN_WORDS.sub(drop_parts, text)
    text = _PART_AFTER.sub(r"\g<between> ", text)
    text = _SUM.sub(drop_sum, _BREAKDOWN.sub(drop, _WORKED.sub(worked, _PART.sub(r"\g<between> ", text))))
    if _TOTAL_STATED.search(text) and len(_TOTAL_STATED.findall(text)) == 1:
        text = _PER_UNIT.sub(" ", text)
    return text


def _blank_staff(text: str) -> str:
    """The text with staff counts, occupancy and amounts blanked ('Персонал - 7 бр.', '22 лични асистенти', '7 щ.бр.',
    '18 настанени', '5 000 лв.')."""
    for pattern in _STAFF:
        text = pattern.sub(BLANK, text)
    return text


def _numbers(text: str) -> list[re.Match]:
    """The number runs left in a cleaned capacity text."""
    return list(NUMBER_SHAPE.finditer(text))


def _changed_capacity(text: str, change: re.Match) -> Capacity:
    """A capacity change. Any other number must agree with it: the old or new value stated again
    ('капацитет 20 места. ... от 20 на 30'), or the difference after 'с' ('с 10 места (от 15 на 25)')."""
    before = int(change["a"] or change["a2"] or change["a3"])
    after = int(change["b"] or change["b2"] or change["b3"])
    units = {unit_of(u) for u in (change["ua"], change["ub"], change["ua2"], change["ub2"], change["ua3"],
                                  change["ub3"]) if u}
    rest = text[:change.start()] + BLANK + text[change.end():]
    for m in _numbers(rest):
        value = decimal_string(m.group(0))
        difference = re.search(r"(?<!\w)с\s*$", rest[:m.start()]) and value == str(abs(after - before))
        if not (difference or value in (str(before), str(after))):
            return Capacity(None, flag=UNPARSED)
        unit = UNIT_AFTER.match(rest, m.end())
        if unit:
            units.add(unit_of(unit["unit"]))
    units = units or _units_named_before(text[max(0, change.start() - 40):change.start()])
    if len(units) > 1 or None in units:
        return Capacity(None, flag=UNPARSED)
    return Capacity(after, before, units.pop() if units else None)


def _units_named_before(text: str) -> set[str | None]:
    """The unit a change's subject names ('броя на приемните семейства от 12 на 15' → families)."""
    named = {"families": "семейств", "users": "потребител", "places": "места"}
    return {unit for unit, stem in named.items() if stem in text.lower()}


def _stated_capacity(text: str) -> Capacity:
    """A capacity stated once: exactly one number left, a whole one, followed by a capacity unit or by
    nothing that makes it a count of something else."""
    numbers = [m for m in _numbers(text) if not _is_year(text, m)]
    if len(numbers) != 1:
        return Capacity(None, flag=UNPARSED)
    m = numbers[0]
    plain = decimal_string(m.group(0))
    if plain is None or "." in plain or count_at(text, m.start(), m.end()).value is None \
            or _QUALIFIER_BEFORE.search(text[:m.start()]) \
            or re.search(r"(?<!\w)по\s*$", text[:m.start()], re.I):  # "по 12 места": per house, not the total
        return Capacity(None, flag=UNPARSED)
    unit_word = _unit_word(text, m)
    if unit_word is False or unit_word == "м.":
        return Capacity(None, flag=UNPARSED)
    return Capacity(int(plain), None, unit_of(unit_word))


def _unit_word(text: str, m: re.Match) -> str | None | bool:
    """The unit word next to a capacity number; None when there is none; False when the number counts
    something else ('14 бр. клуба', '2 групи')."""
    after = UNIT_AFTER.match(text, m.end())
    if after:
        tail = text[after.end():]
        if after["unit"].lower().startswith("бр") and re.match(r"\s*[^\W\d_]", tail) \
                and not re.match(r"\s*(?:места|потребител|за\b|в\b)", tail, re.I):
            return False
        return after["unit"]
    before = UNIT_BEFORE.search(text[:m.start()])
    if before:
        return before["unit"]
    word = re.match(r"\s*([^\W\d_]+)", text[m.end():])
    return False if word and word.group(1).lower() not in _CONNECTORS else None


def _is_year(text: str, m: re.Match) -> bool:
    """A four-digit 19xx/20xx number without a capacity unit after it is a year, not a capacity."""
    return bool(re.fullmatch(r"(?:19|20)\d\d", m.group(0))) and not UNIT_AFTER.match(text, m.end())


# --- staff ----------------------------------------------------------------------------------------------

_WORDS_ONLY = re.compile(r"[^\d¦¤]*")
_PER_UNIT_NOTE = re.compile(r"\s*\(\s*по\s+\d+[^()\d]*\)")


@lru_cache(maxsize=4096)
def parse_staff_cell(text: str) -> Number:
    """The content of a staff column ('7', '20 соц. асистенти', '25 ЛА', 'щ. бр. 6', 'дванадесет'): one whole
    number with only words around it. Empty, '-' and 'няма' → no staff; anything else not empty (two numbers,
    a fraction, 'до 10') → None flagged 'unparsed_number'."""
    text = _PER_UNIT_NOTE.sub("", strip_markup(text)).strip(" .;")  # '22 (по 11)': the figure per unit aside
    text = _PART.sub(r"\g<between> ", text).strip()  # '14 (в т.ч. 2 шофьори)': a part of the staff in brackets
    if NO_CAPACITY.match(text):
        return Number(None)
    count = parse_count(text)
    if count is not None:
        return Number(float(count))
    digits, broken = words_to_digits(text)
    clean = blank_distractors(_merge_pairs(digits))
    numbers = _numbers(clean)
    if broken or len(numbers) != 1:
        return Number(None, UNPARSED)
    m = numbers[0]
    rest = clean[:m.start()] + clean[m.end():]
    if not re.fullmatch(r"[1-9]\d{0,3}", m.group(0)) or not _WORDS_ONLY.fullmatch(rest) \
            or count_at(clean, m.start(), m.end()).value is None \
            or _QUALIFIER_BEFORE.search(clean[:m.start()]) or re.search(r"(?<!\w)до\s*$", clean[:m.start()], re.I):
        return Number(None, UNPARSED)
    return Number(float(m.group(0)))
