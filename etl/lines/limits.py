"""Limits on documents (issue #17): what one plan file may make the build do, so that no file can exhaust
memory or stall the build. A file that breaches a limit is refused with one line naming it and the limit
it hit (DocumentLimit, an ExtractError); the other files load. The values and why: docs/design.md,
"Limits on documents".

- input caps, checked before the costly step they bound (deterministic): the inflated size of a .docx's
  (.odt's) parts, read from the zip directory and enforced while inflating (checked_package); the columns
  of a Word table row, the rows of a table, the cells of a document; a PDF's pages, the bytes its streams
  inflate to (BoundedZlib, installed into pdfminer), and per page its characters, drawn lines and the ruling a table search
  works on;
- a budget per document (DocumentBudget, around the whole read of one file: extract, parse, normalise):
  CPU seconds and the memory it adds, watched from a profiling-timer signal every TICK CPU seconds. It
  stops the document at the next Python instruction; a single C call (a regular expression, an XML
  parse) is not interrupted, which is why the inputs of such calls are capped above.
"""

from __future__ import annotations

import gc
import io
import os
import re
import signal
import threading
import time
import zipfile
import zlib

from .text import ExtractError

# --- every document -----------------------------------------------------------------------------------
MAX_DOCUMENT_SECONDS = 60.0  # CPU seconds to read one file (the slowest real plan takes ~1 s)
MAX_DOCUMENT_MEMORY = 1_000_000_000  # bytes of resident memory one file may add while it is read
TICK = 0.05  # CPU seconds between two looks at the budget

# --- .docx (and .odt, .doc, .rtf: LibreOffice converts them to .docx) -------------------------------------
MAX_PACKAGE_BYTES = 50_000_000  # inflated size of all the parts of the ZIP package
MAX_PACKAGE_PARTS = 2_000  # entries in the ZIP package
MAX_ROW_COLUMNS = 200  # grid columns of one table row (cells × w:gridSpan, w:gridBefore, w:gridAfter)
MAX_TABLE_ROWS = 20_000  # rows of one table
MAX_DOCUMENT_CELLS = 1_000_000  # table cells of a whole document

# --- .pdf -----------------------------------------------------------------------------------------------
MAX_PDF_PAGES = 1_000
MAX_PDF_INFLATED_BYTES = 100_000_000  # what all the document's compressed streams inflate to
MAX_PAGE_CHARS = 50_000  # characters on one page
MAX_PAGE_GRAPHICS = 20_000  # lines, rectangles and curves drawn on one page
MAX_PAGE_EDGES = 2_000  # ruling-line segments of one page (pdfplumber's page.edges)
# horizontal × vertical ruling lines of a page: a bound on their crossings, whose number squared a table search
# costs (the samples as ruled PDFs: at most 299; 130 × 130 lines took 9 s a page)
MAX_PAGE_EDGE_PAIRS = 10_000


class DocumentLimit(ExtractError):
    """A file that breaches a limit on documents: refused, with the file's name, the limit and what it
    found."""

    category = "document_limit"

    def __init__(self, name: str, what: str, limit: str):
        self.name, self.what, self.limit = name, what, limit
        super().__init__(f"{name}: {what} — over the limit of {limit}; not read")

    def __reduce__(self):
        return type(self), (self.name, self.what, self.limit)


def mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


# --- ZIP packages ---------------------------------------------------------------------------------------


def checked_package(name: str, data: bytes, what: str = ".docx") -> bytes:
    """The package of a .docx/.odt, its parts inflated under the limits and stored again without
    compression, for python-docx (or LibreOffice) to read: nothing that reads it inflates anything.

    The zip directory states each part's inflated size (ZipInfo.file_size): a package whose parts add up
    to more than MAX_PACKAGE_BYTES is refused before anything is inflated. A directory can lie, so each
    part is inflated a block at a time and counted; zipfile itself stops at the stated size (and then
    fails the CRC check), so a lying part yields at most what it claims. A package that is no ZIP at all
    is returned as it is (the reader reports it); one with a damaged part, encrypted or compressed with
    another method than Word's is refused here: read by zipfile in one go (as python-docx does), a lying
    part inflates in full before it is cut to its stated size."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return data  # nothing in it can be inflated: the reader says it cannot be read

    def unreadable(why: str) -> ExtractError:
        return ExtractError(f"{name}: a ZIP container ({what}) that cannot be read as "
                            f"{'a Word document' if what == '.docx' else 'an OpenDocument text'} ({why}); not read")

    with z:
        infos = z.infolist()
        if len(infos) > MAX_PACKAGE_PARTS:
            raise DocumentLimit(name, f"a {what} package of {len(infos):,} parts", f"{MAX_PACKAGE_PARTS:,} parts")
        stated = sum(i.file_size for i in infos)
        if stated > MAX_PACKAGE_BYTES:
            big = max(infos, key=lambda i: i.file_size)
            raise DocumentLimit(name, f"the parts of this {what} inflate to {mb(stated)} ({big.filename}: "
                                      f"{mb(big.file_size)}), by its zip directory", f"{mb(MAX_PACKAGE_BYTES)} inflated")
        for info in infos:
            if info.flag_bits & 0x1:
                raise unreadable(f"{info.filename} is encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise unreadable(f"{info.filename} is compressed with method {info.compress_type}, not Deflate")
        parts: dict[str, bytes] = {}
        total = 0
        try:
            for info in infos:
                chunks = []
                with z.open(info) as f:
                    while block := f.read(1 << 16):
                        total += len(block)
                        if total > MAX_PACKAGE_BYTES:
                            raise DocumentLimit(name, f"the parts of this {what} inflate to more than "
                                                      f"{mb(MAX_PACKAGE_BYTES)} (at {info.filename})",
                                                f"{mb(MAX_PACKAGE_BYTES)} inflated")
                        chunks.append(block)
                parts[info.filename] = b"".join(chunks)  # a name twice: the last, as zipfile reads it
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, RuntimeError, NotImplementedError) as exc:
            raise unreadable(f"{type(exc).__name__}: {' '.join(str(exc).split())[:120]}") from None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for part, content in parts.items():
            z.writestr(part, content)
    return out.getvalue()


# --- PDF streams ----------------------------------------------------------------------------------------

STREAM_START = re.compile(rb"stream\r?\n")
INFLATE_STEP = 1 << 20  # bytes inflated at a time while measuring


def check_pdf_streams(name: str, data: bytes, limit: int | None = None) -> None:
    """Refuse a PDF whose Flate-compressed streams inflate to more than `limit` bytes in all, measured before
    the PDF is read (pdfminer inflates each stream whole, in one call: a few KB can become gigabytes). Each
    `stream` keyword of the file is tried as the start of a zlib stream and inflated a step at a time with
    the standard library's zlib, counting, never holding more than a step; what is not zlib is passed over."""
    limit = MAX_PDF_INFLATED_BYTES if limit is None else limit
    view, total = memoryview(data), 0
    for m in STREAM_START.finditer(data):
        inflater = zlib.decompressobj()
        try:
            total += len(inflater.decompress(view[m.end():], INFLATE_STEP))
            while inflater.unconsumed_tail and not inflater.eof and total <= limit:
                total += len(inflater.decompress(inflater.unconsumed_tail, INFLATE_STEP))
        except zlib.error:
            continue  # not a zlib stream (an image, or another filter)
        if total > limit:
            raise DocumentLimit(name, f"its compressed streams inflate to more than {mb(limit)}",
                                f"{mb(limit)} inflated")


# --- the budget of one document: CPU time and memory ------------------------------------------------------


class OverBudget(BaseException):
    """Raised from the timer signal: a BaseException, so that no `except Exception` in a reader or library
    swallows it on the way out; DocumentBudget turns it into the DocumentLimit it carries."""

    def __init__(self, limit: DocumentLimit):
        super().__init__(str(limit))
        self.limit = limit


def _resident() -> int | None:
    """This process's resident memory in bytes (Linux /proc), None where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


class DocumentBudget:
    """`with DocumentBudget(name):` around the read of one file: a profiling timer (ITIMER_PROF, CPU time
    of this process) looks every TICK CPU seconds at the CPU time and the resident memory the read has
    taken; over MAX_DOCUMENT_SECONDS or MAX_DOCUMENT_MEMORY, the read is stopped and DocumentLimit raised.
    Only in the main thread (signals are delivered there); elsewhere only the input caps apply. The timer
    and signal handler in place before are put back after."""

    def __init__(self, name: str, seconds: float | None = None, memory: int | None = None):
        self.name = name
        self.seconds = MAX_DOCUMENT_SECONDS if seconds is None else seconds
        self.memory = MAX_DOCUMENT_MEMORY if memory is None else memory
        self.active = False
        self.hit: DocumentLimit | None = None

    def _tick(self, signum, frame) -> None:  # noqa: ARG002
        if not self.active:
            return
        used = time.process_time() - self.started
        if used > self.seconds:
            self.hit = DocumentLimit(self.name, f"reading it took more than {self.seconds:g} s of CPU time",
                                     f"{self.seconds:g} s per document")
        elif self.base is not None:
            grown = (_resident() or 0) - self.base
            if grown > self.memory:
                self.hit = DocumentLimit(self.name, f"reading it took {mb(grown)} of memory",
                                         f"{mb(self.memory)} per document")
        if self.hit is not None:
            self.active = False
            raise OverBudget(self.hit)

    def __enter__(self) -> DocumentBudget:
        if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "ITIMER_PROF"):
            return self
        self.started = time.process_time()
        self.base = _resident()
        self.previous = signal.signal(signal.SIGPROF, self._tick)
        self.previous_timer = signal.setitimer(signal.ITIMER_PROF, TICK, TICK)
        self.active = True
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        self.active = False
        if hasattr(self, "previous"):
            remaining, interval = self.previous_timer
            if remaining:  # a timer that was running goes on, less the CPU time spent here
                remaining = max(1e-6, remaining - (time.process_time() - self.started))
            signal.setitimer(signal.ITIMER_PROF, remaining, interval)
            signal.signal(signal.SIGPROF, self.previous)
        if isinstance(exc, OverBudget) or self.hit is not None:
            gc.collect()  # what the stopped read left (reference cycles: the build pauses the collector)
            raise self.hit from None
        return False
