"""`POST /sale/offer-bulk-modification-commands` (beta): each offer its own prices per
marketplace and stock, up to 25 modifications a command; its report and its tasks by offer and
field; failures per task; the effects of the price and quantity commands (events, R26)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from catalogsync.emulator.backend import Backend
from tests.emulator.support import MEDIA_TYPE, Seller, first_error, make_offer, make_table
from tests.emulator.test_campaigns import badges, into_campaign
from tests.emulator.test_marketplaces import abroad, czech_table

pytestmark = pytest.mark.anyio
PATH = "/sale/offer-bulk-modification-commands"
BETA = "application/vnd.allegro.beta.v1+json"


async def post(seller: Seller, body: Any, media: str = BETA) -> httpx.Response:
    headers = {"Accept": media, "Authorization": f"Bearer {seller.token}",
               "Content-Type": media}
    return await seller.http.post(PATH, headers=headers, content=json.dumps(body))


def pln(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "PLN"}


async def bulk(seller: Seller, *modifications: dict[str, Any]) -> tuple[str, list[Any]]:
    """Post a command; its id and its tasks once settled."""
    uid = str(uuid.uuid4())
    response = await post(seller, {"commandId": uid, "modifications": list(modifications)})
    assert response.status_code == 201, response.text
    assert response.headers["content-type"].startswith(BETA)
    assert response.json()["taskCount"] == {"total": 0, "success": 0, "failed": 0}  # R15
    tasks = (await seller.get(f"{PATH}/{uid}/tasks")).json()["tasks"]
    return uid, tasks


async def offer(seller: Seller, **changes: Any) -> str:
    return str((await make_offer(seller, **changes))["id"])


async def live(seller: Seller, offer_id: str) -> dict[str, Any]:
    return dict((await seller.get(f"/sale/product-offers/{offer_id}")).json())


async def test_each_offer_gets_its_own_price_and_stock_in_one_command(seller: Seller) -> None:
    await make_table(seller)
    first, second = await offer(seller), await offer(seller)
    uid, tasks = await bulk(
        seller,
        {"offerId": first, "prices": {"allegro-pl": {"changeType": "FIXED",
                                                     "value": pln("31.49")}}},
        {"offerId": first, "stock": {"changeType": "GAIN", "value": 5}},
        {"offerId": second, "prices": {"allegro-pl": {"changeType": "GAIN",
                                                      "value": pln("-2.00")}}},
        {"offerId": second, "stock": {"changeType": "FIXED", "value": 3}},
    )
    assert [(t["subject"], t["status"]) for t in tasks] == [
        ({"offerId": first, "field": "prices"}, "SUCCESS"),
        ({"offerId": first, "field": "stock"}, "SUCCESS"),
        ({"offerId": second, "field": "prices"}, "SUCCESS"),
        ({"offerId": second, "field": "stock"}, "SUCCESS")]
    one, two = await live(seller, first), await live(seller, second)
    assert (one["sellingMode"]["price"]["amount"], one["stock"]["available"]) == ("31.49", 15)
    assert (two["sellingMode"]["price"]["amount"], two["stock"]["available"]) == ("27.99", 3)
    report = (await seller.get(f"{PATH}/{uid}")).json()
    assert report["taskCount"] == {"total": 4, "success": 4, "failed": 0}
    assert report["completedAt"] is not None


async def test_percentage_and_prices_on_several_marketplaces(seller: Seller) -> None:
    await czech_table(seller)
    czech = abroad("allegro-cz", allegro_cz="179.00")
    offer_id = await offer(seller, delivery={"handlingTime": "PT24H",
                                             "shippingRates": {"name": "Zagranica"}}, **czech)
    _, [task] = await bulk(seller, {"offerId": offer_id, "prices": {
        "allegro-pl": {"changeType": "PERCENTAGE", "percentage": "-10%"},
        "allegro-cz": {"changeType": "GAIN", "value": {"amount": "10", "currency": "CZK"}}}})
    assert task["status"] == "SUCCESS", task
    doc = await live(seller, offer_id)
    assert doc["sellingMode"]["price"]["amount"] == "26.99"
    assert doc["additionalMarketplaces"]["allegro-cz"]["sellingMode"]["price"]["amount"] == (
        "189.00")


async def test_per_offer_failures_are_tasks_and_leave_the_offer_as_it_was(
    seller: Seller,
) -> None:
    await make_table(seller)
    active = await offer(seller, publication={"status": "ACTIVE"})
    _, tasks = await bulk(
        seller,
        {"offerId": active, "prices": {
            "allegro-pl": {"changeType": "FIXED", "value": pln("19.99")},
            "allegro-cz": {"changeType": "FIXED", "value": {"amount": "99", "currency": "CZK"}}}},
        {"offerId": active, "stock": {"changeType": "GAIN", "value": -10}},
        {"offerId": "17799999999", "stock": {"changeType": "FIXED", "value": 1}},
    )
    assert [t["status"] for t in tasks] == ["FAIL", "FAIL", "FAIL"]
    assert tasks[0]["message"] == "The offer is not listed on allegro-cz."
    assert "active offer cannot be lower than 1" in tasks[1]["message"]
    assert tasks[1]["errors"][0]["code"] == "VALIDATION_ERROR"
    assert tasks[2]["message"] == "The offer does not exist."
    doc = await live(seller, active)
    assert (doc["sellingMode"]["price"]["amount"], doc["stock"]["available"]) == ("29.99", 10)


async def test_limits_of_the_body(seller: Seller) -> None:
    await make_table(seller)
    offer_id = await offer(seller)
    stock = {"changeType": "FIXED", "value": 2}
    too_many = [{"offerId": str(17700000000 + i), "stock": stock} for i in range(26)]
    refused = await post(seller, {"commandId": str(uuid.uuid4()), "modifications": too_many})
    assert refused.status_code == 422
    assert first_error(refused)["path"] == "modifications"
    twice = [{"offerId": offer_id, "stock": stock}, {"offerId": offer_id, "stock": stock}]
    refused = await post(seller, {"commandId": str(uuid.uuid4()), "modifications": twice})
    assert refused.status_code == 422
    assert "Multiple modifications of the same type" in first_error(refused)["message"]
    refused = await post(seller, {"commandId": "not-a-uuid", "modifications": twice[:1]})
    assert refused.status_code in (400, 422)
    public = await post(seller, {"commandId": str(uuid.uuid4()), "modifications": twice[:1]},
                        media=MEDIA_TYPE)
    assert public.status_code == 406  # a beta resource


async def test_a_used_command_id_is_409(seller: Seller) -> None:
    await make_table(seller)
    offer_id = await offer(seller)
    body = {"commandId": str(uuid.uuid4()),
            "modifications": [{"offerId": offer_id, "stock": {"changeType": "GAIN", "value": 1}}]}
    assert (await post(seller, body)).status_code == 201
    again = await post(seller, body)
    assert (again.status_code, first_error(again)["message"]) == (409,
                                                                 "Command id was already used")
    assert (await live(seller, offer_id))["stock"]["available"] == 11  # once


async def test_offer_changes_a_minute_and_an_hour_are_limited_per_user(
    seller: Seller, backend: Backend
) -> None:
    await make_table(seller)
    offer_id = await offer(seller)
    backend.settings.command_changes_per_minute = 2
    changes = [{"offerId": offer_id, "stock": {"changeType": "GAIN", "value": 1}},
               {"offerId": offer_id, "prices": {"allegro-pl": {"changeType": "GAIN",
                                                                "value": pln("1.00")}}}]
    assert (await post(seller, {"commandId": str(uuid.uuid4()),
                                "modifications": changes})).status_code == 201
    throttled = await post(seller, {"commandId": str(uuid.uuid4()), "modifications": changes[:1]})
    assert throttled.status_code == 429
    assert first_error(throttled)["code"] == "TooManyRequestsException"
    backend.limiter.reset()
    backend.settings.command_changes_per_minute = 9000
    backend.settings.price_changes_per_hour = 1  # 150 000 an hour, as for price commands
    assert (await post(seller, {"commandId": str(uuid.uuid4()),
                                "modifications": changes[:1]})).status_code == 201
    assert (await post(seller, {"commandId": str(uuid.uuid4()),
                                "modifications": changes[:1]})).status_code == 429


async def test_r26_a_bulk_price_change_takes_the_offer_out_of_its_campaign(
    seller: Seller, http: httpx.AsyncClient
) -> None:
    await make_table(seller)
    offer_id = await offer(seller, publication={"status": "ACTIVE"})
    await into_campaign(http, offer_id, campaign="BARGAIN")
    await bulk(seller, {"offerId": offer_id, "stock": {"changeType": "GAIN", "value": 1}})
    [badge] = (await badges(seller)).json()["badges"]
    assert badge["process"]["status"] == "ACTIVE"  # stock alone keeps it in
    await bulk(seller, {"offerId": offer_id, "prices": {
        "allegro-pl": {"changeType": "FIXED", "value": pln("25.00")}}})
    [badge] = (await badges(seller)).json()["badges"]
    assert badge["process"]["status"] == "FINISHED"
    events = (await seller.get("/sale/offer-events")).json()["offerEvents"]
    assert [e["type"] for e in events][-2:] == ["OFFER_STOCK_CHANGED", "OFFER_PRICE_CHANGED"]
