"""A plan file → its lines of cells: text decoded (text.py), office and PDF documents read (formats.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .formats import read_lines, sniff
from .text import (
    MAX_FILE_BYTES,
    OTHER_FORMATS,
    Document,
    ExtractError,
    Line,
    decode,
    split_cells,
    split_lines,
)


def read_document(path: Path, data: bytes | None = None) -> Document:
    """Read a plan file (or its bytes, already read) into lines of cells. Raises ExtractError with the
    file name on bad input. The format is told by the content, not the name: text (any supported
    encoding), .docx, .pdf with a text layer, and .doc/.odt/.rtf through LibreOffice (etl/formats.py)."""
    try:
        size = len(data) if data is not None else path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ExtractError(f"{path.name}: the file is too large ({size / 1e6:.1f} MB; a plan is at most "
                               f"{MAX_FILE_BYTES / 1e6:.0f} MB of text) — is it really one plan? not read")
        if data is None:
            data = path.read_bytes()
    except OSError as exc:
        raise ExtractError(f"{path.name}: cannot be read ({exc.strerror})") from exc
    if data.startswith(OTHER_FORMATS) or data[:1024].lstrip().startswith(b"%PDF"):
        # .docx/.pdf/.doc/.odt/.rtf: the same lines of cells (etl/lines/formats.py)
        kind = sniff(data)
        if kind != "text":
            lines, kind = read_lines(path.name, data, kind)
            return Document(path, hashlib.sha256(data).hexdigest(), kind, lines)
    text, encoding = decode(data, path.name)
    lines = [Line(i, raw, split_cells(raw)) for i, raw in enumerate(split_lines(text), start=1)]
    return Document(path, hashlib.sha256(data).hexdigest(), encoding, lines)
