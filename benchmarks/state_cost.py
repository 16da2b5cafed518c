"""What keeping local state costs: the state index, the live cache and `catalogsync.lock`
loaded and written by an apply that changes 200 offers, at 10 000 and 100 000 offers.

    python benchmarks/state_cost.py [--sizes 10000 100000] [--cli DIR] [--code DIR]
                                    [--json out.json]

Two parts, each step in a fresh interpreter (its peak memory is its own), run with the code
at `--code` (default: this checkout), so the same command measures another checkout (main,
for the figures before) by pointing `--code` at it:

- `store`, per size: a state and a cache of N offers shaped like a real apply leaves them
  (the digests, stock marks and cached rows of the synthetic catalog) are written with the
  code's own functions; then measured: loading state + cache (time, peak memory), and the
  state writes of an apply that changes 200 offers, in the order apply makes them (the
  approved values, a pending command and its settling, 200 stock marks, the ledger, the
  drift digests, the lock, the cache with 200 rows and a new cursor): time and bytes written
  (the process's `wchar`: every byte handed to the kernel).
- `cli` (with `--cli DIR`, a synthetic catalog already applied to the local emulator in
  `DIR/.catalogsync/`, e.g. by `catalogsync apply` of `write_catalog(DIR, 10000)`): a copy
  of it is planned twice (the first plan of a new version migrates older state files), then a
  pull request changing the price of 200 offers is applied: the real CLI, in its own process,
  wall and CPU time, peak memory, bytes written (the emulator's database included), and how
  many lines of `catalogsync.lock` the apply changed.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PR_SIZE = 200


def wchar() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    return 0


def peak_mb() -> float:
    """This process's own peak resident memory (VmHWM). Not `ru_maxrss`: across an exec it keeps
    the peak of the process this one was forked from."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


class Meter:
    """Wall and CPU time, bytes written and peak memory since it was made."""

    def __init__(self) -> None:
        self.wall, self.cpu, self.written = time.perf_counter(), time.process_time(), wchar()
        self.rss = peak_mb()

    def figures(self) -> dict[str, float]:
        peak = peak_mb()
        return {"seconds": round(time.perf_counter() - self.wall, 3),
                "cpu_seconds": round(time.process_time() - self.cpu, 3),
                "written_mb": round((wchar() - self.written) / 1e6, 3),
                "peak_mb": round(peak, 1), "peak_growth_mb": round(peak - self.rss, 1)}


# --------------------------------------------------------------------------- the store part


def _paths(directory: Path) -> tuple[Path, Path, Any]:
    from catalogsync.state.lockfile import LockFile

    return (directory / "state-local.json", directory / "live-local.json",
            LockFile(directory / "catalogsync.lock", "local"))


def _row(number: int) -> dict[str, Any]:
    """An offer's fields as the live cache holds them after an apply of the synthetic catalog."""
    name = f"Kubek ceramiczny biały 330 ml nr {number:06d}"
    image = f"https://a.allegroimg.com/original/synthetic/{number:06d}.jpg"
    return {
        "name": name, "product": "6fa5cff5-8eda-427c-9d89-07d45aa8b16d",
        "responsible_producer": "8d1e6f0a-2b3c-4d5e-8f90-a1b2c3d4e5f6",
        "safety_information": {"type": "TEXT", "description": "Chronić przed dziećmi."},
        "category": "67476", "parameters": {"Stan": ["Nowy"]}, "price": "29.99 PLN",
        "stock": 10, "images": [image],
        "description": [[{"type": "TEXT", "content": f"<h1>{name}</h1><p>Egzemplarz.</p>"}],
                        [{"type": "IMAGE", "url": image},
                         {"type": "TEXT", "content": "<p>Można myć w zmywarce.</p>"}]],
        "shipping_rates": "Standard", "handling_time": "PT24H",
        "location": {"countryCode": "PL", "province": "MAZOWIECKIE", "city": "Warszawa",
                     "postCode": "00-950"},
        "invoice": "VAT", "status": "active",
    }


DIGESTS = ("category", "description", "handling_time", "images", "invoice", "location", "name",
           "parameters.Stan", "price", "product", "responsible_producer",
           "safety_information", "shipping_rates", "status")


def make(directory: Path, offers: int) -> None:
    from datetime import UTC, datetime

    from catalogsync.live.cache import CachedOffer, LiveCache, save_cache
    from catalogsync.state.index import StockMark, load_index, save_index

    state, cache_path, lock = _paths(directory)
    index = load_index(state, lock)
    index.offers = {f"SYN-{n:06d}": str(10**10 + n) for n in range(offers)}
    index.shipping_rates = {"Standard": "t-1"}
    index.applied = {f"SYN-{n:06d}": {k: f"{(n * 31 + i) % 2**32:08x}"
                                      for i, k in enumerate(DIGESTS)} for n in range(offers)}
    index.stock.offers = {f"SYN-{n:06d}": StockMark(declared=10, expected=10)
                          for n in range(offers)}
    index.account = {"1000001": "demo-seller"}
    index.feed = json.dumps({"cursor": "MTAwMDA", "read_at": datetime.now(UTC).isoformat(),
                             "tables": {"t-1": "Standard"}, "responsible": {}, "unsure": []})
    save_index(state, index)
    cache = LiveCache(fed=True, event_cursor="MTAwMDA", read_at=datetime.now(UTC),
                      tables={"t-1": "Standard"},
                      offers={str(10**10 + n): CachedOffer("ACTIVE", _row(n), digest=f"{n:016x}")
                              for n in range(offers)})
    save_cache(cache_path, cache)


def load(directory: Path) -> dict[str, Any]:
    from catalogsync.live.cache import load_cache
    from catalogsync.state.index import load_index

    state, cache_path, lock = _paths(directory)
    meter = Meter()
    index = load_index(state, lock)
    cache = load_cache(cache_path)
    assert len(index.offers) == len(cache.offers) > 0
    return meter.figures()


def apply_200(directory: Path) -> dict[str, Any]:
    """The state writes of an apply that changes `PR_SIZE` offers' prices and stock."""
    from contextlib import nullcontext
    from dataclasses import replace
    from datetime import UTC, datetime

    from catalogsync.live.cache import CachedOffer, load_cache, save_cache
    from catalogsync.state import index as module
    from catalogsync.state.index import (
        PendingCommand,
        StockLedger,
        StockMark,
        forget_command,
        load_index,
        record_command,
        record_stock_mark,
        save_index,
    )

    path, cache_path, lock = _paths(directory)
    index = load_index(path, lock)
    cache = load_cache(cache_path)
    skus = sorted(index.offers)[:PR_SIZE]
    meter = Meter()
    once = getattr(module, "lock_written_once", None)
    with once(path, index) if once else nullcontext():
        index.approved = {sku: {"price": '"31.99 PLN"'} for sku in skus}
        save_index(path, index)  # written down before anything is sent
        record_command(path, index, "c-1", PendingCommand(kind="offer-price-change-commands",
                                                          offers=[index.offers[s] for s in skus]))
        for sku in skus:
            record_stock_mark(path, index, sku, StockMark(declared=12, expected=12))
        forget_command(path, index, "c-1")
        index.approved = {}
        marks = {s: StockMark(**m.model_dump()) for s, m in index.stock.offers.items()}
        index.stock = StockLedger(position=index.stock.position, offers=marks)
        save_index(path, index)  # the end of the changes
        applied = dict(index.applied)
        for sku in skus:
            applied[sku] = {**applied[sku], "price": "0badf00d"}
        index.applied = applied
        save_index(path, index)  # the drift digests
    for sku in skus:
        offer_id = index.offers[sku]
        old = cache.offers[offer_id]
        cache.offers[offer_id] = CachedOffer(old.status, {**old.fields, "price": "31.99 PLN"},
                                             ["OFFER_PRICE_CHANGED"])
    cache = replace(cache, event_cursor="MTAyMDA", read_at=datetime.now(UTC))
    save_cache(cache_path, cache)
    return meter.figures()


def settle(directory: Path, pending: int = 20) -> dict[str, Any]:
    """`settle_pending` after a run that left `pending` commands: their records go."""
    from catalogsync.apply.polling import settle_pending
    from catalogsync.state.index import PendingCommand, load_index, record_command

    path, _, lock = _paths(directory)
    index = load_index(path, lock)
    for n in range(pending):
        record_command(path, index, f"c-{n}", PendingCommand(kind="offer-price-change-commands",
                                                             offers=["1"]))

    import asyncio

    from catalogsync.apply import polling

    async def done(*_: Any) -> dict[str, Any]:  # every command answers that it is done
        return {}

    polling.command_tasks = done  # type: ignore[assignment]
    meter = Meter()
    assert asyncio.run(settle_pending(None, index, path)) == pending  # type: ignore[arg-type]
    return {**meter.figures(), "pending": pending}


STEPS = ("make", "load", "apply_200", "settle")


def step(name: str, directory: Path, offers: int | None) -> dict[str, Any]:
    if name == "make":
        make(directory, offers or 0)
        return {}
    return {"load": load, "apply_200": apply_200, "settle": settle}[name](directory)


def child(code: Path, *args: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    output = subprocess.run([sys.executable, __file__, *args], check=True, env=env,
                            capture_output=True, text=True).stdout
    return dict(json.loads(output.splitlines()[-1])) if output.strip() else {}


def store_part(code: Path, sizes: list[int], root: Path) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for size in sizes:
        directory = root / f"store-{size}"
        directory.mkdir()
        child(code, "--step", "make", "--dir", str(directory), "--offers", str(size))
        files = {p.name: p.stat().st_size for p in directory.iterdir()}
        row = {step: child(code, "--step", step, "--dir", str(directory))
               for step in ("load", "apply_200", "settle")}
        figures[str(size)] = {**row, "files_mb": {k: round(v / 1e6, 2) for k, v in files.items()}}
        print(json.dumps({"offers": size, **figures[str(size)]}), file=sys.stderr, flush=True)
    return figures


# --------------------------------------------------------------------------- the CLI part


def cli(directory: Path, *args: str) -> dict[str, Any]:
    """One catalogsync command in this process (a child), measured."""
    from click.testing import CliRunner

    from catalogsync.cli.main import cli as command

    meter = Meter()
    result = CliRunner().invoke(command, [*args, str(directory)])
    figures = meter.figures()
    if result.exit_code not in (0, 2):
        raise SystemExit(f"catalogsync {' '.join(args)}: {result.output[-3000:]}")
    return {**figures, "exit_code": result.exit_code}


def change_prices(directory: Path, count: int) -> None:
    """A pull request: the price of the first `count` offers of the first file."""
    import yaml

    path = sorted((directory / "offers").glob("*.yaml"))[0]
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    for sku in list(data["offers"])[:count]:
        data["offers"][sku]["price"] = "31.99"
    path.write_text(yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False,
                              allow_unicode=True), encoding="utf-8")


def cli_part(code: Path, source: Path, root: Path) -> dict[str, Any]:
    directory = root / "cli"
    shutil.copytree(source, directory)
    lock = directory / ".catalogsync" / "catalogsync.lock"
    figures = {"first_plan": child(code, "--cli-step", "plan", "--dir", str(directory)),
               "noop_plan": child(code, "--cli-step", "plan", "--dir", str(directory))}
    change_prices(directory, PR_SIZE)
    before = lock.read_text().splitlines()
    figures["pr_apply"] = child(code, "--cli-step", "apply", "--dir", str(directory))
    after = lock.read_text().splitlines()
    diff = [line for line in difflib.unified_diff(before, after, lineterm="", n=0)
            if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    figures["lock"] = {"lines": len(after), "mb": round(lock.stat().st_size / 1e6, 2),
                       "lines_changed_by_the_pr": len(diff)}
    figures["files_mb"] = {p.name: round(p.stat().st_size / 1e6, 2)
                           for p in (directory / ".catalogsync").iterdir() if p.is_file()}
    print(json.dumps(figures), file=sys.stderr, flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--cli", type=Path, help="an applied synthetic catalog to copy")
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--cli-step", choices=["plan", "apply"], help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--offers", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.step, args.dir, args.offers)))
        return
    if args.cli_step:
        extra = ("--auto-approve", "--allow-price-jumps") if args.cli_step == "apply" else ()
        print(json.dumps(cli(args.dir, args.cli_step, *extra)))
        return
    results: dict[str, Any] = {"code": str(args.code.resolve())}
    with tempfile.TemporaryDirectory() as tmp:
        results["store"] = store_part(args.code, args.sizes, Path(tmp))
        if args.cli:
            results["cli"] = cli_part(args.code, args.cli, Path(tmp))
    print(json.dumps(results, indent=1))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
