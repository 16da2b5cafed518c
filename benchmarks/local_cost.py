"""Local cost at scale: catalog load + validation, and planning against an in-memory live
state, at 10 000 and 100 000 offers (issue: benchmarks, part 3).

    python benchmarks/local_cost.py [--sizes 10000 100000] [--per-file 10000 | --one-file]
                                    [--files 10] [--cached] [--json out.json]

Prints a table and JSON: seconds (wall and CPU: the CPU time is the steadier figure on a
shared machine) and peak memory (RSS) of each step, the ratio of our load to a bare libyaml
parse and compose of the same files (the loader pauses the garbage collector, so the bare
ones are given with it on and off), growth from the smallest to the largest size, and
the issue's targets at the largest size, each met or not. `--one-file` writes each size's
offers into one file, as sellers export whole catalogs: its load peak should stay within
~1.3x of the same offers spread over files. Each measurement runs in its own process so peak
memory is its own (catalogs are written by another one); a plan's peak is its process's: the
load, the live state built for it and the plan. `--cached` measures the load with its cache
of what each file yielded (catalog/load_cache.py) instead: without it, cold (no cache yet),
warm (nothing changed) and after an edit of one offer in one file.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from catalogsync.allegro.wire import CategoryParameter
from catalogsync.catalog.loader import load_catalog
from catalogsync.live.state import (
    DeliveryMethod,
    LiveOffer,
    LiveResponsible,
    LiveState,
    LiveTable,
    ProductCandidate,
)
from catalogsync.plan.gpsr import desired_gpsr
from catalogsync.plan.offers import desired_offer
from catalogsync.plan.planner import plan
from catalogsync.synthetic import write_catalog

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Stopwatch:
    """Wall and CPU time since it was made, with the process's peak memory so far."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def figures(self) -> dict[str, float]:
        return {
            "seconds": time.perf_counter() - self.wall,
            "cpu_seconds": time.process_time() - self.cpu,
            "peak_mb": peak_mb(),
        }


def bare_parse(directory: Path, gc_off: bool) -> dict[str, float]:
    if gc_off:
        gc.disable()
    watch = Stopwatch()
    for path in sorted(directory.rglob("*.yaml")):
        with path.open() as stream:
            yaml.load(stream, Loader=yaml.CSafeLoader)
    return watch.figures()


def bare_compose(directory: Path, gc_off: bool) -> dict[str, float]:
    """libyaml's node tree only, which a loader that reports file:line:column needs."""
    if gc_off:
        gc.disable()
    watch = Stopwatch()
    for path in sorted(directory.rglob("*.yaml")):
        with path.open() as stream:
            yaml.compose(stream, Loader=yaml.CSafeLoader)
    return watch.figures()


def offer_bytes(directory: Path) -> dict[str, float]:
    """What a loaded offer keeps in memory (tracemalloc, after the load's garbage is gone)."""
    load_catalog(directory)  # schemas, imports and caches first
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    watch = Stopwatch()
    catalog = load_catalog(directory)
    timed = watch.figures()
    gc.collect()
    kept, peak = tracemalloc.get_traced_memory()
    return {
        **timed,
        "peak_mb": peak_mb(),
        "bytes_per_offer": (kept - before) / len(catalog.offers),
        "traced_peak_mb": (peak - before) / 1e6,
    }


def load(directory: Path) -> dict[str, float]:
    watch = Stopwatch()
    catalog = load_catalog(directory)
    assert catalog.offers
    return watch.figures()


def cached(directory: Path) -> dict[str, float]:
    """A load that keeps and replays what each file yielded (`--cached`)."""
    watch = Stopwatch()
    catalog = load_catalog(directory, cache=directory / ".catalogsync" / "load")
    assert catalog.offers
    return watch.figures()


def edit_one_file(directory: Path) -> None:
    """One offer's stock changed in the first offers file, as a small pull request does."""
    path = sorted((directory / "offers").glob("*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("stock: ", "stock: 9", 1), encoding="utf-8")


def live_matching(directory: Path) -> tuple[Any, LiveState]:
    """A catalog and a live state in which every offer already is as the catalog says."""
    catalog = load_catalog(directory)
    stan = CategoryParameter(
        id="11323", name="Stan", type="dictionary", required=True, dictionary={"Nowy": "11323_1"}
    )
    products: dict[str, tuple[ProductCandidate, ...]] = {
        ean: (ProductCandidate(id=f"p-{ean}", name="Kubek", category="67476", parameters={}),)
        for ean in ("5901234123457", "5901234123464")
    }
    rows = (
        {
            "delivery_method": "Allegro Kurier DPD",
            "first_item": "16.99 PLN",
            "next_item": "0.00 PLN",
            "max_quantity_per_package": 20,
        },
    )
    dpd = DeliveryMethod(id="m-dpd", name="Allegro Kurier DPD", constraints={})
    base = LiveState(
        delivery_methods=(dpd,),
        tables={"Standard": LiveTable(id="t-1", name="Standard", rates=rows)},
        products=products,
        category_parameters={"67476": (stan,)},
        responsible={"responsible_producer": {
            "Producent Demo": LiveResponsible(id="r-1", name="Producent Demo", data={})}},
    )
    offers = {}
    for number, (sku, offer) in enumerate(catalog.offers.items()):
        desired = desired_offer(sku, offer, catalog, base, NOW)
        desired_gpsr(desired, offer, catalog, base)
        fields = desired.fields
        offers[sku] = LiveOffer(id=str(10**10 + number), status="ACTIVE", fields=fields)
    return catalog, replace(base, offers=offers)


def planning(directory: Path) -> dict[str, float]:
    catalog, live = live_matching(directory)
    before = peak_mb()
    watch = Stopwatch()
    result = plan(catalog, live, NOW)
    timed = watch.figures()
    assert not result.changes and not result.errors, result.errors[:3]
    return {**timed, "peak_before_mb": before}


#: The targets of lean local cost, checked at the largest size measured.
OFFER_BYTES_MAX = 1500
LOAD_PEAK_MB_MAX = 400
PLAN_PEAK_MB_MAX = 600
LOAD_PER_COMPOSE_MAX = 1.0

STEPS = {
    "bare_parse": lambda d: bare_parse(d, gc_off=False),
    "bare_parse_gc_off": lambda d: bare_parse(d, gc_off=True),
    "bare_compose": lambda d: bare_compose(d, gc_off=False),
    "bare_compose_gc_off": lambda d: bare_compose(d, gc_off=True),
    "load": load,
    "plan_noop": planning,
    "offer_bytes": offer_bytes,
}
CACHED_STEPS = ("load", "cached_cold", "cached_warm", "cached_one_changed")


def cached_steps(directory: Path) -> dict[str, dict[str, float]]:
    """`--cached`: each load in its own process, the edit between the last two."""
    figures = {"load": measure("load", directory)}
    figures["cached_cold"] = measure("cached", directory)
    figures["cached_warm"] = measure("cached", directory)
    edit_one_file(directory)
    figures["cached_one_changed"] = measure("cached", directory)
    return figures


def measure(step: str, directory: Path) -> dict[str, float]:
    """Run one step in a fresh interpreter and return its figures."""
    output = subprocess.run(
        [sys.executable, __file__, "--step", step, "--dir", str(directory)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures: dict[str, float] = json.loads(output)
    return figures


def write(directory: Path, offers: int, per_file: int) -> None:
    """Write the catalog in another process: a child's peak memory counts its parent's at the
    time it was started, and dumping 100 000 offers into one file takes 1.3 GB."""
    command = [sys.executable, __file__, "--write", str(offers), "--per-file", str(per_file)]
    subprocess.run([*command, "--dir", str(directory)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--per-file", type=int, default=10_000, help="offers per file (default 10000)"
    )
    parser.add_argument(
        "--one-file", action="store_true", help="all of each size's offers in one file"
    )
    parser.add_argument("--files", type=int, help="each size's offers in this many files")
    parser.add_argument(
        "--cached", action="store_true", help="the load with its cache: cold, warm, one edit"
    )
    parser.add_argument("--step", choices=[*STEPS, "cached"], help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--write", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps((STEPS.get(args.step) or cached)(args.dir)))
        return
    if args.write:
        write_catalog(args.dir, args.write, per_file=args.per_file)
        return
    results: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            directory = Path(tmp) / str(size)
            per_file = size if args.one_file else args.per_file
            per_file = -(-size // args.files) if args.files else per_file
            write(directory, size, per_file)
            mb = sum(p.stat().st_size for p in directory.rglob("*.yaml")) / 1e6
            if args.cached:
                results[str(size)] = cached_steps(directory)
            else:
                results[str(size)] = {step: measure(step, directory) for step in STEPS}
            results[str(size)]["files"] = {"megabytes": mb}
    print(f"{'offers':>8} {'step':<20} {'seconds':>9} {'CPU s':>9} {'peak MB':>9}")
    for size, steps in results.items():
        for step, figures in steps.items():
            if "seconds" in figures:
                wall, cpu, mb = figures["seconds"], figures["cpu_seconds"], figures["peak_mb"]
                print(f"{size:>8} {step:<20} {wall:9.2f} {cpu:9.2f} {mb:9.0f}")
        if args.cached:
            continue
        for bare in ("parse", "compose"):
            on, off = (ratios(steps, f"bare_{bare}{gc}") for gc in ("", "_gc_off"))
            print(f"{size:>8} load / bare {bare}, wall (CPU): gc on {on}, gc off {off}")
        print(f"{size:>8} a loaded offer: {steps['offer_bytes']['bytes_per_offer']:.0f} bytes")
    sizes = [str(s) for s in args.sizes]
    if args.cached:
        growth(sizes, results, CACHED_STEPS)
    else:
        growth(sizes, results, ("load", "plan_noop"))
        print_targets(sizes[-1], results[sizes[-1]])
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    print(json.dumps(results))


def growth(sizes: list[str], results: dict[str, dict[str, dict[str, float]]],
           steps: tuple[str, ...]) -> None:
    """How much each step grows from the smallest size measured to the largest."""
    if len(sizes) > 1:
        first, last = results[sizes[0]], results[sizes[-1]]
        factor = int(sizes[-1]) / int(sizes[0])
        for step in steps:
            wall = last[step]["seconds"] / first[step]["seconds"]
            cpu = last[step]["cpu_seconds"] / first[step]["cpu_seconds"]
            print(f"growth of {step} for {factor:.0f}x offers: {wall:.1f}x wall, {cpu:.1f}x CPU")


def ratios(steps: dict[str, dict[str, float]], bare: str) -> str:
    """The load's time over a bare step's, by wall clock and (in brackets) by CPU time."""
    load, other = steps["load"], steps[bare]
    wall = load["seconds"] / other["seconds"]
    return f"{wall:.2f} ({load['cpu_seconds'] / other['cpu_seconds']:.2f})"


def print_targets(size: str, steps: dict[str, dict[str, float]]) -> None:
    """Each target of lean local cost at `size` offers: the figure, the bound, met or not."""
    rows = (
        ("a loaded offer, bytes", steps["offer_bytes"]["bytes_per_offer"], OFFER_BYTES_MAX),
        ("load peak, MB", steps["load"]["peak_mb"], LOAD_PEAK_MB_MAX),
        ("plan peak, MB", steps["plan_noop"]["peak_mb"], PLAN_PEAK_MB_MAX),
        (
            "load / bare compose",
            steps["load"]["seconds"] / steps["bare_compose"]["seconds"],
            LOAD_PER_COMPOSE_MAX,
        ),
        (
            "  the same by CPU time",
            steps["load"]["cpu_seconds"] / steps["bare_compose"]["cpu_seconds"],
            LOAD_PER_COMPOSE_MAX,
        ),
    )
    print(f"targets at {size} offers:")
    for name, figure, bound in rows:
        verdict = "met" if figure <= bound else "NOT MET"
        print(f"  {name:<26} {figure:9.2f}  (<= {bound:g})  {verdict}")


if __name__ == "__main__":
    main()
