"""Apply 1000 offers under injected faults: converged after the first apply plus at most one
re-run, with no duplicate offer and no rate block.

    python benchmarks/faults.py [--offers 1000] [--seeds 1 2] [--storm-seconds 5]

Real processes (`catalogsync emulator serve` and the CLI as `sandbox`, as benchmarks/
kill_resume.py). Per seed, on a fresh account: faults on (5 % of requests answered 503, 3 %
dropped connections, 0.3 % answered after the client's timeout); once 30 % of the creates went
out, a 429 storm of `--storm-seconds`; the first `apply`; then, faults off,
`plan --detailed-exitcode`; if it still shows changes, one re-run of `apply` with the faults on
and the plan again. Prints the faults injected, the
emulator's rate blocks, duplicates and what was left after each run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.served import (
    Emulator,
    catalogsync,
    cli_env,
    run_watched,
    sandbox_catalog,
    served_emulator,
)

CREATE = "POST /sale/product-offers"


def faults(seed: int, storm: float = 0.0) -> dict[str, Any]:
    """5 % 503s, 3 % dropped connections, 0.3 % answers slower than the client's 30 s timeout
    and a 429 storm of `storm` seconds from now."""
    return {"error_rate": 0.05, "drop_rate": 0.03, "slow_rate": 0.003, "slow_seconds": 32.0,
            "seed": seed, "storm_seconds": storm}


def one_seed(emulator: Emulator, work: Path, seed: int, offers: int, storm: float) -> bool:
    emulator.steer("reset")
    token = emulator.token()
    catalog = sandbox_catalog(work / f"shop-{seed}", offers)
    env = cli_env(emulator, token, work / f"config-{seed}")
    emulator.steer("faults", faults(seed))
    started = time.monotonic()
    first = run_watched(
        ["apply", str(catalog), "--auto-approve"], env, emulator,
        lambda stats: stats.get(CREATE, 0) >= offers * 3 // 10,
        lambda _: emulator.steer("faults", faults(seed + 1000, storm)),
    )
    runs = [(first, time.monotonic() - started)]
    while True:
        injected = emulator.summary()["faults"]
        emulator.steer("faults", {})
        planned = catalogsync("plan", catalog, "--detailed-exitcode", env=env)
        result, seconds = runs[-1]
        left = planned.stdout.strip().splitlines()[-1] if planned.returncode else "nothing"
        print(f"  seed {seed}, apply {len(runs)}: exit {result.returncode} in {seconds:.0f} s; "
              f"faults so far {injected}; plan exit {planned.returncode} (left: {left})",
              flush=True)
        if result.returncode and result.stderr:
            tail = [line for line in result.stderr.splitlines() if line.startswith("  ")][:6]
            print("    " + "\n    ".join(tail))
        if planned.returncode == 0 or len(runs) == 2:
            break
        emulator.steer("faults", faults(seed + 2000))
        started = time.monotonic()
        runs.append((catalogsync("apply", catalog, "--auto-approve", env=env),
                     time.monotonic() - started))
    counts = emulator.offers_by_external_id(token)
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    missing = offers - len([k for k in counts if k.startswith("SYN-")])
    blocks = emulator.summary()["blocks"]
    converged = planned.returncode == 0 and not duplicates and not missing and not blocks
    print(f"seed {seed}: {'converged' if converged else 'NOT converged'} after {len(runs)} "
          f"apply run(s); {duplicates} duplicates, {missing} missing, {blocks} rate blocks")
    return converged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=1000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--storm-seconds", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, served_emulator(Path(scratch)) as emulator:
        results = [one_seed(emulator, Path(scratch), seed, args.offers, args.storm_seconds)
                   for seed in args.seeds]
    print(f"converged: {sum(results)}/{len(results)} seeds")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
