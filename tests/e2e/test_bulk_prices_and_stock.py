"""Every offer its own new price and stock: apply carries them in bulk modification commands
(25 modifications each) instead of a command per value, and the next plan is clean."""

from __future__ import annotations

import json
from pathlib import Path

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run
from tests.e2e.test_stock_and_sales import MUG, applied, live, set_stock


def test_own_prices_and_a_restock_go_in_one_bulk_command(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    applied(run, catalog_dir)
    set_stock(catalog_dir, "mugs.yaml", "price: 29.99", "price: 28.49")
    set_stock(catalog_dir, "mugs.yaml", "stock: 40", "stock: 45")
    set_stock(catalog_dir, "mugs.yaml", "price: 31.99", "price: 33.19")
    set_stock(catalog_dir, "laptops.yaml", "price: 3499.00", "price: 3399.00")
    planned = run("plan", catalog_dir, "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    assert ("via offer-bulk-modification-commands (allegro-pl 28.49 PLN, stock GAIN +5)"
            in planned.output)
    assert "(about 3 API requests to apply)" in planned.output  # one command, a poll, the feed
    before = backend.stats.copy()
    applied(run, catalog_dir, "--allow-mass-change")
    sent = {k: n - before.get(k, 0) for k, n in backend.stats.items()}
    assert sent["POST /sale/offer-bulk-modification-commands"] == 1
    assert not any(k.startswith("PUT /sale/offer-price") for k in sent)
    doc = live(backend, catalog_dir, MUG)
    assert (doc["sellingMode"]["price"]["amount"], doc["stock"]["available"]) == ("28.49", 45)
    after = run("plan", catalog_dir, "--detailed-exitcode")
    assert after.exit_code == 0, after.output


def test_plan_json_names_the_bulk_command(run: Run, catalog_dir: Path) -> None:
    applied(run, catalog_dir)
    set_stock(catalog_dir, "mugs.yaml", "price: 29.99", "price: 28.49")
    set_stock(catalog_dir, "mugs.yaml", "price: 31.99", "price: 33.19")
    planned = run("plan", catalog_dir, "--format", "json")
    document = json.loads(planned.output[planned.output.index("{"):])
    kinds = {c["kind"] for change in document["changes"] for c in change["commands"]}
    assert kinds == {"offer-bulk-modification-commands"}
