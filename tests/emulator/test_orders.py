"""The emulator sells: purchases through steering, `GET /order/events` and
`GET /order/checkout-forms/{id}` with the FAQ's order facts, and what a sale does to the offer."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from catalogsync.emulator.backend import Backend
from tests.emulator.support import Seller, make_offer, make_table

pytestmark = pytest.mark.anyio


async def active_offer(seller: Seller, stock: int = 10) -> str:
    await make_table(seller)
    offer = await make_offer(
        seller, publication={"status": "ACTIVE"}, stock={"available": stock, "unit": "UNIT"}
    )
    return str(offer["id"])


async def buy(http: httpx.AsyncClient, offer_id: str, **body: Any) -> httpx.Response:
    return await http.post(f"/_emulator/offers/{offer_id}/purchase", json=body)


async def order_events(seller: Seller, **params: Any) -> list[dict[str, Any]]:
    response = await seller.get("/order/events", **params)
    assert response.status_code == 200, response.text
    return list(response.json()["events"])


async def offer_doc(seller: Seller, offer_id: str) -> dict[str, Any]:
    return dict((await seller.get(f"/sale/product-offers/{offer_id}")).json())


async def test_a_purchase_lowers_stock_counts_it_sold_and_makes_an_order(
    http: httpx.AsyncClient, seller: Seller
) -> None:
    offer_id = await active_offer(seller)
    bought = await buy(http, offer_id, quantity=3, buyer="kupujacy-1")
    assert bought.status_code == 200, bought.text
    form = bought.json()

    assert (await offer_doc(seller, offer_id))["stock"]["available"] == 7
    [listed] = (await seller.get("/sale/offers", **{"offer.id": offer_id})).json()["offers"]
    assert listed["stock"] == {"available": 7, "sold": 3}

    events = await order_events(seller)
    assert [e["type"] for e in events] == ["BOUGHT", "FILLED_IN", "READY_FOR_PROCESSING"]
    [line] = {e["order"]["lineItems"][0]["id"]: e for e in events}
    assert events[0]["order"]["lineItems"][0]["offer"] == {
        "id": offer_id,
        "name": "Kubek ceramiczny biały 330 ml",
        "external": {"id": "MUG-WHITE-330"},
    }
    assert events[0]["order"]["lineItems"][0]["quantity"] == 3
    assert line == form["lineItems"][0]["id"]
    assert events[-1]["order"]["buyer"]["login"] == "kupujacy-1"

    read = await seller.get(f"/order/checkout-forms/{form['id']}")
    assert read.status_code == 200, read.text
    assert read.json()["status"] == "READY_FOR_PROCESSING"
    assert read.json()["revision"] == events[-1]["order"]["checkoutForm"]["revision"]
    assert read.json()["summary"]["totalToPay"] == {"amount": "89.97", "currency": "PLN"}


async def test_offer_events_follow_a_purchase_and_the_offer_ends_with_empty_stock(
    http: httpx.AsyncClient, seller: Seller
) -> None:
    offer_id = await active_offer(seller, stock=2)
    await buy(http, offer_id, quantity=2)

    doc = await offer_doc(seller, offer_id)
    assert doc["stock"]["available"] == 0
    assert doc["publication"]["status"] == "ENDED"
    assert doc["publication"]["endedBy"] == "EMPTY_STOCK"
    offer_events = (await seller.get("/sale/offer-events")).json()["offerEvents"]
    assert [e["type"] for e in offer_events] == [
        "OFFER_ACTIVATED",
        "OFFER_STOCK_CHANGED",
        "OFFER_ENDED",
    ]
    assert offer_events[-1]["offer"]["publication"] == {"endedBy": "EMPTY_STOCK"}

    refused = await buy(http, offer_id, quantity=1)
    assert refused.status_code == 400
    assert "only an active offer sells" in refused.json()["error"]


async def test_more_than_the_stock_cannot_be_bought(
    http: httpx.AsyncClient, seller: Seller
) -> None:
    offer_id = await active_offer(seller, stock=2)
    refused = await buy(http, offer_id, quantity=3)
    assert refused.status_code == 400
    assert "only 2 in stock" in refused.json()["error"]
    assert (await offer_doc(seller, offer_id))["stock"]["available"] == 2
    assert await order_events(seller) == []


async def test_one_event_per_order_duplicates_and_any_order_of_arrival(
    http: httpx.AsyncClient, seller: Seller
) -> None:
    """FAQ: one READY_FOR_PROCESSING alone is normal; a type may come twice; FILLED_IN may
    come before BOUGHT. The checkout form's id tells the orders apart."""
    offer_id = await active_offer(seller)
    only = (await buy(http, offer_id, events=["READY_FOR_PROCESSING"])).json()
    twice = (await buy(http, offer_id, events=["FILLED_IN", "BOUGHT", "FILLED_IN"])).json()

    events = await order_events(seller)
    assert [(e["type"], e["order"]["checkoutForm"]["id"]) for e in events] == [
        ("READY_FOR_PROCESSING", only["id"]),
        ("FILLED_IN", twice["id"]),
        ("BOUGHT", twice["id"]),
        ("FILLED_IN", twice["id"]),
    ]
    revisions = [e["order"]["checkoutForm"]["revision"] for e in events[1:]]
    assert len(set(revisions)) == 3  # every event about the form is a new revision
    form = (await seller.get(f"/order/checkout-forms/{twice['id']}")).json()
    assert form["status"] == "FILLED_IN"  # the furthest its events reached
    assert "payment" not in form


async def test_merged_purchases_replace_their_checkout_forms(
    http: httpx.AsyncClient, seller: Seller
) -> None:
    """FAQ: separate purchases paid together get a new checkout form; the old ones are gone
    (404) and the purchase act is recognised by its `lineItem.id`."""
    offer_id = await active_offer(seller)
    first = (await buy(http, offer_id, buyer="b1", events=["BOUGHT"])).json()
    merged = (await buy(http, offer_id, quantity=2, buyer="b1", pay_together=True,
                        events=["READY_FOR_PROCESSING"])).json()

    gone = await seller.get(f"/order/checkout-forms/{first['id']}")
    assert gone.status_code == 404
    form = (await seller.get(f"/order/checkout-forms/{merged['id']}")).json()
    assert form["lineItems"][0]["id"] == first["lineItems"][0]["id"]
    assert [i["quantity"] for i in form["lineItems"]] == [1, 2]
    assert (await offer_doc(seller, offer_id))["stock"]["available"] == 7


async def test_order_events_page_from_an_event_and_filter_by_type(
    http: httpx.AsyncClient, seller: Seller
) -> None:
    offer_id = await active_offer(seller)
    await buy(http, offer_id)
    first, *rest = await order_events(seller)
    assert await order_events(seller, **{"from": first["id"]}) == rest
    paid = await order_events(seller, type="READY_FOR_PROCESSING")
    assert [e["type"] for e in paid] == ["READY_FOR_PROCESSING"]
    assert len(await order_events(seller, limit=1)) == 1
    assert (await seller.get("/order/events", limit=0)).status_code == 422


async def test_checkout_forms_of_others_and_malformed_ids_are_not_found(
    http: httpx.AsyncClient, seller: Seller
) -> None:
    assert (await seller.get(f"/order/checkout-forms/{uuid.uuid4()}")).status_code == 404
    assert (await seller.get("/order/checkout-forms/not-a-uuid")).status_code == 422


async def test_purchase_on_command_buys_as_a_batch_command_is_registered(
    http: httpx.AsyncClient, seller: Seller, backend: Backend
) -> None:
    offer_id = await active_offer(seller, stock=10)
    backend.update_settings({"purchase_on_command": 2})
    command = {
        "modification": {"changeType": "GAIN", "value": 5},
        "offerCriteria": [{"type": "CONTAINS_OFFERS", "offers": [{"id": offer_id}]}],
    }
    put = await seller.call(
        "PUT", f"/sale/offer-quantity-change-commands/{uuid.uuid4()}", command
    )
    assert put.status_code == 201, put.text
    events = await order_events(seller)
    assert {e["order"]["lineItems"][0]["quantity"] for e in events} == {2}
    assert (await offer_doc(seller, offer_id))["stock"]["available"] == 10 - 2 + 5


async def test_later_events_of_an_order_move_its_checkout_form_on(
    http: httpx.AsyncClient, seller: Seller
) -> None:
    offer_id = await active_offer(seller)
    form = (await buy(http, offer_id, events=["BOUGHT"])).json()
    paid = await http.post(f"/_emulator/checkout-forms/{form['id']}/events", json={})
    assert paid.status_code == 200, paid.text

    events = await order_events(seller)
    assert [e["type"] for e in events] == ["BOUGHT", "READY_FOR_PROCESSING"]
    assert events[1]["order"]["lineItems"] == events[0]["order"]["lineItems"]
    read = (await seller.get(f"/order/checkout-forms/{form['id']}")).json()
    assert read["status"] == "READY_FOR_PROCESSING"
    assert read["revision"] != form["revision"]
    missing = await http.post(f"/_emulator/checkout-forms/{uuid.uuid4()}/events", json={})
    assert missing.status_code == 404
