"""The plan after an apply reads what the apply changed and what the event feed names since,
not the offer list: apply caches what Allegro confirmed, the stocks its quantity commands
left included (apply/ledger.py), and the feed tells of anything else. It still sees another's
edit, a purchase, an offer ended or hidden meanwhile; finding nothing to do, it is remembered,
so the plan after it stands on it (runs/settled.py). The list is still read when a quiet read
cannot vouch for the account (live/quiet.py)."""

from __future__ import annotations

from pathlib import Path

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import (
    Run,
    drop_local_state,
    list_check_due,
    offer_id,
    read_in_detail,
    rotated,
)
from tests.e2e.test_narrowed_plans import NARROWED, assert_as_whole, edit
from tests.e2e.test_settled_plans import SELLER, STANDS, settle
from tests.e2e.test_stock_and_sales import MUG, buy, live

READS, PAGES = "GET /sale/product-offers/{offerId}", "GET /sale/offers"
PRICES = "POST /sale/allegro-prices/offers-queries"
BLACK = "MUG-BLACK-330"  # stock: 25, price 29.99 in the example catalog


def restock_and_reprice(run: Run, catalog_dir: Path) -> None:
    """An apply of a PR: two restocks and a new price, as commands."""
    settle(run, catalog_dir)
    edit(catalog_dir, "offers/mugs.yaml", "stock: 40", "stock: 50")
    edit(catalog_dir, "offers/mugs.yaml", "stock: 25", "stock: 30")
    edit(catalog_dir, "offers/mugs.yaml", "price: 29.99", "price: 27.99")
    applied = run("apply", catalog_dir, "--auto-approve")
    assert applied.exit_code == 0 and "0 failed" in applied.output, applied.output
    assert "stock: 2 done" in applied.output and "prices: 1 done" in applied.output


def quiet_plan(run: Run, catalog_dir: Path, backend: Backend, exit_code: int,
               detail: int = 0) -> str:
    """A plan that reads quietly: the rotating check and `detail` offers more in detail, no
    list page, no Allegro Prices query but for a price it changes."""
    pages, reads = backend.stats[PAGES], backend.stats[READS]
    planned = run("plan", catalog_dir, "--detailed-exitcode")
    assert planned.exit_code == exit_code, planned.output
    assert read_in_detail(planned.output) == rotated(planned.output) + detail, planned.output
    assert backend.stats[READS] - reads == read_in_detail(planned.output)
    assert backend.stats[PAGES] == pages, planned.output
    assert STANDS not in planned.output
    return planned.output


def test_the_plan_after_an_apply_reads_quietly_then_settles(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    restock_and_reprice(run, catalog_dir)
    assert live(backend, catalog_dir, MUG)["stock"]["available"] == 50
    prices = backend.stats[PRICES]
    after = quiet_plan(run, catalog_dir, backend, 0)
    assert "No changes." in after
    assert backend.stats[PRICES] == prices  # no price it would change: no Prices query
    settled = run("plan", catalog_dir, "--detailed-exitcode")
    assert settled.exit_code == 0 and STANDS in settled.output, settled.output
    # a PR edit then plans its file's offers only
    edit(catalog_dir, "offers/mugs.yaml", "stock: 50", "stock: 55")
    narrowed = run("plan", catalog_dir, "--detailed-exitcode")
    assert narrowed.exit_code == 2 and NARROWED in narrowed.output, narrowed.output
    assert "stock: 50 → 55" in narrowed.output


def test_a_pr_edit_right_after_an_apply_is_narrowed_and_read_quietly(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    """The narrowed apply left a memo (runs/chained.py): the next plan plans the touched
    file's offers, read quietly, and is the whole plan."""
    restock_and_reprice(run, catalog_dir)
    edit(catalog_dir, "offers/mugs.yaml", "stock: 50", "stock: 55")
    after = quiet_plan(run, catalog_dir, backend, 2)
    assert NARROWED in after and "stock: 50 → 55" in after
    assert assert_as_whole(run, catalog_dir) == 2


def test_the_plan_after_an_apply_sees_a_colleagues_edit_made_in_between(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    restock_and_reprice(run, catalog_dir)
    backend.offers.patch(SELLER, offer_id(catalog_dir, MUG), {"name": "Edited on Allegro"})
    after = quiet_plan(run, catalog_dir, backend, 2, detail=1)
    assert f"offer {MUG}" in after and "Edited on Allegro" in after
    assert "Plan: 0 to create, 1 to update" in after


def test_the_plan_after_an_apply_sees_a_purchase_of_an_offer_whose_stock_it_set(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    restock_and_reprice(run, catalog_dir)
    buy(backend, catalog_dir, MUG, 3)
    after = quiet_plan(run, catalog_dir, backend, 0, detail=1)
    assert f"note: offer {MUG}: sold 3 since the last apply; left alone" in after
    refreshed = run("plan", catalog_dir, "--refresh", "--detailed-exitcode")
    assert refreshed.exit_code == 0 and "sold 3 since the last apply" in refreshed.output


def test_the_plan_after_an_apply_sees_an_offer_ended_in_between(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    restock_and_reprice(run, catalog_dir)
    backend.offers.patch(SELLER, offer_id(catalog_dir, BLACK), {"publication": {"status": "ENDED"}})
    after = quiet_plan(run, catalog_dir, backend, 2, detail=1)
    assert f"offer {BLACK}" in after and "ended → active" in after


def test_the_plan_after_an_apply_keeps_an_offer_hidden_in_between(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    """R22: a hidden offer is left out of the list, not out of the account: the quiet plan
    and a whole one read of the list agree that nothing changed."""
    restock_and_reprice(run, catalog_dir)
    backend.offers.hide(offer_id(catalog_dir, BLACK))
    assert "No changes." in quiet_plan(run, catalog_dir, backend, 0)
    refreshed = run("plan", catalog_dir, "--refresh", "--detailed-exitcode")
    assert refreshed.exit_code == 0 and "No changes." in refreshed.output, refreshed.output


def test_the_plan_after_an_apply_still_reads_the_list_when_a_quiet_read_cannot_vouch(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    """An offer to create (the account's other offers decide whether it exists), and the
    list check due."""
    restock_and_reprice(run, catalog_dir)
    mugs = catalog_dir / "offers" / "mugs.yaml"
    text = mugs.read_text()
    mugs.write_text(text.replace("  MUG-BLACK-330:", "  MUG-BLACK-331:", 1))
    pages = backend.stats[PAGES]
    created = run("plan", catalog_dir, "--detailed-exitcode")
    assert created.exit_code == 3, created.output  # the old key's product is listed
    assert "Read the offer list (1 page; the catalog has offers to create)." in created.output
    assert backend.stats[PAGES] == pages + 1
    mugs.write_text(text)

    applied = run("apply", catalog_dir, "--auto-approve")  # a restock again, then the check due
    assert applied.exit_code == 0, applied.output
    list_check_due(catalog_dir)
    due = run("plan", catalog_dir, "--detailed-exitcode")
    assert due.exit_code == 0 and "(1 page; list check due)" in due.output, due.output


def test_a_fresh_clone_after_an_apply_reads_the_list_for_the_offers_the_lock_vouches_for(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    """No live cache of its own: what `catalogsync.lock` vouches for is checked on the list."""
    restock_and_reprice(run, catalog_dir)
    for path in (catalog_dir / ".catalogsync").glob("live-local*"):
        path.unlink()
    drop_local_state(catalog_dir)  # the lock stays, as a clone has it
    pages = backend.stats[PAGES]
    fresh = run("plan", catalog_dir, "--detailed-exitcode")
    assert fresh.exit_code == 0, fresh.output
    assert "(1 page; offers taken on catalogsync.lock's word)" in fresh.output
    assert backend.stats[PAGES] == pages + 1


def test_a_duplicate_made_elsewhere_is_read_on_the_list_until_it_is_gone(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    """An offer the feed names carrying a catalog key is a duplicate: the list decides which
    offer is the catalog's, and is read again while duplicates last."""
    restock_and_reprice(run, catalog_dir)
    doc = backend.offers.stored(SELLER, offer_id(catalog_dir, BLACK))
    copy = {k: v for k, v in doc.items() if k in (
        "name", "category", "sellingMode", "stock", "external", "images", "description",
        "delivery", "location", "payments", "parameters", "productSet", "afterSalesServices")}
    made, _ = backend.offers.create(SELLER, copy)
    backend.offers.patch(SELLER, made["id"], {"publication": {"status": "ACTIVE"}})
    seen = run("plan", catalog_dir, "--detailed-exitcode")
    assert "(1 page; an offer the feed names has a catalog key)" in seen.output, seen.output
    again = run("plan", catalog_dir, "--detailed-exitcode")
    assert "(1 page; offers shared an external id at the last list read)" in again.output
