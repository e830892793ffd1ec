"""The stat record of a build (`<db>.files`): a file is taken as unchanged without reading it only when its
stat is the recorded one and old enough; any changed content is read again."""

from __future__ import annotations

import hashlib
import os
import shutil
import time

from etl import reading
from etl.build import build
from etl.cache import FileHashes, index_path

from .helpers import REPO

PLANS = REPO / "data" / "plans"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_recorded_old_enough_stat_is_trusted_and_a_recent_one_is_not(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"one")
    stat, _ = FileHashes.stat(path)
    fake = "0" * 64
    hashes = FileHashes(tmp_path / "x.files")
    hashes.known = {"a.txt": [stat, fake, max(stat[1], stat[2]) + FileHashes.RACY_NS + 1]}
    assert hashes.sha256(path) == fake  # the shortcut: not read
    hashes.known = {"a.txt": [stat, fake, max(stat[1], stat[2]) + FileHashes.RACY_NS // 2]}
    assert hashes.sha256(path) == sha(b"one")  # written too close to the record: read
    other = list(stat)
    other[3] += 1  # another inode
    hashes.known = {"a.txt": [other, fake, time.time_ns() + 10 * FileHashes.RACY_NS]}
    assert hashes.sha256(path) == sha(b"one")
    hashes.known = {"a.txt": "garbage"}
    assert hashes.sha256(path) == sha(b"one")


def test_same_size_and_modification_time_but_new_content_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(FileHashes, "RACY_NS", 0)  # only the stat protects here
    path = tmp_path / "a.txt"
    path.write_bytes(b"one")
    first = FileHashes(tmp_path / "x.files")
    assert first.sha256(path) == sha(b"one")
    first.save([path])
    before = os.stat(path)
    time.sleep(0.05)
    path.write_bytes(b"two")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # modification time put back
    assert os.stat(path).st_mtime_ns == before.st_mtime_ns and os.stat(path).st_size == before.st_size
    assert FileHashes(tmp_path / "x.files").sha256(path) == sha(b"two")  # the status-change time moved


def test_unreadable_or_missing_record_means_hashing(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"one")
    record = tmp_path / "x.files"
    record.write_bytes(b"\xff not json")
    assert FileHashes(record).sha256(path) == sha(b"one")
    assert FileHashes(tmp_path / "missing.files").sha256(tmp_path / "gone.txt") == ""


def test_rebuild_reads_a_plan_changed_behind_an_unchanged_stat(tmp_path, reference, monkeypatch):
    monkeypatch.setattr(FileHashes, "RACY_NS", 0)
    plans = tmp_path / "plans"
    plans.mkdir()
    for name in ("dupnitsa-2021.txt", "kresna-2020.txt"):
        shutil.copy(PLANS / name, plans / name)
    db = tmp_path / "p.duckdb"
    build(plans, db, reference)
    assert index_path(db).exists()
    again = build(plans, db, reference)
    assert again.plans == [] and len(again.kept) == 2  # nothing changed: carried over
    target = plans / "kresna-2020.txt"
    before = os.stat(target)
    text = target.read_bytes()
    changed = text.replace("капацитет".encode(), "Капацитет".encode(), 1)
    assert changed != text and len(changed) == len(text)
    time.sleep(0.05)
    target.write_bytes(changed)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    third = build(plans, db, reference)
    assert [p.plan.source_file for p in third.plans] == ["kresna-2020.txt"]
    assert third.plans[0].plan.source_sha256 == sha(changed)


def test_build_records_every_file_it_saw(tmp_path, reference):
    plans = tmp_path / "plans"
    plans.mkdir()
    for name in ("dupnitsa-2021.txt", "kresna-2020.txt"):
        shutil.copy(PLANS / name, plans / name)
    (plans / "empty.txt").write_bytes(b"")
    db = tmp_path / "p.duckdb"
    build(plans, db, reference)
    record = FileHashes(index_path(db))
    assert sorted(record.known) == ["dupnitsa-2021.txt", "empty.txt", "kresna-2020.txt"]
    assert record.known["kresna-2020.txt"][1] == sha((plans / "kresna-2020.txt").read_bytes())
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []
    assert index_path(db).name == "p.duckdb.files"


def test_files_the_workers_read_are_recorded_and_cached(tmp_path, reference):
    """A first build (nothing in the parse cache) lets the worker processes read and hash the files: the
    record and the cache are the same as when the build process reads them."""
    from etl.synth import generate

    generate(tmp_path / "corpus", reference, 3, (2015, 2025), seed=5)
    plans = tmp_path / "corpus" / "plans"
    (plans / "empty.txt").write_bytes(b"")
    files = sorted(p for p in plans.iterdir() if p.name != "SYNTHETIC")
    assert len(files) > 2 * reading.BATCH
    db = tmp_path / "db" / "p.duckdb"
    first = build(plans, db, reference, workers=2)
    assert first.plans[0].batches  # read in a worker
    record = FileHashes(index_path(db))
    assert sorted(record.known) == [p.name for p in files]
    assert all(record.known[p.name][1] == sha(p.read_bytes()) for p in files)
    cached = list((db.parent / "cache").glob("*.pickle"))
    assert len(cached) == len(first.plans)  # every plan read, none pruned
    db.unlink()
    again = build(plans, db, reference, workers=2)
    assert again.cache_hits == len(first.plans)
