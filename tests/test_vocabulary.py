"""The vocabulary tables in etl/data are well-formed: every row has its header's columns and every pattern compiles
(a comma inside an unquoted pattern would silently cut it in two)."""

from __future__ import annotations

import csv
import re

import pytest

from .helpers import REPO

TABLES = sorted((REPO / "etl" / "data").glob("*.csv"))


@pytest.mark.parametrize("path", TABLES, ids=[p.name for p in TABLES])
def test_every_row_has_the_header_columns_and_every_pattern_compiles(path):
    with open(path, encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    assert [n for n, r in enumerate(rows[1:], start=2) if len(r) != len(header)] == []
    if "pattern" in header:
        at = header.index("pattern")
        for r in rows[1:]:
            re.compile(r[at], re.I)
