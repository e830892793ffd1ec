"""Plans per second by input format: the five sample plans as .txt, .docx, .pdf, unruled .pdf (every table
border removed, columns and rows rebuilt from word positions) and .doc with --doc,
read through extract → parse → normalise (etl.load.read_plan), one process, no cache.

    python bench/formats.py [--rounds N] [--doc]

The .docx files are built with tests/fixtures/make_formats.py (borderless ones for the unruled PDFs)
and the PDFs converted from them with LibreOffice (skipped when soffice is not installed); building them
is not timed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etl.build import read_plan  # noqa: E402
from etl.reference import load_reference  # noqa: E402
from tests.conftest import reference_dir  # noqa: E402
from tests.fixtures import make_formats  # noqa: E402


def timed(files: list[Path], reference, rounds: int) -> tuple[float, int]:
    records = sum(len(read_plan(f, reference).records) for f in files)  # warm-up, and the record count
    started = time.perf_counter()
    for _ in range(rounds):
        for f in files:
            read_plan(f, reference)
    return (time.perf_counter() - started) / (rounds * len(files)), records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--doc", action="store_true", help="also .doc (converted by LibreOffice on every read)")
    args = parser.parse_args()
    reference = load_reference(reference_dir())
    samples = sorted((ROOT / "data" / "plans").glob("*.txt"))
    with tempfile.TemporaryDirectory(prefix="bench-formats-") as tmp:
        out = Path(tmp)
        docs = [make_formats.build_docx(s, out / f"{s.stem}.docx") for s in samples]
        formats = {"txt": samples, "docx": docs}
        if make_formats.soffice():
            (out / "pdf").mkdir()
            formats["pdf"] = make_formats.convert(docs, "pdf", out / "pdf")
            for folder in ("docx-unruled", "pdf-unruled"):
                (out / folder).mkdir()
            unruled = [make_formats.build_docx(s, out / "docx-unruled" / f"{s.stem}.docx", ruled=False)
                       for s in samples]
            formats["pdf-unruled"] = make_formats.convert(unruled, "pdf", out / "pdf-unruled")
            if args.doc:
                (out / "doc").mkdir()
                formats["doc"] = make_formats.convert(docs, "doc:MS Word 97", out / "doc")
        else:
            print("LibreOffice not installed: no .pdf/.doc figures")
        print(f"{'format':<11} {'plans/s':>9} {'ms/plan':>9} {'records':>8}   ({len(samples)} plans × {args.rounds} rounds)")
        for kind, files in formats.items():
            rounds = 1 if kind == "doc" else args.rounds
            per_plan, records = timed(files, reference, rounds)
            print(f"{kind:<11} {1 / per_plan:>9.1f} {per_plan * 1000:>9.1f} {records:>8}")


if __name__ == "__main__":
    main()
