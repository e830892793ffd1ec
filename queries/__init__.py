"""The product's SQL: one question per file in this folder, values always bound as parameters.

`text(name)` is the one way any stage reads a query file (the build's schema and derived tables, the
export, the report, the dashboard)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
NAME = re.compile(r"[a-z0-9_]+")


@cache
def text(name: str) -> str:
    """The SQL of queries/<name>.sql (read once per process)."""
    if not NAME.fullmatch(name):
        raise ValueError(f"bad query name {name!r}")
    return (FOLDER / f"{name}.sql").read_text(encoding="utf-8")


def path(name: str) -> Path:
    """Where queries/<name>.sql is (for a content hash)."""
    if not NAME.fullmatch(name):
        raise ValueError(f"bad query name {name!r}")
    return FOLDER / f"{name}.sql"


def frame(con, name: str, params: dict | list | None = None):
    """The result of queries/<name>.sql on con as a pandas DataFrame."""
    return con.execute(text(name), params or []).df()
