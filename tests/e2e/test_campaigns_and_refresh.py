"""R26 end to end, and the incremental refresh through the offer-event feed."""

from __future__ import annotations

from pathlib import Path

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run, offer_id, read_in_detail


def reprice_white_mug(catalog_dir: Path, price: str) -> None:
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace("price: 29.99", f"price: {price}"))


def test_r26_price_of_an_offer_in_a_campaign_is_kept_unless_allowed(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    mug = offer_id(catalog_dir, "MUG-WHITE-330")
    backend.campaigns.enter_campaign(
        mug,
        {"campaign": "BARGAIN", "name": "Strefa okazji", "status": "ACTIVE", "bargain": "24.99"},
    )
    reprice_white_mug(catalog_dir, "27.99")

    kept = run("apply", catalog_dir, "--auto-approve")
    assert kept.exit_code == 0, kept.output
    assert "price stays 29.99 PLN (not 27.99 PLN)" in kept.output
    assert "Strefa okazji" in kept.output
    assert backend.offers.get("1000001", mug)["sellingMode"]["price"]["amount"] == "29.99"

    allowed = run("apply", catalog_dir, "--auto-approve", "--allow-campaign-price-change")
    assert allowed.exit_code == 0, allowed.output
    assert "takes the offer out of campaign Strefa okazji" in allowed.output
    assert backend.offers.get("1000001", mug)["sellingMode"]["price"]["amount"] == "27.99"
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0


def test_second_plan_reads_only_offers_the_event_feed_names(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    assert run("plan", catalog_dir).exit_code == 0  # reads every offer, keeps the cursor
    reads, pages = "GET /sale/product-offers/{offerId}", "GET /sale/offers"
    before, listed = backend.stats[reads], backend.stats[pages]
    quiet = run("plan", catalog_dir, "--detailed-exitcode")
    assert quiet.exit_code == 0, quiet.output
    # nothing changed: only the rotating check's one offer is read, the list is not paged
    assert "event feed: 0 changed" in quiet.output and "rotating check 1/" in quiet.output
    assert backend.stats[reads] == before + read_in_detail(quiet.output) == before + 1
    assert backend.stats[pages] == listed

    # The seller changes one offer on Allegro's website: the feed names it, it is re-read.
    mug = offer_id(catalog_dir, "MUG-BLACK-330")
    backend.offers.patch("1000001", mug, {"stock": {"available": 3}})
    before = backend.stats[reads]
    drift = run("plan", catalog_dir, "--detailed-exitcode")
    assert drift.exit_code == 2, drift.output
    assert "~ stock: 3 → 25" in drift.output
    assert "event feed: 1 changed" in drift.output
    assert backend.stats[reads] == before + read_in_detail(drift.output) <= before + 2
    assert backend.stats[pages] == listed
