"""Presentation stage: the files behind /admin — what an upload is, where it is staged, its corrections, the
audit log, and the ETL run in a subprocess (review, build) so that a hostile document cannot take down the
web worker.

Folders (each configurable by an environment variable):
  $SSP_ADMIN_DIR (data/admin)   users.json, secret_key, uploads/<id>/ (staged), withdrawn/ (archive)
  $SSP_PLANS_DIR (data/plans)   the published documents
  $SSP_CORRECTIONS_DIR (data/corrections)   <plan_id>.csv, one per plan
  the database's folder         audit.jsonl
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from etl import accounts
from etl.transliteration import lower_latin

from .. import db

REPO = Path(__file__).resolve().parents[2]
MAX_UPLOAD = 20 * 1024 * 1024
KINDS = ("txt", "docx", "pdf", "doc", "odt")
CORRECTION_COLUMNS = ["source_sha256", "source_line", "field", "value", "reason", "author", "corrected_at"]
STAGE_ID = re.compile(r"[0-9a-f]{32}")
REVIEW_TIMEOUT = 30
BUILD_TIMEOUT = 900


def admin_dir() -> Path:
    return accounts.admin_dir()


def plans_dir() -> Path:
    return Path(os.environ.get("SSP_PLANS_DIR") or REPO / "data" / "plans")


def corrections_dir() -> Path:
    return Path(os.environ.get("SSP_CORRECTIONS_DIR") or REPO / "data" / "corrections")


def uploads_dir() -> Path:
    return admin_dir() / "uploads"


def withdrawn_dir() -> Path:
    return admin_dir() / "withdrawn"


def audit_path() -> Path:
    return db.database_path().parent / "audit.jsonl"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- what a file is -----------------------------------------------------------------------------------


def sniff(head: bytes, path: Path) -> str | None:
    """The kind of document the bytes are (txt, docx, pdf, doc, odt), or None: decided by content only."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(bytes.fromhex("D0CF11E0A1B11AE1")):
        return "doc"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "word/document.xml" in names:
                    return "docx"
                if "mimetype" in names and archive.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text":
                    return "odt"
        except (zipfile.BadZipFile, OSError, KeyError):
            return None
        return None
    return "txt" if is_text(path) else None


def is_text(path: Path) -> bool:
    """Text the parser can read: UTF-8 (with or without BOM) or Windows-1251, no NUL or other control bytes
    beyond tab, line breaks and form feed."""
    data = path.read_bytes()
    if not data.strip():
        return False
    if any(b < 32 and b not in (9, 10, 12, 13) for b in data):
        return False
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1251")
    except UnicodeDecodeError:
        return False
    return True




def safe_name(original: str, kind: str) -> str:
    """A file name made from the uploaded one: its last path part, Cyrillic transliterated (the official
    Bulgarian system, as plan ids are), anything but letters, digits, '-' and '_' dropped, the extension the
    content's. Never empty, never a path."""
    stem = re.split(r"[\\/]", original)[-1].rsplit(".", 1)[0].lower()
    stem = lower_latin(stem)
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9_-]+", "-", stem).strip("-_")[:80] or "plan"
    return f"{stem}.{kind}"


def claimed_kind(original: str) -> str | None:
    """The extension the uploaded name claims, lower case, or None."""
    _, dot, ext = original.rpartition(".")
    return ext.lower() if dot else None


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- a staged document -----------------------------------------------------------------------------------


@dataclass
class Stage:
    """An uploaded (or reopened) document under review: uploads/<id>/<file>, meta.json, corrections/staged.csv."""

    id: str

    @property
    def dir(self) -> Path:
        return uploads_dir() / self.id

    @property
    def meta(self) -> dict:
        return json.loads((self.dir / "meta.json").read_text(encoding="utf-8"))

    def save_meta(self, meta: dict) -> None:
        (self.dir / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")

    @property
    def document(self) -> Path:
        return self.dir / self.meta["file"]

    @property
    def corrections(self) -> Path:
        return self.dir / "corrections" / "staged.csv"

    def exists(self) -> bool:
        return (self.dir / "meta.json").is_file()


def stage(stage_id: str) -> Stage | None:
    """The staged document `stage_id`, or None (also for anything that is not a stage id)."""
    if not STAGE_ID.fullmatch(stage_id or ""):
        return None
    found = Stage(stage_id)
    return found if found.exists() else None


def new_stage(name: str, user: str, origin: str, corrections: Path | None = None) -> Stage:
    """An empty stage for a document to be called `name`; its corrections start as a copy of `corrections`."""
    created = Stage(secrets.token_hex(16))
    (created.dir / "corrections").mkdir(parents=True)
    created.save_meta({"file": name, "by": user, "at": now(), "origin": origin})
    if corrections is not None and corrections.is_file():
        shutil.copyfile(corrections, created.corrections)
    else:
        with created.corrections.open("w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerow(CORRECTION_COLUMNS)
    return created


def rename_document(target: Stage, stem: str) -> None:
    """The staged document renamed to `stem` (a slug) with its extension; its content, and so its corrections,
    unchanged."""
    document = target.document
    name = f"{re.sub(r'[^a-z0-9-]+', '-', stem).strip('-')[:80] or 'plan'}{document.suffix}"
    if name != document.name:
        document.rename(target.dir / name)
        target.save_meta({**target.meta, "file": name})


def staged() -> list[tuple[Stage, dict]]:
    """Every stage with its meta, newest first."""
    if not uploads_dir().is_dir():
        return []
    found = [s for s in (stage(p.name) for p in uploads_dir().iterdir()) if s is not None]
    return sorted(((s, s.meta) for s in found), key=lambda sm: sm[1]["at"], reverse=True)


def add_correction(target: Stage, source_line: int | str | None, field: str, value: str, reason: str,
                   author: str) -> dict:
    """Append a correction; source_line names the record: its line (24), or '24.2' where several start on line 24
    (docs/conventions.md#corrections); None for the whole plan."""
    row = {"source_sha256": sha256(target.document), "source_line": "" if source_line is None else str(source_line),
           "field": field, "value": value, "reason": reason, "author": author, "corrected_at": now()}
    with target.corrections.open("a", encoding="utf-8", newline="") as out:
        csv.DictWriter(out, CORRECTION_COLUMNS).writerow(row)
    return row


def correction_rows(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


# --- the ETL in a subprocess --------------------------------------------------------------------------------


class EtlFailed(RuntimeError):
    """The ETL command failed; the message is what it said."""


def etl(*args: str, timeout: float) -> subprocess.CompletedProcess:
    try:
        return subprocess.run([sys.executable, "-m", "etl", *args], cwd=REPO, capture_output=True, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise EtlFailed(f"no answer in {timeout:.0f} s") from exc


def review(target: Stage) -> dict:
    """What `python -m etl review --json` reads from the staged document with its staged corrections;
    remembered until the corrections change."""
    key = f"{target.corrections.stat().st_mtime_ns}:{target.corrections.stat().st_size}"
    cached = target.dir / "review.json"
    if cached.is_file():
        remembered = json.loads(cached.read_text(encoding="utf-8"))
        if remembered.get("key") == key:
            return remembered["review"]
    done = etl("review", str(target.document), "--json", "--corrections", str(target.corrections.parent),
               timeout=REVIEW_TIMEOUT)
    if done.returncode != 0:
        raise EtlFailed((done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1])
    result = json.loads(done.stdout)
    cached.write_text(json.dumps({"key": key, "review": result}, ensure_ascii=False), encoding="utf-8")
    return result


_build_lock = threading.Lock()


def build(retries: int = 3) -> float:
    """Rebuild the database from the plans and corrections folders (incremental: only changed plans are read
    again); the dashboard follows the new file. Seconds taken. Raises EtlFailed, or BuildBusy when another
    build kept the database after `retries` tries."""
    started = time.perf_counter()
    args = ("build", "--plans", str(plans_dir()), "--corrections", str(corrections_dir()),
            "--db", str(db.database_path()), "--quiet")
    with _build_lock:
        for attempt in range(retries):
            done = etl(*args, timeout=BUILD_TIMEOUT)
            if done.returncode != 2:
                break
            if attempt + 1 < retries:
                time.sleep(2)
        else:
            raise BuildBusy((done.stderr.strip().splitlines() or ["busy"])[-1])
    if done.returncode not in (0, 1):  # 1: some file in the folder could not be read (shown in its report)
        raise EtlFailed((done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1])
    return time.perf_counter() - started


class BuildBusy(EtlFailed):
    """Another build is writing the database."""


# --- moving documents ---------------------------------------------------------------------------------------


def archive(path: Path, why: str) -> Path:
    """Move `path` into the withdrawn folder as <UTC time>-<why>-<name>; where it went."""
    withdrawn_dir().mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = withdrawn_dir() / f"{stamp}-{why}-{path.name}"
    shutil.move(str(path), target)
    return target


def free_name(folder: Path, name: str, keep: Path | None = None) -> Path:
    """folder/name, or folder/<stem>-<n>.<ext> when a different file (not `keep`) already has that name."""
    candidate, stem, ext, n = folder / name, *name.rsplit(".", 1), 2
    while candidate.exists() and candidate != keep:
        candidate, n = folder / f"{stem}-{n}.{ext}", n + 1
    return candidate


def place(staged: Stage, plan_id: str, replaced: list[dict]) -> dict:
    """Put a staged document and its corrections where the build reads them: the loaded plans it replaces (same
    municipality and year) and their corrections go to the archive first. What was done, for the audit log."""
    plans, corrections = plans_dir(), corrections_dir()
    plans.mkdir(parents=True, exist_ok=True)
    corrections.mkdir(parents=True, exist_ok=True)
    document, sha = staged.document, sha256(staged.document)
    archived = []
    for old in replaced:
        old_file = plans / old["source_file"]
        if old_file.is_file() and not (old_file.name == document.name and old["source_sha256"] == sha):
            archived.append(archive(old_file, "replaced").name)
    for old_id in ({o["plan_id"] for o in replaced} | {staged.meta.get("replaces")}) - {None, plan_id}:
        if (corrections / f"{old_id}.csv").is_file():
            archived.append(archive(corrections / f"{old_id}.csv", "replaced").name)
    same = plans / document.name
    target = same if same.is_file() and sha256(same) == sha else free_name(plans, document.name)
    if target != same or not same.is_file():
        replace_with(document, target)
    rows = correction_rows(staged.corrections)
    corrections_file = corrections / f"{plan_id}.csv"
    if rows:
        replace_with(staged.corrections, corrections_file)
    elif corrections_file.is_file():
        archived.append(archive(corrections_file, "replaced").name)
    return {"file": target.name, "source_sha256": sha, "corrections": len(rows), "archived": archived}


def replace_with(source: Path, target: Path) -> None:
    """Copy source to target whole or not at all (a build reading the folder never sees half a file)."""
    part = target.with_name(f".{target.name}.part")
    shutil.copyfile(source, part)
    os.replace(part, target)


# --- the audit log --------------------------------------------------------------------------------------------


_audit_lock = threading.Lock()


def audit(user: str, action: str, **what) -> None:
    """Append one line to the audit log beside the database: when, who, what was done to what."""
    entry = {"at": now(), "user": user, "action": action, **what}
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    path = audit_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _audit_lock, path.open("a", encoding="utf-8") as out:
        out.write(line)


def audit_entries(limit: int = 500, plan_id: str | None = None) -> list[dict]:
    """The last `limit` entries of the audit log (of one plan when given), newest first."""
    path = audit_path()
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if plan_id is None or entry.get("plan_id") == plan_id:
            entries.append(entry)
    return entries[::-1][:limit]
