"""Stage 1, file → lines: a plan document (text in any supported encoding, .docx, .pdf, .doc/.odt/.rtf)
becomes numbered lines of plain-text cells, each with where it stands in the document."""

from .read import read_document
from .text import MAX_FILE_BYTES, Document, ExtractError, Line

__all__ = ["MAX_FILE_BYTES", "Document", "ExtractError", "Line", "read_document"]
