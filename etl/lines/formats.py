"""Office and PDF plans → the same lines of cells the text form gives (issue #6).

Every format ends as a list of `Line(no, raw, cells, ref)`, so parse → normalise → load stay one path:

- a table row → one Line, its cells the cell texts (paragraphs and list items joined by "\\n"), a
  horizontally merged cell once followed by empty cells (column positions kept, as in the text form), a
  vertically merged continuation cell empty; a paragraph outside tables → a one-cell Line;
- the end of a table and a page break → a blank Line (the text form's page break);
- `ref` says where the line is in the document: "табл. 2, ред 5" / "абз. 7" (.docx),
  "стр. 3, табл. 1, ред 4" / "стр. 3" (.pdf).

.docx is read with python-docx (the body's paragraphs and tables in order), .pdf with pdfplumber
(ruled tables; on pages without ruling, tables rebuilt from word positions — see "unruled PDF tables";
text lines between them in reading order), .doc,
.odt and .rtf are converted to .docx with LibreOffice headless when it is installed.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ..vocabulary import TOTAL, header_roles, match_section, schedule_label
from . import limits
from .limits import DocumentLimit, check_pdf_streams, checked_package
from .text import ExtractError, Line

SOFFICE_TIMEOUT = 120  # seconds for one LibreOffice conversion
BULLETS = "•●▪◦■□➢►✓"
CID = re.compile(r"\(cid:\d+\)")


# --- format detection ------------------------------------------------------------------------------


def sniff(data: bytes) -> str:
    """The format by signature: docx | odt | zip | pdf | doc | rtf | text."""
    if data.startswith(b"%PDF") or data[:1024].lstrip().startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
                if "word/document.xml" in names:
                    return "docx"
                if "content.xml" in names:
                    if "mimetype" not in names:
                        return "odt"
                    with z.open("mimetype") as f:  # a few bytes: never the whole of a part that may be a bomb
                        if b"opendocument.text" in f.read(100):
                            return "odt"
        except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError, zlib.error, RuntimeError,
                NotImplementedError):
            if b"word/" in data[:65536]:  # a damaged Word file: its first entries name word/…
                return "docx"
        return "zip"
    return "text"


def read_lines(name: str, data: bytes, kind: str) -> tuple[list[Line], str]:
    """Lines of a non-text plan and the format read (stored as the plan's `encoding`)."""
    if kind == "docx":
        return docx_lines(name, data), "docx"
    if kind == "pdf":
        return pdf_lines(name, data), "pdf"
    if kind in ("doc", "odt", "rtf"):
        if kind == "odt":  # a ZIP package too: its parts under the same limits before LibreOffice opens it
            data = checked_package(name, data, ".odt")
        return docx_lines(name, convert_to_docx(name, data, kind)), f"{kind}→docx"
    raise ExtractError(f"{name}: this is a ZIP container (.docx/.odt/.xlsx?) holding no Word or OpenDocument "
                       "text document; save the plan as .docx, .pdf or text")


# --- LibreOffice conversion ----------------------------------------------------------------------


WHAT = {"doc": "an old MS Office document (.doc)", "odt": "an OpenDocument text (.odt)", "rtf": "an RTF document"}


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_docx(name: str, data: bytes, kind: str) -> bytes:
    """.doc/.odt/.rtf bytes → .docx bytes with LibreOffice headless (a private profile per run, so
    conversions in parallel workers do not collide)."""
    exe = soffice()
    if exe is None:
        raise ExtractError(f"{name}: {WHAT[kind]}; .{kind} needs LibreOffice (apt-get install libreoffice-writer) "
                           "to be read")
    with tempfile.TemporaryDirectory(prefix="ssp-convert-") as tmp:
        source = Path(tmp) / f"plan.{kind}"
        source.write_bytes(data)
        out_dir = Path(tmp) / "out"
        profile = Path(tmp) / "profile"
        try:
            done = subprocess.run(
                [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--convert-to",
                 "docx:MS Word 2007 XML", "--outdir", str(out_dir), str(source)],
                capture_output=True, timeout=SOFFICE_TIMEOUT, env={**os.environ, "HOME": tmp})
        except subprocess.TimeoutExpired as exc:
            raise ExtractError(f"{name}: {WHAT[kind]} that LibreOffice did not convert within "
                               f"{SOFFICE_TIMEOUT} s; not read") from exc
        target = out_dir / "plan.docx"
        if done.returncode != 0 or not target.exists():
            said = [ln.strip() for ln in done.stderr.decode("utf-8", "replace").splitlines() if "rror" in ln]
            detail = " ".join(" ".join(said).split())[:200]
            raise ExtractError(f"{name}: {WHAT[kind]} that LibreOffice could not convert"
                               f"{f' ({detail})' if detail else ''}; not read")
        return target.read_bytes()


# --- .docx -----------------------------------------------------------------------------------------


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
SKIP = {f"{W}pPr", f"{W}rPr", f"{W}del", f"{W}tblPr", f"{W}tcPr", f"{W}trPr", f"{W}instrText", MC_FALLBACK}
PAGE_BREAK = "\f"


def fold(text: str) -> str:
    """Paragraph breaks kept as '\\n', spaces folded, empty paragraphs dropped (as cell_text does)."""
    parts = (" ".join(p.split()) for p in text.split("\n"))
    return "\n".join(p for p in parts if p)


def _text(el, out: list[str]) -> None:
    """Text of a paragraph (or any element) in document order: breaks → '\\n', page breaks → '\\f'."""
    for child in el:
        tag = child.tag
        if tag in SKIP or not isinstance(tag, str):
            continue
        if tag == f"{W}t":
            out.append(child.text or "")
        elif tag == f"{W}tab":
            out.append(" ")
        elif tag in (f"{W}br", f"{W}cr"):
            out.append(PAGE_BREAK if child.get(f"{W}type") == "page" else "\n")
        elif tag == f"{W}noBreakHyphen":
            out.append("-")
        elif tag == f"{W}p":
            _paragraph(child, out)
        else:
            _text(child, out)


def _paragraph(p, out: list[str]) -> None:
    ppr = p.find(f"{W}pPr")
    if ppr is not None and ppr.find(f"{W}pageBreakBefore") is not None and \
            ppr.find(f"{W}pageBreakBefore").get(f"{W}val", "true") not in ("0", "false"):
        out.append(PAGE_BREAK)
    out.append("\n")
    _text(p, out)
    out.append("\n")


def _cell_text(tc) -> str:
    out: list[str] = []
    _text(tc, out)
    return fold("".join(out).replace(PAGE_BREAK, "\n"))


CONTAINERS = (f"{W}sdt", f"{W}customXml", f"{W}sdtContent")  # content controls and custom XML wrap rows and cells


def _children(parent, tag: str):
    """The `tag` children of a table or row, also those wrapped in content controls / custom XML."""
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag in CONTAINERS:
            yield from _children(child, tag)


def _rows(tbl):
    return _children(tbl, f"{W}tr")


def _cells(tr):
    return _children(tr, f"{W}tc")


def _int_val(parent, tag: str, default: int) -> int:
    el = parent.find(f"{W}{tag}") if parent is not None else None
    try:
        return max(0, int(el.get(f"{W}val"))) if el is not None else default
    except (TypeError, ValueError):
        return default


class RowTooWide(ValueError):
    """A table row over limits.MAX_ROW_COLUMNS grid columns (`columns`: how many it claims, at least)."""

    def __init__(self, columns: int):
        super().__init__(columns)
        self.columns = columns


def row_cells(tr) -> list[str]:
    """One table row → cell texts in grid positions: a merged (gridSpan) cell once and empty cells after
    it; a vertical-merge continuation cell empty; grid cells skipped before/after the row empty. A row
    over limits.MAX_ROW_COLUMNS grid columns raises RowTooWide before any of them is made (a span of
    2³¹-1 columns would be gigabytes of empty cells)."""
    trpr = tr.find(f"{W}trPr")
    before, after = _int_val(trpr, "gridBefore", 0), _int_val(trpr, "gridAfter", 0)
    if before + after > limits.MAX_ROW_COLUMNS:
        raise RowTooWide(before + after)
    cells = [""] * before
    for tc in _cells(tr):
        tcpr = tc.find(f"{W}tcPr")
        span = max(1, _int_val(tcpr, "gridSpan", 1))
        if len(cells) + span + after > limits.MAX_ROW_COLUMNS:
            raise RowTooWide(len(cells) + span + after)
        vmerge = tcpr.find(f"{W}vMerge") if tcpr is not None else None
        continued = vmerge is not None and vmerge.get(f"{W}val", "continue") != "restart"
        cells.append("" if continued else _cell_text(tc))
        cells += [""] * (span - 1)
    return cells + [""] * after


def docx_lines(name: str, data: bytes) -> list[Line]:
    try:
        import docx
    except ImportError as exc:
        raise ExtractError(f"{name}: reading .docx needs python-docx (pip install python-docx)") from exc
    package = checked_package(name, data)  # its parts' inflated size under the limit, inflated once here
    try:
        body = docx.Document(io.BytesIO(package)).element.body
    except Exception as exc:  # noqa: BLE001 - python-docx/lxml/zipfile raise many kinds; all mean "unreadable"
        raise ExtractError(f"{name}: a ZIP container (.docx) that cannot be read as a Word document "
                           f"({type(exc).__name__}: {' '.join(str(exc).split())[:120]}); not read") from exc
    del package
    out = _DocxLines(name)
    out.walk(body)
    return out.lines


class _DocxLines:
    def __init__(self, name: str = "") -> None:
        self.name = name
        self.lines: list[Line] = []
        self.tables = 0
        self.paragraphs = 0
        self.cells = 0  # table cells read so far (limits.MAX_DOCUMENT_CELLS)

    def add(self, cells: list[str], ref: str | None) -> None:
        if not any(c.strip() for c in cells):
            return  # an empty paragraph or spacer row: no line
        raw = "\t".join(c.replace("\n", " ") for c in cells)
        self.lines.append(Line(len(self.lines) + 1, raw, cells, ref))

    def blank(self) -> None:
        if self.lines and not self.lines[-1].is_blank:
            self.lines.append(Line(len(self.lines) + 1, "", [""], None))

    def walk(self, parent) -> None:
        for child in parent:
            if child.tag == f"{W}p":
                self.paragraph(child)
            elif child.tag == f"{W}tbl":
                self.table(child)
            elif child.tag in (f"{W}sdt", f"{W}sdtContent", f"{W}customXml"):
                self.walk(child)

    def paragraph(self, p) -> None:
        self.paragraphs += 1
        out: list[str] = []
        _paragraph(p, out)
        pieces = "".join(out).split(PAGE_BREAK)
        for i, piece in enumerate(pieces):
            if i:
                self.blank()
            text = fold(piece)
            self.add([text], f"абз. {self.paragraphs}")
        if p.find(f"{W}pPr/{W}sectPr") is not None:  # a section break ends the page
            self.blank()

    def table(self, tbl) -> None:
        self.tables += 1
        self.blank()
        for r, tr in enumerate(_rows(tbl), start=1):
            where = f"table {self.tables}, row {r}"
            if r > limits.MAX_TABLE_ROWS:
                raise DocumentLimit(self.name, f"table {self.tables} has more than {limits.MAX_TABLE_ROWS:,} rows",
                                    f"{limits.MAX_TABLE_ROWS:,} rows per table")
            try:
                cells = row_cells(tr)
            except RowTooWide as exc:
                raise DocumentLimit(self.name, f"{where} spans {exc.columns:,} columns",
                                    f"{limits.MAX_ROW_COLUMNS} columns per table row") from None
            self.cells += len(cells)
            if self.cells > limits.MAX_DOCUMENT_CELLS:
                raise DocumentLimit(self.name, f"its tables have more than {limits.MAX_DOCUMENT_CELLS:,} cells "
                                               f"(at {where})", f"{limits.MAX_DOCUMENT_CELLS:,} table cells")
            self.add(cells, f"табл. {self.tables}, ред {r}")
        self.blank()


# --- .pdf ------------------------------------------------------------------------------------------


@dataclass
class _Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


def _lines_of(words: list[_Word]) -> list[list[_Word]]:
    """Words → visual lines (by vertical position), each sorted left to right."""
    lines: list[list[_Word]] = []
    for w in sorted(words, key=lambda w: (round(w.top, 1), w.x0)):
        if lines:
            last = lines[-1]
            mid = (w.top + w.bottom) / 2
            if last[0].top - 0.5 <= mid <= last[0].bottom + 0.5 and w.top < last[0].bottom:
                last.append(w)
                continue
        lines.append([w])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def _line_text(line: list[_Word]) -> str:
    return " ".join(w.text for w in line)


NO_BREAK_BEFORE = tuple("/)]}.,:;!?–—-»“”\"'%")  # a line cannot start with these: they stay with the word before


def line_pitches(boxes: list[list[_Word]]) -> dict[float, float]:
    """The tightest line pitch per font size on a page (the single-spaced lines of one paragraph), from
    the words of each box (cell, text run): a larger gap between two lines is a paragraph break."""
    pitches: dict[float, float] = {}
    for words in boxes:
        lines = _lines_of(words)
        for a, b in zip(lines, lines[1:], strict=False):
            size, gap = round(a[0].size, 1), b[0].top - a[0].top
            if size and b[0].size and round(b[0].size, 1) == size and 0.9 * size <= gap <= 3 * size:
                pitches[size] = min(gap, pitches.get(size, gap))
    return pitches


def paragraphs(words: list[_Word], left: float, right: float, spaces: list[tuple[float, float]] | None = None,
               pitches: dict[float, float] | None = None) -> str:
    """Words inside one box (a table cell, the page's text column) → its paragraphs joined by '\\n'.
    A visual line is a wrapped part of the paragraph above when the first word of the line (with the
    punctuation that cannot start a line) would not have fitted at the end of the line before; a bullet
    glyph or a gap larger than the line pitch starts a paragraph. `spaces` are the (x, top) of the
    space characters of the box: a line ending in a space was wrapped at the space (joined with one),
    else inside a word ('медико-' + 'социална'); None when the PDF has no space characters at all."""
    lines = _lines_of(words)
    if not lines:
        return ""
    pad = max(0.0, min(6.0, min(line[0].x0 for line in lines) - left))
    inner = right - left - 2 * pad
    gaps = [b[0].top - a[0].top for a, b in zip(lines, lines[1:], strict=False)]
    pitch = min(gaps) if gaps else 0.0
    out: list[str] = []
    for i, line in enumerate(lines):
        text = _line_text(line)
        bullet = text[:1] in BULLETS
        if bullet:
            text = text[1:].strip()
        if i == 0 or bullet or not out:
            out.append(text)
            continue
        prev = lines[i - 1]
        size = line[0].size or prev[0].size or 8
        unit = line[0].x1 - line[0].x0
        for w in line[1:]:
            if not w.text.startswith(NO_BREAK_BEFORE):
                break
            unit = w.x1 - line[0].x0
        fits = (prev[-1].x1 - prev[0].x0) + 0.3 * size + unit < inner - 1.0
        gap = line[0].top - prev[0].top
        known = (pitches or {}).get(round(prev[0].size, 1))
        # a single-spaced line is at most ~1.5 × the font size apart (1.15-1.3 in common fonts and settings)
        single = min(x for x in (pitch, known, 1.5 * (prev[0].size or size)) if x)
        if fits or gap > single + max(0.6, 0.06 * size):
            out.append(text)
        elif re.search(r"\w-$", out[-1]):
            # wrapped after a hyphen inside a word ('медико-' + 'социална'), unless the PDF kept the space
            # that followed it ('соци- ' + 'ални', as typed in the source)
            last = prev[-1]
            at_space = spaces is not None and any(
                abs(top - last.top) < 1.5 and x >= last.x1 - 0.5 for x, top in spaces)
            out[-1] += (" " if at_space else "") + text
        else:
            out[-1] += " " + text
    return fold("\n".join(out))


def _words(page) -> list[_Word]:
    return [_Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"], float(w.get("size") or 0))
            for w in page.extract_words(x_tolerance=1.5, y_tolerance=2, keep_blank_chars=False,
                                        use_text_flow=False, extra_attrs=["size"])]


def _spaces(page) -> list[tuple[float, float]] | None:
    found = [(c["x0"], c["top"]) for c in page.chars if c["text"] == " "]
    return found or None


def _within(spaces, bbox):
    if spaces is None:
        return None
    return [(x, top) for x, top in spaces if bbox[0] <= x <= bbox[2] and bbox[1] - 1 <= top <= bbox[3]]


def _inside(w: _Word, bbox) -> bool:
    x, y = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


def broken_text_layer(text: str) -> str | None:
    """Why the extracted text of a page is not real text, or None: glyph codes without a Unicode mapping
    ('(cid:123)'), private-use or replacement characters, or letters that are mostly not Cyrillic (a
    font whose encoding maps Cyrillic glyphs to Latin-1 letters) in what should be a Bulgarian plan."""
    cids = len(CID.findall(text))
    letters = [c for c in CID.sub("", text) if c.isalpha()]
    if cids >= 3 and cids * 4 >= len(letters) / 10:
        return f"{cids} glyphs without a Unicode mapping (e.g. {CID.search(text).group()})"
    odd = sum(1 for c in text if "\ue000" <= c <= "\uf8ff" or c == "\ufffd")
    if odd >= 10 and odd > 0.1 * (len(letters) + odd):
        return f"{odd} private-use or unknown characters"
    if len(letters) >= 40:
        cyrillic = sum("\u0400" <= c <= "\u04ff" for c in letters)
        if cyrillic < 0.3 * len(letters):
            return f"only {cyrillic} of {len(letters)} letters are Cyrillic (garbled font encoding)"
    return None


def _limit_in(exc: BaseException) -> DocumentLimit | None:
    """The DocumentLimit behind an exception that pdfplumber or pdfminer wrapped (PdfminerException(e))."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, DocumentLimit):
            return exc
        inner = next((a for a in getattr(exc, "args", ()) if isinstance(a, BaseException)), None)
        exc = inner or exc.__cause__ or exc.__context__
        seen += 1
    return None


def _find_tables(name: str, number: int, page) -> list:
    """page.find_tables() once the page's ruling is known to be within bounds: the search for cells compares
    every crossing of two ruling lines with every other (its cost grows with their number squared), and a
    page's horizontal × vertical lines bound their crossings (pdfplumber's page.edges, documented)."""
    edges, across, down = len(page.edges), len(page.horizontal_edges), len(page.vertical_edges)
    if edges > limits.MAX_PAGE_EDGES:
        raise DocumentLimit(name, f"page {number} has {edges:,} ruling lines",
                            f"{limits.MAX_PAGE_EDGES:,} ruling lines per page")
    if across * down > limits.MAX_PAGE_EDGE_PAIRS:
        raise DocumentLimit(name, f"page {number} has {across:,} horizontal and {down:,} vertical ruling lines",
                            f"{limits.MAX_PAGE_EDGE_PAIRS:,} pairs of ruling lines per page")
    return page.find_tables()


def _page_limits(name: str, number: int, page, chars: list) -> None:
    if len(chars) > limits.MAX_PAGE_CHARS:
        raise DocumentLimit(name, f"page {number} has {len(chars):,} characters",
                            f"{limits.MAX_PAGE_CHARS:,} characters per page")
    graphics = len(page.lines) + len(page.rects) + len(page.curves)
    if graphics > limits.MAX_PAGE_GRAPHICS:
        raise DocumentLimit(name, f"page {number} draws {graphics:,} lines, rectangles and curves",
                            f"{limits.MAX_PAGE_GRAPHICS:,} per page")


def pdf_lines(name: str, data: bytes) -> list[Line]:
    """The lines of a PDF (see the module's docstring), under the limits on documents: its pages, and per page
    its characters, drawings and ruling, and what its compressed streams inflate to (etl/lines/limits.py)."""
    try:
        import pdfplumber  # noqa: F401 - a clear message when it is missing
    except ImportError as exc:
        raise ExtractError(f"{name}: reading .pdf needs pdfplumber (pip install pdfplumber)") from exc
    check_pdf_streams(name, data)
    try:
        return _pdf_lines(name, data)
    except ExtractError:
        raise
    except Exception as exc:
        limit = _limit_in(exc)
        if limit is not None:
            raise limit from None
        raise


def _pdf_lines(name: str, data: bytes) -> list[Line]:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    lines: list[Line] = []
    scanned: list[int] = []
    with_text = 0
    unruled = _Unruled()  # the columns of an unruled table, kept from page to page

    def add(cells: list[str], ref: str | None) -> None:
        if cells and any(c.strip() for c in cells):
            lines.append(Line(len(lines) + 1, "\t".join(c.replace("\n", " ") for c in cells), cells, ref))

    def blank() -> None:
        if lines and not lines[-1].is_blank:
            lines.append(Line(len(lines) + 1, "", [""], None))

    try:  # pages past the limit are not made into pdfplumber pages (one more tells that there are more)
        pdf = pdfplumber.open(io.BytesIO(data), pages=range(1, limits.MAX_PDF_PAGES + 2))
    except (PDFSyntaxError, Exception) as exc:  # noqa: BLE001 - pdfminer raises many kinds for a damaged file
        raise _limit_in(exc) or ExtractError(
            f"{name}: a PDF document that cannot be read ({type(exc).__name__}); not read") from exc
    with pdf:
        try:
            pages = list(pdf.pages)
        except Exception as exc:  # noqa: BLE001
            raise _limit_in(exc) or ExtractError(
                f"{name}: a PDF document that cannot be read ({type(exc).__name__}); not read") from exc
        if len(pages) > limits.MAX_PDF_PAGES:
            raise DocumentLimit(name, f"a PDF of more than {limits.MAX_PDF_PAGES:,} pages",
                                f"{limits.MAX_PDF_PAGES:,} pages")
        for number, page in enumerate(pages, start=1):
            try:
                chars = page.chars
                _page_limits(name, number, page, chars)
                if not any(c["text"].strip() for c in chars):
                    if page.images:
                        scanned.append(number)
                    continue
                with_text += 1
                why = broken_text_layer("".join(c["text"] for c in chars))
                if why:
                    raise ExtractError(f"{name}: page {number}: broken text layer — {why}; the text cannot be "
                                       "read reliably, so the file is not loaded (OCR is not enabled); export the "
                                       "PDF again with embedded Unicode fonts or provide the .docx")
                tables = _find_tables(name, number, page)
                words = _words(page)
            except ExtractError:
                raise
            except Exception as exc:  # noqa: BLE001
                raise _limit_in(exc) or ExtractError(f"{name}: page {number}: the PDF page cannot be read "
                                                     f"({type(exc).__name__}); not read") from exc
            blank()
            if tables:
                _page_lines(page, number, tables, words, add, blank)
            else:
                unruled.page(page, number, words, add, blank)
            page.close()  # drop the page's parsed objects: memory stays flat on long documents
    if scanned and not with_text:
        raise ExtractError(f"{name}: scanned PDF (no text layer) — OCR is not enabled; provide the .docx or a PDF "
                           "with a text layer")
    if scanned:
        pages_list = ", ".join(map(str, scanned))
        raise ExtractError(f"{name}: page(s) {pages_list} are scanned images without a text layer — OCR is not "
                           "enabled; their rows would be lost, so the file is not loaded")
    if not with_text:
        raise ExtractError(f"{name}: a PDF document with no text; not read")
    return lines


def _page_lines(page, number: int, tables: list, words: list[_Word], add, blank) -> None:
    boxes = [t.bbox for t in tables]
    loose = [w for w in words if not any(_inside(w, b) for b in boxes)]
    text_left = min((w.x0 for w in words), default=0)
    text_right = max((w.x1 for w in words), default=page.width)
    spaces = _spaces(page)
    cell_words = [[[w for w in words if _inside(w, bbox)] if bbox else [] for bbox in row.cells]
                  for table in tables for row in table.rows]
    offsets = [sum(len(tb.rows) for tb in tables[:i]) for i in range(len(tables))]
    pitches = line_pitches([ws for row in cell_words for ws in row] + [loose])
    items: list[tuple[float, int, object]] = []
    for line in _lines_of(loose):
        items.append((line[0].top, 0, line))
    for t, table in enumerate(tables, start=1):
        items.append((table.bbox[1], 1, (t, table)))
    items.sort(key=lambda it: (it[0], it[1]))
    para: list[list[_Word]] = []

    def flush() -> None:  # the text lines between two tables → paragraphs, one line each
        if para:
            text = paragraphs([w for line in para for w in line], text_left, text_right, spaces, pitches)
            for paragraph in text.split("\n"):
                add([paragraph], f"стр. {number}")
            para.clear()

    for _, kind, payload in items:
        if kind == 0:
            para.append(payload)
            continue
        flush()
        t, table = payload
        blank()
        for r, row in enumerate(table.rows, start=1):
            cells = []
            for c, bbox in enumerate(row.cells):
                if bbox is None:
                    cells.append("")
                    continue
                inside = cell_words[offsets[t - 1] + r - 1][c]
                cells.append(paragraphs(inside, bbox[0], bbox[2], _within(spaces, bbox), pitches))
            add(cells, f"стр. {number}, табл. {t}, ред {r}")
        blank()
    flush()


# --- unruled PDF tables ----------------------------------------------------------------------------
#
# A table without ruling lines is rebuilt from the positions of its words: a table starts at a header
# row the parser recognises by its wording; its columns are the x-ranges the words of the table's lines
# share (a column's text starts at the same x in every row, and cells keep a padding apart); its rows
# follow from cells being top-aligned — a row ends where a column gets text below the row's first line
# although it had none in the row (its cell would have started at the row's top), or where a column's
# text goes on after more than a paragraph's spacing. A chunk of words crossing into the next column
# is a merged header cell in the header row ("Времеви график" over the quarter columns: its own row
# above the quarter labels, as the ruled reader gives it) and prose anywhere else (the table ends).
# A page without a header continues the open table: with its columns when the words still fit them,
# else with the columns of its own words.

HEADER_HINT = re.compile(r"финанс|източни", re.I)
HEADER_LINES = 10  # lines looked at when testing whether a header row starts at a line


def _chunks(line: list[_Word]) -> list[list[_Word]]:
    """A visual line → runs of words a word space apart (a cell's text on that line); a wider gap is
    the padding between two columns."""
    out: list[list[_Word]] = []
    for w in line:
        if out and w.x0 - out[-1][-1].x1 <= max(4.0, 0.75 * (w.size or 8.0)):
            out[-1].append(w)
        else:
            out.append([w])
    return out


@dataclass
class _VLine:
    words: list[_Word]
    chunks: list[list[_Word]]

    @property
    def text(self) -> str:
        return _line_text(self.words)


def _overlap(a: list[_Word], b: list[_Word]) -> bool:
    return a[0].x0 < b[-1].x1 and b[0].x0 < a[-1].x1


def _spanning(lines: list[_VLine]) -> set[int]:
    """Chunks lying over two or more chunks of another line (a merged header cell, a prose line)."""
    found: set[int] = set()
    for i, line in enumerate(lines):
        for chunk in line.chunks:
            for j, other in enumerate(lines):
                if j != i and len(other.chunks) >= 2 and \
                        sum(_overlap(chunk, o) for o in other.chunks) >= 2:
                    found.add(id(chunk))
                    break
    return found


def _columns(lines: list[_VLine]) -> list[float]:
    """Where each column's text starts: the x-ranges covered by the chunks of the lines (spanning
    chunks left out), overlapping ranges joined."""
    spans = _spanning(lines)
    ranges = sorted((c[0].x0, c[-1].x1) for line in lines for c in line.chunks if id(c) not in spans)
    starts: list[float] = []
    end = None
    for x0, x1 in ranges:
        if end is None or x0 >= end:
            starts.append(x0)
            end = x1
        else:
            end = max(end, x1)
    return starts


def _column_of(starts: list[float], x: float) -> int:
    c = 0
    while c + 1 < len(starts) and starts[c + 1] <= x + 2.0:
        c += 1
    return c


def _crossing(starts: list[float], chunk: list[_Word]) -> bool:
    c = _column_of(starts, chunk[0].x0)
    return c + 1 < len(starts) and chunk[-1].x1 > starts[c + 1] + 1.0


@dataclass
class _Row:
    top: float
    words: dict[int, list[_Word]]
    last: dict[int, float]  # the top of the last line with text per column
    span: tuple[int, int, float] | None = None  # a chunk over columns a..b on the line at top
    lines: int = 0
    sizes: dict[int, float] = field(default_factory=dict)  # the font size of the last line per column


def _segment(lines: list[_VLine], starts: list[float], pitches: dict[float, float]) -> list[_Row]:
    """The lines of a table → its rows (see the comment above)."""
    rows: list[_Row] = []
    columns: dict[int, list[_Word]] = {}
    for line in lines:
        for w in line.words:
            columns.setdefault(_column_of(starts, w.x0), []).append(w)
    pitches = {**line_pitches(list(columns.values())), **pitches}
    for line in lines:
        cols: dict[int, list[_Word]] = {}
        span = None
        for chunk in line.chunks:
            a = _column_of(starts, chunk[0].x0)
            b = _column_of(starts, chunk[-1].x1 - 1.0)
            cols.setdefault(a, []).extend(chunk)
            if b > a and span is None:
                span = (a, b)
        if span:  # a merged cell reaches up to the next cell with text on its line
            span = (span[0], min([c for c in cols if c > span[0]], default=len(starts)) - 1)
        tops = {c: min(w.top for w in ws) for c, ws in cols.items()}
        row = rows[-1] if rows else None
        new = row is None
        breaks = []  # the gaps of the columns whose text goes on in a new paragraph on this line
        for c, top in tops.items():
            if new:
                break
            size = round(cols[c][0].size, 1) or 8.0
            pitch = pitches.get(size, 1.2 * size)
            last = row.last.get(c)
            if last is None and row.span and row.span[0] <= c <= row.span[1]:
                last = row.span[2]
            if last is None:
                new = top > row.top + 2.0  # a cell starts at the row's top
            else:
                new = top - last > 1.6 * pitch
                if top - last > pitch + 0.6:
                    breaks.append(top - last)
                before = row.sizes.get(c, size)
                if abs(size - before) > 0.5:  # a paragraph in another font size (a heading under the table)
                    new = new or top - last > pitches.get(before, 1.2 * before) + 0.6
        # every cell of the line starts a paragraph after the same gap, in most of the row's columns:
        # one-line rows one under the other (a header and the first row)
        if not new and len(breaks) == len(tops) >= max(2, len(row.words) / 2) and max(breaks) - min(breaks) < 1.0:
            new = True
        # a paragraph alone on its line worded as a section heading or a total row is a row of its own
        if not new and len(breaks) == len(tops) == 1 and _row_wording(line.text):
            new = True
        if new:
            row = _Row(min(tops.values()), {}, {})
            rows.append(row)
        row.lines += 1
        for c, ws in cols.items():
            row.words.setdefault(c, []).extend(ws)
            row.last[c] = tops[c]
            row.sizes[c] = round(ws[0].size, 1) or 8.0
        if span and row.span is None:
            row.span = (*span, min(tops.values()))
    return rows


def _row_wording(text: str) -> bool:
    return bool(TOTAL.match(text) or match_section(text))


def _split_span(row: _Row) -> list[_Row]:
    """A row under a merged cell spanning columns a..b with text of its own in two or more of them
    below it (the quarter labels under "Времеви график") → the row above (the merged cell once, the
    other cells whole) and the row of the sub-cells, as a ruled table has them."""
    if row.span is None:
        return [row]
    a, b, top = row.span
    below = {c: [w for w in row.words.get(c, []) if w.top > top + 2.0] for c in range(a, b + 1)}
    if sum(bool(ws) for ws in below.values()) < 2:
        return [row]
    upper = _Row(row.top, {c: [w for w in ws if not (a <= c <= b and w.top > top + 2.0)]
                           for c, ws in row.words.items()}, {})
    lower = _Row(min(w.top for ws in below.values() for w in ws), {c: ws for c, ws in below.items() if ws}, {})
    return [upper, lower]


def _is_header_start(lines: list[_VLine], i: int) -> bool:
    line = lines[i]
    if len(line.chunks) < 3 or not HEADER_HINT.search(" ".join(ln.text for ln in lines[i: i + 4])):
        return False
    window = lines[i: i + HEADER_LINES]
    starts = _columns(window)
    if len(starts) < 3:
        return False
    first = _segment(window, starts, {})[0]
    upper = _split_span(first)[0]
    cells = [_line_text(sorted(upper.words.get(c, []), key=lambda w: (w.top, w.x0))) for c in range(len(starts))]
    # a header read from word positions must name its funding column too: a first visual line of a header
    # wrapped over several lines names fewer roles, and the table's columns are taken from where it starts
    # and a line of schedule labels is the second row of a header, not the start of one
    roles = header_roles(cells)
    return roles is not None and "funding" in roles and sum(1 for c in cells if schedule_label(c)) < 2


class _Unruled:
    """Reads the pages of a PDF without ruling lines, keeping the open table's columns between pages."""

    def __init__(self) -> None:
        self.starts: list[float] | None = None  # the columns of the table whose header was read last

    def page(self, page, number: int, words: list[_Word], add, blank) -> None:
        lines = [_VLine(line, _chunks(line)) for line in _lines_of(words)]
        heads = [i for i in range(len(lines)) if _is_header_start(lines, i)]
        # regions: before the first header (a continued table, or prose), then one per header
        bounds = [0, *heads, len(lines)]
        regions = [(bounds[k], bounds[k + 1], k > 0) for k in range(len(bounds) - 1) if bounds[k] < bounds[k + 1]]
        spaces = _spaces(page)
        text_left = min((w.x0 for w in words), default=0)
        text_right = max((w.x1 for w in words), default=page.width)
        items: list[tuple[str, object]] = []  # ("text", _VLine) | ("table", (starts, slots, [_VLine]))
        for begin, end, headed in regions:
            region = lines[begin:end]
            found = self.columns_for(region, headed)
            if found is None:
                items += [("text", line) for line in region]
                continue
            starts, slots = found
            if headed:
                self.starts = starts
            # the header row's lines may hold a merged cell over several columns; elsewhere that is prose
            head = _segment(region[:HEADER_LINES], starts, {})[0].lines if headed else 0
            table: list[_VLine] = []
            for k, line in enumerate(region):
                prose = k >= head and any(_crossing(starts, c) for c in line.chunks)
                # after prose, lines of one chunk stay prose until a line of cells comes
                after_prose = k > 0 and items and items[-1][0] == "text" and not table and len(line.chunks) < 2
                if prose or after_prose:
                    if table:
                        items.append(("table", (starts, slots, table)))
                        table = []
                    items.append(("text", line))
                else:
                    table.append(line)
            if table:
                items.append(("table", (starts, slots, table)))
        self.emit(items, number, spaces, text_left, text_right, add, blank)

    def columns_for(self, region: list[_VLine], headed: bool) -> tuple[list[float], list[int]] | None:
        """Where the columns of the region's table start, and the cell each of them fills."""
        if headed:
            starts = _columns(region)
            return starts, list(range(len(starts)))
        if self.starts is None:
            return None  # no unruled table read yet: the lines are prose
        own = _columns(region)
        if len(own) < 2:
            return None
        spans = _spanning(region)
        kept = [c for line in region for c in line.chunks if id(c) not in spans]
        if len(own) <= len(self.starts) and not any(_crossing(self.starts, c) for c in kept):
            # the same table going on: its columns, also those empty on this page
            return self.starts, list(range(len(self.starts)))
        # laid out anew (other widths): the columns that have text on this page, in order — a column
        # empty on the whole page cannot be seen (the parser aligns short rows to the right)
        return own, list(range(len(own)))

    @staticmethod
    def emit(items, number: int, spaces, text_left: float, text_right: float, add, blank) -> None:
        boxes = [line.words for kind, line in items if kind == "text"]
        for kind, payload in items:
            if kind == "table":
                starts, _, lines = payload
                for c in range(len(starts)):
                    boxes.append([w for line in lines for w in line.words if _column_of(starts, w.x0) == c])
        pitches = line_pitches(boxes)
        para: list[_VLine] = []
        tables = 0

        def flush() -> None:
            if para:
                text = paragraphs([w for line in para for w in line.words], text_left, text_right, spaces, pitches)
                for paragraph in text.split("\n"):
                    add([paragraph], f"стр. {number}")
                para.clear()

        for kind, payload in items:
            if kind == "text":
                para.append(payload)
                continue
            flush()
            tables += 1
            starts, slots, lines = payload
            width = max(slots, default=-1) + 1
            blank()
            rows = [part for row in _segment(lines, starts, pitches) for part in _split_span(row)]
            right_most = max((w.x1 for line in lines for w in line.words), default=text_right)
            ends = [max((c[-1].x1 for line in lines for c in line.chunks
                         if _column_of(starts, c[0].x0) == k and not _crossing(starts, c)), default=s)
                    for k, s in enumerate(starts)]
            gaps = [starts[c + 1] - ends[c] for c in range(len(starts) - 1)]
            pad = min(6.0, max(1.0, min(gaps, default=12.0) / 2))
            for r, row in enumerate(rows, start=1):
                cells = [""] * width
                for c, start in enumerate(starts):
                    inside = row.words.get(c, [])
                    if not inside:
                        continue
                    left = start - pad
                    right = (starts[c + 1] if c + 1 < len(starts) else right_most + pad) - pad
                    bbox = (left, min(w.top for w in inside), right, max(w.bottom for w in inside))
                    cells[slots[c]] = paragraphs(inside, left, right, _within(spaces, bbox), pitches)
                add(cells, f"стр. {number}, табл. {tables}, ред {r}")
            blank()
        flush()

