"""Stock that sells: buyers purchase through the emulator's steering route, and plan and apply
tell sales from drift, restock with deltas and bring sold-out offers back."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.errors import AuthError
from catalogsync.emulator.app import create_app
from catalogsync.emulator.backend import Backend
from catalogsync.emulator.seed import DEMO_SELLER_ID
from tests.e2e.conftest import Run, offer_id

MUG = "MUG-WHITE-330"  # stock: 40 in the example catalog
LAPTOP = "LAPTOP-X14-512"  # stock: 3


def steer(backend: Backend, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST to the emulator's `/_emulator/` steering, over HTTP like a test harness would."""

    async def send() -> dict[str, Any]:
        transport = httpx.ASGITransport(app=create_app(backend))
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as http:
            response = await http.post(path, json=body)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    return asyncio.run(send())


def buy(backend: Backend, catalog_dir: Path, sku: str, quantity: int, **more: Any) -> str:
    """A purchase through the steering route; the id of its checkout form."""
    form = steer(backend, f"/_emulator/offers/{offer_id(catalog_dir, sku)}/purchase",
                 {"quantity": quantity, **more})
    return str(form["id"])


def live(backend: Backend, catalog_dir: Path, sku: str) -> dict[str, Any]:
    return dict(backend.offers.get(DEMO_SELLER_ID, offer_id(catalog_dir, sku)))


def set_stock(catalog_dir: Path, file: str, old: str, new: str) -> None:
    path = catalog_dir / "offers" / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def applied(run: Run, *args: str | Path) -> str:
    result = run("apply", *args, "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.output, result.output
    return result.output


def test_sold_units_are_not_drift_and_a_restock_is_added_with_gain(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    applied(run, catalog_dir)
    buy(backend, catalog_dir, MUG, 3)

    replanned = run("plan", catalog_dir, "--detailed-exitcode")
    assert replanned.exit_code == 0, replanned.output
    assert f"note: offer {MUG}: sold 3 since the last apply; left alone" in replanned.output
    assert "No changes." in replanned.output

    set_stock(catalog_dir, "mugs.yaml", "stock: 40", "stock: 50")  # a restock of 10
    restock = run("plan", catalog_dir, "--detailed-exitcode")
    assert restock.exit_code == 2, restock.output
    assert "~ stock: 37 → 47" in restock.output
    assert "via offer-quantity-change-commands GAIN +10" in restock.output
    assert ("catalog stock 40 → 50: +10 is added (GAIN) to the 37 on sale, so the 3 sold "
            "since the last apply stay sold") in restock.output

    applied(run, catalog_dir)
    assert live(backend, catalog_dir, MUG)["stock"]["available"] == 40 - 3 + 10
    after = run("plan", catalog_dir, "--detailed-exitcode")
    assert after.exit_code == 0, after.output
    assert "sold" not in after.output  # the ledger moved on with the apply


def test_a_purchase_between_plan_and_apply_stays_sold(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path
) -> None:
    applied(run, catalog_dir)
    set_stock(catalog_dir, "mugs.yaml", "stock: 40", "stock: 100")
    saved = tmp_path / "restock.plan.json"
    assert run("plan", catalog_dir, "-o", saved).exit_code == 0
    buy(backend, catalog_dir, MUG, 5)

    applied(run, saved, "--catalog", catalog_dir)  # sales are not a stale plan
    assert live(backend, catalog_dir, MUG)["stock"]["available"] == 100 - 5
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0


def test_a_purchase_while_apply_runs_stays_sold(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    applied(run, catalog_dir)
    set_stock(catalog_dir, "mugs.yaml", "stock: 40", "stock: 60")
    steer(backend, "/_emulator/settings", {"purchase_on_command": 2})
    applied(run, catalog_dir)
    steer(backend, "/_emulator/settings", {"purchase_on_command": 0})

    assert live(backend, catalog_dir, MUG)["stock"]["available"] == 60 - 2
    replanned = run("plan", catalog_dir, "--detailed-exitcode")
    assert replanned.exit_code == 0, replanned.output
    assert "sold 2 since the last apply; left alone" in replanned.output
    assert "unexplained" not in replanned.output


def test_a_restock_interrupted_after_its_gain_was_sent_is_never_added_twice(
    run: Run, catalog_dir: Path, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    applied(run, catalog_dir)
    buy(backend, catalog_dir, MUG, 3)
    set_stock(catalog_dir, "mugs.yaml", "stock: 40", "stock: 50")
    real_send = AllegroClient._send

    async def send(self: AllegroClient, method: str, path: str, **kwargs: Any) -> Any:
        if method == "GET" and path.startswith("/sale/offer-quantity-change-commands/"):
            raise KeyboardInterrupt  # Allegro has the GAIN; we never see its result
        return await real_send(self, method, path, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(AllegroClient, "_send", send)
        assert run("apply", catalog_dir, "--auto-approve").exit_code == 130

    replanned = run("plan", catalog_dir, "--detailed-exitcode")
    assert replanned.exit_code == 0, replanned.output
    assert "unexplained" not in replanned.output
    assert live(backend, catalog_dir, MUG)["stock"]["available"] == 40 - 3 + 10


def test_without_order_events_a_lower_stock_is_taken_as_sales(
    run: Run, catalog_dir: Path, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token without the orders scope cannot read the feed: nothing sold is put on sale
    again, and the restock still goes as a GAIN that the ledger remembers."""
    applied(run, catalog_dir)
    buy(backend, catalog_dir, MUG, 3)
    real_send = AllegroClient._send

    async def send(self: AllegroClient, method: str, path: str, **kwargs: Any) -> Any:
        if path == "/order/events":
            raise AuthError(403, method, path, [])
        return await real_send(self, method, path, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(AllegroClient, "_send", send)
        blind = run("plan", catalog_dir, "--detailed-exitcode")
        assert blind.exit_code == 0, blind.output
        assert "warning: allegro: order events could not be read" in blind.output
        assert "sold 3 since the last apply; left alone" in blind.output
        set_stock(catalog_dir, "mugs.yaml", "stock: 40", "stock: 50")
        applied(run, catalog_dir)

    assert live(backend, catalog_dir, MUG)["stock"]["available"] == 40 - 3 + 10
    seeing = run("plan", catalog_dir, "--detailed-exitcode")
    assert seeing.exit_code == 0, seeing.output
    assert "unexplained" not in seeing.output


def test_a_stale_plan_tolerates_sales_but_refuses_other_changes(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path
) -> None:
    applied(run, catalog_dir)
    set_stock(catalog_dir, "mugs.yaml", "stock: 40", "stock: 45")
    saved = tmp_path / "restock.plan.json"
    assert run("plan", catalog_dir, "-o", saved).exit_code == 0
    buy(backend, catalog_dir, MUG, 2)
    backend.offers.patch(DEMO_SELLER_ID, offer_id(catalog_dir, MUG),
                         {"name": "Kubek zmieniony na Allegro 330 ml"})

    refused = run("apply", saved, "--catalog", catalog_dir, "--auto-approve")
    assert refused.exit_code == 1
    assert "stale" in refused.output
    assert f"offer {MUG}: changed on Allegro since the plan" in refused.output
    assert live(backend, catalog_dir, MUG)["stock"]["available"] == 38  # nothing applied


def test_unexplained_stock_is_drift_and_is_restored(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    applied(run, catalog_dir)
    buy(backend, catalog_dir, MUG, 4)
    backend.offers.patch(DEMO_SELLER_ID, offer_id(catalog_dir, MUG), {"stock": {"available": 50}})

    drift = run("plan", catalog_dir, "--detailed-exitcode")
    assert drift.exit_code == 2, drift.output
    assert "stock is 50 on Allegro where 36 was expected after sales: +14 unexplained" in (
        drift.output
    )
    assert "~ stock: 50 → 36" in drift.output
    assert "GAIN -14" in drift.output
    applied(run, catalog_dir)
    assert live(backend, catalog_dir, MUG)["stock"]["available"] == 36
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0


def test_merged_purchases_and_repeated_events_count_each_unit_once(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    """FAQ: events of one type may repeat and arrive in any order; purchases paid together
    move to a new checkout form. A line item is one purchase act, counted once."""
    applied(run, catalog_dir)
    buy(backend, catalog_dir, MUG, 1, buyer="b1", events=["FILLED_IN", "BOUGHT"])
    buy(backend, catalog_dir, MUG, 2, buyer="b1", pay_together=True,
        events=["READY_FOR_PROCESSING", "READY_FOR_PROCESSING"])

    replanned = run("plan", catalog_dir, "--detailed-exitcode")
    assert replanned.exit_code == 0, replanned.output
    assert "sold 3 since the last apply; left alone" in replanned.output


def test_a_purchase_paid_after_the_last_apply_is_not_counted_again(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    """FAQ: events come in any order and one type may repeat; the events of a purchase made
    before an apply can arrive after it (bought now, paid later)."""
    applied(run, catalog_dir)
    form = buy(backend, catalog_dir, MUG, 3, events=["BOUGHT"])
    set_stock(catalog_dir, "mugs.yaml", "stock: 40", "stock: 45")
    applied(run, catalog_dir)  # the ledger moves on: 37 + 5 = 42 on sale
    steer(backend, f"/_emulator/checkout-forms/{form}/events",
          {"events": ["FILLED_IN", "READY_FOR_PROCESSING", "READY_FOR_PROCESSING"]})

    replanned = run("plan", catalog_dir, "--detailed-exitcode")
    assert replanned.exit_code == 0, replanned.output
    assert "sold" not in replanned.output and "unexplained" not in replanned.output
    assert live(backend, catalog_dir, MUG)["stock"]["available"] == 42
    buy(backend, catalog_dir, MUG, 1)
    assert "sold 1 since the last apply" in run("plan", catalog_dir).output


def test_sold_out_offer_stays_ended_until_a_restock_activates_it_again(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    applied(run, catalog_dir)
    buy(backend, catalog_dir, LAPTOP, 3)
    publication = live(backend, catalog_dir, LAPTOP)["publication"]
    assert (publication["status"], publication["endedBy"]) == ("ENDED", "EMPTY_STOCK")

    sold_out = run("plan", catalog_dir, "--detailed-exitcode")
    assert sold_out.exit_code == 0, sold_out.output
    assert "sold out (ended by EMPTY_STOCK); stays ended until the catalog's stock rises" in (
        sold_out.output
    )

    set_stock(catalog_dir, "laptops.yaml", "stock: 3", "stock: 5")
    restock = run("plan", catalog_dir, "--detailed-exitcode")
    assert restock.exit_code == 2, restock.output
    assert "~ stock: 0 → 2" in restock.output
    assert "~ status: ended → active" in restock.output
    assert ("via offer-quantity-change-commands GAIN +2, then offer-publication-commands "
            "ACTIVATE") in restock.output
    applied(run, catalog_dir)
    doc = live(backend, catalog_dir, LAPTOP)
    assert (doc["publication"]["status"], doc["stock"]["available"]) == ("ACTIVE", 2)
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0


def test_absolute_stock_mode_sets_fixed_and_shows_the_sales_it_overrides(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    settings = catalog_dir / "catalogsync.yaml"
    settings.write_text(settings.read_text().replace("stock_mode: delta", "stock_mode: absolute"))
    applied(run, catalog_dir)
    buy(backend, catalog_dir, MUG, 3)

    replanned = run("plan", catalog_dir, "--detailed-exitcode")
    assert replanned.exit_code == 2, replanned.output
    assert "~ stock: 37 → 40" in replanned.output
    assert "via offer-quantity-change-commands FIXED 40" in replanned.output
    assert "sold 3 since the last apply; FIXED 40 puts them on sale again" in replanned.output
    applied(run, catalog_dir)
    assert live(backend, catalog_dir, MUG)["stock"]["available"] == 40
