"""Text cells made safe to open in a spreadsheet, for every CSV the product writes (the open-data export
and the dashboard's downloads): control and bidirectional-override characters removed, and a cell that a
spreadsheet would run as a formula (starting with = + - @ TAB or CR) prefixed with an apostrophe."""

from __future__ import annotations

# C0 controls but TAB, LF and CR; DEL; the bidi embeddings, overrides and isolates (U+202A-E, U+2066-9)
INVISIBLE = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x{202a}-\x{202e}\x{2066}-\x{2069}]"
FORMULA_START = r"^([=+\-@\t\r])"


def defuse_array(array):
    """A pyarrow string array made safe (other types are returned as they are)."""
    import pyarrow as pa  # noqa: PLC0415  (only when a CSV is written)
    import pyarrow.compute as pc  # noqa: PLC0415

    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        return array
    array = pc.replace_substring_regex(array, pattern=INVISIBLE, replacement="")
    return pc.replace_substring_regex(array, pattern=FORMULA_START, replacement="'\\1")


def defuse_table(table):
    """Every text column of a pyarrow table made safe."""
    for i, column in enumerate(table.columns):
        safe = defuse_array(column)
        if safe is not column:
            table = table.set_column(i, table.field(i), safe)
    return table


def defuse(value: object) -> object:
    """One value made safe (texts only)."""
    if not isinstance(value, str):
        return value
    import pyarrow as pa  # noqa: PLC0415

    return defuse_array(pa.array([value]))[0].as_py()
