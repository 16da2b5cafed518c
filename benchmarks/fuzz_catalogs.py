"""Fuzz `validate` and `plan` with mutated catalogs (the suite runs 10 000; this runs more).

    python benchmarks/fuzz_catalogs.py [--count 100000] [--seed 1] [--plan-every 4]

Every case must end in a catalog error or a clean plan exit: prints the counts, and every
failure (traceback or hang) with the seed that reproduces it; exits 1 if there was any.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzz.harness import fuzz


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--plan-every", type=int, default=4, help="plan every n-th valid case")
    parser.add_argument("--hang-seconds", type=float, default=10.0)
    args = parser.parse_args()
    started = time.monotonic()
    report = fuzz(args.count, args.seed, args.plan_every, args.hang_seconds)
    elapsed = time.monotonic() - started
    print(
        f"validated {report.validated}, planned {report.planned} in {elapsed:.0f} s "
        f"(slowest case {report.slowest:.2f} s)"
    )
    for outcome, count in sorted(report.outcomes.items()):
        print(f"  {outcome}: {count}")
    print(f"failures (tracebacks or hangs): {len(report.failures)}")
    for failure in report.failures:
        print(f"  {failure}")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
