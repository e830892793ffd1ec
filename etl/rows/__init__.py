"""Stage 2, lines → rows: the plan's tables found in its lines, each table row with its cells by column
role, its section and the source lines it came from; the heading's municipality and year."""

from .model import Issue, ParsedPlan, RawRow
from .parse import parse_document

__all__ = ["Issue", "ParsedPlan", "RawRow", "parse_document"]
