"""Extract stage: a plan file → decoded text → lines of plain-text cells, with the encoding used."""

from __future__ import annotations

import codecs
import html
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from html.parser import HTMLParser
from pathlib import Path

MAX_CELLS = 200  # a real plan row has ~10; more is garbage, kept as one tail cell
MAX_CELL_CHARS = 20_000
# A real plan is 10-100 KB of text; a file over this size is not one plan (a concatenation, a dump) and
# reading it would take minutes and gigabytes, so it is refused with a message instead.
MAX_FILE_BYTES = 10_000_000
# Lines end at \n, \r\n or \r only, as in an editor or `grep -n`: str.splitlines() would also break
# at \v, \f, \x1c-\x1e, \x85, U+2028/2029 inside a cell, splitting a row and shifting every line number.
LINE_BREAK = re.compile(r"\r\n|\r|\n")
BINARY_SIGNATURES = {
    b"PK\x03\x04": "a ZIP container (.docx/.odt/.xlsx?)",
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old MS Office document (.doc/.xls)",
    b"{\\rtf": "an RTF document",
}
OTHER_FORMATS = (b"%PDF", b"\xd0\xcf\x11\xe0", b"{\\rtf", b"PK\x03\x04")  # what formats.sniff() looks for
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")
BLOCK_TAGS = {"p", "li", "br", "div", "tr", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"}
HTML_HINT = re.compile(r"</?(p|li|ul|ol|i|b|u|em|strong|br|span|div|h\d)\b", re.I)


class ExtractError(Exception):
    """A file that cannot be read as a plan text; the message names the file."""


@dataclass
class Line:
    no: int  # 1-based line number in the file
    raw: str  # the line as decoded, verbatim
    cells: list[str] = field(default_factory=list)  # plain text per TAB cell; paragraphs joined by "\n"
    ref: str | None = None  # where in a .docx/.pdf ("стр. 2, табл. 1, ред 5"); None for a text file

    @cached_property
    def nonempty(self) -> list[int]:  # a line's cells are not changed once read
        return [i for i, c in enumerate(self.cells) if c.strip()]

    @property
    def is_blank(self) -> bool:
        return not self.raw.strip()


@dataclass
class Document:
    path: Path
    sha256: str
    encoding: str
    lines: list[Line]

    @property
    def name(self) -> str:
        return self.path.name


def decode(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Decode plan bytes, returning (text, encoding). Raises ExtractError for empty or binary input."""
    if not data.strip():
        raise ExtractError(f"{name}: the file is empty")
    for sig, what in BINARY_SIGNATURES.items():
        if data.startswith(sig):
            raise ExtractError(f"{name}: this is {what}, not a text plan; save it as text or use a supported format")
    if data.startswith(codecs.BOM_UTF8):
        return _not_blank(data[3:].decode("utf-8", errors="replace"), name), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _not_blank(data.decode("utf-16", errors="replace"), name), "utf-16"
    utf16 = _guess_utf16(data)
    if utf16:
        return _not_blank(data.decode(utf16, errors="replace"), name), utf16
    if b"\x00" in data[:65536]:
        raise ExtractError(f"{name}: binary content (NUL bytes), not a text plan")
    try:
        return _not_blank(data.decode("utf-8"), name), "utf-8"
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    if bad * 100 < sum(c > "\x7f" for c in lenient) - bad:
        # UTF-8 with a few broken bytes (a file cut mid-character, one corrupt byte): still UTF-8.
        # cp1251 Cyrillic read as UTF-8 breaks on nearly every letter, so it never gets here.
        return lenient, "utf-8"
    text = data.decode("cp1251", errors="replace")
    if _cyrillic_share(text) < 0.2:
        raise ExtractError(f"{name}: not UTF-8 and not Cyrillic cp1251 text (binary or unknown encoding)")
    return text, "cp1251"


def _not_blank(text: str, name: str) -> str:
    if not text.strip(" \t\r\n\ufeff\x00"):
        raise ExtractError(f"{name}: the file is empty")
    return text


def _guess_utf16(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    # Cyrillic in UTF-16LE is 0x04xx: high bytes on odd positions are 0x04 or 0x00
    if odd.count(0) + odd.count(4) > 0.9 * len(odd) and even.count(0) < 0.3 * len(even):
        return "utf-16-le"
    if even.count(0) + even.count(4) > 0.9 * len(even) and odd.count(0) < 0.3 * len(odd):
        return "utf-16-be"
    return None


def _cyrillic_share(text: str) -> float:
    letters = [c for c in text[:20000] if c.isalpha()]
    if not letters:
        return 0.0
    return sum("\u0400" <= c <= "\u04ff" for c in letters) / len(letters)


class _CellText(HTMLParser):
    """HTML fragment → text; block elements become paragraph breaks, list items get their own line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):  # noqa: ARG002
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def cell_text(raw: str) -> str:
    """One raw cell → clean text: HTML removed, paragraphs separated by '\\n', spaces folded."""
    # cells repeat a lot (empty cells, marks, headers after page breaks, a service carried over from the
    # year before): short ones are remembered
    return _cell_text_cached(raw) if len(raw) <= CACHED_CELL_CHARS else _cell_text(raw)


CACHED_CELL_CHARS = 2000


@lru_cache(maxsize=32768)
def _cell_text_cached(raw: str) -> str:
    return _cell_text(raw)


def _cell_text(raw: str) -> str:
    if "<" not in raw and "&" not in raw and raw.isprintable():  # the common case, kept cheap
        return " ".join(raw[:MAX_CELL_CHARS].split())
    raw = CONTROL_CHARS.sub(" ", raw[:MAX_CELL_CHARS])
    if HTML_HINT.search(raw):
        parser = _CellText()
        parser.feed(raw)
        parser.close()
        text = "".join(parser.parts)
    else:
        text = html.unescape(raw)
    paragraphs = (" ".join(p.split()) for p in text.split("\n"))
    return "\n".join(p for p in paragraphs if p)


def split_cells(raw: str) -> list[str]:
    parts = raw.split("\t")
    if len(parts) > MAX_CELLS:
        parts = parts[: MAX_CELLS - 1] + [" ".join(parts[MAX_CELLS - 1 :])]
    return [cell_text(p) for p in parts]


def split_lines(text: str) -> list[str]:
    lines = LINE_BREAK.split(text)
    return lines[:-1] if lines and lines[-1] == "" else lines
