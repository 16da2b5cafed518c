"""Offer tax settings end to end: set from `defaults` and per offer, checked against the rates
`GET /sale/tax-settings` lists, sent in the offer body, drift compared, imported back."""

from __future__ import annotations

from pathlib import Path

import yaml

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run, offer_id

SELLER = "1000001"


def with_tax(catalog_dir: Path, white: str = "PL: 8, CZ: '21.0'") -> None:
    settings = catalog_dir / "catalogsync.yaml"
    settings.write_text(settings.read_text().replace(
        "  invoice: VAT\n", "  invoice: VAT\n  tax: {rates: {PL: 23}, subject: GOODS}\n"))
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace(
        "    marketplaces:                 #",
        f"    tax: {{rates: {{{white}}}}}\n    marketplaces:                 #", 1))


def test_tax_stands_up_updates_in_place_and_imports_back(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path
) -> None:
    with_tax(catalog_dir)
    applied = run("apply", catalog_dir, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    white = backend.offers.get(SELLER, offer_id(catalog_dir, "MUG-WHITE-330"))
    assert white["taxSettings"] == {"rates": [{"rate": "21.00", "countryCode": "CZ"},
                                              {"rate": "8.00", "countryCode": "PL"}]}
    black = backend.offers.get(SELLER, offer_id(catalog_dir, "MUG-BLACK-330"))
    assert black["taxSettings"] == {"rates": [{"rate": "23.00", "countryCode": "PL"}],
                                    "subject": "GOODS"}
    quiet = run("plan", catalog_dir, "--detailed-exitcode")
    assert quiet.exit_code == 0, quiet.output

    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace("{PL: 8, CZ: '21.0'}", "{PL: 5}"))
    changed = run("plan", catalog_dir, "--detailed-exitcode")
    assert changed.exit_code == 2, changed.output
    assert "tax" in changed.output and "5.00" in changed.output
    before = backend.stats["PATCH /sale/product-offers/{offerId}"]
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    assert backend.stats["PATCH /sale/product-offers/{offerId}"] == before + 1
    white = backend.offers.get(SELLER, offer_id(catalog_dir, "MUG-WHITE-330"))
    assert white["taxSettings"]["rates"] == [{"rate": "5.00", "countryCode": "PL"}]
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0

    adopted = tmp_path / "adopted"
    imported = run("import", adopted)
    assert imported.exit_code == 0, imported.output
    settings = yaml.safe_load((adopted / "catalogsync.yaml").read_text())
    offers = {}
    for path in (adopted / "offers").glob("*.yaml"):
        offers.update(yaml.safe_load(path.read_text())["offers"])
    assert offers["MUG-WHITE-330"]["tax"] == {"rates": {"PL": "5.00"}}
    assert "tax" in settings["defaults"] or offers["MUG-BLACK-330"]["tax"]["subject"] == "GOODS"
    again = run("plan", adopted, "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_a_rate_the_category_does_not_list_is_a_plan_error_at_its_line(
    run: Run, catalog_dir: Path
) -> None:
    with_tax(catalog_dir, white="PL: 7")
    planned = run("plan", catalog_dir)
    assert planned.exit_code != 0
    assert "offers/mugs.yaml:" in planned.output
    assert "tax: rate 7.00 is not allowed for PL in category" in planned.output
    assert "allowed: 23.00, 8.00, 5.00, 0.00, EXEMPT" in planned.output


def test_a_tax_rate_that_is_no_number_is_a_load_error_at_its_line(
    run: Run, catalog_dir: Path
) -> None:
    with_tax(catalog_dir, white="PL: 'twenty'")
    planned = run("plan", catalog_dir)
    assert planned.exit_code != 0
    assert "offers/mugs.yaml:" in planned.output and "not a tax rate" in planned.output
