"""Offers in campaigns (badges) and in Allegro Prices: how a seller sees them, and R26."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from catalogsync.emulator import seed
from catalogsync.emulator.backend import Backend
from catalogsync.emulator.core.errors import ApiError
from tests.emulator.support import Seller, first_error, make_offer, make_table, user_token

pytestmark = pytest.mark.anyio

NEW_PRICE = {"sellingMode": {"price": {"amount": "24.99", "currency": "PLN"}}}


@pytest.fixture
async def table(seller: Seller) -> str:
    """The "Standard" shipping-rate table every offer body names."""
    return await make_table(seller)


async def active_offer(seller: Seller) -> str:
    offer = await make_offer(seller, publication={"status": "ACTIVE"})
    return str(offer["id"])


async def into_campaign(http: httpx.AsyncClient, offer_id: str, **body: Any) -> dict[str, Any]:
    response = await http.post(f"/_emulator/offers/{offer_id}/campaign", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def into_allegro_prices(http: httpx.AsyncClient, offer_id: str, **body: Any) -> None:
    response = await http.post(f"/_emulator/offers/{offer_id}/allegro-prices", json=body)
    assert response.status_code == 200, response.text


async def badges(seller: Seller, **params: Any) -> httpx.Response:
    return await seller.get("/sale/badges", **{"marketplace.id": "allegro-pl", **params})


async def query(seller: Seller, **body: Any) -> httpx.Response:
    return await seller.call(
        "POST", "/sale/allegro-prices/offers-queries", {"marketplace": {"id": "allegro-pl"}, **body}
    )


async def test_badges_list_campaigns_of_the_sellers_offers(
    seller: Seller, http: httpx.AsyncClient, backend: Backend, table: str
) -> None:
    first, second = await active_offer(seller), await active_offer(seller)
    await into_campaign(http, first, campaign="BARGAIN", bargain="19.99")
    await into_campaign(http, second, campaign="HIT", status="IN_VERIFICATION")
    listed = (await badges(seller)).json()["badges"]
    assert [b["offer"]["id"] for b in listed] == [first, second]
    assert listed[0] == {
        "offer": {"id": first},
        "campaign": {"id": "BARGAIN", "name": "Strefa okazji"},
        "publication": {"type": "SINCE", "from": listed[0]["publication"]["from"], "to": None},
        "prices": {
            "market": {"amount": "29.99", "currency": "PLN"},
            "bargain": {"amount": "19.99", "currency": "PLN"},
        },
        "process": {"status": "ACTIVE", "rejectionReasons": []},
        "campaignStock": None,
    }
    assert [
        b["offer"]["id"] for b in (await badges(seller, **{"offer.id": second})).json()["badges"]
    ] == [second]
    assert (await badges(seller, limit=1, offset=1)).json()["badges"][0]["offer"]["id"] == second
    assert (await seller.get("/sale/badges")).status_code == 400  # marketplace.id is required
    assert first_error(await badges(seller, limit=0))["code"] == "BB9"
    assert (await badges(seller, **{"marketplace.id": "allegro-cz"})).json() == {"badges": []}

    other = Seller(http, user_token(backend, seed.OTHER_SELLER_ID))  # not a business account
    refused = await badges(other)
    assert refused.status_code == 403 and first_error(refused)["code"] == "BB2"


async def test_badge_campaigns_are_listed_per_marketplace(
    seller: Seller, http: httpx.AsyncClient, backend: Backend
) -> None:
    async def campaigns(who: Seller, **params: str) -> httpx.Response:
        return await who.call("GET", "/sale/badge-campaigns", params=params)

    listed = (await campaigns(seller, **{"marketplace.id": "allegro-pl"})).json()
    by_id = {c["id"]: c for c in listed["badgeCampaigns"]}
    assert by_id["BARGAIN"]["type"] == "DISCOUNT" and by_id["HIT"]["type"] == "STANDARD"
    assert by_id["BARGAIN"]["eligibility"] == {"eligible": True, "refusalReasons": []}
    assert (await campaigns(seller)).json() == listed  # allegro-pl when not given
    assert (await campaigns(seller, **{"marketplace.id": "allegro-cz"})).json() == {
        "badgeCampaigns": []}
    assert first_error(await campaigns(seller, **{"marketplace.id": "ebay"}))["code"] == "BB35"
    other = Seller(http, user_token(backend, seed.OTHER_SELLER_ID))  # not a business account
    assert first_error(await campaigns(other))["code"] == "BB2"


async def test_allegro_prices_offers_queries_by_scope_and_ids(
    seller: Seller, http: httpx.AsyncClient, table: str
) -> None:
    discounted, declared, plain = (
        await active_offer(seller),
        await active_offer(seller),
        await active_offer(seller),
    )
    await make_offer(seller)  # a draft is never considered
    await into_allegro_prices(http, discounted, scope="DISCOUNTED", percentage="10.0")
    await into_allegro_prices(http, declared, scope="WITH_DECLARATION", percentage="12.0")

    everything = (await query(seller)).json()
    assert everything["totalCount"] == 3 and everything["count"] == 3
    by_id = {o["id"]: o for o in everything["offers"]}
    assert by_id[discounted] == {
        "id": discounted,
        "name": "Kubek ceramiczny biały 330 ml",
        "marketplace": {"id": "allegro-pl"},
        "basePrice": {"amount": "29.99", "currency": "PLN"},
        "discount": {"opportunity": True},  # required since the 2026-07-18 spec
        "declaredPriceReduction": {
            "sellerMaxDeclaredPercentage": "10.0",
            "sellerMaxDeclaredDiscount": {"amount": "3.00", "currency": "PLN"},
        },
        "actualPriceReduction": {
            "sellerMaxDeclaredPercentage": "10.0",
            "sellerMaxDeclaredDiscount": {"amount": "3.00", "currency": "PLN"},
            "sellerDiscount": {"amount": "1.80", "currency": "PLN"},
            "allegroDiscount": {"amount": "4.20", "currency": "PLN"},
            "finalPriceForTheBuyer": {"amount": "23.99", "currency": "PLN"},
        },
        "discountedAt": by_id[discounted]["discountedAt"],
        "excludedAt": None,
    }
    assert by_id[plain]["declaredPriceReduction"] is None
    assert by_id[declared]["actualPriceReduction"] is None

    scoped = (await query(seller, offer={"scope": "DISCOUNTED"})).json()
    assert [o["id"] for o in scoped["offers"]] == [discounted]
    with_ids = (await query(seller, offer={"ids": [declared, plain]}, limit=1)).json()
    assert with_ids["count"] == 1 and with_ids["totalCount"] == 2
    other_market = (
        await seller.call(
            "POST", "/sale/allegro-prices/offers-queries", {"marketplace": {"id": "allegro-cz"}}
        )
    ).json()
    assert other_market == {"offers": [], "count": 0, "totalCount": 0}


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"limit": 20}, 400, "Missing required field: marketplace"),
        ({"marketplace": {"id": "allegro-de"}}, 422, "Validation failed: Invalid marketplace ID"),
        (
            {"marketplace": {"id": "allegro-pl"}, "limit": 1001},
            422,
            "Validation failed: limit must be less than or equal to 1,000",
        ),
        (
            {"marketplace": {"id": "allegro-pl"}, "offer": {"scope": "ALL"}},
            422,
            "Validation failed: The provided scope is invalid",
        ),
        (
            {"marketplace": {"id": "allegro-pl"}, "offer": {"ids": []}},
            422,
            "Validation failed: offer.ids size must be between 1 and 1,000",
        ),
    ],
)
def test_allegro_prices_offers_queries_validation_messages(
    backend: Backend, body: dict[str, Any], status: int, message: str
) -> None:
    """The spec's own example errors. Over HTTP the OpenAPI gate (`conformance`) may answer a
    malformed body first, with its generic messages."""
    with pytest.raises(ApiError) as raised:
        backend.campaigns.query_allegro_prices(seed.DEMO_SELLER_ID, body)
    assert raised.value.status == status
    assert raised.value.errors[0]["message"] == message


async def test_r26_price_patch_removes_the_offer_from_its_campaign_and_allegro_prices(
    seller: Seller, http: httpx.AsyncClient, table: str
) -> None:
    offer_id = await active_offer(seller)
    await into_campaign(http, offer_id, campaign="BARGAIN", bargain="19.99")
    await into_allegro_prices(http, offer_id, scope="DISCOUNTED")
    path = f"/sale/product-offers/{offer_id}"
    assert (await seller.call("PATCH", path, {"stock": {"available": 3}})).status_code == 200
    [badge] = (await badges(seller)).json()["badges"]
    assert badge["process"]["status"] == "ACTIVE"  # other edits keep the offer in

    assert (await seller.call("PATCH", path, NEW_PRICE)).status_code == 200
    [badge] = (await badges(seller)).json()["badges"]
    assert badge["process"]["status"] == "FINISHED"
    assert badge["publication"]["to"] is not None
    [state] = (await query(seller)).json()["offers"]
    assert state["excludedAt"] is not None
    assert state["actualPriceReduction"] is None and state["declaredPriceReduction"] is None
    excluded = (await query(seller, offer={"scope": "EXCLUDED"})).json()
    assert [o["id"] for o in excluded["offers"]] == [offer_id]


async def test_r26_price_change_command_removes_the_offer_from_its_programs(
    seller: Seller, http: httpx.AsyncClient, table: str
) -> None:
    offer_id = await active_offer(seller)
    await into_campaign(http, offer_id, campaign="BARGAIN")
    await into_allegro_prices(http, offer_id, scope="WITH_DECLARATION")
    body = {
        "offerCriteria": [{"type": "CONTAINS_OFFERS", "offers": [{"id": offer_id}]}],
        "modification": {"type": "DECREASE_PRICE", "value": {"amount": "1.00", "currency": "PLN"}},
    }
    assert (
        await seller.call("PUT", f"/sale/offer-price-change-commands/{uuid.uuid4()}", body)
    ).status_code == 201
    [task] = (await seller.get("/sale/offers")).json()["offers"]
    assert task["sellingMode"]["price"]["amount"] == "28.99"
    [badge] = (await badges(seller)).json()["badges"]
    assert badge["process"]["status"] == "FINISHED"
    assert (await query(seller, offer={"scope": "WITH_DECLARATION"})).json()["totalCount"] == 0


async def test_steering_campaign_needs_an_existing_offer(http: httpx.AsyncClient) -> None:
    assert (await http.post("/_emulator/offers/17799999999/campaign", json={})).status_code == 404
    bad = await http.post(
        f"/_emulator/offers/{seed.OTHER_OFFER_ID}/campaign", json={"status": "MAYBE"}
    )
    assert bad.status_code == 400
