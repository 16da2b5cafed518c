"""Price rules end to end: an empty account gets the catalog's rule and its offers put under
it on allegro.cz by one apply, the next plan has nothing to do, a change of the rule updates
it in place, and bad references are errors at the offer's file and line."""

from __future__ import annotations

from pathlib import Path

import yaml

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run, offer_id

SELLER = "1000001"
RULES = """
price_rules:
  Kurs CZ +5%:
    type: EXCHANGE_RATE
    change_by_percentage: {operation: ADD, value: 5}
"""


def use_rule(catalog: Path, rule: str = "Kurs CZ +5%") -> None:
    """MUG-WHITE-330 leaves its allegro.cz price to the rule."""
    (catalog / "price_rules.yaml").write_text(RULES)
    mugs = catalog / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace(
        "      allegro-cz: 179.00\n      allegro-sk: 7.49\n",
        f"      allegro-cz:\n      allegro-sk: 7.49\n    price_rules: {{allegro-cz: {rule}}}\n"))


def test_an_offer_follows_a_new_rule_on_allegro_cz_and_the_plan_converges(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    use_rule(catalog_dir)
    planned = run("plan", catalog_dir)
    assert planned.exit_code == 0, planned.output
    assert "+ price_rule Kurs CZ +5%" in planned.output
    assert "~ offer_price_rules allegro-cz Kurs CZ +5%" in planned.output
    assert "+ MUG-WHITE-330: (not set) → Kurs CZ +5%" in planned.output
    assert "from the base price 29.99 PLN at Allegro's exchange rate of the day, +5 %" in (
        planned.output)
    assert "via POST /sale/offer-price-automation-commands" in planned.output

    applied = run("apply", catalog_dir, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    (rule,) = [r for r in backend.price_rules.listing(SELLER)["rules"] if not r["default"]]
    assert (rule["name"], rule["type"]) == ("Kurs CZ +5%", "EXCHANGE_RATE")
    doc = backend.offers.get(SELLER, offer_id(catalog_dir, "MUG-WHITE-330"))
    czech = doc["additionalMarketplaces"]["allegro-cz"]["sellingMode"]["price"]
    assert czech == {"amount": "185.23", "currency": "CZK"}  # 29.99 / 0.17 + 5 %
    again = run("plan", catalog_dir, "--detailed-exitcode")
    assert again.exit_code == 0, again.output

    rules = catalog_dir / "price_rules.yaml"
    rules.write_text(rules.read_text().replace("value: 5", "value: 8"))
    changed = run("plan", catalog_dir)
    assert f"~ price_rule Kurs CZ +5% ({rule['id']})" in changed.output
    assert "MUG-WHITE-330" not in changed.output  # it follows the same rule: nothing to do
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0


def test_an_unknown_rule_or_a_marketplace_the_offer_is_not_on_is_an_error(
    run: Run, catalog_dir: Path
) -> None:
    use_rule(catalog_dir, rule="Kurs CZ +50%")
    planned = run("plan", catalog_dir)
    assert planned.exit_code == 1
    assert "offers/mugs.yaml:" in planned.output
    assert ("price rule 'Kurs CZ +50%' is neither in the catalog (price_rules:) nor on "
            "Allegro; did you mean 'Kurs CZ +5%'?") in planned.output

    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace("{allegro-cz: Kurs CZ +50%}",
                                             "{allegro-hu: Price Converter}"))
    planned = run("plan", catalog_dir)
    assert planned.exit_code == 1
    assert "price rule 'Price Converter' on allegro-hu, where the offer is not offered" in (
        planned.output)


def test_import_writes_the_rules_and_each_offers_rule_and_round_trips(
    run: Run, catalog_dir: Path, tmp_path: Path
) -> None:
    use_rule(catalog_dir)
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    adopted = tmp_path / "adopted"

    imported = run("import", adopted)

    assert imported.exit_code == 0, imported.output
    written = yaml.safe_load((adopted / "price_rules.yaml").read_text())["price_rules"]
    assert written == {"Kurs CZ +5%": {"type": "EXCHANGE_RATE", "change_by_percentage": {
        "operation": "ADD", "value": 5.0}}}
    offers = {}
    for path in (adopted / "offers").glob("*.yaml"):
        offers.update(yaml.safe_load(path.read_text())["offers"])
    assert offers["MUG-WHITE-330"]["price_rules"] == {"allegro-cz": "Kurs CZ +5%"}
    assert offers["MUG-WHITE-330"]["marketplaces"]["allegro-cz"] is None
    planned = run("plan", adopted, "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
