"""Weeks in a real shop: imports, daily CI runs from fresh clones, buyers buying all along.

    python benchmarks/shop_month.py [--offers 1000] [--days 14] [--seed 1]

Real processes: `catalogsync emulator serve` on a free port, the CLI as `sandbox` pointed at
it. Day 0: an account of OFFERS offers (made by the tool the shop used before) is imported into
a catalog; the catalog and `catalogsync.lock` are what is committed. Then every day a CI job
starts from a fresh copy of the committed files only (no `.catalogsync/`): buyers purchase
50-300 units a day (about half between the jobs, the rest while plan and apply run), a
colleague edits an offer's name on the web page some days, a PR changes prices (each offer its
own value), restocks (sold-out offers come back), adds new offers and removes some (`--prune`);
the job saves a plan, applies that file, commits the lock back (a failed run's too), and plans
again. One day the apply is killed (SIGKILL) mid-way; the next day's job resumes it.

Checked after every day: one live offer per external id; every managed offer's live stock
<= its declared stock minus the units bought since it was declared (none put back on sale;
`under` counts offers with fewer on sale than that); the plan after the day's apply exits 0
(not on the kill day); requests catalogsync sent that day (plan, apply, plan again) and 429s.
Exits 1 if a check failed.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalogsync.synthetic import synthetic_offer
from tests.e2e.served import (
    MEDIA_TYPE,
    Emulator,
    catalogsync,
    cli_env,
    run_watched,
    sandbox_catalog,
    served_emulator,
)

PRICE_COMMAND = "PUT /sale/offer-price-change-commands/{commandId}"
BULK_COMMAND = "POST /sale/offer-bulk-modification-commands"


@dataclass
class Day:
    number: int
    requests: int = 0
    throttled: int = 0
    bought: int = 0
    duplicates: int = 0
    over: int = 0  # offers with more on sale than declared minus sold
    under: int = 0  # offers with fewer on sale than that (units held back, not oversold)
    plan_exit: int = -1
    killed: bool = False
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.duplicates and not self.over and (self.killed or self.plan_exit == 0)

    def __str__(self) -> str:
        plan = "killed mid-apply" if self.killed else f"plan after apply exit {self.plan_exit}"
        return (f"day {self.number:2}: {self.requests:6} requests ({self.throttled} × 429), "
                f"{self.bought:3} units bought, {self.duplicates} duplicates, {self.over} "
                f"oversold, {self.under} held back, {plan} ({self.seconds:.0f} s)")


class Shop:
    def __init__(self, emulator: Emulator, work: Path, offers: int, seed: int,
                 prunes: bool = True) -> None:
        self.emulator, self.work, self.rng = emulator, work, random.Random(seed)
        self.prunes = prunes  # PRs remove offers too (and new ones sell their products)
        self.token = emulator.token()
        self.env = cli_env(emulator, self.token, work / "config")
        self.origin = work / "origin"  # what is committed
        self.offers = offers
        self.sold: Counter[str] = Counter()  # units bought since the stock was declared
        self.sold_out: list[str] = []
        self.next_number = offers
        self.priced = 0  # price changes in today's PR
        self.lock = threading.Lock()

    # ------------------------------------------------------------------ the account
    def import_account(self) -> None:
        before = sandbox_catalog(self.work / "before", self.offers)
        _ok(catalogsync("apply", before, "--auto-approve", env=self.env), "the old tool's apply")
        _ok(catalogsync("import", self.origin, "--environment", "sandbox", env=self.env),
            "import")

    def ids(self) -> dict[str, str]:
        ids = {}
        for line in (self.origin / "catalogsync.lock").read_text().splitlines():
            parts = line.split(" ")
            if len(parts) == 4 and parts[1] == "offer":
                ids[yaml.safe_load(parts[2])] = yaml.safe_load(parts[3])
        return ids

    def listing(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        headers = {"Accept": MEDIA_TYPE, "Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.emulator.base, headers=headers, timeout=60) as http:
            while True:
                page = http.get("/sale/offers", params={"limit": 1000, "offset": len(rows)})
                rows += page.json()["offers"]
                if len(rows) >= page.json()["totalCount"] or not page.json()["offers"]:
                    return rows

    # ------------------------------------------------------------------ buyers
    def buy(self, units: int, stop: threading.Event | None = None) -> int:
        """Buyers purchase about `units` units of random offers; the units bought."""
        ids, bought = self.ids(), 0
        skus = sorted(ids)
        for _ in range(units * 3):
            if bought >= units or (stop is not None and stop.is_set()):
                break
            sku = self.rng.choice(skus)
            quantity = min(self.rng.choice((1, 1, 1, 2, 3)), units - bought)
            if self._purchase(sku, ids[sku], quantity):
                bought += quantity
            if stop is not None:
                time.sleep(0.02)
        return bought

    def _purchase(self, sku: str, offer_id: str, quantity: int) -> bool:
        try:
            self.emulator.steer(f"offers/{offer_id}/purchase", {"quantity": quantity})
        except httpx.HTTPStatusError:
            return False  # not active, or not that many in stock
        with self.lock:
            self.sold[sku] += quantity
        return True

    def sell_out(self, declared: dict[str, int]) -> None:
        ids = self.ids()
        sku = self.rng.choice(sorted(s for s in declared if s in ids))
        left = declared[sku] - self.sold[sku]
        if left > 0 and self._purchase(sku, ids[sku], left):
            self.sold_out.append(sku)

    # ------------------------------------------------------------------ the PR
    def pull_request(self, clone: Path, day: int, days: int) -> None:
        files = _offer_files(clone)
        offers = {sku: (path, entry) for path, data in files.items()
                  for sku, entry in data["offers"].items()}
        skus = sorted(offers)
        priced = self.rng.sample(skus, min(len(skus), max(4, self.offers // 30)))
        self.priced = len(priced)
        for sku in priced:
            entry = offers[sku][1]  # a price of its own: one command each
            entry["price"] = str(Decimal(str(entry["price"])) + Decimal(self.rng.randint(1, 99))
                                 / 100)
        restocked = [s for s in self.sold_out if s in offers]
        restocked += self.rng.sample(skus, min(len(skus), max(1, self.offers // 100)))
        for sku in set(restocked):
            offers[sku][1]["stock"] = int(offers[sku][1].get("stock") or 0) + 20
        self.sold_out = []
        for sku in self.rng.sample(skus, self.prunes and min(len(skus) - 1,
                                                         max(1, self.offers // 300))):
            path, _ = offers[sku]
            del files[path]["offers"][sku]  # removed in the PR; pruned
            self.sold.pop(sku, None)
        new = {}
        for _ in range(max(1, 100 * self.offers // 1500 // max(days, 1))):
            new[f"SYN-{self.next_number:06d}"] = synthetic_offer(self.next_number)
            self.next_number += 1
        for path, data in files.items():
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
        (clone / "offers" / f"new-day-{day:02d}.yaml").write_text(
            yaml.safe_dump({"offers": new}, allow_unicode=True, sort_keys=False))

    def web_edit(self) -> None:
        """A colleague renames an offer on allegro.pl: the plan reports it and restores it."""
        offer_id = self.rng.choice(sorted(self.ids().values()))
        headers = {"Accept": MEDIA_TYPE, "Content-Type": MEDIA_TYPE,
                   "Authorization": f"Bearer {self.token}"}
        httpx.patch(f"{self.emulator.base}/sale/product-offers/{offer_id}",
                    json={"name": "Kubek zmieniony na stronie"}, headers=headers, timeout=30)

    # ------------------------------------------------------------------ a day
    def day(self, number: int, days: int, kill: bool) -> Day:
        started, today = time.monotonic(), Day(number)
        clone = self.work / f"day-{number:02d}"
        shutil.copytree(self.origin, clone)  # a fresh clone: committed files only
        units = self.rng.randint(50, 300) * self.offers // 1000 or 5
        today.bought += self.buy(units // 2)
        if number % 3 == 1:
            self.web_edit()
        self.sell_out(_declared(clone))
        self.pull_request(clone, number, days)
        stop = threading.Event()
        during = threading.Thread(target=lambda: setattr(
            today, "bought", today.bought + self.buy(units - units // 2, stop)))
        during.start()
        before = self.emulator.summary()
        plan = clone / "plan.json"
        planned = catalogsync("plan", clone, "--prune", "-o", plan, env=self.env)
        if planned.returncode != 0:
            today.problems.append(f"plan exit {planned.returncode}: {planned.stderr[-1500:]}")
        elif kill:
            base = _price_commands(before["requests"])
            killed: list[int] = []
            ran = run_watched(  # SIGKILL once the first price change is out: mid-apply
                ["apply", str(plan), "--catalog", str(clone), "--auto-approve"], self.env,
                self.emulator, lambda stats: _price_commands(stats) > base,
                lambda process: killed.append(os.kill(process.pid, signal.SIGKILL) or 1))
            today.killed = bool(killed)
            if not killed and ran.returncode != 0:
                today.problems.append(f"apply exit {ran.returncode}: {ran.stderr[-1500:]}")
        else:
            applied = catalogsync("apply", plan, "--catalog", clone, "--auto-approve",
                                  env=self.env)
            if applied.returncode != 0:
                today.problems.append(f"apply exit {applied.returncode}: "
                                      f"{applied.stderr[-1500:]}")
        stop.set()
        during.join()
        self._commit(clone)
        again = catalogsync("plan", clone, "--prune", "--detailed-exitcode", env=self.env)
        today.plan_exit = again.returncode
        if again.returncode != 0 and not today.killed:
            today.problems.append(again.stderr[-3000:] + again.stdout[-3000:])
        after = self.emulator.summary()
        today.requests = sum(after["requests"].values()) - sum(before["requests"].values())
        today.throttled = _throttled(after) - _throttled(before)
        self._check(today, _declared(clone))
        today.seconds = time.monotonic() - started
        shutil.rmtree(clone)
        return today

    def _commit(self, clone: Path) -> None:
        """The job commits the lock back (and the PR was merged): the new committed files."""
        shutil.rmtree(self.origin)
        shutil.copytree(clone, self.origin, ignore=shutil.ignore_patterns(
            ".catalogsync", "plan.json"))

    def _check(self, today: Day, declared: dict[str, int]) -> None:
        rows = [r for r in self.listing() if r["publication"]["status"] != "ENDED"
                or (r.get("stock") or {}).get("available")]
        by_key = Counter((r.get("external") or {}).get("id") for r in rows
                         if r["publication"]["status"] != "ENDED")
        today.duplicates = sum(n - 1 for n in by_key.values() if n > 1)
        for row in rows:
            sku = (row.get("external") or {}).get("id")
            if sku not in declared:
                continue
            live, allowed = int(row["stock"]["available"]), declared[sku] - self.sold[sku]
            today.over += live > allowed
            today.under += live < allowed
            if live > allowed:
                today.problems.append(f"{sku}: {live} on sale, {allowed} declared minus sold")


def _offer_files(clone: Path) -> dict[Path, dict[str, Any]]:
    files = {}
    for path in sorted((clone / "offers").glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        if data and data.get("offers"):
            files[path] = data
    return files


def _declared(clone: Path) -> dict[str, int]:
    return {sku: int(entry["stock"]) for data in _offer_files(clone).values()
            for sku, entry in data["offers"].items() if "stock" in entry}


def _throttled(summary: dict[str, Any]) -> int:
    return int((summary.get("limits") or {}).get("throttled") or 0)


def _ok(result: Any, what: str) -> None:
    if result.returncode != 0:
        raise SystemExit(f"{what} failed ({result.returncode}):\n{result.stderr[-3000:]}")


def run_month(work: Path, offers: int, days: int, seed: int = 1, echo: bool = True,
              prunes: bool = True) -> list[Day]:
    """The whole run against a served emulator; one `Day` per day."""
    log = work / "serve"
    log.mkdir(parents=True, exist_ok=True)
    results = []
    with served_emulator(log) as emulator:
        shop = Shop(emulator, work, offers, seed, prunes)
        started = time.monotonic()
        shop.import_account()
        if echo:
            print(f"day  0: {offers} offers made and imported ({time.monotonic() - started:.0f}"
                  " s)", flush=True)
        for number in range(1, days + 1):
            today = shop.day(number, days, kill=number == max(1, days // 2))
            results.append(today)
            if echo:
                print(today, flush=True)
                for problem in today.problems[:5]:
                    print("    " + problem.replace("\n", "\n    "), flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=1000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-prunes", action="store_true", help="PRs remove no offers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        days = run_month(Path(scratch), args.offers, args.days, args.seed,
                         prunes=not args.no_prunes)
    requests = [d.requests for d in days]
    print(f"requests a day: min {min(requests)}, max {max(requests)}, "
          f"mean {sum(requests) / len(requests):.0f}; 429s: {sum(d.throttled for d in days)}; "
          f"units bought: {sum(d.bought for d in days)}")
    print(f"days with every check held: {sum(d.ok for d in days)}/{len(days)}")
    return 0 if all(d.ok for d in days) else 1


def _price_commands(requests: dict[str, int]) -> int:
    """Commands that carry price changes: by value, or each offer its own (bulk)."""
    return requests.get(PRICE_COMMAND, 0) + requests.get(BULK_COMMAND, 0)


if __name__ == "__main__":
    sys.exit(main())
