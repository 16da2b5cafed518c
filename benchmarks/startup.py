"""Start-up cost: the CPU time (user + sys) of `catalogsync --help` and of `catalogsync validate`
of the example catalog, each above a bare `python -c pass` (issue target: 0.15 s at most).

    python benchmarks/startup.py [--runs 15] [--json out.json]

Each command runs in a fresh interpreter, the three in turn so that a load from elsewhere on the
machine weighs on all of them alike; the figure is the median of `--runs`. It is measured twice:
with bytecode cached, as an installed package runs, and compiled from source each time, as
with PYTHONDONTWRITEBYTECODE and no cache. The catalogsync measured is this checkout's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "catalog"
TARGET_SECONDS = 0.15
COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "catalogsync --help": ["-m", "catalogsync", "--help"],
    "catalogsync validate": ["-m", "catalogsync", "validate", str(EXAMPLE)],
}


def cpu_seconds(args: list[str], env: dict[str, str]) -> float:
    """The user + sys time of one run of `python ARGS`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, *args], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def medians(runs: int, env: dict[str, str]) -> dict[str, float]:
    for args in COMMANDS.values():  # a first run writes the bytecode cache, if any
        cpu_seconds(args, env)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, args in COMMANDS.items():
            times[name].append(cpu_seconds(args, env))
    return {name: statistics.median(figures) for name, figures in times.items()}


def environments(cache: str) -> dict[str, dict[str, str]]:
    """The two ways to run: bytecode cached in `cache`, and compiled from source each time."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    cached = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {
        "bytecode cached": {**cached, "PYTHONPYCACHEPREFIX": cache},
        "from source": {**env, "PYTHONDONTWRITEBYTECODE": "1"},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (median)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="catalogsync-pycache-") as cache:
        for mode, env in environments(cache).items():
            results[mode] = medians(args.runs, env)
    print(f"CPU seconds (user + sys), median of {args.runs} runs; {sys.executable}")
    for mode, figures in results.items():
        bare = figures["python -c pass"]
        print(f"{mode}:")
        for name, seconds in figures.items():
            if name == "python -c pass":
                print(f"  {name:<22} {seconds:6.3f}")
                continue
            above = seconds - bare
            verdict = "met" if above <= TARGET_SECONDS else "NOT MET"
            print(f"  {name:<22} {seconds:6.3f}  +{above:.3f} (<= {TARGET_SECONDS})  {verdict}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
