"""`--target OFFER` brings the shipping-rate table the offer uses along, as it brings its GPSR
producer: an offer cannot be listed with a table that does not exist yet."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import Run


def test_a_targeted_offer_plans_the_new_table_it_uses(run: Run, catalog_dir: Path) -> None:
    shipping = catalog_dir / "shipping.yaml"
    shipping.write_text(shipping.read_text() + (
        "  Mały gabaryt:\n    rates:\n      - delivery_method: Allegro Kurier DPD\n"
        "        first_item: 19.00\n        max_quantity_per_package: 2\n"))
    laptops = catalog_dir / "offers" / "laptops.yaml"
    laptops.write_text(laptops.read_text().replace("shipping_rates: Gabaryt",
                                                   "shipping_rates: Mały gabaryt", 1))
    offer = "LAPTOP-X14-512"
    assert f"{offer}:" in laptops.read_text().split("Mały gabaryt")[0]

    planned = run("plan", catalog_dir, "--target", offer)

    assert planned.exit_code == 0, planned.output
    assert "neither in the catalog nor on Allegro" not in planned.output
    assert "+ shipping_rates Mały gabaryt" in planned.output
    assert "+ shipping_rates Standard" not in planned.output  # only what the offer uses
    applied = run("apply", catalog_dir, "--target", offer, "--auto-approve")
    assert applied.exit_code == 0, applied.output
