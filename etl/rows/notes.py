"""Notes under a table: references in a row's cells ('бел. 1', a superscript) resolved to the numbered note lines
below the table, whose text goes into the row's notes."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..lines import Document, Line
from .model import RawRow, join_text

# a cell pointing to a numbered note under the table ('виж бел. 1', 'забележка 2'), and such a note ('1. Капацитетът …')
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_DIGITS = str.maketrans(SUPERSCRIPTS, "0123456789")
# a reference to a note: 'бел. 2', or a superscript number after a cell's text ('12¹', '264 000⁴')
NOTE_REF = re.compile(rf"(?<!\w)(?:бел\.|заб\.|бележка|забележка)\s*(?:№\s*)?(\d{{1,2}})(?![\d.,])|([{SUPERSCRIPTS}]{{1,2}})",
                      re.I)
NOTE_WORD = re.compile(r"(?<!\w)(?:бел\.|заб\.|бележка|забележка)\s*(?:№\s*)?\d")  # on lower-cased text
NUMBERED_NOTE = re.compile(rf"^\s*(?:(\d{{1,2}})[.)]|([{SUPERSCRIPTS}]{{1,2}})\s*[.)]?)\s*(\S.{{10,}})$", re.S)
# notes by letter: a cell of letter references alone ('а)', 'б), г)') and the lettered note lines ('а) Капацитетът …')
LETTER_REFS = re.compile(r"^\s*[а-я]\)(?:\s*[,;и]?\s*[а-я]\))*\s*$")
LETTER_REF = re.compile(r"([а-я])\)")
LETTERED_NOTE = re.compile(r"^\s*([а-я])\)\s*(\S.{10,})$", re.S)


def note_number(m: re.Match) -> int:
    """The number of a note reference or a note (NOTE_REF, NUMBERED_NOTE), written in digits or superscripts."""
    return int(m.group(1) or m.group(2).translate(_SUPERSCRIPT_DIGITS))


def notes_below(rows: list[RawRow], doc: Document, dispositions: dict[int, tuple[str, int | None]],
                note: re.Pattern, key: Callable[[re.Match], int | str]) -> dict[int | str, Line | None]:
    """The notes under the table's last row: lines of one cell read as no part of the table that `note` matches,
    by their number or letter (key); a number or letter given twice stands for no note (None)."""
    last_row_line = max(ln.no for row in rows for ln in row.lines)
    notes: dict[int | str, Line | None] = {}
    for ln in doc.lines[last_row_line:]:
        if len(ln.nonempty) == 1 and dispositions.get(ln.no, ("prose", None))[0] == "prose":
            m = note.match(ln.cells[ln.nonempty[0]])
            if m:
                k = key(m)
                notes[k] = None if k in notes else ln
    return notes


def resolve_notes(rows: list[RawRow], doc: Document, dispositions: dict[int, tuple[str, int | None]]) -> None:
    """A cell that points to a numbered note under the table gets the note's text (and the row its line): what
    the note says of the row (a change of capacity, an opening) is read with the row. A note number given twice is
    not followed."""
    resolve_letter_notes(rows, doc, dispositions)
    text = "\n".join(ln.raw for ln in doc.lines)
    low = text.lower()
    if not any(c in text for c in SUPERSCRIPTS) and not (("бел" in low or "заб" in low) and NOTE_WORD.search(low)):
        return  # no note reference anywhere in the document: none in its rows (plain tests first: most have none)
    notes = notes_below(rows, doc, dispositions, NUMBERED_NOTE, note_number)
    for row in rows:
        for key, text in list(row.cells.items()):
            for ref in NOTE_REF.finditer(text or ""):
                note = notes.get(note_number(ref))
                if note is not None and note not in row.lines:
                    said = NUMBERED_NOTE.match(note.cells[note.nonempty[0]]).group(3)  # without its number
                    cell = row.cells[key].replace(ref.group(2), " ") if ref.group(2) else row.cells[key]
                    row.cells[key] = f"{cell.strip()} ; {said}"  # a superscript mark is not a digit of the cell
                    if key != "notes":  # what the note says of the row (an opening, a closing) is read with it
                        row.cells["notes"] = join_text(row.cells.get("notes", ""), said)
                    row.lines.append(note)


def resolve_letter_notes(rows: list[RawRow], doc: Document, dispositions: dict[int, tuple[str, int | None]]) -> None:
    """A cell of letter references alone ('б), г)') gets the lettered notes under the table ('б) Услугата се
    разкрива …') into the row's notes, read with the row. A letter given twice below the table is not followed."""
    cited = [(row, key) for row in rows for key, text in row.cells.items() if text and LETTER_REFS.match(text)]
    if not cited:
        return
    notes = notes_below(rows, doc, dispositions, LETTERED_NOTE, lambda m: m.group(1))
    for row, key in cited:
        for letter in LETTER_REF.findall(row.cells[key]):
            note = notes.get(letter)
            if note is not None and note not in row.lines:
                said = LETTERED_NOTE.match(note.cells[note.nonempty[0]]).group(2)
                row.cells["notes"] = join_text(row.cells.get("notes", ""), said)
                row.lines.append(note)
