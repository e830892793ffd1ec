"""What a document would give, without touching any database: each record beside its source lines, the
fields its review flags point at, the corrections made on it, and every line not used with the reason
(`python -m etl review FILE`; the /admin preview reads its JSON)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .lines import ExtractError
from .lines.limits import DocumentBudget, DocumentLimit, OverBudget
from .reading import read_plan
from .records import PlanError
from .reference import Reference
from .tables.corrections import Correction, apply_corrections, export_text, read_corrections, record_ref
from .tables.rows import ITEM_COLUMNS, flatten
from .vocabulary import review_flag_fields

# the export's columns of a record (../spec/open-data-export.md, items.csv), in its order
EXPORT_FIELDS = ["plan_id", "municipality", "year", "item_no", "section", "name", "service_type", "settlements",
                 "scope", "q1", "q2", "q3", "q4", "funding", "funding_raw", "amount_bgn", "capacity",
                 "capacity_before", "capacity_unit", "staff", "units", "status", "provider", "source_line"]


# what a line that is not part of a record is (line_dispositions.disposition), said for a person
NOT_USED = {
    "header": "table header", "section": "section heading", "title": "title or heading", "prose": "text outside the tables",
    "separator": "separator", "total": "a totals row (not a service)", "legend": "legend of marks or abbreviations",
    "dropped": "dropped by a correction", "other_year": "a table for another year than the plan's (not its records)",
}


class ReviewError(Exception):
    """The document cannot be read as a plan (the message names the file and why)."""


def review(path: Path, reference: Reference, corrections_dir: Path | None = None) -> dict:
    """The review of one document as a JSON-ready dict (the shape docs/conventions.md describes)."""
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    try:
        with DocumentBudget(path.name):
            plan = flatten(read_plan(path, reference, data))
    except (ExtractError, PlanError, DocumentLimit) as exc:
        raise ReviewError(str(exc) if str(exc).startswith(path.name) else f"{path.name}: {exc}") from None
    except OverBudget as exc:
        raise ReviewError(str(exc.limit)) from None
    found, invalid = read_corrections(corrections_dir)
    corrections: list[Correction] = found.get(sha, [])
    plan = apply_corrections(plan, corrections, reference)
    items = [dict(zip(ITEM_COLUMNS, row, strict=True)) for row in zip(*plan.rows["items"], strict=True)]
    lines = list(zip(*plan.rows["line_dispositions"], strict=True))
    text_of = {ln[2]: ln[5] for ln in lines}
    guessed = sorted({f.removeprefix("guessed_") for i in items for f in (i["review"] or "").split(";")
                      if f.startswith("guessed_")})
    applied = {}
    for c in corrections:
        if c.status == "applied" and c.item_id:
            applied.setdefault(c.item_id, {})[c.field] = {"parsed": c.parsed or "", "value": c.value,
                                                          "reason": c.reason, "author": c.author,
                                                          "corrected_at": c.corrected_at}
    starting: dict[int, int] = {}  # line → how many records start on it (a table written a service per column)
    for item in items:
        starting[item["source_line"]] = starting.get(item["source_line"], 0) + 1
    records = []
    for item in sorted(items, key=lambda i: (i["source_line"], i["seq"])):
        flags = [f for f in (item["review"] or "").split(";") if f]
        source_lines = [int(n) for n in item["source_lines"].split(",") if n]
        records.append({
            "source_line": item["source_line"], "source_lines": source_lines,
            # what a correction of this record writes as its source_line: '24', or '24.2' of several on line 24
            "ref": record_ref(item["item_id"], plan.plan.plan_id, starting[item["source_line"]] > 1),
            "source_text": item["source_text"],
            "lines": [{"line": n, "text": text_of.get(n, "")} for n in source_lines],
            "fields": {f: export_value(f, item[f]) for f in EXPORT_FIELDS},
            "review": flags,
            "flagged_fields": sorted({field for f in flags for field in review_flag_fields().get(f, ())}),
            "corrected": applied.get(item["item_id"], {}),
        })
    return {
        "source_file": path.name, "source_sha256": sha, "plan_id": plan.plan.plan_id,
        "municipality": plan.plan.municipality, "oblast": plan.plan.oblast, "year": plan.plan.year,
        "guessed": guessed, "records": records,
        "unused_lines": [{"line": ln[2], "text": ln[5], "reason": NOT_USED.get(ln[3], ln[3])}
                         for ln in lines if ln[3] not in ("record", "continuation")],
        "problems": [{"line": i.line, "severity": i.severity, "message": i.message} for i in plan.issues],
        "corrections_refused": [{"source_line": c.source_line, "ref": c.ref, "field": c.field, "why": c.why}
                                for c in corrections if c.status == "refused"]
                               + [{"source_line": None, "ref": "", "field": "", "why": p.message} for p in invalid],
    }


def export_value(field: str, value) -> str:
    return "" if value is None else export_text(field, value)


def as_json(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False, indent=1)


def as_text(result: dict) -> list[str]:
    """The review for a person at a terminal: the plan, each record with its lines, then the lines not used."""
    out = [f"{result['source_file']}: {result['plan_id']} — {result['municipality']}"
           f"{' (' + result['oblast'] + ')' if result['oblast'] else ''}, {result['year']}"
           + (f"; guessed: {', '.join(result['guessed'])} (from the file name)" if result["guessed"] else ""),
           f"{len(result['records'])} records, {len(result['unused_lines'])} lines not used"]
    for r in result["records"]:
        out.append("")
        out += [f"  {ln['line']:>5} | {ln['text']}" for ln in r["lines"]]
        marked = set(r["flagged_fields"])
        shown = [f"{'!' if f in marked else ' '}{'*' if f in r['corrected'] else ' '}{f}={v}"
                 for f, v in r["fields"].items() if v and f not in ("plan_id", "municipality", "year", "source_line")]
        if "." in r["ref"]:  # one of several records starting on its line: what a correction names it by
            out.append(f"        record {r['ref']} (source_line of a correction)")
        out.append("        → " + "; ".join(s.strip() for s in shown))
        if r["review"]:
            out.append(f"        review: {', '.join(r['review'])}")
        for f, c in r["corrected"].items():
            out.append(f"        corrected {f}: {c['parsed'] or '(empty)'} → {c['value'] or '(empty)'} "
                       f"({c['reason']}; {c['author']}, {c['corrected_at']})")
    if result["unused_lines"]:
        out += ["", "lines not used:"]
        out += [f"  {ln['line']:>5} [{ln['reason']}] {ln['text'][:120]}" for ln in result["unused_lines"]]
    for p in result["problems"]:
        out.append(f"{p['severity']}: {'line ' + str(p['line']) + ': ' if p['line'] else ''}{p['message']}")
    for c in result["corrections_refused"]:
        out.append(f"correction not applied: {c['field']} at line {c['ref'] or c['source_line']}: {c['why']}")
    out.append("(! flagged for review, * corrected)")
    return out
