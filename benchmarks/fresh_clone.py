"""What a plan costs on a fresh CI runner (only the committed files) right after an apply,
against a full refresh, and whether three such jobs within a minute meet a 429.

    python benchmarks/fresh_clone.py [--sizes 1000 10000] [--time-scale 0.1] [--json out.json]

Each size: a catalog of N offers is applied (created, then every price changed), through the
CLI against the in-process emulator. A "fresh clone" is a copy of the catalog's files with
`catalogsync.lock` and nothing else of `.catalogsync/` (for `environment: local` the lock
lives there). Measured, each from a fresh clone: a plan (requests, offer reads, 429s); a full
refresh (the same clone, its lock without the lines that let a plan trust the event feed);
three plans started within one (scaled) minute, from fresh clones with and without those
lines (before: every fresh clone read every offer). `--time-scale` shrinks Allegro's limit
windows as in rate_limits.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from catalogsync.allegro import client as client_module
from catalogsync.allegro.pacing import Pacer, allegro_windows
from catalogsync.catalog.loader import load_catalog
from catalogsync.cli.main import CliContext, cli
from catalogsync.config import WORK_DIR
from catalogsync.emulator.backend import Backend
from catalogsync.plan.options import Options
from catalogsync.runs import plan_apply as runs
from catalogsync.state.lockfile import LOCK_FILE
from catalogsync.synthetic import write_catalog

READS = "GET /sale/product-offers/{offerId}"
#: lock lines a plan needs to trust the event feed instead of reading every offer
TRUST_KINDS = (" feed ",)


def cli_run(backend: Backend, *args: str | Path) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args], obj=CliContext(emulator=backend))
    if result.exit_code not in (0, 2):
        raise SystemExit(f"catalogsync {' '.join(map(str, args))}: {result.output[-2000:]}")
    return result.output


def fresh_clone(source: Path, target: Path, trust: bool = True) -> Path:
    """The catalog's committed files: YAML and the lock, no working copy, cache or pacer."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(WORK_DIR))
    lock = source / WORK_DIR / LOCK_FILE
    (target / WORK_DIR).mkdir()
    lines = lock.read_text().splitlines(keepends=True)
    if not trust:
        lines = [line for line in lines if not any(k in line for k in TRUST_KINDS)]
    (target / WORK_DIR / LOCK_FILE).write_text("".join(lines))
    return target


async def _plans(backend: Backend, directories: list[Path], gap: float) -> bool:
    """Plans of `directories` as concurrent jobs, started `gap` seconds apart; whether each
    found nothing to change."""
    obj = CliContext(emulator=backend)

    async def job(number: int, directory: Path) -> bool:
        await asyncio.sleep(number * gap)
        catalog = load_catalog(directory)
        return not (await runs.plan(obj, directory, catalog, Options())).changes

    return all(await asyncio.gather(*(job(n, d) for n, d in enumerate(directories))))


def measure(backend: Backend, directories: list[Path], gap: float) -> dict[str, Any]:
    """Plans of `directories` (concurrent jobs, started `gap` seconds apart); their requests
    together."""
    before = Counter(backend.stats)
    throttled = int(str(backend.limiter.summary()["throttled"]))
    started = time.perf_counter()
    clean = asyncio.run(_plans(backend, directories, gap))
    requests = Counter({k: v for k, v in (backend.stats - before).items()
                        if " /_emulator" not in k})
    return {
        "requests": sum(requests.values()),
        "offer_reads": requests[READS],
        "429s": int(str(backend.limiter.summary()["throttled"])) - throttled,
        "seconds": round(time.perf_counter() - started, 2),
        "no_changes": clean,  # every plan found Allegro as the catalog says
    }


def scale_pacing(time_scale: float) -> None:
    """Every client the CLI makes paces itself by windows scaled like the emulator's."""
    def scaled() -> Pacer:
        return Pacer(allegro_windows(time_scale), 60 * time_scale)

    client_module.Pacer = scaled  # type: ignore[assignment,misc]


def bench(size: int, time_scale: float, root: Path) -> dict[str, Any]:
    backend = Backend()
    backend.update_settings({"time_scale": time_scale, "processing_delay": 0.05})
    scale_pacing(time_scale)
    shop = write_catalog(root / f"shop-{size}", size)
    cli_run(backend, "apply", shop, "--auto-approve")
    write_catalog(shop, size, price=Decimal("31.99"))
    cli_run(backend, "apply", shop, "--auto-approve", "--allow-mass-change",
            "--allow-price-jumps")
    backend.limiter.reset()
    full = measure(backend, [fresh_clone(shop, root / f"full-{size}", trust=False)], 0)
    backend.limiter.reset()
    fresh = measure(backend, [fresh_clone(shop, root / f"fresh-{size}")], 0)
    three = {}
    for trust in (False, True):  # three jobs within a (scaled) minute: before, and now
        time.sleep(60 * time_scale)  # the limit windows empty, as between CI jobs
        backend.limiter.reset()
        jobs = [fresh_clone(shop, root / f"job-{size}-{trust}-{n}", trust) for n in range(3)]
        three["fresh" if trust else "full"] = measure(backend, jobs, 20 * time_scale)
    row = {"offers": size, "time_scale": time_scale, "full_refresh": full,
           "fresh_clone_plan": fresh, "three_jobs_a_minute": three,
           "fresh_vs_full": round(fresh["requests"] / full["requests"], 4)}
    print(json.dumps(row), file=sys.stderr, flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--time-scale", type=float, default=0.1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = [bench(size, args.time_scale, Path(tmp)) for size in args.sizes]
    print("| offers | requests: full refresh (before) → fresh-clone plan | offer reads | "
          "3 jobs/min: 429s before → now |")
    print("|---|---|---|---|")
    for r in rows:
        three = r["three_jobs_a_minute"]
        print(f"| {r['offers']} | {r['full_refresh']['requests']} → "
              f"{r['fresh_clone_plan']['requests']} ({r['fresh_vs_full']:.2%}) | "
              f"{r['full_refresh']['offer_reads']} → {r['fresh_clone_plan']['offer_reads']} | "
              f"{three['full']['429s']} → {three['fresh']['429s']} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
