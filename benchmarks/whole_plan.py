"""What a whole plan and a 200-offer PR's apply cost the real CLI against `catalogsync emulator
serve` in memory and CPU, at catalog sizes where it should not matter.

    python benchmarks/whole_plan.py [--sizes 10000 100000] [--plans 2] [--json out.json]

Each size is set up as benchmarks/served_cost.py does it (a synthetic catalog applied once,
time-scaled, then Allegro's real windows). Measured, each a real `catalogsync` process:
`--plans` whole plans (the settled memo removed first, so that none stands on the last: the
plan every fresh CI runner makes, less the YAML parse the load cache saves), then the
200-offer PR of served_cost.py applied (`apply --auto-approve`). Per run: wall and CPU
seconds, the process's own peak memory (VmHWM) and its requests.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.served_cost import PROCESSING_DELAY, fresh_windows, pr_edit, run_cli
from catalogsync.config import WORK_DIR
from tests.e2e.served import cli_env, sandbox_catalog, served_emulator

#: the issue's goal for a real plan's peak memory
PEAK_MB = 400.0


def whole_plan(catalog: Path, env: dict[str, str], emulator: Any) -> dict[str, Any]:
    """A plan that cannot stand on the last one (runs/settled.py): its memo is removed."""
    for memo in (catalog / WORK_DIR).glob("settled-*.json"):
        memo.unlink()
    return run_cli(["plan", str(catalog), "--detailed-exitcode"], env, emulator)


def bench(size: int, scale: float, plans: int, root: Path) -> dict[str, Any]:
    with served_emulator(root) as emulator:
        catalog = sandbox_catalog(root / "shop", size)
        env = cli_env(emulator, emulator.token(), root / "config")
        emulator.steer("settings", {"time_scale": scale, "processing_delay": PROCESSING_DELAY})
        started = time.perf_counter()
        run_cli(["apply", str(catalog), "--auto-approve"], env, emulator, scale)
        print(f"{size}: set up in {time.perf_counter() - started:.0f} s", file=sys.stderr,
              flush=True)
        fresh_windows(emulator, catalog, 3601)
        row: dict[str, Any] = {"offers": size}
        for n in range(plans):
            row[f"plan_{n + 1}"] = whole_plan(catalog, env, emulator)
        pr_edit(catalog)
        row["pr_apply"] = run_cli(["apply", str(catalog), "--auto-approve"], env, emulator)
        return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--plans", type=int, default=2)
    parser.add_argument("--setup-time-scale", type=float, default=0.01)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            rows.append(bench(size, args.setup_time_scale, args.plans, Path(tmp)))
    print(f"{'offers':>7} {'run':<9} {'exit':>4} {'requests':>8} {'wall s':>7} {'CPU s':>6} "
          f"{'peak MB':>8}")
    for row in rows:
        for name, r in row.items():
            if name != "offers":
                print(f"{row['offers']:>7} {name:<9} {r['exit']:>4} {r['requests']:>8} "
                      f"{r['wall_s']:>7.2f} {r['cpu_s']:>6.2f} {r['peak_mb']:>8.1f}")
        peak = max(r["peak_mb"] for name, r in row.items() if name.startswith("plan_"))
        print(f"{row['offers']:>7} whole plan peak {peak:.0f} MB: goal {PEAK_MB:.0f} MB "
              f"{'met' if peak <= PEAK_MB else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
