"""Export stage: the database → the open-data files (CSV + Parquet) of the public contract."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

import queries

from .spreadsheet import defuse_array
from .tables.corrections import export_text

INTEGER_COLUMNS = ["year", "items", "q1", "q2", "q3", "q4", "capacity", "capacity_before", "staff", "units",
                   "source_line"]


def tidy(frame: pd.DataFrame, for_csv: bool) -> pd.DataFrame:
    """Whole numbers without '.0'; in CSV, amounts in leva keep decimals only when they have them."""
    frame = frame.copy()
    for col in INTEGER_COLUMNS:
        if col in frame:
            frame[col] = frame[col].astype("Int64")
    if for_csv:
        for col in frame.columns:
            if pd.api.types.is_string_dtype(frame[col]) or frame[col].dtype == object:
                safe = defuse_array(pa.array(frame[col], from_pandas=True, type=pa.string()))
                frame[col] = pd.Series(safe.to_pylist(), index=frame.index, dtype=object)
    if for_csv and "amount_bgn" in frame:
        frame["amount_bgn"] = frame["amount_bgn"].map(lambda v: "" if pd.isna(v) else export_text("amount_bgn", v))
    return frame


def export(db_path: Path, out_dir: Path) -> dict[str, int]:
    """Write plans.csv/items.csv and their Parquet twins to out_dir; returns row counts."""
    if not db_path.exists():
        raise FileNotFoundError(f"database not found: {db_path} (run `python -m etl build` first)")
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        frames = {"plans": queries.frame(con, "export_plans"), "items": queries.frame(con, "export_items")}
    finally:
        con.close()
    counts = {}
    for name, frame in frames.items():
        tidy(frame, for_csv=True).to_csv(out_dir / f"{name}.csv", index=False, encoding="utf-8")
        tidy(frame, for_csv=False).to_parquet(out_dir / f"{name}.parquet", index=False)
        counts[name] = len(frame)
    return counts
