"""Rate-limit efficiency of catalogsync against a perfect client, and against a naive and a
competent integration doing the same change on the same emulator, in one run.

    python benchmarks/rate_limits.py [--sizes 1000 10000] [--time-scale 0.1] [--json out.json]

The emulator keeps Allegro's real counts (9000 requests a minute per client id, 3500 offer
reads and 2490 offer writes a minute per seller and 74 700 writes an hour, 9000 offer changes
a minute in commands); `--time-scale` shrinks every window (0.1: a "minute" lasts 6 s, an
"hour" 6 min) and catalogsync's pacer is scaled the same way. The scaling does not shrink
local work (loading, planning), which then weighs up to 1/scale times more than it would
against Allegro: `--change-time-scale 1.0` sets up the account (the first apply) scaled and
measures every change after it in real time.

The bound of a scenario is what a perfect client needs for the change itself, whatever our
own request mix: creates paced by the write limits (hourly included) with each batch of 1000
activated as soon as it exists (activations are under another limit, so they overlap); a
price or stock change of N offers is N offer changes in commands of 1000 with no reads (the
state is known current); a description change is one PATCH per offer. The least time of a
sequence of units under sliding windows is simulated (each unit as early as every window
allows), plus one processing delay of the emulator for the last command's tasks to settle.
Efficiency = bound / wall time.

Integrations: naive = one PATCH (or POST) per offer, one after another, a 429 slept off;
competent = batch commands and no reads, paced and polled like catalogsync (the small report,
first polled when the last command took to settle), creates first and then the activations.
Plans are shown by their requests against a full refresh.

Requests are counted the same way for everyone, and split: `change` = what makes the change
(creates, PATCHes, command PUTs and their polls), `reads` = what checks Allegro's state
before (a plan's reads, the apply's look-ups and event feed), `auth` = the login.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import sys
import tempfile
import time
import uuid
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.connect import connect
from catalogsync.allegro.pacing import Pacer, allegro_windows
from catalogsync.apply.applier import Applier
from catalogsync.apply.batching import chunks
from catalogsync.apply.polling import command_tasks, settle_pending
from catalogsync.catalog.loader import load_catalog
from catalogsync.catalog.models import Environment
from catalogsync.config import live_cache_path, state_index_path
from catalogsync.emulator.backend import Backend
from catalogsync.gcpause import settled
from catalogsync.live.cache import LiveCache, load_cache, save_cache
from catalogsync.live.reader import read_live
from catalogsync.plan.options import Options
from catalogsync.plan.planner import plan
from catalogsync.progress import Progress
from catalogsync.state.index import load_index
from catalogsync.synthetic import write_catalog

PROCESSING_DELAY = 0.05  # the emulator's seconds until a command's tasks settle
BULK = Options(allow_mass_change=True, allow_price_jumps=True)
#: (count, minutes) of each limit a perfect client's change is under
WRITES = ((2490, 1), (74_700, 60))
COMMANDS = ((9000, 1), (250_000, 60))
PRICE_COMMANDS = ((9000, 1), (150_000, 60))
REQUESTS = ((9000, 1),)


class Quiet(Progress):
    def phase(self, name: str, total: int):  # type: ignore[no-untyped-def]
        return _NoPhase()


class _NoPhase:
    def __enter__(self) -> _NoPhase:
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def advance(self, count: int = 1) -> None:
        return None


def least_times(
    weights: list[int], limits: tuple[tuple[int, float], ...], window: float
) -> list[float]:
    """When each unit (of `weights` units of limit) goes out at the earliest, in order,
    under sliding windows of (count, minutes)."""
    logs: list[deque[tuple[float, int]]] = [deque() for _ in limits]
    used = [0] * len(limits)
    times, now = [], 0.0
    for weight in weights:
        for i, (count, minutes) in enumerate(limits):
            span = minutes * window
            while used[i] + weight > count:  # wait for the oldest to slide out
                stamp, amount = logs[i].popleft()
                used[i] -= amount
                now = max(now, stamp + span)
        for i in range(len(limits)):
            logs[i].append((now, weight))
            used[i] += weight
        times.append(now)
    return times


def bound_seconds(scenario: str, size: int, window: float) -> float:
    """What a perfect client needs for the change of `scenario` on `size` offers."""
    batches = [len(b) for b in chunks(range(size))]
    if scenario == "first apply":
        created = least_times([1] * size, WRITES, window)
        requests = least_times([1] * (size + len(batches)), REQUESTS, window)[-1]
        # each batch is activated once its last create is out
        ready = [created[min(size, (i + 1) * 1000) - 1] for i in range(len(batches))]
        activated, used = [], 0.0
        for when, done in zip(ready, least_times(batches, COMMANDS, window), strict=True):
            used = max(used, when, done)
            activated.append(used)
        return max(activated[-1], requests) + PROCESSING_DELAY
    if scenario in ("price change", "stock change"):
        limits = PRICE_COMMANDS if scenario == "price change" else COMMANDS
        return least_times(batches, limits, window)[-1] + PROCESSING_DELAY
    if scenario == "description change":
        return least_times([1] * size, WRITES, window)[-1]
    return 0.0


# --------------------------------------------------------------------------- catalogsync


async def run_catalogsync(
    backend: Backend, directory: Path, pacer: Pacer, *, apply: bool, full_refresh: bool
) -> None:
    """One plan (and apply) as the CLI runs it."""
    catalog = load_catalog(directory)
    index_path = state_index_path(directory, Environment.LOCAL)
    cache_path = live_cache_path(directory, Environment.LOCAL)
    async with connect(Environment.LOCAL, directory, backend) as client:
        client.pacer = pacer  # one pacer for all runs, as the CLI restores what the last sent
        index = load_index(index_path)
        await settle_pending(client, index, index_path)
        cache = LiveCache() if full_refresh else load_cache(cache_path)
        live = await read_live(client, catalog, index, cache)
        settled()
        result = plan(catalog, live, datetime.now(UTC), BULK)
        assert not result.errors, result.errors[:3]
        if not apply or not result.changes:
            save_cache(cache_path, cache)
            return
        table_ids = {n: t.id for n, t in live.tables.items()}
        report = await Applier(
            client, result, index, index_path, table_ids, Quiet(), directory, cache=cache
        ).run()
        assert not report.failed, report.failed[:3]


# --------------------------------------------------------------------------- integrations


def _offer_ids(directory: Path) -> list[str]:
    return list(load_index(state_index_path(directory, Environment.LOCAL)).offers.values())


async def _gather(jobs: Sequence[Callable[[], Awaitable[Any]]], parallel: int) -> None:
    gate = asyncio.Semaphore(parallel)

    async def one(job: Callable[[], Awaitable[Any]]) -> None:
        async with gate:
            await job()

    await asyncio.gather(*(one(j) for j in jobs))


async def naive_price(backend: Backend, directory: Path, price: str, window: float) -> None:
    """What most integrations do: one PATCH per offer, one after another, a 429 slept off."""
    async with connect(Environment.LOCAL, directory, backend) as client:
        client.pacer = Pacer([], window)  # no pacing: only the 429 handling
        body = {"sellingMode": {"price": {"amount": price, "currency": "PLN"}}}
        for offer_id in _offer_ids(directory):
            await client.request("PATCH", f"/sale/product-offers/{offer_id}", json=body)


async def _command(
    client: AllegroClient, kind: str, offers: list[str], body: dict[str, Any]
) -> None:
    uid = str(uuid.uuid4())
    criteria = [{"type": "CONTAINS_OFFERS", "offers": [{"id": i} for i in offers]}]
    await client.request("PUT", f"/sale/{kind}/{uid}", json={"offerCriteria": criteria, **body})
    await command_tasks(client, kind, uid, offers)


async def competent_price(backend: Backend, directory: Path, price: str, pacer: Pacer) -> None:
    """Price commands of 1000 offers, no reads."""
    modification = {"type": "FIXED_PRICE", "price": {"amount": price, "currency": "PLN"}}
    async with connect(Environment.LOCAL, directory, backend) as client:
        client.pacer = pacer
        jobs = [
            lambda b=list(batch): _command(
                client, "offer-price-change-commands", b, {"modification": modification}
            )
            for batch in chunks(_offer_ids(directory))
        ]
        await _gather(jobs, 10)


async def competent_stock(backend: Backend, directory: Path, pacer: Pacer) -> None:
    """Quantity commands grouped by value, no reads (the catalog says each offer's stock)."""
    catalog = load_catalog(directory)
    ids = load_index(state_index_path(directory, Environment.LOCAL)).offers
    by_value: dict[int, list[str]] = {}
    for sku, offer in catalog.offers.items():
        by_value.setdefault(int(offer.stock or 0), []).append(ids[sku])
    async with connect(Environment.LOCAL, directory, backend) as client:
        client.pacer = pacer
        jobs = [
            lambda b=list(batch), v=value: _command(
                client,
                "offer-quantity-change-commands",
                b,
                {"modification": {"changeType": "FIXED", "value": v}},
            )
            for value, members in by_value.items()
            for batch in chunks(members)
        ]
        await _gather(jobs, 10)


async def competent_first_apply(backend: Backend, directory: Path, size: int, pacer: Pacer) -> None:
    """Creates (10 at a time, paced) and then activation commands of 1000: the same offers as
    catalogsync's, under other external ids."""
    catalog = load_catalog(directory)
    sample = _create_body(backend, directory)
    async with connect(Environment.LOCAL, directory, backend) as client:
        client.pacer = pacer
        created: list[str] = []

        async def create(number: int) -> None:
            body = {**sample, "external": {"id": f"COMPETENT-{number}"}}
            response = await client.request("POST", "/sale/product-offers", json=body)
            created.append(str(response.json()["id"]))

        await _gather([functools.partial(create, n) for n in range(size)], 10)
        activate = {"publication": {"action": "ACTIVATE"}}
        jobs = [
            lambda b=list(batch): _command(client, "offer-publication-commands", b, activate)
            for batch in chunks(created)
        ]
        await _gather(jobs, 10)
    assert catalog.offers


def _create_body(backend: Backend, directory: Path) -> dict[str, Any]:
    """A create body like catalogsync's, taken from one offer it made."""
    offer_id = _offer_ids(directory)[0]
    doc = backend.offers.get("1000001", offer_id)
    keep = ("name", "category", "sellingMode", "stock", "images")
    body = {k: doc[k] for k in keep if doc.get(k) is not None}
    body["productSet"] = [{"product": {"id": doc["productSet"][0]["product"]["id"]}}]
    body["parameters"] = [
        {k: v for k, v in p.items() if k in ("id", "values", "valuesIds") and v}
        for p in doc.get("parameters") or []
    ]
    body["delivery"] = {"shippingRates": {"id": doc["delivery"]["shippingRates"]["id"]}}
    body["location"] = doc["location"]
    body["description"] = doc["description"]
    body["publication"] = {"status": "INACTIVE"}
    return body


# --------------------------------------------------------------------------- the run


def edit_catalog(directory: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    for path in (directory / "offers").glob("*.yaml"):
        data = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
        for offer in data["offers"].values():
            edit(offer)
        path.write_text(yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True))


def _more_stock(offer: dict[str, Any]) -> None:
    offer["stock"] += 1


def _new_description(offer: dict[str, Any]) -> None:
    offer["description"][0]["text"] += "<p>Nowa partia.</p>"


class Bench:
    def __init__(self, size: int, time_scale: float, root: Path) -> None:
        self.size, self.window = size, 60 * time_scale
        self.backend = Backend()
        self.backend.update_settings(
            {"time_scale": time_scale, "processing_delay": PROCESSING_DELAY}
        )
        self.directory = write_catalog(root / f"shop-{size}", size)
        self.time_scale = time_scale
        self.pacer = self.fresh_pacer()
        self.rows: list[dict[str, Any]] = []

    def rescale(self, time_scale: float) -> None:
        """From now on the windows last `time_scale` of Allegro's (the setup stays done)."""
        self.backend.update_settings({"time_scale": time_scale})
        self.time_scale, self.window = time_scale, 60 * time_scale

    def fresh_pacer(self) -> Pacer:
        return Pacer(allegro_windows(self.time_scale), self.window)

    def measure(
        self, who: str, scenario: str, job: Callable[[Pacer], Awaitable[None]]
    ) -> dict[str, Any]:
        """Run `job` from empty limit windows: each scenario is measured on its own (one
        pacer for all its runs, as the CLI restores what the last run sent)."""
        backend = self.backend
        backend.limiter.reset()
        before = Counter(backend.stats)
        started = time.perf_counter()
        asyncio.run(job(self.fresh_pacer()))  # type: ignore[arg-type]
        wall = time.perf_counter() - started
        requests = Counter(
            {k: v for k, v in (backend.stats - before).items() if " /_emulator" not in k}
        )
        after = backend.limiter.summary()
        least = bound_seconds(scenario, self.size, self.window)
        row = {
            "offers": self.size,
            "time_scale": self.time_scale,
            "who": who,
            "scenario": scenario,
            "requests": sum(requests.values()),
            **split(requests),
            "offer_reads": requests["GET /sale/product-offers/{offerId}"],
            "by_endpoint": dict(requests.most_common()),
            "429s": int(str(after["throttled"])),
            "429s_by_rule": after["throttled_by"],
            "wall_seconds": round(wall, 2),
            "bound_seconds": round(least, 2),
            "efficiency": round(least / wall, 3) if least else None,
        }
        self.rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
        return row

    def run(self, core: bool = False, change_time_scale: float | None = None
            ) -> list[dict[str, Any]]:
        """Every scenario; with `core`, only the first apply, the price change, the plans
        after each and the competent price change (at 100 000 offers the rest takes hours
        of the in-process emulator's CPU). The changes after the first apply run at
        `change_time_scale` if given."""
        b, d = self.backend, self.directory

        def ours(apply: bool = True, full: bool = False) -> Callable[[Pacer], Awaitable[None]]:
            return functools.partial(run_catalogsync, b, d, apply=apply, full_refresh=full)

        self.measure("catalogsync", "first apply", ours())
        self.measure("catalogsync", "plan after first apply", ours(apply=False))
        if change_time_scale is not None:
            self.rescale(change_time_scale)
        write_catalog(d, self.size, price=Decimal("31.99"))
        self.measure("catalogsync", "price change", ours())
        self.measure("catalogsync", "plan after price change", ours(apply=False))
        competent_repricing = functools.partial(competent_price, b, d, "34.99")
        if core:
            self.measure("competent", "price change", competent_repricing)
            return self.rows
        edit_catalog(d, _more_stock)
        self.measure("catalogsync", "stock change", ours())
        edit_catalog(d, _new_description)
        self.measure("catalogsync", "description change", ours())
        self.measure("catalogsync", "plan, full refresh", ours(apply=False, full=True))
        self.measure("catalogsync", "plan, nothing changed", ours(apply=False))
        self.measure("naive", "price change", lambda _: naive_price(b, d, "33.99", self.window))
        self.measure("competent", "price change", competent_repricing)
        edit_catalog(d, _more_stock)
        self.measure("competent", "stock change", functools.partial(competent_stock, b, d))
        self.measure(
            "competent", "first apply", functools.partial(competent_first_apply, b, d, self.size)
        )
        return self.rows


def split(requests: Counter[str]) -> dict[str, int]:
    """Requests by what they are for: the change itself, checking the state, the login."""
    parts = {"change": 0, "reads": 0, "auth": 0}
    for endpoint, count in requests.items():
        method, path = endpoint.split(" ", 1)
        if path.startswith("/auth/"):
            parts["auth"] += count
        elif "-commands/" in path or (method in ("POST", "PATCH", "PUT", "DELETE")
                                      and not path.endswith("/offers-queries")):
            parts["change"] += count
        else:
            parts["reads"] += count
    return parts


def print_tables(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'offers':>7} {'scale':>5} {'who':<11} {'scenario':<26} {'requests':>8} {'change':>7} "
        f"{'reads':>6} {'detail':>6} {'429s':>5} {'wall s':>8} {'bound s':>8} {'eff.':>5}"
    )
    for r in rows:
        eff = f"{r['efficiency']:.2f}" if r["efficiency"] is not None else "-"
        print(
            f"{r['offers']:>7} {r['time_scale']:>5} {r['who']:<11} {r['scenario']:<26} "
            f"{r['requests']:>8} "
            f"{r['change']:>7} {r['reads']:>6} {r['offer_reads']:>6} {r['429s']:>5} "
            f"{r['wall_seconds']:>8.2f} {r['bound_seconds']:>8.2f} {eff:>5}"
        )
    for size in sorted({r["offers"] for r in rows}):
        mine = {r["scenario"]: r for r in rows if r["offers"] == size and r["who"] == "catalogsync"}
        # without a full refresh measured, one detail read per offer is its least
        full = mine["plan, full refresh"]["requests"] if "plan, full refresh" in mine else size
        for scenario in ("plan after first apply", "plan after price change"):
            share = mine[scenario]["requests"] / full
            print(f"{size:>7} {scenario}: {share:.2%} of a full refresh's requests")
        for r in rows:
            if r["offers"] != size or r["who"] == "catalogsync":
                continue
            ours = mine[r["scenario"]]
            print(
                f"{size:>7} {r['who']} / catalogsync, {r['scenario']}: "
                f"{r['requests'] / ours['requests']:.2f}x requests "
                f"({r['change'] / ours['change']:.2f}x of those making the change; "
                f"catalogsync's reads {ours['reads']}, theirs {r['reads']}), "
                f"{r['wall_seconds'] / ours['wall_seconds']:.2f}x time"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--time-scale", type=float, default=0.1)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--core", action="store_true", help="only the main scenarios")
    parser.add_argument("--change-time-scale", type=float,
                        help="time scale of every change after the first apply")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            bench = Bench(size, args.time_scale, Path(tmp))
            rows += bench.run(args.core, args.change_time_scale)
    print_tables(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
