"""Build report: per plan, what was read, what became records, and every line not used and why."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

import queries

SUMMARY_FILES = 10  # files not loaded listed in the summary (the rest: python -m etl report --problems-only)
SUMMARY_PLANS = 5  # plans with the most warnings
SUMMARY_FLAGS = 8


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    if not db_path.exists():
        raise FileNotFoundError(f"database not found: {db_path} (run `python -m etl build` first)")
    return duckdb.connect(str(db_path), read_only=True)


def report_frames(db_path: Path, plan: str | None = None) -> dict[str, pd.DataFrame]:
    con = connect(db_path)
    try:
        frames = {name: queries.frame(con, name) for name in ("report_plans", "report_issues")}
        if plan is not None:
            frames = {name: f[f.plan_id == plan] for name, f in frames.items()}
        lines = con.execute(queries.text("report_lines") if plan is None else
                            f"select * from ({queries.text('report_lines')}) where plan_id = $plan",
                            {} if plan is None else {"plan": plan}).df()
        frames["report_lines"] = lines
        return frames
    finally:
        con.close()


def summary(db_path: Path) -> list[str]:
    """At most ~40 lines at any scale: totals, files not loaded, the review flags, the plans with the most
    warnings, and the commands that show the rest."""
    con = connect(db_path)
    try:
        total = queries.frame(con, "report_summary").iloc[0]
        flags = queries.frame(con, "report_review_flags")
        failed = queries.frame(con, "report_files_not_loaded")
        worst = queries.frame(con, "report_most_warnings", {"limit": SUMMARY_PLANS})
        corrections = queries.frame(con, "report_corrections").iloc[0]
    finally:
        con.close()
    years = "" if pd.isna(total.first_year) else (
        f", {int(total.first_year)}" + (f"–{int(total.last_year)}" if total.last_year != total.first_year else ""))
    out = [f"plans: {total.plans} of {total.municipalities} municipalities{years}; records: {total.records}, "
           f"{total.records_flagged} of them flagged for review",
           f"lines: {total.lines_nonempty} non-empty, {total.lines_in_records} in records, "
           f"{total.lines_not_in_records} headers, headings and text outside the tables (each listed in the report)",
           f"problems: {total.errors} errors, {total.warnings} warnings"]
    if corrections.applied or corrections.refused:
        out.append(f"corrections: {corrections.applied} applied, {corrections.refused} not applied "
                   f"(each listed as correction_refused or correction_invalid in the report)")
    if len(flags):
        shown = ", ".join(f"{f.flag} {f.records}" for f in flags.head(SUMMARY_FLAGS).itertuples())
        more = f" and {len(flags) - SUMMARY_FLAGS} more kinds" if len(flags) > SUMMARY_FLAGS else ""
        out.append(f"review flags (records): {shown}{more}")
    if len(failed):
        out.append(f"files not loaded: {len(failed)}")
        out += [f"  {f.message}"[:200] for f in failed.head(SUMMARY_FILES).itertuples()]
        if len(failed) > SUMMARY_FILES:
            out.append(f"  … and {len(failed) - SUMMARY_FILES} more")
    if len(worst):
        out.append("plans with the most warnings:")
        out += [f"  {w.plan_id}: {int(w.warnings)} ({w.kinds})"[:200] for w in worst.itertuples()]
    out.append("the rest: python -m etl report [--plan ID] [--problems-only]")
    return out


def render(frames: dict[str, pd.DataFrame], verbose: bool = False, problems_only: bool = False) -> list[str]:
    """Plain-text report lines (rich markup free, so it reads the same in CI logs). With problems_only, only
    the plans with warnings or errors, and only their problems."""
    out = []
    plans, lines, issues = frames["report_plans"], frames["report_lines"], frames["report_issues"]
    unused = lines[~lines.disposition.isin(["record", "continuation"])]
    unused_by_plan = {plan_id: group for plan_id, group in unused.groupby("plan_id", sort=False)}
    issues_by_plan = {plan_id: group for plan_id, group in issues.dropna(subset=["plan_id"]).groupby("plan_id",
                                                                                                     sort=False)}
    empty = unused.iloc[0:0]
    for plan in plans.itertuples():
        plan_issues = issues_by_plan.get(plan.plan_id, issues.iloc[0:0])
        if problems_only:
            plan_issues = plan_issues[plan_issues.severity.isin(["error", "warning"])]
            if not len(plan_issues):
                continue
        out.append(f"{plan.source_file} → {plan.plan_id} ({plan.municipality}, {plan.oblast or 'oblast unknown'}, "
                   f"{plan.year}), {plan.encoding}, layout {plan.layout}")
        out.append(f"  lines: {plan.lines_nonempty} non-empty; records: {plan.items}; "
                   f"accounted for: {plan.accounted}/{plan.lines_nonempty}")
        plan_unused = unused_by_plan.get(plan.plan_id, empty)
        kinds = plan_unused.groupby("disposition").size().to_dict()
        out.append("  lines not used: " + (", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) or "none"))
        if verbose:
            out += [f"    L{r.line} {r.disposition}: {r.text[:100]}" for r in plan_unused.itertuples()]
        for issue in plan_issues.itertuples():
            where = f"L{int(issue.line)} " if pd.notna(issue.line) else ""
            out.append(f"  {issue.severity}: {where}{issue.category}: {issue.message}")
    for issue in issues[issues.plan_id.isna()].itertuples():
        out.append(f"{issue.severity}: {issue.source_file or 'build'}: {issue.message}")
    return out
