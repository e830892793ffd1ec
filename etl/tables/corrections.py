"""Stage 4, corrections: values a person fixed, applied to a plan's table rows after it has been read.

A correction file is a CSV (`data/corrections/<plan_id>.csv` by convention; every `*.csv` of the folder is
read) with the columns CORRECTION_COLUMNS. A row names the document by the SHA-256 of its bytes and the record
by the line where it starts — and, where several records start on one line (a table written a service per
column), which of them: `24.2` is the record whose item_id ends in `:24.2`, `24.0` the first (`:24`). So a
correction applies only to the document and the record it was made on: when the document changes, its line no
longer starts that record, or a bare line starts several, the correction is reported and not applied — never
moved onto another row. The parsed value is kept beside the corrected one (the `corrections` table), and each
record says which of its fields were corrected (`items.corrected`). docs/conventions.md describes the format.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..records import service_types
from ..reference import Reference
from .rows import ITEM_COLUMNS, ROW_COLUMNS, LoadedPlan

CORRECTION_COLUMNS = ["source_sha256", "source_line", "field", "value", "reason", "author", "corrected_at"]

# what may be corrected: the export's columns of a record, with the values each accepts
CODES = {
    "section": {"social_service", "horizontal_measure", "partnership", "human_resources", "other"},
    "scope": {"settlement", "municipality", "region"},
    "capacity_unit": {"places", "users", "families"},
    "status": {"continuing", "new", "expanded", "reduced", "closing", "planned", "transformed"},
}
FUNDING_CLASSES = {"state_delegated", "state_other", "national_programme", "municipal", "project", "other"}
WHOLE = {"capacity", "capacity_before", "staff", "units"}
MARKS = {"q1", "q2", "q3", "q4"}
TEXTS = {"item_no", "name", "funding_raw", "provider"}
REQUIRED = {"section", "status"}  # never empty in the database
FIELDS = {*CODES, *WHOLE, *MARKS, *TEXTS, "service_type", "funding", "amount_bgn", "settlements"}
PLAN_FIELDS = {"municipality", "year"}  # a whole plan's: a guessed value confirmed (source_line empty)
RECORD = "_record"  # value drop: the row is no record; add: the line starts a record that was missed

SHA256 = re.compile(r"[0-9a-f]{64}")
MAX_FILE_BYTES = 10 << 20  # a correction file larger than this is refused whole (reported), not read
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
LINE_REF = re.compile(r"(\d+)(?:\.(\d+))?")  # '24': the record starting on line 24; '24.2': its third record


@dataclass
class Correction:
    file: str  # the correction file's name
    row: int  # its line in that file
    source_sha256: str
    source_line: int | None
    field: str
    value: str
    reason: str
    author: str
    corrected_at: str
    plan_id: str | None = None
    item_id: str | None = None
    parsed: str | None = None  # the value as read, before the correction
    status: str = "refused"  # applied | refused
    why: str = ""  # why refused
    record: int | None = None  # which of several records starting on source_line ('24.2' → 2); None: a bare line

    @property
    def ref(self) -> str:
        """The record as the correction names it: '24', or '24.2' of several starting on line 24."""
        return line_ref(self.source_line, self.record)

    def refuse(self, why: str) -> None:
        self.status, self.why = "refused", why


@dataclass
class CorrectionProblem:
    """A line of a correction file that is not a correction (reported in the build report)."""

    file: str
    row: int
    message: str


def read_corrections(folder: Path | None) -> tuple[dict[str, list[Correction]], list[CorrectionProblem]]:
    """Every correction in folder's CSV files, by source_sha256, and the lines that are not corrections."""
    found: dict[str, list[Correction]] = {}
    problems: list[CorrectionProblem] = []
    if folder is None or not folder.is_dir():
        return found, problems
    for path in sorted(folder.glob("*.csv")):
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                problems.append(CorrectionProblem(path.name, 0, f"{path.name}: larger than {MAX_FILE_BYTES >> 20} MB; "
                                                  "a plan's corrections are a few kilobytes"))
                continue
            text = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(CorrectionProblem(path.name, 0, f"{path.name}: cannot be read as UTF-8 text ({exc})"))
            continue
        reader = csv.DictReader(io.StringIO(text))
        missing = [c for c in CORRECTION_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            problems.append(CorrectionProblem(path.name, 1, f"{path.name} line 1: missing columns {', '.join(missing)}"))
            continue
        for row in reader:
            line = reader.line_num
            problem = malformed(row)
            if problem:
                problems.append(CorrectionProblem(path.name, line, f"{path.name} line {line}: {problem}"))
                continue
            source_line, record = parse_line_ref(row["source_line"])
            found.setdefault(row["source_sha256"].strip().lower(), []).append(Correction(
                path.name, line, row["source_sha256"].strip().lower(), source_line,
                row["field"].strip(), (row["value"] or "").strip(), (row["reason"] or "").strip(),
                (row["author"] or "").strip(), (row["corrected_at"] or "").strip(), record=record))
    return found, problems


def malformed(row: dict[str, str | None]) -> str | None:
    """Why a CSV row is not a correction, or None."""
    sha, line, name = (row.get(k) or "" for k in ("source_sha256", "source_line", "field"))
    if not SHA256.fullmatch(sha.strip().lower()):
        return f"source_sha256 {sha[:70]!r} is not a SHA-256 (64 hexadecimal digits)"
    name = name.strip()
    if name not in FIELDS | PLAN_FIELDS | {RECORD}:
        return f"field {name[:40]!r} cannot be corrected (an export column of a record, or _record)"
    if name in PLAN_FIELDS:
        return None if not line.strip() else f"{name} is corrected for the whole plan: leave source_line empty"
    ref = LINE_REF.fullmatch(line.strip())
    if not ref or not line.strip().isascii() or int(ref.group(1)) < 1:
        return f"source_line {line[:20]!r} is not a line number (or a line and which of its records: 24.2)"
    if name == RECORD and (row.get("value") or "").strip() not in ("drop", "add"):
        return "_record takes the value drop or add"
    if not (row.get("reason") or "").strip():
        return "a correction needs a reason"
    return None


def parse_line_ref(text: str | None) -> tuple[int | None, int | None]:
    """A source_line as written ('24', '24.2', '' for the whole plan) → (line, which record of the line or None)."""
    ref = LINE_REF.fullmatch((text or "").strip())
    if not ref:
        return None, None
    return int(ref.group(1)), None if ref.group(2) is None else int(ref.group(2))


def line_ref(line: int | None, record: int | None) -> str:
    """(line, record) → how a correction names it: '24', '24.2'; '' for the whole plan."""
    if line is None:
        return ""
    return str(line) if record is None else f"{line}.{record}"


def record_ref(item_id: str, plan_id: str, several: bool) -> str:
    """What a correction of the record item_id writes as its source_line: its line ('24') when it is the only
    record starting there, else its line and which of them ('24.0' for `plan:24`, '24.2' for `plan:24.2`)."""
    start = item_id.removeprefix(f"{plan_id}:")
    return start if not several or "." in start else f"{start}.0"


def digest(corrections: list[Correction]) -> str:
    """What a plan's corrections are, in one value: a plan whose corrections changed is read again."""
    h = hashlib.sha256()
    for c in sorted(corrections, key=lambda c: (c.source_line or 0, c.record if c.record is not None else -1,
                                                c.field, c.corrected_at, c.value)):
        h.update(repr((c.source_line, c.field, c.value, c.reason, c.author, c.corrected_at)
                      + ((c.record,) if c.record is not None else ())).encode())
    return h.hexdigest() if corrections else ""


def apply_corrections(plan: LoadedPlan, corrections: list[Correction], reference: Reference) -> LoadedPlan:
    """plan with corrections applied, in their order (a later correction of the same field wins). Each
    correction is marked applied, or refused with the reason; a plan with no corrections is returned as is."""
    if not corrections:
        return plan
    tables = {t: as_columns(rows, len(ROW_COLUMNS[t])) for t, rows in plan.rows.items()}
    plan = LoadedPlan(plan.plan, tables, plan.issues)
    items = Items(tables, plan.plan.plan_id)
    for c in corrections:
        c.plan_id = plan.plan.plan_id
        if c.field in PLAN_FIELDS:
            confirm_plan_value(plan, c, items)
        elif c.field == RECORD:
            change_record(plan, c, items)
        else:
            correct_field(plan, c, items, reference)
    if len(items.cols["item_id"]) != plan.plan.items:  # records dropped or added
        plan = LoadedPlan(dataclasses.replace(plan.plan, items=len(items.cols["item_id"])), tables, plan.issues)
    return plan


def as_columns(rows, width: int) -> list[list]:
    """A table's rows as lists of column values (Arrow slices from a worker converted)."""
    if isinstance(rows, list):
        return [list(col) for col in rows] if rows else [[] for _ in range(width)]
    return [col.to_pylist() for col in rows.columns]


class Items:
    """The items of a plan held as columns, found by the line they start on (and which of the records starting
    on it, where several do)."""

    def __init__(self, tables: dict[str, list[list]], plan_id: str):
        self.tables = tables
        self.cols = dict(zip(ITEM_COLUMNS, tables["items"], strict=True))
        self.plan_id = plan_id
        self.starts: dict[int, list[str]] = {}  # line → the item_ids of the records read starting on it
        for item_id, line in zip(self.cols["item_id"], self.cols["source_line"], strict=True):
            self.starts.setdefault(line, []).append(item_id)

    def row_of(self, line: int) -> int | None:
        return self.row_of_id(f"{self.plan_id}:{line}")

    def row_of_id(self, item_id: str) -> int | None:
        ids = self.cols["item_id"]
        return ids.index(item_id) if item_id in ids else None

    def several(self, line: int) -> str | None:
        """When several records were read starting on line: what a correction must write instead of the bare line,
        e.g. '5 records (24.0, 24.1 … 24.4)'; else None."""
        ids = self.starts.get(line, [])
        if len(ids) < 2:
            return None
        refs = [record_ref(i, self.plan_id, True) for i in ids]
        listed = ", ".join(refs) if len(refs) <= 3 else f"{refs[0]}, {refs[1]} … {refs[-1]}"
        return f"{len(ids)} records ({listed})"

    def find(self, c: Correction) -> tuple[int | None, str | None]:
        """The row of the record correction c names, or why there is none: a bare line where several records start
        is refused (never the first of them taken), as is a record number the line does not have."""
        several = self.several(c.source_line)
        if c.record is None:
            if several:
                return None, f"line {c.source_line} starts {several}: name one, e.g. {c.source_line}.1"
            item_id = f"{self.plan_id}:{c.source_line}"
        else:
            item_id = f"{self.plan_id}:{c.source_line}" + (f".{c.record}" if c.record else "")
            if item_id not in self.starts.get(c.source_line, []) and (c.record or several):
                return None, (f"line {c.source_line} starts no record {c.ref}"
                              + (f" (it starts {several})" if several else ""))
        row = self.row_of_id(item_id)
        if row is None:
            return None, f"line {c.ref} does not start a record in this document"
        return row, None

    def get(self, row: int, column: str):
        return self.cols[column][row]

    def set(self, row: int, column: str, value) -> None:
        self.cols[column][row] = value

    def mark_corrected(self, row: int, name: str) -> None:
        done = set(filter(None, (self.cols["corrected"][row] or "").split(";")))
        self.cols["corrected"][row] = ";".join(sorted(done | {name}))

    def replace_children(self, table: str, item_id: str, new_rows: list[tuple]) -> None:
        """The rows of a child table (item_settlements, item_funding) of one item replaced."""
        cols = self.tables[table]
        keep = [i for i, v in enumerate(cols[0]) if v != item_id]
        for j, col in enumerate(cols):
            col[:] = [col[i] for i in keep] + [r[j] for r in new_rows]


def confirm_plan_value(plan: LoadedPlan, c: Correction, items: Items) -> None:
    """A guessed municipality or year confirmed by a person. The file name is where the build takes a value the
    heading lacks, so a different value is refused with what to do: a plan is never moved to another year or
    municipality behind its document's back."""
    read = str(getattr(plan.plan, c.field))
    c.parsed = read
    if not any(f"guessed_{c.field}" in (flags or "") for flags in items.cols["review"]):
        c.refuse(f"the plan's {c.field} was read from its heading, not guessed: correct the document")
        return
    if c.value != read:
        c.refuse(f"the plan was read as {c.field} {read}; name the file after the right municipality and year "
                 f"(e.g. {plan.plan.plan_id.rsplit('-', 1)[0]}-{plan.plan.year}.txt) and confirm it again")
        return
    c.status = "applied"
    for row in range(len(items.cols["item_id"])):
        items.mark_corrected(row, c.field)


def change_record(plan: LoadedPlan, c: Correction, items: Items) -> None:
    dispositions = items.tables["line_dispositions"]
    lines = dispositions[2]
    if c.value == "drop":
        row, problem = items.find(c)
        if row is None:
            c.refuse(problem or f"line {c.ref} does not start a record")
            return
        item_id = items.get(row, "item_id")
        c.item_id, c.parsed = item_id, "record"
        for col in items.tables["items"]:
            del col[row]
        for table in ("item_settlements", "item_funding"):
            items.replace_children(table, item_id, [])
        standing = standing_owners(items)  # a line the dropped record shared stays another record's
        for i, owner in enumerate(dispositions[4]):
            if owner == item_id:
                heir = standing.get(lines[i])
                if heir is None:
                    dispositions[3][i], dispositions[4][i] = "dropped", None
                else:
                    dispositions[3][i] = "record" if items.get(items.row_of_id(heir), "source_line") == lines[i] \
                        else "continuation"
                    dispositions[4][i] = heir
        c.status = "applied"
        return
    if c.record is not None:
        c.refuse(f"a record is added on a line: write source_line {c.source_line}, not {c.ref}")
        return
    several = items.several(c.source_line)
    if several:
        c.refuse(f"line {c.source_line} starts {several} of a table written a service per column: correct or drop "
                 "those records, a record is not added there")
        return
    if items.row_of(c.source_line) is not None:
        c.refuse(f"line {c.source_line} already starts a record")
        return
    if c.source_line not in lines:
        c.refuse(f"line {c.source_line} is empty or not in the document")
        return
    at = lines.index(c.source_line)
    if dispositions[3][at] == "continuation":
        c.refuse(f"line {c.source_line} continues a record (correct that record, or drop it and add its lines)")
        return
    text = dispositions[5][at]
    new = dict.fromkeys(ITEM_COLUMNS)
    p = plan.plan
    new.update(item_id=f"{p.plan_id}:{c.source_line}", plan_id=p.plan_id, municipality=p.municipality, year=p.year,
               seq=max(items.cols["seq"], default=0) + 1, section="other", name=" ".join(text.split())[:300],
               status="continuing", layout="correction", source_file=p.source_file, source_line=c.source_line,
               source_lines=str(c.source_line), source_text=text, source_ref=dispositions[6][at],
               corrected="_record")
    for name, col in zip(ITEM_COLUMNS, items.tables["items"], strict=True):
        col.append(new[name])
    dispositions[3][at], dispositions[4][at] = "record", new["item_id"]
    c.item_id, c.parsed, c.status = new["item_id"], "", "applied"


def standing_owners(items: Items) -> dict[int, str]:
    """line → the first record still standing that the line belongs to (its start or a continuation)."""
    owners: dict[int, str] = {}
    for item_id, lines in zip(items.cols["item_id"], items.cols["source_lines"], strict=True):
        for n in filter(None, str(lines or "").split(",")):
            owners.setdefault(int(n), item_id)
    return owners


def correct_field(plan: LoadedPlan, c: Correction, items: Items, reference: Reference) -> None:
    row, problem = items.find(c)
    if row is None:
        c.refuse(problem or f"line {c.ref} does not start a record in this document")
        return
    c.item_id = items.get(row, "item_id")
    column = c.field
    c.parsed = "" if items.get(row, column) is None else export_text(column, items.get(row, column))
    value, problem = typed(column, c.value)
    if problem:
        c.refuse(problem)
        return
    if column == "settlements":
        value, problem = settlement_rows(value, plan, c.item_id, items, reference)
        if problem:
            c.refuse(problem)
            return
    if column == "funding":
        items.replace_children("item_funding", c.item_id, [(c.item_id, plan.plan.plan_id, k, "correction")
                                                          for k in (value or "").split(";") if k])
    items.set(row, column, value)
    items.mark_corrected(row, column)
    c.status = "applied"


def export_text(column: str, value) -> str:
    """A value of the database as the export writes it (amounts without '.0')."""
    if column == "amount_bgn":
        return str(int(value)) if float(value).is_integer() else f"{value:.2f}"
    return str(value)


def typed(column: str, text: str) -> tuple[object, str | None]:
    """A correction's value as the database holds it, or why it cannot be."""
    if text == "":
        if column in REQUIRED:
            return None, f"{column} cannot be empty"
        return None, None
    if column in WHOLE:
        digits = text.replace(" ", "").replace("\u00a0", "")
        return (int(digits), None) if digits.isdecimal() else (None, f"{column} must be a whole number, not {text!r}")
    if column in MARKS:
        return (int(text), None) if text in ("0", "1") else (None, f"{column} is 1, 0 or empty, not {text!r}")
    if column == "amount_bgn":
        number = text.replace(" ", "").replace("\u00a0", "")
        if not NUMBER.fullmatch(number):
            return None, f"amount_bgn must be an amount in leva (e.g. 64800 or 64800,50), not {text!r}"
        return float(number.replace(",", ".")), None
    if column in CODES:
        return (text, None) if text in CODES[column] else (None, f"{column} is one of {', '.join(sorted(CODES[column]))}")
    if column == "service_type":
        return (text, None) if text in service_types() else (None, f"{text!r} is not a service type code")
    if column == "funding":
        classes = sorted(set(filter(None, (k.strip() for k in text.split(";")))))
        unknown = [k for k in classes if k not in FUNDING_CLASSES]
        return (";".join(classes), None) if not unknown else (None, f"unknown funding class {unknown[0]!r}")
    return " ".join(text.split()), None


def settlement_rows(names: str | None, plan: LoadedPlan, item_id: str, items: Items,
                    reference: Reference) -> tuple[str | None, str | None]:
    """The item's settlements replaced by the named ones, each matched in the plan's municipality."""
    found = []
    for position, name in enumerate(filter(None, (n.strip() for n in (names or "").split(";"))), start=1):
        match = reference.match_settlement(name, plan.plan.municipality_code)
        if match.match == "unmatched":
            return None, f"{name!r} is not a settlement of {plan.plan.municipality} in EKATTE"
        found.append((item_id, plan.plan.plan_id, position, match.name, name, match.ekatte, "correction"))
    items.replace_children("item_settlements", item_id, found)
    return (";".join(r[3] for r in found) or None), None


def correction_rows(corrections: dict[str, list[Correction]]) -> list[tuple]:
    """The `corrections` table: every correction read, applied or refused, with the value it replaced."""
    return [(c.source_sha256, c.plan_id, c.item_id, c.source_line, c.record, c.field, c.parsed, c.value, c.reason, c.author,
             c.corrected_at, c.status, c.why or None, c.file, c.row)
            for cs in corrections.values() for c in cs]


CORRECTION_TABLE_COLUMNS = ["source_sha256", "plan_id", "item_id", "source_line", "source_record", "field", "parsed", "value",
                            "reason", "author", "corrected_at", "status", "why", "correction_file",
                            "correction_row"]
