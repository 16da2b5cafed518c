"""`GET /sale/offer-events`: the 24-hour journal of what happened to the seller's live offers."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from catalogsync.emulator import seed
from catalogsync.emulator.backend import Backend
from tests.emulator.support import Seller, make_offer, make_table, user_token

pytestmark = pytest.mark.anyio


async def feed(seller: Seller, **params: Any) -> list[dict[str, Any]]:
    response = await seller.get("/sale/offer-events", **params)
    assert response.status_code == 200, response.text
    return list(response.json()["offerEvents"])


def kinds(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]


async def test_offer_events_follow_activation_edits_and_end(seller: Seller) -> None:
    await make_table(seller)
    draft = await make_offer(seller, external={"id": "DRAFT-1"})
    await seller.call("PATCH", f"/sale/product-offers/{draft['id']}", {"name": "Kubek inny 330 ml"})
    assert await feed(seller) == []  # drafts have no events

    offer = await make_offer(seller, publication={"status": "ACTIVE"})
    path = f"/sale/product-offers/{offer['id']}"
    [activated] = await feed(seller)
    assert activated == {
        "id": activated["id"],
        "occurredAt": activated["occurredAt"],
        "type": "OFFER_ACTIVATED",
        "offer": {"id": offer["id"], "external": {"id": "MUG-WHITE-330"}},
    }

    await seller.call(
        "PATCH",
        path,
        {
            "sellingMode": {"price": {"amount": "31.00", "currency": "PLN"}},
            "stock": {"available": 4},
        },
    )
    await seller.call("PATCH", path, {"name": "Kubek ceramiczny biały duży"})
    await seller.call("PATCH", path, {"publication": {"status": "ENDED"}})
    await seller.call("PATCH", path, {"name": "Kubek po zakończeniu 330"})  # ENDED: no event
    events = await feed(seller)
    assert kinds(events) == [
        "OFFER_ACTIVATED",
        "OFFER_PRICE_CHANGED",
        "OFFER_STOCK_CHANGED",
        "OFFER_CHANGED",
        "OFFER_ENDED",
    ]
    assert events[1]["offer"]["marketplaces"] == [{"id": "allegro-pl", "changeType": "MANUAL"}]
    assert events[4]["offer"]["publication"] == {"endedBy": "USER"}

    after = await feed(seller, **{"from": events[2]["id"]})
    assert kinds(after) == ["OFFER_CHANGED", "OFFER_ENDED"]
    assert kinds(await feed(seller, type=["OFFER_ENDED", "OFFER_ACTIVATED"])) == [
        "OFFER_ACTIVATED",
        "OFFER_ENDED",
    ]
    assert len(await feed(seller, limit=2)) == 2


async def test_offer_events_of_batch_commands_and_sellers_apart(
    seller: Seller, backend: Backend
) -> None:
    await make_table(seller)
    offer = await make_offer(seller, publication={"status": "ACTIVE"})
    criteria = [{"type": "CONTAINS_OFFERS", "offers": [{"id": offer["id"]}]}]
    bodies = {
        "offer-price-change-commands": {"type": "INCREASE_PERCENTAGE", "percentage": "10"},
        "offer-quantity-change-commands": {"changeType": "FIXED", "value": 2},
        "offer-modification-commands": {"delivery": {"handlingTime": "P2D"}},
    }
    for kind, modification in bodies.items():
        body = {"offerCriteria": criteria, "modification": modification}
        assert (await seller.call("PUT", f"/sale/{kind}/{uuid.uuid4()}", body)).status_code == 201
    assert kinds(await feed(seller)) == [
        "OFFER_ACTIVATED",
        "OFFER_PRICE_CHANGED",
        "OFFER_STOCK_CHANGED",
        "OFFER_CHANGED",
    ]
    other = Seller(seller.http, user_token(backend, seed.OTHER_SELLER_ID))
    assert await feed(other) == []


async def test_offer_events_cover_the_last_24_hours(seller: Seller, backend: Backend) -> None:
    await make_table(seller)
    await make_offer(seller, publication={"status": "ACTIVE"})
    assert len(await feed(seller)) == 1
    backend.advance_clock(25 * 3600)
    seller.token = user_token(backend, seed.DEMO_SELLER_ID)
    assert await feed(seller) == []


async def test_offer_events_archived_60_days_after_the_end_r20(
    seller: Seller, backend: Backend
) -> None:
    await make_table(seller)
    offer = await make_offer(seller, publication={"status": "ACTIVE"})
    await seller.call(
        "PATCH", f"/sale/product-offers/{offer['id']}", {"publication": {"status": "ENDED"}}
    )
    backend.advance_clock(61 * 86400)
    seller.token = user_token(backend, seed.DEMO_SELLER_ID)
    assert (await seller.get(f"/sale/product-offers/{offer['id']}")).status_code == 404
    [archived] = await feed(seller)
    assert archived["type"] == "OFFER_ARCHIVED" and archived["offer"]["id"] == offer["id"]


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 1001}, {"type": "OFFER_SOLD"}, {"from": "not base64!"}]
)
async def test_offer_events_refuse_bad_parameters(seller: Seller, params: dict[str, Any]) -> None:
    response = await seller.get("/sale/offer-events", **params)
    assert response.status_code in (400, 422)
