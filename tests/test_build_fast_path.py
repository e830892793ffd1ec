"""A rebuild reads only the plans that changed (the rest are carried over from the previous database), and the
cheap format check agrees with formats.sniff()."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from etl.lines import formats
from etl.lines.text import OTHER_FORMATS

from .helpers import REPO, reference_dir

PLANS = REPO / "data" / "plans"


def quick_check(data: bytes) -> bool:
    """read_document's test for 'maybe not text' (then formats.sniff decides)."""
    return data.startswith(OTHER_FORMATS) or data[:1024].lstrip().startswith(b"%PDF")


@pytest.mark.parametrize("data", [
    b"%PDF-1.7 ...", b"  \n %PDF-1.4", b"\xd0\xcf\x11\xe0\xa1\xb1", b"{\\rtf1\\ansi", b"PK\x03\x04rest",
    "Годишен план\tза 2021".encode(), "Годишен план".encode("cp1251"), b"\xef\xbb\xbfplan", b"", b"PK", b"%PD",
    b"x" * 2000 + b"%PDF",
])
def test_quick_format_check_agrees_with_sniff(data):
    assert quick_check(data) == (formats.sniff(data) != "text")


def test_rebuild_reads_only_the_changed_plan(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    for name in ("dupnitsa-2021.txt", "kresna-2020.txt", "ihtiman-2020.txt"):
        shutil.copy(PLANS / name, plans / name)
    db = tmp_path / "p.duckdb"
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from etl.build import build\n"
        "from etl.reference import load_reference\n"
        f"result = build(Path({str(plans)!r}), Path({str(db)!r}), load_reference(Path({str(reference_dir())!r})))\n"
        "print(json.dumps({'read': len(result.plans), 'kept': len(result.kept)}))\n"
    )

    def run() -> dict:
        done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    assert run() == {"read": 3, "kept": 0}  # full build
    text = (plans / "kresna-2020.txt").read_text(encoding="utf-8")
    (plans / "kresna-2020.txt").write_text(text + "\nАктуализирано.\n", encoding="utf-8")
    again = run()
    assert again == {"read": 1, "kept": 2}
