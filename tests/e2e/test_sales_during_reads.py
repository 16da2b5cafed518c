"""A purchase may land at any moment of a plan's or an apply's reading of Allegro: between the
two readings of the order feed and the offers, or among the offers. Whichever it is, it is a
sale, not drift: nothing is put back on sale, no later plan corrects it back, and a saved plan
stays good (live.sales)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from catalogsync.allegro.client import AllegroClient
from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run, drop_local_state, offer_id
from tests.e2e.test_stock_and_sales import MUG, applied, buy, live, set_stock

STOCK = 500


class Buyer:
    """Buys one mug just before the `at`-th request a command sends (None: never)."""

    def __init__(self, backend: Backend, catalog_dir: Path) -> None:
        self.backend, self.offer = backend, offer_id(catalog_dir, MUG)
        self.at: int | None = None
        self.sent = self.bought = 0
        self.routes: list[str] = []

    def arm(self, at: int | None) -> None:
        self.at, self.sent, self.routes = at, 0, []

    def before(self, method: str, path: str) -> None:
        if self.sent == self.at:
            self.backend.orders.purchase(self.offer, {"quantity": 1})
            self.bought += 1
        self.sent += 1
        self.routes.append(f"{method} {path}")


@pytest.fixture
def buyer(backend: Backend, catalog_dir: Path, run: Run,
          monkeypatch: pytest.MonkeyPatch) -> Buyer:
    set_stock(catalog_dir, "mugs.yaml", "stock: 40", f"stock: {STOCK}")
    applied(run, catalog_dir)
    watching = Buyer(backend, catalog_dir)
    send = AllegroClient._send

    async def sending(self: AllegroClient, method: str, path: str, **more: Any) -> Any:
        watching.before(method, path)
        return await send(self, method, path, **more)

    monkeypatch.setattr(AllegroClient, "_send", sending)
    return watching


def test_a_purchase_at_any_point_of_the_read_is_a_sale_never_drift(
    run: Run, catalog_dir: Path, backend: Backend, buyer: Buyer, tmp_path: Path
) -> None:
    buyer.arm(None)
    assert run("plan", catalog_dir).exit_code == 0
    reads = buyer.sent
    assert buyer.routes.count("GET /order/events") == 2  # before the offers and after them
    price = 29.99
    for point in range(reads + 1):
        # a plan of a price change, read with a purchase landing at `point`
        set_stock(catalog_dir, "mugs.yaml", f"price: {price:.2f}", f"price: {price + 1:.2f}")
        price += 1
        saved = tmp_path / f"plan-{point}.json"
        buyer.arm(point)
        planned = run("plan", catalog_dir, "-o", saved)
        assert planned.exit_code == 0, planned.output
        assert "unexplained" not in planned.output and "stock:" not in planned.output, point
        # applied from the saved plan, its re-read hit by a purchase at the same point
        buyer.arm(point)
        applied(run, saved, "--catalog", catalog_dir)  # a sale never makes a plan stale
        buyer.arm(None)
        after = run("plan", catalog_dir, "--detailed-exitcode")
        assert after.exit_code == 0, (point, after.output)
        assert "unexplained" not in after.output, (point, after.output)
        assert live(backend, catalog_dir, MUG)["stock"]["available"] == STOCK - buyer.bought
    assert buyer.bought >= 2 * reads  # a plan that changes a price asks Allegro Prices too


def test_sales_right_after_import_or_a_no_change_apply_stay_sold(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path
) -> None:
    applied(run, catalog_dir)
    adopted = tmp_path / "adopted"
    assert run("import", adopted).exit_code == 0
    drop_local_state(adopted)  # what a fresh clone has
    buy(backend, catalog_dir, MUG, 3)
    planned = run("plan", adopted, "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output  # was `stock: 37 → 40 via GAIN +3`
    assert "sold 3 since the last apply; left alone" in planned.output

    lock = adopted / ".catalogsync" / "catalogsync.lock"  # local: beside its emulator db
    assert run("apply", adopted, "--auto-approve").exit_code == 0  # nothing to change
    assert f'stock "{MUG}" "[40, 37]"' in lock.read_text()  # the ledger moved: 37 on sale
    buy(backend, catalog_dir, MUG, 2)
    again = run("plan", adopted, "--detailed-exitcode")
    assert again.exit_code == 0 and "sold 2 since the last apply" in again.output, again.output
    assert live(backend, catalog_dir, MUG)["stock"]["available"] == 40 - 5
