"""Every offer its own new price, every offer its own new stock: catalogsync over the real CLI
against `catalogsync emulator serve`, beside a perfect client's bound and a competent peer.

    python benchmarks/repricing.py [--offers 10000] [--time-scale 1] [--setup-time-scale 0.02]
                                   [--no-peer] [--no-feed] [--no-yaml]
                                   [--json out.json]

The account is set up by a first `catalogsync apply` (not measured), time-scaled: the
emulator's windows (`time_scale`) and the CLI's pacing shrunk alike, since at 10 000 offers the
creates take four minutes under Allegro's 2490 writes a minute, and at 100 000 forty. Then
every change is measured in real time (`--time-scale 1`), under Allegro's real windows, each
made by a real `catalogsync apply` process after a window's pause (so that no window still
holds the last change's requests). `--time-scale 0.1` measures the changes under windows ten
times shorter too (a minute is 6 s): the bound shrinks with them, the local work (start, load,
read, plan, record) does not, so the efficiency is then a floor of the real-time one:

- repricing: each offer a new price within ±10 % of its own (the offers start at distinct
  prices, so nearly every new price is distinct, as in a shop's own price list);
- restock: each offer a new stock from 1 to 999 (`stock_mode: delta`: a GAIN each);
- the same two through a feed (`, feed` rows): the seller's ERP rewrites a CSV of every
  offer's price and stock (`feeds:` in catalogsync.yaml), the YAML stays as it is. The YAML
  rows load every offer file anew (the benchmark rewrote them all); the feed rows load them
  from the load cache, as an hourly feed-driven job does, and read the feed instead.

The bound is a perfect client's with the best endpoint for the change: bulk modification
commands of 25 offers, 9 000 offer changes a minute (150 000 an hour), each command sent and
polled once, and the emulator's processing delay for the last one to settle; no reads. The
competent peer sends price (or quantity) commands grouped by value, paced and polled like
catalogsync, without reads. Requests are counted by the emulator, split into those that make
the change and those that read Allegro (the plan's reads, the event feed). `plan s` is the
wall time of the plan after catalogsync's change (nothing left to do): the local work — start,
load, read, plan — that every apply does before its first command, and that the bound leaves out.
`CPU s` is the CPU time of the change (the CLI process, or the peer): a busy machine stretches
the wall time of that local work, not its CPU time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.rate_limits import least_times, split
from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.pacing import Pacer, allegro_windows
from catalogsync.apply.batching import chunks
from catalogsync.apply.polling import command_tasks
from tests.e2e.served import (
    ROOT,
    Emulator,
    catalogsync,
    cli_env,
    sandbox_catalog,
    served_emulator,
)

PROCESSING_DELAY = 0.05
BULK = 25
#: the bulk resource's limits: (count, minutes)
BULK_LIMITS = ((9000, 1), (150_000, 60))
FLAGS = ("--auto-approve", "--allow-mass-change", "--allow-price-jumps")


def bound(offers: int, time_scale: float = 1.0) -> tuple[int, float]:
    """A perfect client's requests and seconds: bulk commands of 25, each sent and polled."""
    commands = [len(c) for c in chunks(range(offers), BULK)]
    last = least_times(commands, BULK_LIMITS, 60.0 * time_scale)[-1]
    return 2 * len(commands), last + PROCESSING_DELAY


#: `python -c` running the CLI with its pacing scaled like the emulator's windows (the scale
#: is the first argument)
SCALED_CLI = (
    "import sys\n"
    "from catalogsync.allegro import client, pacing\n"
    "scale = float(sys.argv.pop(1))\n"
    "client.Pacer = lambda: pacing.Pacer(pacing.allegro_windows(scale), 60 * scale)\n"
    "from catalogsync.cli.main import cli\n"
    "cli(prog_name='catalogsync')\n"
)


def cli(*args: str | Path, env: dict[str, str], time_scale: float,
        timeout: float = 7200) -> subprocess.CompletedProcess[str]:
    """A real CLI process; paced by windows scaled by `time_scale` unless it is 1."""
    if time_scale == 1:
        return catalogsync(*args, env=env, timeout=timeout)
    return subprocess.run(
        [sys.executable, "-c", SCALED_CLI, str(time_scale), *map(str, args)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )


def cpu_seconds() -> float:
    """CPU time of this process and the CLI processes it waited for: on a shared machine the
    steadier figure of the local work (a busy machine stretches wall time, not CPU time)."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def edit_offers(catalog: Path, edit: Callable[[int, dict[str, Any]], None]) -> None:
    for path in sorted((catalog / "offers").glob("*.yaml")):
        data = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
        for sku, offer in data["offers"].items():
            edit(int(sku.split("-")[1]), offer)
        path.write_text(yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True,
                                  sort_keys=False))


def distinct_prices(number: int, offer: dict[str, Any]) -> None:
    offer["price"] = str(Decimal(1000 + number) / 100 + 10)  # 20.00, 20.01, …


def repricing(rng: random.Random) -> Callable[[int, dict[str, Any]], None]:
    def edit(number: int, offer: dict[str, Any]) -> None:
        old = Decimal(offer["price"])
        offer["price"] = str((old * Decimal(rng.uniform(0.9, 1.1))).quantize(Decimal("0.01")))

    return edit


def restock(rng: random.Random) -> Callable[[int, dict[str, Any]], None]:
    def edit(number: int, offer: dict[str, Any]) -> None:
        offer["stock"] = rng.randint(1, 999)

    return edit


def offer_ids(catalog: Path) -> dict[str, str]:
    """External id -> offer id, from the lock file apply wrote."""
    lines = (catalog / "catalogsync.lock").read_text().splitlines()
    found = (re.match(r'^sandbox offer "([^"]+)" "([^"]+)"', line) for line in lines)
    return {m[1]: m[2] for m in found if m}


def values(catalog: Path, field: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in sorted((catalog / "offers").glob("*.yaml")):
        data = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
        out.update({sku: offer[field] for sku, offer in data["offers"].items()})
    return out


class Run:
    def __init__(self, emulator: Emulator, catalog: Path, env: dict[str, str], token: str,
                 offers: int, time_scale: float) -> None:
        self.emulator, self.catalog, self.env, self.token = emulator, catalog, env, token
        self.offers, self.time_scale = offers, time_scale
        self.rows: list[dict[str, Any]] = []

    def measure(self, who: str, scenario: str, job: Callable[[], None]) -> dict[str, Any]:
        before = Counter(self.emulator.stats())
        throttled = int(self.emulator.summary()["throttled"])
        started, cpu = time.perf_counter(), cpu_seconds()
        job()
        wall = time.perf_counter() - started
        requests = Counter({k: v for k, v in (Counter(self.emulator.stats()) - before).items()
                            if "/_emulator" not in k})
        least_requests, least_seconds = bound(self.offers, self.time_scale)
        row = {
            "offers": self.offers, "time_scale": self.time_scale, "who": who,
            "scenario": scenario,
            "requests": sum(requests.values()), **split(requests),
            "by_endpoint": dict(requests.most_common(8)),
            "429s": int(self.emulator.summary()["throttled"]) - throttled,
            "wall_seconds": round(wall, 2), "bound_seconds": round(least_seconds, 2),
            "cpu_seconds": round(cpu_seconds() - cpu, 2),
            "bound_requests": least_requests,
            "efficiency": round(least_seconds / wall, 3),
            "requests_vs_bound": round(sum(requests.values()) / least_requests, 3),
        }
        self.rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
        return row

    def apply(self) -> None:
        done = cli("apply", self.catalog, *FLAGS, env=self.env, time_scale=self.time_scale)
        assert done.returncode == 0, done.stderr[-2000:]

    def clean_plan(self) -> str:
        """The plan after a change: its exit code (0: nothing left) and its wall time, the
        local work (load, read, plan) every apply does before its first command."""
        started = time.perf_counter()
        done = cli("plan", self.catalog, "--detailed-exitcode", env=self.env,
                   time_scale=self.time_scale)
        took = time.perf_counter() - started
        if self.rows:
            self.rows[-1]["plan_after_seconds"] = round(took, 2)
        return f"exit {done.returncode}, {took:.1f} s"

    def peer(self, kind: str, by_value: dict[str, list[str]],
             body: Callable[[str], dict[str, Any]]) -> None:
        """Commands of one value for up to 1000 offers, 10 at once, paced, each polled."""

        async def run() -> None:
            headers = {"Authorization": f"Bearer {self.token}"}
            async with httpx.AsyncClient(base_url=self.emulator.base, timeout=60,
                                         headers=headers) as http:
                scale = self.time_scale
                client = AllegroClient(http, None, Pacer(allegro_windows(scale), 60 * scale))
                gate = asyncio.Semaphore(10)

                async def one(value: str, batch: list[str]) -> None:
                    async with gate:
                        uid = str(uuid.uuid4())
                        criteria = [{"type": "CONTAINS_OFFERS",
                                     "offers": [{"id": i} for i in batch]}]
                        await client.request("PUT", f"/sale/{kind}/{uid}",
                                             json={"offerCriteria": criteria, **body(value)})
                        await command_tasks(client, kind, uid, batch)

                await asyncio.gather(*(one(value, list(batch))
                                       for value, members in by_value.items()
                                       for batch in chunks(members)))

        asyncio.run(run())


def grouped(catalog: Path, field: str, ids: dict[str, str]) -> dict[str, list[str]]:
    by_value: dict[str, list[str]] = {}
    for sku, value in values(catalog, field).items():
        by_value.setdefault(str(value), []).append(ids[sku])
    return by_value


def setup(emulator: Emulator, catalog: Path, env: dict[str, str], time_scale: float,
          then: float) -> float:
    """The first apply, under windows scaled by `time_scale`: the account the changes start
    from; then the windows are scaled by `then`, for the changes."""
    emulator.steer("settings", {"processing_delay": PROCESSING_DELAY, "time_scale": time_scale})
    started = time.perf_counter()
    done = cli("apply", catalog, "--auto-approve", env=env, time_scale=time_scale)
    assert done.returncode == 0, done.stderr[-2000:]
    took = time.perf_counter() - started
    time.sleep(62 * time_scale)  # the scaled windows empty before they grow
    emulator.steer("settings", {"time_scale": then})
    return took


PAUSE = [61.0]


def pause() -> None:
    """Let a window pass: the next change starts from empty windows."""
    time.sleep(PAUSE[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--time-scale", type=float, default=1.0,
                        help="windows of the measured changes (1: Allegro's, real time)")
    parser.add_argument("--setup-time-scale", type=float, default=0.02,
                        help="windows of the first apply that sets the account up")
    parser.add_argument("--no-peer", action="store_true", help="catalogsync only")
    parser.add_argument("--no-feed", action="store_true",
                        help="the changes in the offers' YAML only, not through a feed")
    parser.add_argument("--no-yaml", action="store_true",
                        help="the changes through a feed only, not in the offers' YAML")
    parser.add_argument("--pause", type=float, default=None,
                        help="seconds between changes (default: a window, 62 s scaled)")
    args = parser.parse_args()
    PAUSE[0] = args.pause if args.pause is not None else 62 * args.time_scale
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp, served_emulator(Path(tmp)) as emulator:
        work = Path(tmp)
        catalog = sandbox_catalog(work / "shop", args.offers)
        edit_offers(catalog, distinct_prices)
        token = emulator.token()
        env = cli_env(emulator, token, work / "config")
        took = setup(emulator, catalog, env, args.setup_time_scale, args.time_scale)
        print(f"setup: {args.offers} offers applied in {took:.0f} s (windows scaled by "
              f"{args.setup_time_scale})", file=sys.stderr, flush=True)
        run = Run(emulator, catalog, env, token, args.offers, args.time_scale)
        ids = offer_ids(catalog)
        if not args.no_yaml:
            in_the_yaml(run, rng, ids)
        if not args.no_feed:
            through_a_feed(run, rng)
        if not args.no_peer:
            peers(run, rng, ids)
    print_table(run.rows)
    if args.json:
        args.json.write_text(json.dumps(run.rows, indent=1))
    return 0


def in_the_yaml(run: Run, rng: random.Random, ids: dict[str, str]) -> None:
    """The changes written into the offers' YAML files."""
    pause()
    edit_offers(run.catalog, repricing(rng))
    prices = grouped(run.catalog, "price", ids)
    run.measure("catalogsync", f"repricing ({len(prices)} prices)", run.apply)
    print(f"plan after repricing: {run.clean_plan()}", file=sys.stderr, flush=True)
    pause()
    edit_offers(run.catalog, restock(rng))
    stocks = grouped(run.catalog, "stock", ids)
    run.measure("catalogsync", f"restock ({len(stocks)} values)", run.apply)
    print(f"plan after restock: {run.clean_plan()}", file=sys.stderr, flush=True)


def peers(run: Run, rng: random.Random, ids: dict[str, str]) -> None:
    """The competent peer's repricing and restock: commands grouped by value."""
    pause()
    edit_offers(run.catalog, repricing(rng))
    prices = grouped(run.catalog, "price", ids)
    run.measure("competent", f"repricing ({len(prices)} prices)", lambda: run.peer(
        "offer-price-change-commands", prices, lambda v: {"modification": {
            "type": "FIXED_PRICE", "price": {"amount": v, "currency": "PLN"}}}))
    pause()
    edit_offers(run.catalog, restock(rng))
    stocks = grouped(run.catalog, "stock", ids)
    run.measure("competent", f"restock ({len(stocks)} values)", lambda: run.peer(
        "offer-quantity-change-commands", stocks, lambda v: {"modification": {
            "changeType": "FIXED", "value": int(v)}}))


FEED = "feeds/erp.csv"


def write_feed(catalog: Path, prices: dict[str, Any], stocks: dict[str, Any]) -> None:
    """The ERP's export: every offer's price and stock, a row each."""
    lines = ["external_id,price,stock", *(f"{sku},{prices[sku]},{stocks[sku]}" for sku in prices)]
    (catalog / FEED).parent.mkdir(exist_ok=True)
    (catalog / FEED).write_text("\n".join(lines) + "\n")


def through_a_feed(run: Run, rng: random.Random) -> None:
    """The same changes arriving as a seller's ERP sends them: a CSV feed of every offer's
    price and stock, rewritten whole, the YAML untouched (so its load is the cached one). The
    feed is declared first, holding the values the account has, and applied once (unmeasured:
    the seller's one-off set-up)."""
    prices, stocks = values(run.catalog, "price"), values(run.catalog, "stock")
    settings = run.catalog / "catalogsync.yaml"
    settings.write_text(settings.read_text() + f"feeds:\n  - file: {FEED}\n    key: external_id"
                        "\n    fields: {price: price, stock: stock}\n")
    write_feed(run.catalog, prices, stocks)
    run.apply()
    for scenario, name, edit in (("repricing", "price", repricing(rng)),
                                 ("restock", "stock", restock(rng))):
        pause()
        field = prices if name == "price" else stocks
        for sku in field:
            offer = {name: field[sku]}
            edit(0, offer)
            field[sku] = offer[name]
        write_feed(run.catalog, prices, stocks)
        distinct = len(set(field.values()))
        run.measure("catalogsync", f"{scenario}, feed ({distinct} values)", run.apply)
        print(f"plan after the feed's {scenario}: {run.clean_plan()}", file=sys.stderr,
              flush=True)


def print_table(rows: list[dict[str, Any]]) -> None:
    print(f"{'offers':>7} {'who':<11} {'scenario':<28} {'requests':>8} {'change':>7} "
          f"{'reads':>6} {'429s':>5} {'wall s':>8} {'bound s':>8} {'eff.':>5} "
          f"{'bound req':>9} {'req/bound':>9} {'plan s':>6} {'CPU s':>6}")
    for r in rows:
        print(f"{r['offers']:>7} {r['who']:<11} {r['scenario']:<28} {r['requests']:>8} "
              f"{r['change']:>7} {r['reads']:>6} {r['429s']:>5} {r['wall_seconds']:>8.2f} "
              f"{r['bound_seconds']:>8.2f} {r['efficiency']:>5.2f} {r['bound_requests']:>9} "
              f"{r['requests_vs_bound']:>9.2f} {r.get('plan_after_seconds', '-'):>6} "
              f"{r['cpu_seconds']:>6.1f}")


if __name__ == "__main__":
    sys.exit(main())
