"""Price automation: the default rules every seller has, a seller's own rules (name limit,
uniqueness, configuration), default rules that cannot change, another seller's rules, and
offers put under a rule per marketplace by command, seen in the offer list and its filter and
in `/sale/price-automation/offers/{offerId}/rules`."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from catalogsync.emulator import seed
from catalogsync.emulator.backend import Backend
from tests.emulator.support import Seller, make_offer, make_table, user_token
from tests.emulator.test_marketplaces import abroad, czech_table

pytestmark = pytest.mark.anyio
RULES = "/sale/price-automation/rules"
COMMANDS = "/sale/offer-price-automation-commands"


@pytest.fixture(autouse=True)
async def _unpaced(http: httpx.AsyncClient) -> None:
    """These tests send rule requests back to back; the 5 a second limit is test_limits.py's."""
    answer = await http.post("/_emulator/settings", json={"automation_rps": 1000})
    assert answer.status_code == 200, answer.text


async def _rule(seller: Seller, **body: Any) -> dict[str, Any]:
    response = await seller.call("POST", RULES, {"name": "Kurs EUR", "type": "EXCHANGE_RATE",
                                                 **body})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _command(seller: Seller, offer_id: str, modification: dict[str, Any]
                   ) -> list[dict[str, Any]]:
    body = {"modification": modification,
            "offerCriteria": [{"type": "CONTAINS_OFFERS", "offers": [{"id": offer_id}]}]}
    response = await seller.call("POST", COMMANDS, body)
    assert response.status_code == 201, response.text
    command_id = response.json()["id"]
    tasks = await seller.get(f"{COMMANDS}/{command_id}/tasks")
    return list(tasks.json()["tasks"])


async def test_every_seller_has_the_default_rules_which_cannot_change(seller: Seller) -> None:
    rules = (await seller.get(RULES)).json()["rules"]
    assert sorted(r["type"] for r in rules) == ["EXCHANGE_RATE", "FOLLOW_BY_ALLEGRO_MIN_PRICE",
                                                "FOLLOW_BY_MARKET_MIN_PRICE",
                                                "FOLLOW_BY_TOP_OFFER_PRICE"]
    assert all(r["default"] for r in rules)
    converter = next(r for r in rules if r["type"] == "EXCHANGE_RATE")
    changed = await seller.call("PUT", f"{RULES}/{converter['id']}", {"name": "Mój"})
    assert changed.status_code == 403
    assert (await seller.call("DELETE", f"{RULES}/{converter['id']}")).status_code == 403


async def test_own_rules_are_named_uniquely_and_configured_once(seller: Seller) -> None:
    made = await _rule(seller, configuration={"changeByPercentage": {"operation": "ADD",
                                                                     "value": "5"}})
    assert made["default"] is False and len(made["id"]) == 24
    again = await seller.call("POST", RULES, {"name": "Kurs EUR", "type": "EXCHANGE_RATE"})
    assert again.status_code == 409
    too_long = await seller.call("POST", RULES, {"name": "x" * 34, "type": "EXCHANGE_RATE"})
    assert too_long.status_code == 400
    both = await seller.call("POST", RULES, {"name": "Oba", "type": "EXCHANGE_RATE",
                                             "configuration": {
                                                 "changeByPercentage": {"operation": "ADD",
                                                                        "value": "5"},
                                                 "changeByAmount": {"operation": "ADD",
                                                                    "values": []}}})
    assert both.status_code == 400, both.text
    plus_two = {"changeByAmount": {"operation": "ADD",
                                   "values": [{"amount": "2.00", "currency": "EUR"}]}}
    put = await seller.call("PUT", f"{RULES}/{made['id']}",
                            {"name": "Kurs EUR +2", "configuration": plus_two})
    assert put.status_code == 200, put.text
    got = (await seller.get(f"{RULES}/{made['id']}")).json()
    assert (got["name"], got["type"]) == ("Kurs EUR +2", "EXCHANGE_RATE")
    assert got["configuration"]["changeByAmount"]["values"] == [
        {"amount": "2.00", "currency": "EUR"}]


async def test_another_sellers_rule_is_not_found(
    seller: Seller, http: httpx.AsyncClient, backend: Backend
) -> None:
    made = await _rule(seller)
    other = Seller(http, user_token(backend, seed.OTHER_SELLER_ID))
    assert (await other.get(f"{RULES}/{made['id']}")).status_code == 404
    assert (await other.call("PUT", f"{RULES}/{made['id']}", {"name": "x"})).status_code == 404


async def test_an_offer_under_the_exchange_rate_rule_is_priced_from_its_base_price(
    seller: Seller, backend: Backend
) -> None:
    await czech_table(seller)
    offer = await make_offer(seller, delivery={"handlingTime": "PT24H",
                                               "shippingRates": {"name": "Zagranica"}},
                             **abroad("allegro-cz"))
    rule = await _rule(seller, configuration={"changeByPercentage": {"operation": "ADD",
                                                                     "value": "10"}})
    (task,) = await _command(seller, offer["id"], {"set": [
        {"marketplace": {"id": "allegro-cz"}, "rule": {"id": rule["id"]}}]})
    assert task["status"] == "SUCCESS", task

    listed = (await seller.get("/sale/offers", **{
        "sellingMode.priceAutomation.rule.id": rule["id"],
        "publication.marketplace": "allegro-cz"})).json()["offers"]
    assert [o["id"] for o in listed] == [offer["id"]]
    czech = listed[0]["additionalMarketplaces"]["allegro-cz"]["sellingMode"]
    assert czech["priceAutomation"] == {"rule": {"id": rule["id"]}}
    # 29.99 PLN at the emulator's 0.17 PLN per CZK, plus 10 %
    assert czech["price"] == {"amount": "194.05", "currency": "CZK"}
    assignments = (await seller.get(f"/sale/price-automation/offers/{offer['id']}/rules")).json()
    assert [(r["marketplace"]["id"], r["rule"]["id"]) for r in assignments["rules"]] == [
        ("allegro-cz", rule["id"])]
    none = (await seller.get("/sale/offers", **{
        "sellingMode.priceAutomation.rule.id.empty": "true"})).json()["offers"]
    assert offer["id"] not in [o["id"] for o in none]

    (removed,) = await _command(seller, offer["id"], {"remove": [
        {"marketplace": {"id": "allegro-cz"}}]})
    assert removed["status"] == "SUCCESS"
    after = (await seller.get(f"/sale/price-automation/offers/{offer['id']}/rules")).json()
    assert after["rules"] == []


async def test_a_rule_on_a_marketplace_the_offer_is_not_on_or_unknown_fails_its_task(
    seller: Seller,
) -> None:
    await make_table(seller)
    offer = await make_offer(seller)
    rules = (await seller.get(RULES)).json()["rules"]
    converter = next(r for r in rules if r["type"] == "EXCHANGE_RATE")
    (task,) = await _command(seller, offer["id"], {"set": [
        {"marketplace": {"id": "allegro-cz"}, "rule": {"id": converter["id"]}}]})
    assert task["status"] == "FAIL" and "not listed on allegro-cz" in task["message"]
    (base,) = await _command(seller, offer["id"], {"set": [
        {"marketplace": {"id": "allegro-pl"}, "rule": {"id": converter["id"]}}]})
    assert base["status"] == "FAIL" and "base marketplace" in base["message"]
    (unknown,) = await _command(seller, offer["id"], {"set": [
        {"marketplace": {"id": "allegro-pl"}, "rule": {"id": "f" * 24}}]})
    assert unknown["status"] == "FAIL" and "not found" in unknown["message"]
