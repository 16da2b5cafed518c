"""Price rules with plain values: the catalog's model, Allegro's shapes, the rules' changes
and the offers' per marketplace, with their checks and R26."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from catalogsync.allegro.price_rules_wire import command_body, followed, rule_body
from catalogsync.catalog.loader import load_catalog
from catalogsync.catalog.models import Catalog
from catalogsync.catalog.price_rules import PriceRule, rule_data
from catalogsync.errors import CatalogError
from catalogsync.live.state import LiveOffer, LivePriceRule, LiveState
from catalogsync.plan.cost import estimate
from catalogsync.plan.model import Action, Resource, Severity
from catalogsync.plan.price_rules import plan_rules, plan_uses

PLUS_5 = {"type": "EXCHANGE_RATE", "change_by_percentage": {"operation": "ADD", "value": 5}}


def _catalog(rules: dict[str, Any] | None = None, **offers: dict[str, Any]) -> Catalog:
    return Catalog.model_validate({"price_rules": rules or {"Kurs": PLUS_5}, "offers": offers})


def test_a_rule_takes_one_change_within_allegros_limits() -> None:
    both = {**PLUS_5, "change_by_amount": {"operation": "ADD", "values": {"CZK": 10}}}
    with pytest.raises(ValidationError, match="not both"):
        PriceRule.model_validate(both)
    with pytest.raises(ValidationError, match="less than 100"):
        PriceRule.model_validate({"type": "EXCHANGE_RATE", "change_by_percentage": {
            "operation": "SUBTRACT", "value": 100}})
    with pytest.raises(ValidationError):
        Catalog.model_validate({"price_rules": {"x" * 34: PLUS_5}})  # 33 characters at most
    amounts = PriceRule.model_validate({"type": "FOLLOW_BY_ALLEGRO_MIN_PRICE", "change_by_amount": {
        "operation": "SUBTRACT", "values": {"PLN": "10", "EUR": 2.5}}})
    assert rule_data(amounts) == {"type": "FOLLOW_BY_ALLEGRO_MIN_PRICE", "configuration": {
        "changeByAmount": {"operation": "SUBTRACT", "values": [
            {"amount": "2.50", "currency": "EUR"}, {"amount": "10.00", "currency": "PLN"}]}}}


def test_bodies_and_what_the_offer_list_says_an_offer_follows() -> None:
    data = rule_data(PriceRule.model_validate(PLUS_5))
    assert rule_body("Kurs", data, with_type=True) == {
        "name": "Kurs", "type": "EXCHANGE_RATE",
        "configuration": {"changeByPercentage": {"operation": "ADD", "value": "5"}}}
    assert "type" not in rule_body("Kurs", data, with_type=False)
    listed = {"sellingMode": {"priceAutomation": None}, "additionalMarketplaces": {
        "allegro-cz": {"sellingMode": {"priceAutomation": {"rule": {"id": "r1"}}}},
        "allegro-sk": {"sellingMode": None}}}
    assert followed(listed, "allegro-pl") == {"allegro-cz": "r1"}
    body = command_body("c1", "allegro-cz", "r1", ["7", "8"])
    assert body["modification"] == {"set": [{"marketplace": {"id": "allegro-cz"},
                                             "rule": {"id": "r1"}}]}
    assert body["offerCriteria"][0]["offers"] == [{"id": "7"}, {"id": "8"}]


def test_rules_are_created_updated_in_place_and_defaults_never_changed() -> None:
    (created,), _ = plan_rules(_catalog(), LiveState())
    assert (created.resource, created.action) == (Resource.PRICE_RULE, Action.CREATE)
    assert created.request is not None and created.request.path == "/sale/price-automation/rules"

    old = LivePriceRule(id="r1", name="Kurs", default=False, data={"type": "EXCHANGE_RATE"})
    (updated,), _ = plan_rules(_catalog(), LiveState(price_rules={"Kurs": old}))
    assert updated.action is Action.UPDATE and updated.id == "r1"
    assert updated.request is not None and updated.request.method == "PUT"
    assert "type" not in updated.request.body
    same = LiveState(price_rules={"Kurs": LivePriceRule("r1", "Kurs", False, rule_data(
        PriceRule.model_validate(PLUS_5)))})
    assert plan_rules(_catalog(), same) == ([], [])

    default = LivePriceRule(id="d1", name="Kurs", default=True, data={"type": "EXCHANGE_RATE"})
    changes, notes = plan_rules(_catalog(), LiveState(price_rules={"Kurs": default}))
    assert changes == [] and "cannot be changed" in notes[0].message
    other = LivePriceRule(id="r1", name="Kurs", default=False,
                          data={"type": "FOLLOW_BY_TOP_OFFER_PRICE"})
    _, notes = plan_rules(_catalog(), LiveState(price_rules={"Kurs": other}))
    assert "type cannot change" in notes[0].message


def test_offers_are_grouped_per_marketplace_and_rule_and_checked() -> None:
    catalog = _catalog(
        A={"marketplaces": ["allegro-cz"], "price_rules": {"allegro-cz": "Kurs"}},
        B={"marketplaces": ["allegro-cz"], "price_rules": {"allegro-cz": "Kurs"}},
        C={"price_rules": {"allegro-hu": "Kurs"}},  # not offered there
        D={"marketplaces": {"allegro-cz": 99}, "price_rules": {"allegro-cz": "Kurs"}},
        E={"price_rules": {"allegro-pl": "Kurs"}},  # converts the base price: not on the base
        F={"marketplaces": ["allegro-cz"], "price_rules": {"allegro-cz": "Kursy"}},
    )
    live = LiveState(offers={"B": LiveOffer(id="2", status="ACTIVE", fields={"price": "9.99 PLN"})})
    (change,), notes = plan_uses(catalog, live, False)
    assert change.resource is Resource.OFFER_PRICE_RULES and change.key == "allegro-cz Kurs"
    assert change.payload == {"marketplace": "allegro-cz", "rule": "Kurs",
                              "offers": {"A": None, "B": "2"}}
    assert [d.field for d in change.diffs] == ["A", "B"]
    assert change.diffs[1].source == ("the base price 9.99 PLN at Allegro's exchange rate of "
                                      "the day, +5 %")
    messages = {n.subject: n.message for n in notes}
    assert "where the offer is not offered" in messages["offer C"]
    assert "leave the marketplace without a price" in messages["offer D"]
    assert "cannot set it on allegro-pl" in messages["offer E"]
    assert "did you mean 'Kurs'?" in messages["offer F"]
    assert all(n.severity is Severity.ERROR for n in notes)


def test_r26_an_offer_in_allegro_prices_there_stays_off_the_rule_unless_allowed() -> None:
    catalog = _catalog(A={"marketplaces": ["allegro-cz"], "price_rules": {"allegro-cz": "Kurs"}})
    live = LiveState(offers={"A": LiveOffer(id="1", status="ACTIVE", fields={})},
                     marketplace_campaigns={"1": {"allegro-cz": ("Allegro Prices",)}})
    changes, notes = plan_uses(catalog, live, False)
    assert changes == [] and notes[0].rule == "R26"
    changes, _ = plan_uses(catalog, live, True)
    assert len(changes) == 1
    followed_now = LiveState(offers=live.offers, followed_rules={"A": {"allegro-cz": "Kurs"}})
    assert plan_uses(catalog, followed_now, False) == ([], [])


def test_rule_names_yaml_would_read_as_booleans_or_times_stay_text(tmp_path: Path) -> None:
    (tmp_path / "catalogsync.yaml").write_text("environment: local\n")
    (tmp_path / "rules.yaml").write_text(
        "price_rules:\n  on:\n    type: EXCHANGE_RATE\n  12:30:\n    type: EXCHANGE_RATE\n"
        "    change_by_amount: {operation: ADD, values: {CZK: 10}}\n"
        "offers:\n  A:\n    price_rules: {allegro-cz: 12:30, allegro-sk: on}\n")
    catalog = load_catalog(tmp_path)
    assert list(catalog.price_rules) == ["on", "12:30"]
    assert catalog.offers["A"].price_rules == {"allegro-cz": "12:30", "allegro-sk": "on"}
    (tmp_path / "rules.yaml").write_text("price_rules:\n  Kurs:\n    type: CONVERTER\n")
    with pytest.raises(CatalogError) as error:
        load_catalog(tmp_path)
    assert "rules.yaml:3:" in str(error.value.problems[0])


def test_the_estimate_counts_a_command_and_its_report_per_1000_offers() -> None:
    catalog = _catalog(**{f"S{i}": {"marketplaces": ["allegro-cz"],
                                    "price_rules": {"allegro-cz": "Kurs"}} for i in range(1001)})
    rule = LivePriceRule(id="r1", name="Kurs", default=False,
                         data=rule_data(PriceRule.model_validate(PLUS_5)))
    (change,), _ = plan_uses(catalog, LiveState(price_rules={"Kurs": rule}), False)
    assert estimate([change])[0] == 4  # two commands, each POSTed and its report read once
