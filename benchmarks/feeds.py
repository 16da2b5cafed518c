"""A feed of 100 000 rows: how long catalogsync takes to read it and lay it over a catalog, and
its peak memory, against reading the same file with the csv module alone.

    python benchmarks/feeds.py [--rows 100000] [--json out.json]

The feed is a Polish ERP export (`;`, decimal commas: price, stock and a price for
allegro-cz). Each measurement runs in its own process. Time is the best of three runs, wall
and CPU; memory is tracemalloc's peak of the step alone (the catalog built before it is not
counted), in a run of its own. Three steps:

- `csv module`: `csv.reader` over the file, every row touched (the floor);
- `feed, all keys known`: `read_feeds` + `with_feed_values` against a catalog of as many
  offers: the values it keeps grow with the offers they reach, as the catalog does;
- `feed, no key known`: the same file against a catalog of other offers: what reading
  itself holds, which stays the same whatever the length (streamed, row by row).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from catalogsync.catalog.models import Catalog, Offer, Settings

SPEC = {"file": "feed.csv", "key": "kod", "delimiter": ";", "decimal_comma": True,
        "fields": {"price": "cena_brutto", "stock": "stan", "allegro-cz": "cena_czk"}}


def write_feed(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["kod", "nazwa", "cena_brutto", "stan", "cena_czk", "magazyn"])
        for i in range(rows):
            writer.writerow([f"SKU-{i:06d}", f"Produkt numer {i} w kolorze zielonym",
                             f"{10 + i % 990},{i % 100:02d}", i % 500,
                             f"{100 + i % 900},00", "WAW-1"])


def _catalog(rows: int, known: bool) -> Catalog:
    prefix = "SKU" if known else "OTHER"
    offers = {f"{prefix}-{i:06d}": Offer(price=None) for i in range(rows)}
    return Catalog.model_construct(settings=Settings.model_validate({"feeds": [SPEC]}),
                                   offers=offers, shipping_rates={}, variant_sets={},
                                   responsible_producers={}, responsible_persons={})


def _step(name: str, directory: Path, rows: int) -> None:
    """Run one step; print its wall, CPU and tracemalloc peak (separate runs) as JSON."""
    from catalogsync.feeds.load import read_feeds, with_feed_values

    catalog = None if name == "csv" else _catalog(rows, name == "known")

    def once() -> None:
        if catalog is None:
            with (directory / "feed.csv").open(encoding="utf-8", newline="") as stream:
                for row in csv.reader(stream, delimiter=";"):
                    row[0]
        else:
            with_feed_values(catalog, read_feeds(directory, catalog, {}))

    walls, cpus = [], []
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        once()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    tracemalloc.start()
    once()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(json.dumps({"wall": min(walls), "cpu": min(cpus), "peak_mb": peak / 1e6}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        _step(args.step, args.dir, args.rows)
        return
    results: dict[str, Any] = {"rows": args.rows}
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        write_feed(directory / "feed.csv", args.rows)
        results["file_mb"] = (directory / "feed.csv").stat().st_size / 1e6
        for step in ("csv", "known", "unknown"):
            out = subprocess.run(
                [sys.executable, __file__, "--step", step, "--dir", str(directory),
                 "--rows", str(args.rows)], check=True, capture_output=True, text=True)
            results[step] = json.loads(out.stdout)
    names = {"csv": "csv module", "known": "feed, all keys known",
             "unknown": "feed, no key known"}
    base = results["csv"]
    print(f"{args.rows} rows, {results['file_mb']:.1f} MB")
    print(f"{'step':<22} {'wall s':>8} {'cpu s':>8} {'× csv':>6} {'peak MB':>8}")
    for step, name in names.items():
        r = results[step]
        print(f"{name:<22} {r['wall']:>8.3f} {r['cpu']:>8.3f} {r['cpu'] / base['cpu']:>6.1f} "
              f"{r['peak_mb']:>8.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
