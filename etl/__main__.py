"""The ETL command line: `python -m etl build | export | report`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import accounts
from .reference import resolve_reference_dir

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PLANS = REPO / "data" / "plans"
DEFAULT_DB = REPO / "data" / "build" / "plans.duckdb"
DEFAULT_EXPORT = REPO / "data" / "build" / "export"
DEFAULT_CORRECTIONS = REPO / "data" / "corrections"


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (FileNotFoundError, RuntimeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m etl", description=__doc__)
    sub = top.add_subparsers(required=True, metavar="{build,export,report,review,user}")
    b = sub.add_parser("build", help="read the plans and (re)build the database")
    b.add_argument("--plans", type=Path, default=DEFAULT_PLANS, help="folder of plan documents (default data/plans)")
    b.add_argument("--db", type=Path, default=DEFAULT_DB, help="database file (default data/build/plans.duckdb)")
    b.add_argument("--reference", help="EKATTE reference folder (default: $SSP_REFERENCE_DIR or ../shared/reference)")
    b.add_argument("--corrections", type=Path, default=DEFAULT_CORRECTIONS,
                   help="folder of correction files applied to the plans (default data/corrections)")
    b.add_argument("--strict", action="store_true", help="exit 1 when any file or row has an error or warning")
    b.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    b.set_defaults(run=run_build)
    e = sub.add_parser("export", help="write the open-data files (CSV + Parquet)")
    e.add_argument("--db", type=Path, default=DEFAULT_DB)
    e.add_argument("--out", type=Path, default=DEFAULT_EXPORT, help="output folder (default data/build/export)")
    e.set_defaults(run=run_export)
    s = sub.add_parser("synth", help="write a synthetic corpus with its ground truth (tests and benchmarks only)")
    s.add_argument("--out", type=Path, required=True, help="output folder (plans/ and truth/ are written in it)")
    s.add_argument("--municipalities", type=int, default=10)
    s.add_argument("--years", default="2019-2021", help="first-last year, e.g. 2013-2026")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--reference")
    s.set_defaults(run=run_synth)
    r = sub.add_parser("report", help="print the build report of a database: per plan, its lines, records and problems")
    r.add_argument("--db", type=Path, default=DEFAULT_DB)
    r.add_argument("--plan", help="only this plan (its plan_id), with every line not used")
    r.add_argument("--problems-only", action="store_true", help="only plans with warnings or errors, and files not loaded")
    r.add_argument("--verbose", action="store_true", help="list every line not used")
    r.set_defaults(run=run_report)
    v = sub.add_parser("review", help="print what a document would give, beside its lines, without touching the database")
    v.add_argument("file", type=Path)
    v.add_argument("--corrections", type=Path, default=DEFAULT_CORRECTIONS,
                   help="folder of correction files (default data/corrections)")
    v.add_argument("--reference")
    v.add_argument("--json", action="store_true", help="one JSON object (the /admin preview reads it)")
    v.set_defaults(run=run_review)
    accounts.add_parser(sub)
    return top


def run_build(args: argparse.Namespace) -> int:
    from .build import BuildError, build
    from .reference import load_reference

    reference = load_reference(resolve_reference_dir(args.reference))
    if not reference.available and not args.quiet:
        print(f"notice: {reference.notice}", file=sys.stderr)
    started = time.perf_counter()
    try:
        result = with_progress(lambda cb: build(args.plans, args.db, reference, cb, corrections_dir=args.corrections),
                               args.plans, args.quiet)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    errors, warnings = result.count("error"), result.count("warning")
    if not args.quiet:
        from .report import summary

        print(f"built {args.db} in {elapsed:.1f} s from {result.files_seen} files "
              f"({len(result.plans)} read, {len(result.kept)} unchanged)")
        for line in summary(args.db):
            print(line)
    for problem in result.problems:
        if problem.severity == "error":
            print(f"error: {problem.message}", file=sys.stderr)
    return 1 if args.strict and (errors or warnings) else 0


def with_progress(task, plans_dir: Path, quiet: bool):
    if quiet:
        return task(None)
    from rich.progress import Progress

    from .build import plan_files

    total = len(plan_files(plans_dir))
    with Progress(transient=True) as progress:
        bar = progress.add_task("reading plans", total=total)
        return task(lambda path: progress.update(bar, advance=1, description=path.name))


def run_export(args: argparse.Namespace) -> int:
    from .export import export

    counts = export(args.db, args.out)
    print(f"exported {counts['plans']} plans and {counts['items']} items to {args.out} (CSV + Parquet)")
    return 0


def run_synth(args: argparse.Namespace) -> int:
    from .reference import load_reference
    from .synth import generate

    out = args.out.resolve()
    if out == DEFAULT_PLANS.resolve() or DEFAULT_PLANS.resolve() in out.parents or out in DEFAULT_PLANS.parents:
        print("error: synthetic plans never go into data/plans; choose another --out", file=sys.stderr)
        return 2
    first, _, last = args.years.partition("-")
    counts = generate(out, load_reference(resolve_reference_dir(args.reference)), args.municipalities,
                      (int(first), int(last or first)), args.seed)
    print(f"wrote {counts['plans']} synthetic plans ({counts['items']} records) to {out / 'plans'}; "
          f"ground truth in {out / 'truth'}")
    return 0


def run_review(args: argparse.Namespace) -> int:
    from .reference import load_reference
    from .review import ReviewError, as_json, as_text, review

    if not args.file.is_file():
        print(f"error: no file {args.file}", file=sys.stderr)
        return 1
    try:
        result = review(args.file, load_reference(resolve_reference_dir(args.reference)), args.corrections)
    except ReviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(as_json(result) if args.json else "\n".join(as_text(result)))
    return 0


def run_report(args: argparse.Namespace) -> int:
    from .report import render, report_frames

    frames = report_frames(args.db, args.plan)
    if args.plan is not None and not len(frames["report_plans"]):
        print(f"error: no plan {args.plan!r} in {args.db}", file=sys.stderr)
        return 2
    for line in render(frames, verbose=args.verbose or args.plan is not None, problems_only=args.problems_only):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
