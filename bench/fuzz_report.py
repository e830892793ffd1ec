"""Run the parser fuzz strategies of tests/test_reliability.py for longer and print what happened.

    python bench/fuzz_report.py [EXAMPLES_PER_STRATEGY]     (default 1000)

For each strategy (tests/fixtures/hostile.py): cases run, plans returned, ExtractError / PlanError, the
slowest case, and any other exception or broken invariant (the first of each, with its input saved
under /tmp/fuzz-failures/). Exit 1 when anything other than a plan or a clear error came out.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hypothesis import HealthCheck, given, settings  # noqa: E402

from etl.build import read_plan  # noqa: E402
from etl.lines.text import ExtractError  # noqa: E402
from etl.records.normalise import PlanError  # noqa: E402
from etl.reference import load_reference  # noqa: E402
from tests.conftest import reference_dir  # noqa: E402
from tests.fixtures import hostile  # noqa: E402
from tests.test_reliability import check_plan_invariants  # noqa: E402

FAILURES = Path("/tmp/fuzz-failures")


def run(name: str, strategy, examples: int, reference) -> Counter:
    stats: Counter = Counter()
    slowest = [0.0, ""]
    path = FAILURES.parent / "fuzz-report-case.txt"

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def fuzz(case):
        label, data = case
        path.write_bytes(data)
        stats["cases"] += 1
        started = time.perf_counter()
        try:
            plan = read_plan(path, reference)
            check_plan_invariants(data, plan)
            stats["plans"] += 1
        except (ExtractError, PlanError) as exc:
            stats[type(exc).__name__] += 1
        except Exception as exc:  # noqa: BLE001 - reporting every failure is the point
            kind = "invariant broken" if isinstance(exc, AssertionError) else f"crash {type(exc).__name__}"
            stats[kind] += 1
            if stats[kind] == 1:
                FAILURES.mkdir(exist_ok=True)
                saved = FAILURES / f"{name.replace(' ', '-')}-{kind.replace(' ', '-')}.txt"
                saved.write_bytes(data)
                print(f"  {kind} on {label} (saved to {saved}):\n"
                      + "".join(traceback.format_exception_only(exc)).strip()[:500])
        elapsed = time.perf_counter() - started
        if elapsed > slowest[0]:
            slowest[:] = [elapsed, label]

    fuzz()
    print(f"{name}: {dict(stats)}; slowest {slowest[0]:.2f} s ({slowest[1]})")
    return stats


def main() -> int:
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    reference = load_reference(reference_dir())
    total: Counter = Counter()
    for name, strategy in hostile.STRATEGIES.items():
        total += run(name, strategy, examples, reference)
    print(f"total: {dict(total)}")
    return 1 if any(k.startswith(("crash", "invariant")) for k in total) else 0


if __name__ == "__main__":
    sys.exit(main())
