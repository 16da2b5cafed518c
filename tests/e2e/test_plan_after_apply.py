"""The plan after an apply reuses what Allegro confirmed, yet still sees another's change."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from catalogsync.emulator.backend import Backend
from catalogsync.synthetic import write_catalog
from tests.e2e.conftest import Run, offer_ids, read_in_detail, rotated

READS, PAGES = "GET /sale/product-offers/{offerId}", "GET /sale/offers"
SELLER = "1000001"


def test_plan_after_apply_reads_no_offer_and_catches_a_change_made_on_allegro(
    run: Run, tmp_path: Path, backend: Backend
) -> None:
    catalog = write_catalog(tmp_path / "shop", 40)
    first = run("apply", catalog, "--auto-approve")
    assert first.exit_code == 0, first.output
    before = backend.stats[READS]
    after_create = run("plan", catalog, "--detailed-exitcode")
    assert after_create.exit_code == 0, after_create.output
    # creates, activations: all confirmed by Allegro; only the rotating check reads one
    assert read_in_detail(after_create.output) == rotated(after_create.output) == 1
    assert backend.stats[READS] == before + 1

    write_catalog(catalog, 40, price=Decimal("31.99"))
    repriced = run("apply", catalog, "--auto-approve", "--allow-mass-change")
    assert repriced.exit_code == 0, repriced.output
    before = backend.stats[READS]
    after_price = run("plan", catalog, "--detailed-exitcode")
    assert after_price.exit_code == 0, after_price.output
    assert read_in_detail(after_price.output) == rotated(after_price.output) == 1
    assert backend.stats[READS] == before + 1

    # Someone edits two offers on Allegro: a stock the offer list shows, and a description
    # only the event feed tells of.
    ids = sorted(offer_ids(catalog).items())
    (stocked_sku, stocked), (described_sku, described) = ids[0], ids[1]
    backend.offers.patch(SELLER, stocked, {"stock": {"available": 1}})
    text = {"sections": [{"items": [{"type": "TEXT", "content": "<p>Inny opis.</p>"}]}]}
    backend.offers.patch(SELLER, described, {"description": text})
    before = backend.stats[READS]
    drift = run("plan", catalog, "--detailed-exitcode")
    assert drift.exit_code == 2, drift.output
    assert f"offer {stocked_sku}" in drift.output and "stock: 1 →" in drift.output
    assert f"offer {described_sku}" in drift.output and "description" in drift.output
    assert "Plan: 0 to create, 2 to update" in drift.output
    assert backend.stats[READS] == before + 2 + rotated(drift.output)


def test_an_offer_whose_command_failed_is_read_again(
    run: Run, tmp_path: Path, backend: Backend
) -> None:
    backend.update_settings({"processing_delay": 0})
    catalog = write_catalog(tmp_path / "shop", 3)
    assert run("apply", catalog, "--auto-approve").exit_code == 0
    broken = sorted(offer_ids(catalog).values())[0]
    backend.offers.patch(SELLER, broken, {"publication": {"status": "ENDED"}})
    backend.offers.patch(SELLER, broken, {"sellingMode": None})  # now it cannot be activated

    write_catalog(catalog, 3, price=Decimal("31.99"))
    partial = run("apply", catalog, "--auto-approve", "--allow-mass-change")
    assert partial.exit_code == 1, partial.output
    assert "The offer has no price to change." in partial.output
    before = backend.stats[READS]
    planned = run("plan", catalog)
    assert planned.exit_code == 0
    assert backend.stats[READS] == before + 1 + rotated(planned.output)


def more_stock(catalog: Path) -> None:
    for path in (catalog / "offers").glob("*.yaml"):
        path.write_text(re.sub(r"(?m)^(\s+stock: )(\d+)$",
                               lambda m: f"{m[1]}{int(m[2]) + 3}", path.read_text()))


def test_plan_after_a_stock_change_knows_the_stock_it_set(
    run: Run, tmp_path: Path, backend: Backend
) -> None:
    """The quantity commands' results are cached (no buyer bought meanwhile: the feed has
    only their own events), so the plan after reads neither the list nor those offers."""
    catalog = write_catalog(tmp_path / "shop", 20)
    assert run("apply", catalog, "--auto-approve").exit_code == 0
    more_stock(catalog)
    restocked = run("apply", catalog, "--auto-approve", "--allow-mass-change")
    assert restocked.exit_code == 0, restocked.output
    assert "offer-quantity-change-commands" in restocked.output
    before, pages = backend.stats[READS], backend.stats[PAGES]
    quiet = run("plan", catalog, "--detailed-exitcode")
    assert quiet.exit_code == 0, quiet.output
    assert read_in_detail(quiet.output) == rotated(quiet.output) == 1
    assert backend.stats[READS] == before + 1 and backend.stats[PAGES] == pages

    sku, offer_id = sorted(offer_ids(catalog).items())[0]
    backend.offers.patch(SELLER, offer_id, {"stock": {"available": 1}})
    drift = run("plan", catalog, "--detailed-exitcode")
    assert drift.exit_code == 2, drift.output
    assert f"offer {sku}" in drift.output and "stock: 1 →" in drift.output
    assert "Plan: 0 to create, 1 to update" in drift.output
