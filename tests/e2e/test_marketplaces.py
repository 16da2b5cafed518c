"""Additional marketplaces end to end: the example's white mug on allegro.cz and .sk."""

from __future__ import annotations

from pathlib import Path

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run, offer_id

PRICE_PUTS = "PUT /sale/offer-price-change-commands/{commandId}"


def reprice_on_cz(catalog_dir: Path, price: str) -> None:
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace("allegro-cz: 179.00", f"allegro-cz: {price}"))


def test_offered_abroad_and_repriced_there_by_command(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    mug = offer_id(catalog_dir, "MUG-WHITE-330")
    abroad = backend.offers.get("1000001", mug)["additionalMarketplaces"]
    assert abroad["allegro-cz"]["sellingMode"]["price"] == {"amount": "179.00", "currency": "CZK"}
    quiet = run("plan", catalog_dir, "--detailed-exitcode")
    assert quiet.exit_code == 0, quiet.output
    assert "note: allegro-cz: 1 offer approved there" in quiet.output
    assert "note: allegro-sk: 1 offer approved there" in quiet.output

    reprice_on_cz(catalog_dir, "189.00")
    before = backend.stats[PRICE_PUTS]
    applied = run("apply", catalog_dir, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "offer-price-change-commands (marketplace, price): 1 done" in applied.output
    assert backend.stats[PRICE_PUTS] == before + 1
    abroad = backend.offers.get("1000001", mug)["additionalMarketplaces"]
    assert abroad["allegro-cz"]["sellingMode"]["price"]["amount"] == "189.00"
    assert backend.offers.get("1000001", mug)["sellingMode"]["price"]["amount"] == "29.99"
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0


def test_r26_allegro_prices_on_cz_keeps_the_price_there(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    mug = offer_id(catalog_dir, "MUG-WHITE-330")
    backend.campaigns.enter_allegro_prices(mug, {"marketplace": "allegro-cz"})
    reprice_on_cz(catalog_dir, "150.00")
    planned = run("plan", catalog_dir, "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    assert "price on allegro-cz stays 179.00 CZK (not 150.00 CZK)" in planned.output
    forced = run("apply", catalog_dir, "--auto-approve", "--allow-campaign-price-change")
    assert forced.exit_code == 0, forced.output
    abroad = backend.offers.get("1000001", mug)["additionalMarketplaces"]
    assert abroad["allegro-cz"]["sellingMode"]["price"]["amount"] == "150.00"


def test_a_refusal_is_shown_with_allegros_reason(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace("      allegro-sk: 7.49\n",
                                             "      allegro-sk: 7.49\n      allegro-hu: 2000\n"))
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    planned = run("plan", catalog_dir)
    assert ("allegro-hu refused: VQR003_DELIVERY_TO_OPERATIONAL_COUNTRY_NOT_AVAILABLE: missing "
            "delivery option on the additional market") in planned.output
