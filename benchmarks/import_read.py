"""How fast `catalogsync import` reads an account, against the emulator with Allegro's limits.

    python benchmarks/import_read.py [--sizes 1000 10000] [--time-scale 0.1]

Sets up an account of N offers (a synthetic catalog applied, as `rate_limits.py` does), then
times `read_account` — the list, one detail read per offer (3500 a minute per seller), the
products' EANs, tables and category parameters — and prints requests, 429s, wall time and
the least time the limits allow for that request mix (efficiency = bound / wall).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from rate_limits import SHARED, Quiet, allegro_requests, bound, run_catalogsync, units

from catalogsync.adopt.account import Selection, read_account
from catalogsync.allegro.connect import connect
from catalogsync.allegro.pacing import Pacer, allegro_windows
from catalogsync.catalog.models import Environment
from catalogsync.emulator.backend import Backend
from catalogsync.synthetic import write_catalog


async def _read(backend: Backend, directory: Path, time_scale: float) -> int:
    async with connect(Environment.LOCAL, directory, backend) as client:
        client.pacer = SHARED.setdefault(
            time_scale, Pacer(allegro_windows(time_scale), 60 * time_scale)
        )
        account = await read_account(client, Selection(), Quiet())
    return len(account.offers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--time-scale", type=float, default=0.1)
    args = parser.parse_args()
    print(f"{'offers':>7} {'requests':>8} {'429s':>5} {'wall s':>8} {'bound s':>8} {'eff.':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            backend = Backend()
            backend.update_settings({"time_scale": args.time_scale, "processing_delay": 0.05})
            directory = write_catalog(Path(tmp) / f"shop-{size}", size)
            asyncio.run(run_catalogsync(backend, directory, args.time_scale, apply=True,
                                        full_refresh=True))
            before = allegro_requests(backend)
            throttled = int(str(backend.limiter.summary()["throttled"]))
            started = time.perf_counter()
            read = asyncio.run(_read(backend, directory, args.time_scale))
            wall = time.perf_counter() - started
            requests = allegro_requests(backend) - before
            least = bound(units(requests, 0), 60 * args.time_scale)
            throttled = int(str(backend.limiter.summary()["throttled"])) - throttled
            assert read == size, (read, size)
            print(f"{size:>7} {sum(requests.values()):>8} {throttled:>5} {wall:>8.2f} "
                  f"{least:>8.2f} {least / wall if least else 0:>6.2f}")


if __name__ == "__main__":
    main()
