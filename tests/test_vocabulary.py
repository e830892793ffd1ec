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


def test_status_phrases_can_be_matched_in_lower_case():
    """status_phrases.csv is matched in lower case (etl/records/normalise.py status_patterns): no pattern may use an
    escape whose meaning lower-casing changes (\\S, \\W, \\D, \\B, \\A, \\Z)."""
    with open(REPO / "etl" / "data" / "status_phrases.csv", encoding="utf-8") as f:
        patterns = [r["pattern"] for r in csv.DictReader(f)]
    assert [p for p in patterns if re.search(r"\\[SWDBAZ]", p)] == []
