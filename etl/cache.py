"""What a rebuild need not do again: the content hashes of plan files by their stat (FileHashes), and
plans already read, pickled under a key of their content and of everything a parse depends on (PlanCache)."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
from pathlib import Path

from .reference import Reference
from .tables.rows import LoadedPlan
from .tables.write import SCHEMA


def index_path(db_path: Path) -> Path:
    """Where a build keeps the content hashes of the files it saw, by their stat (FileHashes)."""
    return db_path.with_name(f"{db_path.name}.files")


class FileHashes:
    """SHA-256 of the plan files, taken from the previous build's record when a file's stat is the same as
    then, so that a rebuild does not read every file to find the one that changed.

    A file is trusted unread only when its size, modification and status-change times (nanoseconds), inode
    and device are those recorded, and both times were more than RACY_NS older than the moment of that
    record: a write changes the status-change time (which tools that restore modification times cannot set
    back), and a write in the same clock tick as the record ("racily clean", as git calls it) is excluded by
    the margin. Anything else is read and hashed, and any error means reading the file."""

    VERSION = 1
    RACY_NS = 2_000_000_000

    def __init__(self, path: Path):
        self.path = path
        self.known: dict[str, list] = {}
        self.seen: dict[str, list] = {}  # name → [stat, sha256 hex, when the stat was taken]
        try:
            data = json.loads(path.read_bytes())
            if isinstance(data, dict) and data.get("version") == self.VERSION and isinstance(data.get("files"), dict):
                self.known = data["files"]
        except (OSError, ValueError):
            pass

    @staticmethod
    def stat(path: Path) -> tuple[list[int], int]:
        """The stat a hash is recorded under, and when it was taken (before the file is read)."""
        taken = time.time_ns()
        st = os.stat(path)
        return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev], taken

    def sha256(self, path: Path) -> str:
        """The content hash of path ('' when it cannot be read)."""
        try:
            stat, taken = self.stat(path)
            entry = self.known.get(path.name)
            if self.trusted(entry, stat):
                self.seen[path.name] = entry
                return entry[1]
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return ""
        self.note(path.name, stat, taken, digest)
        return digest

    def trusted(self, entry: object, stat: list[int]) -> bool:
        try:
            recorded, digest, taken = entry  # type: ignore[misc]
            return (recorded == stat and isinstance(digest, str) and len(digest) == 64
                    and max(stat[1], stat[2]) + self.RACY_NS < taken)
        except (TypeError, ValueError, IndexError):
            return False

    def note(self, name: str, stat: list[int], taken: int, digest: str) -> None:
        self.seen[name] = [stat, digest, taken]

    def save(self, files: list[Path]) -> None:
        """Record the hashes of this build's files (atomically; a failure only means hashing next time)."""
        entries = {p.name: self.seen[p.name] for p in files if p.name in self.seen}
        tmp = self.path.with_name(f"{self.path.name.removesuffix('.files')}.tmp-files-{os.getpid()}")
        try:
            tmp.write_text(json.dumps({"version": self.VERSION, "files": entries}), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            tmp.unlink(missing_ok=True)


def build_salt(reference: Reference) -> bytes:
    """What a parse depends on besides the document: the ETL code, its phrase tables, the schema and the
    reference data in use. A change to any of them makes every document be read again."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for source in sorted(here.rglob("*.py")) + sorted((here / "data").glob("*.csv")) + [SCHEMA]:
        digest.update(source.read_bytes())
    digest.update(f"{reference.directory}|{reference.available}|{len(reference.settlements)}".encode())
    return digest.digest()


class PlanCache:
    """Parsed plans pickled under a key of (build salt, file name, content), so a document read once is
    not parsed again while code, phrase tables and reference stay the same."""

    def __init__(self, folder: Path, salt: bytes):
        self.folder = folder
        self.salt = salt
        self.hits = 0
        self.used: set[str] = set()
        self._made = False

    def key(self, name: str, data: bytes, hashed: bool = False) -> str:
        content = data if hashed else hashlib.sha256(data).digest()
        return hashlib.sha256(self.salt + name.encode() + b"\0" + content).hexdigest()

    def empty(self) -> bool:
        """Nothing to look up: no plan stored yet."""
        try:
            return not any(e.suffix == ".pickle" for e in self.folder.iterdir())
        except OSError:
            return True

    def load(self, key: str) -> LoadedPlan | None:
        self.used.add(key)
        try:
            with open(self.folder / f"{key}.pickle", "rb") as f:
                plan = pickle.load(f)
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return None
        if not isinstance(plan, LoadedPlan):
            return None
        self.hits += 1
        return plan

    def store(self, key: str, plan: LoadedPlan) -> None:
        """Write the plan, pickled, under key (atomically: a temporary file renamed into place). A failure
        (a full disk) only means reading the document again next time: the temporary file goes."""
        blob = pickle.dumps(plan, protocol=pickle.HIGHEST_PROTOCOL)
        tmp = self.folder / f"{key}.tmp-{os.getpid()}"
        try:
            if not self._made:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._made = True
            with open(tmp, "wb") as f:
                f.write(blob)
            os.replace(tmp, self.folder / f"{key}.pickle")
        except OSError:
            tmp.unlink(missing_ok=True)

    def prune(self, keep: set[str]) -> None:
        """Forget plans no longer in the folder (and stale temp files)."""
        if not self.folder.is_dir():
            return
        keep = keep | self.used
        for entry in self.folder.iterdir():
            if entry.stem not in keep or entry.suffix != ".pickle":
                entry.unlink(missing_ok=True)
