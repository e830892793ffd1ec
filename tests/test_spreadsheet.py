"""Every CSV the product writes (the open-data export and the dashboard's downloads) goes through one rule:
etl/spreadsheet.py. A cell a spreadsheet would run as a formula gets a leading apostrophe; control characters
and bidirectional overrides are removed."""

from __future__ import annotations

import pyarrow as pa
import pytest

from etl.spreadsheet import defuse, defuse_table


@pytest.mark.parametrize(("text", "safe"), [
    ("=1+1", "'=1+1"),
    ("+359 888", "'+359 888"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("\x1b=cmd", "'=cmd"),  # the escape character goes, and what is left starts like a formula
    ("с. Бобошево\u202e", "с. Бобошево"),  # right-to-left override
    ("a\u2066b\u2069c", "abc"),  # isolates
    ("Център за обществена подкрепа", "Център за обществена подкрепа"),
    ("ред 1\nред 2", "ред 1\nред 2"),  # line breaks inside a cell stay
    ("", ""),
])
def test_a_text_cell_is_made_safe(text, safe):
    assert defuse(text) == safe


def test_numbers_and_nulls_are_left_as_they_are():
    table = pa.table({"n": [-5, 3], "t": ["-5", None], "x": [1.5, None]})
    out = defuse_table(table)
    assert out.column("n").to_pylist() == [-5, 3] and out.column("x").to_pylist() == [1.5, None]
    assert out.column("t").to_pylist() == ["'-5", None]
