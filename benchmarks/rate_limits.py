"""Rate-limit efficiency of apply and plan, against the emulator with Allegro's limits, and
against a naive integration (issue: benchmarks, parts 1 and 2).

    python benchmarks/rate_limits.py [--sizes 1000 10000] [--time-scale 0.1] [--json out.json]

The emulator keeps Allegro's real counts (9000 requests a minute per client id, 2490 offer
writes and 3500 offer reads a minute per seller, 9000 offer changes a minute in commands);
`--time-scale` shrinks every window (0.1: a "minute" lasts 6 s) so a run takes minutes, and
catalogsync's pacer is scaled the same way. For each scenario the script prints requests by
endpoint, 429s, wall time, and the least time the limits allow for that request mix
(sliding windows: n units of a limit of L per window need floor((n - 1) / L) windows after
the first; phases that wait for each other — reading, per-offer writes, batch commands — are
bounded separately and added); efficiency = that bound / wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from catalogsync.allegro.connect import connect
from catalogsync.allegro.pacing import Pacer, allegro_windows
from catalogsync.apply.applier import Applier, settle_pending
from catalogsync.catalog.loader import load_catalog
from catalogsync.catalog.models import Environment
from catalogsync.config import live_cache_path, state_index_path
from catalogsync.emulator.backend import Backend
from catalogsync.live.cache import LiveCache, load_cache, save_cache
from catalogsync.live.reader import read_live
from catalogsync.plan.planner import Options, plan
from catalogsync.progress import Progress
from catalogsync.state import load_index
from catalogsync.synthetic import write_catalog

SELLER = "1000001"
#: (name, units per request kind, limit per window)
LIMITS = (
    ("requests per client id", 9000),
    ("product-offer reads", 3500),
    ("product-offer writes", 2490),
    ("offer changes in commands", 9000),
)
BULK = Options(allow_mass_change=True, allow_price_jumps=True)
APPLY_REQUESTS: Counter[str] = Counter()
SHARED: dict[float, Pacer] = {}


class Quiet(Progress):
    def phase(self, name: str, total: int):  # type: ignore[no-untyped-def, override]
        return _NoPhase()


class _NoPhase:
    def __enter__(self) -> _NoPhase:
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def advance(self, count: int = 1) -> None:
        return None


def allegro_requests(backend: Backend) -> Counter[str]:
    return Counter({
        k: v for k, v in backend.stats.items() if " /sale/" in k or " /me" in k or " /order/" in k
    })


def units(requests: Counter[str], offer_changes: int) -> dict[str, int]:
    return {
        "requests per client id": sum(requests.values()),
        "product-offer reads": requests["GET /sale/product-offers/{offerId}"],
        "product-offer writes": requests["POST /sale/product-offers"]
        + requests["PATCH /sale/product-offers/{offerId}"],
        "offer changes in commands": offer_changes,
    }


def bound(used: dict[str, int], window: float) -> float:
    return max(
        (math.floor((used[name] - 1) / limit) * window for name, limit in LIMITS if used[name]),
        default=0.0,
    )


async def run_catalogsync(
    backend: Backend, directory: Path, time_scale: float, *, apply: bool, full_refresh: bool
) -> int:
    """One plan (and apply) as the CLI runs it; returns offer changes sent in commands.
    Requests of the apply step alone are left in `APPLY_REQUESTS`."""
    APPLY_REQUESTS.clear()
    catalog = load_catalog(directory)
    index_path = state_index_path(directory, Environment.LOCAL)
    cache_path = live_cache_path(directory, Environment.LOCAL)
    async with connect(Environment.LOCAL, directory, backend) as client:
        client.pacer = SHARED.setdefault(
            time_scale, Pacer(allegro_windows(time_scale), 60 * time_scale)
        )  # one pacer for all runs, as the CLI restores what the last run sent
        index = load_index(index_path)
        await settle_pending(client, index, index_path)
        cache = LiveCache() if full_refresh else load_cache(cache_path)
        live = await read_live(client, catalog, index, cache)
        save_cache(cache_path, cache)
        result = plan(catalog, live, datetime.now(UTC), BULK)
        assert not result.errors, result.errors[:3]
        if not apply or not result.changes:
            return 0
        table_ids = {n: t.id for n, t in live.tables.items()}
        before = allegro_requests(backend)
        report = await Applier(
            client, result, index, index_path, table_ids, Quiet(), directory
        ).run()
        APPLY_REQUESTS.update(allegro_requests(backend) - before)
        assert not report.failed, report.failed[:3]
        return sum(1 for o in report.outcomes if o.step.startswith("offer-"))


async def run_naive(backend: Backend, directory: Path, time_scale: float, price: str) -> int:
    """What most integrations do: one PATCH per offer, one after another, a 429 slept off."""
    APPLY_REQUESTS.clear()
    index = load_index(state_index_path(directory, Environment.LOCAL))
    async with connect(Environment.LOCAL, directory, backend) as client:
        client.pacer = Pacer([], 60 * time_scale)  # no pacing: only the 429 handling
        for offer_id in index.offers.values():
            body = {"sellingMode": {"price": {"amount": price, "currency": "PLN"}}}
            await client.request("PATCH", f"/sale/product-offers/{offer_id}", json=body)
            APPLY_REQUESTS["PATCH /sale/product-offers/{offerId}"] += 1
    return 0


def edit_descriptions(directory: Path) -> None:
    for path in (directory / "offers").glob("*.yaml"):
        data = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
        for offer in data["offers"].values():
            offer["description"][0]["text"] += "<p>Nowa partia.</p>"
        path.write_text(yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True))


def bump_stock(directory: Path) -> None:
    for path in (directory / "offers").glob("*.yaml"):
        data = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
        for offer in data["offers"].values():
            offer["stock"] += 1
        path.write_text(yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True))


def measure(backend: Backend, window: float, name: str, job: Any) -> dict[str, Any]:
    before, limits_before = allegro_requests(backend), backend.limiter.summary()
    started = time.perf_counter()
    changes = asyncio.run(job)
    wall = time.perf_counter() - started
    requests = allegro_requests(backend) - before
    # Phases that wait for each other add up: reading (the plan needs all of it), then the
    # per-offer writes, then the commands (an activation needs the created offer's id).
    applying = Counter(APPLY_REQUESTS)
    apply_units = units(applying, changes)
    least = (
        bound(units(requests - applying, 0), window)
        + bound({**apply_units, "offer changes in commands": 0}, window)
        + bound({**dict.fromkeys(apply_units, 0), "offer changes in commands": changes}, window)
    )
    limits_after = backend.limiter.summary()
    throttled = int(str(limits_after["throttled"])) - int(str(limits_before["throttled"]))
    by_rule = Counter(limits_after["throttled_by"]) - Counter(limits_before["throttled_by"])
    return {
        "scenario": name,
        "requests": sum(requests.values()),
        "apply_requests": sum(APPLY_REQUESTS.values()),
        "by_endpoint": dict(requests.most_common()),
        "429s": throttled,
        "429s_by_rule": dict(by_rule),
        "wall_seconds": round(wall, 2),
        "bound_seconds": round(least, 2),
        "efficiency": round(least / wall, 3) if least else None,
    }


def benchmark(size: int, time_scale: float, root: Path) -> list[dict[str, Any]]:
    backend = Backend()
    backend.update_settings({"time_scale": time_scale, "processing_delay": 0.05})
    window = 60 * time_scale
    directory = write_catalog(root / f"shop-{size}", size)

    def cs(apply: bool = True, full: bool = False) -> Any:
        return run_catalogsync(backend, directory, time_scale, apply=apply, full_refresh=full)

    rows = [measure(backend, window, "first apply (create + activate)", cs())]
    write_catalog(directory, size, price=Decimal("31.99"))
    rows.append(measure(backend, window, "price change, every offer", cs()))
    bump_stock(directory)
    rows.append(measure(backend, window, "stock change, every offer", cs()))
    edit_descriptions(directory)
    rows.append(measure(backend, window, "description change, every offer", cs()))
    rows.append(measure(backend, window, "no-op plan, full refresh", cs(False, True)))
    rows.append(measure(backend, window, "no-op plan, incremental", cs(False)))
    rows.append(
        measure(
            backend,
            window,
            "naive price change (1 PATCH/offer)",
            run_naive(backend, directory, time_scale, "33.99"),
        )
    )
    for row in rows:
        row["offers"] = size
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--time-scale", type=float, default=0.1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            rows += benchmark(size, args.time_scale, Path(tmp))
    header = (
        f"{'offers':>7} {'scenario':<38} {'requests':>8} {'applying':>8} {'429s':>5} "
        f"{'wall s':>8} {'bound s':>8} {'eff.':>6}"
    )
    print(header)
    for r in rows:
        eff = f"{r['efficiency']:.2f}" if r["efficiency"] is not None else "-"
        print(
            f"{r['offers']:>7} {r['scenario']:<38} {r['requests']:>8} "
            f"{r['apply_requests']:>8} {r['429s']:>5} "
            f"{r['wall_seconds']:>8.2f} {r['bound_seconds']:>8.2f} {eff:>6}"
        )
    for size in args.sizes:
        ours = next(r for r in rows if r["offers"] == size and r["scenario"].startswith("price"))
        naive = next(r for r in rows if r["offers"] == size and r["scenario"].startswith("naive"))
        print(
            f"{size:>7} naive / catalogsync price change: "
            f"{naive['requests'] / ours['requests']:.1f}x requests in all, "
            f"{naive['apply_requests'] / ours['apply_requests']:.0f}x in applying, "
            f"{naive['wall_seconds'] / ours['wall_seconds']:.1f}x time"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
