"""Build report: per plan, what was read, what became records, and every line not used and why."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

import queries


def report_frames(db_path: Path) -> dict[str, pd.DataFrame]:
    if not db_path.exists():
        raise FileNotFoundError(f"database not found: {db_path} (run `python -m etl build` first)")
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return {name: queries.frame(con, name) for name in ("report_plans", "report_lines", "report_issues")}
    finally:
        con.close()


def render(frames: dict[str, pd.DataFrame], verbose: bool = False) -> list[str]:
    """Plain-text report lines (rich markup free, so it reads the same in CI logs)."""
    out = []
    plans, lines, issues = frames["report_plans"], frames["report_lines"], frames["report_issues"]
    unused = lines[~lines.disposition.isin(["record", "continuation"])]
    unused_by_plan = {plan_id: group for plan_id, group in unused.groupby("plan_id", sort=False)}
    issues_by_plan = {plan_id: group for plan_id, group in issues.dropna(subset=["plan_id"]).groupby("plan_id",
                                                                                                     sort=False)}
    empty = unused.iloc[0:0]
    for plan in plans.itertuples():
        out.append(f"{plan.source_file} → {plan.plan_id} ({plan.municipality}, {plan.oblast or 'oblast unknown'}, "
                   f"{plan.year}), {plan.encoding}, layout {plan.layout}")
        out.append(f"  lines: {plan.lines_nonempty} non-empty; records: {plan.items}; "
                   f"accounted for: {plan.accounted}/{plan.lines_nonempty}")
        plan_unused = unused_by_plan.get(plan.plan_id, empty)
        kinds = plan_unused.groupby("disposition").size().to_dict()
        out.append("  lines not used: " + (", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) or "none"))
        if verbose:
            out += [f"    L{r.line} {r.disposition}: {r.text[:100]}" for r in plan_unused.itertuples()]
        for issue in issues_by_plan.get(plan.plan_id, issues.iloc[0:0]).itertuples():
            where = f"L{int(issue.line)} " if pd.notna(issue.line) else ""
            out.append(f"  {issue.severity}: {where}{issue.category}: {issue.message}")
    for issue in issues[issues.plan_id.isna()].itertuples():
        out.append(f"{issue.severity}: {issue.source_file or 'build'}: {issue.message}")
    return out
