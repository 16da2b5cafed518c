"""What an everyday change costs the real CLI against `catalogsync emulator serve`, at catalog
sizes where it should not matter: no synthetic live state, real processes, real HTTP.

    python benchmarks/served_cost.py [--sizes 10000 100000] [--per-file 10000] [--json out.json]

Each size: a synthetic catalog of N offers (`environment: sandbox`, pointed at the served
emulator) is applied once to set the account up, fast: that apply runs with the emulator's
limit windows and the CLI's pacer scaled down (`--setup-time-scale`), and is not measured.
The emulator then goes back to Allegro's real windows, its clock an hour on so that no
window holds the setup's requests (the CLI's pacer forgets them too), and every measured run
is the real `catalogsync` process in real time:

- the first plan after that apply (nothing to change, but the state and the live cache moved:
  a whole plan);
- a no-op plan: the same plan again, as a scheduled job or a second look runs it (nothing
  changed since the last plan: it stands on that one, runs/settled.py);
- a 200-offer PR: 100 own-value prices, 50 own-value stocks, 50 description edits (all in one
  file of the catalog, of `--per-file` offers: 10 000 by default, `catalogsync import` writes
  500) — its plan (narrowed to that file, runs/narrowed.py), then its apply (`apply
  --auto-approve`, which reads again);
- the plan after the apply (nothing left to do: narrowed to the offers the apply touched,
  from the memo it left, runs/chained.py), and the plan after that one (it stands on it, as
  a no-op plan does);
- a perfect client making the same kinds of change to 200 other offers: 50 description
  PATCHes and the prices and stocks as bulk modification commands of 25 (6 commands), each
  polled to the end; no reads; the emulator's clock a minute on first.

Wall time on a shared machine is as good as its load allows; CPU, memory and requests are
the process's own.

Per run: wall seconds, CPU seconds (user + system of the child process, `os.wait4`), real
peak memory (the child's `ru_maxrss`), requests counted at the emulator, exit code. The
ratio of each figure at the largest size to the smallest shows what follows the catalog.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalogsync.allegro import bulk_wire
from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.pacing import Pacer, allegro_windows
from catalogsync.apply.batching import chunks
from catalogsync.apply.polling import command_tasks
from tests.e2e.served import ROOT, Emulator, cli_env, sandbox_catalog, served_emulator

PROCESSING_DELAY = 0.05
BULK = 25
PRICES, STOCKS, DESCRIPTIONS = 100, 50, 50
RUNS = ("first_plan", "noop_plan", "pr_plan", "pr_apply", "plan_after", "settled_after")
TARGETS = {"noop_plan_cpu": 2.0, "pr_plan_cpu": 3.0, "apply_vs_perfect": 1.5, "peak_mb": 400.0}
#: Each run writes its own peak memory (VmHWM) as it exits: `ru_maxrss` from `os.wait4` also
#: counts the RSS of this (large) benchmark process, which the child shares until its exec.
PEAK = ("import atexit, os; atexit.register(lambda: open(os.environ['CATALOGSYNC_BENCH_PEAK'], "
        "'w').write(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])); ")
CLI = PEAK + ("import sys; from catalogsync.cli.main import cli; "
              "cli(sys.argv[1:], prog_name='catalogsync')")
#: the CLI with its pacer scaled like the emulator's windows (the setup only)
SCALED_CLI = PEAK + (
    "import sys; from benchmarks.fresh_clone import scale_pacing; scale_pacing({scale}); "
    "from catalogsync.cli.main import cli; cli(sys.argv[1:], prog_name='catalogsync')"
)


def run_cli(args: list[str], env: dict[str, str], emulator: Emulator, scale: float | None = None
            ) -> dict[str, Any]:
    """Run one CLI process, reaped with `os.wait4` for its own CPU time: its wall, CPU, peak
    memory (its own VmHWM), the requests the emulator answered, its exit code and the plan's
    read line."""
    before = Counter(emulator.stats())
    code = CLI if scale is None else SCALED_CLI.format(scale=scale)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err, \
            tempfile.NamedTemporaryFile("r") as peak:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT,
                                   env={**env, "CATALOGSYNC_BENCH_PEAK": peak.name},
                                   stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
        peak_kb = int(peak.read() or 0)
    requests = Counter({k: v for k, v in (Counter(emulator.stats()) - before).items()
                        if "/_emulator" not in k})
    row = {
        "exit": process.returncode, "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_mb": round(peak_kb / 1024, 1),
        "requests": sum(requests.values()), "by_endpoint": dict(requests.most_common(6)),
        "read": next((line for line in stdout.splitlines() if line.startswith("Read ")), ""),
    }
    if row["exit"] not in (0, 2):
        raise SystemExit(f"catalogsync {' '.join(args)}: exit {row['exit']}\n{stderr[-3000:]}")
    return row


def pr_edit(catalog: Path) -> None:
    """The PR: the first 200 offers of the first file, each its own new value."""
    path = catalog / "offers" / "offers-000.yaml"
    data = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
    skus = sorted(data["offers"])[: PRICES + STOCKS + DESCRIPTIONS]
    for n, sku in enumerate(skus):
        offer = data["offers"][sku]
        if n < PRICES:
            offer["price"] = f"{30 + n / 100:.2f}"
        elif n < PRICES + STOCKS:
            offer["stock"] = 100 + n
        else:
            offer["description"][0]["text"] = f"<h1>Nowy opis</h1><p>Wersja {n}.</p>"
    path.write_text(yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False,
                              allow_unicode=True))


def offer_ids(catalog: Path) -> list[str]:
    lines = (catalog / "catalogsync.lock").read_text().splitlines()
    found = sorted(line.split('"')[1:4:2] for line in lines if line.startswith("sandbox offer "))
    return [offer_id for _, offer_id in found]


def perfect_client(emulator: Emulator, token: str, ids: list[str]) -> None:
    """The same kinds of change to other offers, as a perfect client makes them."""
    prices, stocks = ids[:PRICES], ids[PRICES: PRICES + STOCKS]
    described = ids[PRICES + STOCKS: PRICES + STOCKS + DESCRIPTIONS]
    parts = ([bulk_wire.modification(i, "prices", {"prices": {"allegro-pl": "33.33 PLN"}})
              for i in prices]
             + [bulk_wire.modification(i, "stock", {"stock": {"change": "FIXED", "value": 77}})
                for i in stocks])

    async def run() -> None:
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=emulator.base, timeout=60, headers=headers) as http:
            client = AllegroClient(http, None, Pacer(allegro_windows()))
            gate = asyncio.Semaphore(10)

            async def patch(offer_id: str) -> None:
                text = {"sections": [{"items": [{"type": "TEXT", "content": "<p>Nowy.</p>"}]}]}
                async with gate:
                    await client.request("PATCH", f"/sale/product-offers/{offer_id}",
                                         json={"description": text})

            async def command(batch: list[dict[str, Any]]) -> None:
                uid = str(uuid.uuid4())
                await client.request("POST", bulk_wire.PATH, json=bulk_wire.body(uid, batch),
                                     ok=(201,), media_type=bulk_wire.BETA_MEDIA_TYPE)
                await command_tasks(client, "offer-bulk-modification-commands", uid,
                                    [m["offerId"] for m in batch])

            await asyncio.gather(*(patch(i) for i in described),
                                 *(command(list(b)) for b in chunks(parts, BULK)))

    asyncio.run(run())


def fresh_windows(emulator: Emulator, catalog: Path, seconds: float) -> None:
    """Allegro's real windows from now on, empty: the emulator's clock moves on (its limits
    count on it) and the CLI forgets what it sent (its pacer's memory of the setup)."""
    emulator.steer("settings", {"time_scale": 1.0})
    emulator.steer("clock", {"advance_seconds": seconds})
    for path in (catalog / ".catalogsync").glob("pacing-*.json"):
        path.unlink()


def bench(size: int, scale: float, root: Path, per_file: int) -> dict[str, Any]:
    with served_emulator(root) as emulator:
        catalog = sandbox_catalog(root / "shop", size, per_file=per_file)
        token = emulator.token()
        env = cli_env(emulator, token, root / "config")
        emulator.steer("settings", {"time_scale": scale, "processing_delay": PROCESSING_DELAY})
        started = time.perf_counter()
        run_cli(["apply", str(catalog), "--auto-approve"], env, emulator, scale)
        print(f"{size}: set up in {time.perf_counter() - started:.0f} s", file=sys.stderr,
              flush=True)
        fresh_windows(emulator, catalog, 3601)  # no window holds the setup's requests
        row: dict[str, Any] = {"offers": size}
        row["first_plan"] = run_cli(["plan", str(catalog), "--detailed-exitcode"], env, emulator)
        row["noop_plan"] = run_cli(["plan", str(catalog), "--detailed-exitcode"], env, emulator)
        pr_edit(catalog)
        row["pr_plan"] = run_cli(["plan", str(catalog), "--detailed-exitcode"], env, emulator)
        row["pr_apply"] = run_cli(["apply", str(catalog), "--auto-approve"], env, emulator)
        for name in ("plan_after", "settled_after"):
            row[name] = run_cli(["plan", str(catalog), "--detailed-exitcode"], env, emulator)
        fresh_windows(emulator, catalog, 61)
        before = Counter(emulator.stats())
        started = time.perf_counter()
        perfect_client(emulator, token, offer_ids(catalog)[1000: 1000 + 200])
        row["perfect"] = {"wall_s": round(time.perf_counter() - started, 2),
                          "requests": sum((Counter(emulator.stats()) - before).values())}
        for name in RUNS:
            print(f"{size} {name}: {json.dumps(row[name])}", file=sys.stderr, flush=True)
        return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--setup-time-scale", type=float, default=0.01)
    parser.add_argument("--per-file", type=int, default=10_000,
                        help="offers per catalog file (default 10000)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            rows.append(bench(size, args.setup_time_scale, Path(tmp), args.per_file))
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


def print_table(rows: list[dict[str, Any]]) -> None:
    print(f"{'offers':>7} {'run':<13} {'exit':>4} {'requests':>8} {'wall s':>7} {'CPU s':>6} "
          f"{'peak MB':>8}")
    for row in rows:
        for name in RUNS:
            r = row[name]
            print(f"{row['offers']:>7} {name:<13} {r['exit']:>4} {r['requests']:>8} "
                  f"{r['wall_s']:>7.2f} {r['cpu_s']:>6.2f} {r['peak_mb']:>8.1f}")
        p = row["perfect"]
        print(f"{row['offers']:>7} {'perfect':<13} {'':>4} {p['requests']:>8} "
              f"{p['wall_s']:>7.2f}")
        apply_ratio = row["pr_apply"]["wall_s"] / max(p["wall_s"], 1e-9)
        peak = max(row[n]["peak_mb"] for n in RUNS)
        met = {
            "noop_plan_cpu": row["noop_plan"]["cpu_s"] <= TARGETS["noop_plan_cpu"],
            "pr_plan_cpu": row["pr_plan"]["cpu_s"] <= TARGETS["pr_plan_cpu"],
            "apply_vs_perfect": apply_ratio <= TARGETS["apply_vs_perfect"],
            "peak_mb": peak <= TARGETS["peak_mb"],
        }
        print(f"{row['offers']:>7} apply/perfect {apply_ratio:.2f}; peak {peak:.0f} MB; targets: "
              + ", ".join(f"{k} {'met' if v else 'NOT met'}" for k, v in met.items()))
        for name in ("first_plan", "noop_plan", "pr_plan", "plan_after", "settled_after"):
            print(f"{row['offers']:>7} {name}: {row[name]['read']}")
    if len(rows) > 1:
        small, large = rows[0], rows[-1]
        for name in ("first_plan", "noop_plan", "pr_plan", "pr_apply", "plan_after"):
            ratios = {k: round(large[name][k] / max(small[name][k], 1e-9), 2)
                      for k in ("requests", "wall_s", "cpu_s", "peak_mb")}
            print(f"{large['offers']}/{small['offers']} {name}: {ratios}")


if __name__ == "__main__":
    sys.exit(main())
