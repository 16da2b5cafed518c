"""allegro.cz, .sk and .hu: `GET /marketplaces`, offers asking for them with prices in their
currencies, per-marketplace states and refusal reasons, price commands with `marketplaceId`,
and R26 per marketplace."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from catalogsync.emulator import seed
from catalogsync.emulator.backend import Backend
from tests.emulator.support import Seller, first_error, make_offer, make_table, mug, rate

pytestmark = pytest.mark.anyio


def abroad(*ids: str, **prices: str) -> dict[str, Any]:
    currency = {"allegro-cz": "CZK", "allegro-sk": "EUR", "allegro-hu": "HUF"}
    return {
        "publication": {"marketplaces": {"additional": [{"id": m} for m in ids]}},
        "additionalMarketplaces": {
            m.replace("_", "-"): {"sellingMode": {"price": {
                "amount": amount, "currency": currency[m.replace("_", "-")]}}}
            for m, amount in prices.items()},
    }


async def czech_table(seller: Seller) -> str:
    body = {"name": "Zagranica", "rates": [rate(), rate(seed.DPD_CZ, first="29.99")]}
    response = await seller.call("POST", "/sale/shipping-rates", body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def states(offer: dict[str, Any]) -> dict[str, str]:
    return {m: e["publication"]["state"] for m, e in offer["additionalMarketplaces"].items()}


async def test_marketplaces_name_their_currencies(seller: Seller) -> None:
    listed = (await seller.get("/marketplaces")).json()["marketplaces"]
    assert {m["id"]: m["currencies"]["base"]["code"] for m in listed} == {
        "allegro-pl": "PLN", "allegro-cz": "CZK", "allegro-sk": "EUR", "allegro-hu": "HUF"}


async def test_states_and_refusal_reasons_per_marketplace(seller: Seller, backend: Backend) -> None:
    backend.settings.processing_delay = 0.0
    await czech_table(seller)
    draft = await make_offer(seller, delivery={"handlingTime": "PT24H",
                                               "shippingRates": {"name": "Zagranica"}},
                             **abroad("allegro-cz", "allegro-sk", allegro_cz="179.00"))
    assert states(draft) == {"allegro-cz": "PENDING", "allegro-sk": "PENDING",
                             "allegro-hu": "NOT_REQUESTED"}
    await seller.call("PATCH", f"/sale/product-offers/{draft['id']}",
                      {"publication": {"status": "ACTIVE"}})
    offer = (await seller.get(f"/sale/product-offers/{draft['id']}")).json()
    assert states(offer) == {"allegro-cz": "APPROVED", "allegro-sk": "REFUSED",
                             "allegro-hu": "NOT_REQUESTED"}
    assert [r["code"] for r in offer["additionalMarketplaces"]["allegro-sk"]["publication"][
        "refusalReasons"]] == ["VQR001_CURRENCY_NOT_AVAILABLE",
                               "VQR003_DELIVERY_TO_OPERATIONAL_COUNTRY_NOT_AVAILABLE"]
    assert offer["additionalMarketplaces"]["allegro-cz"]["sellingMode"]["price"] == {
        "amount": "179.00", "currency": "CZK"}

    cheap = await seller.call("PATCH", f"/sale/product-offers/{draft['id']}",
                              abroad("allegro-cz", allegro_cz="9.00"))
    (reason,) = cheap.json()["additionalMarketplaces"]["allegro-cz"]["publication"][
        "refusalReasons"]
    assert reason["code"] == "VQR009_PRICE_IN_ADDITIONAL_MARKETPLACE_MISMATCH"
    assert reason["parameters"] == {"maxAllowedPriceDecreasePercent": ["20"]}

    listing = (await seller.get("/sale/offers", **{"publication.marketplace": "allegro-cz"}))
    (listed,) = listing.json()["offers"]
    assert listed["publication"]["marketplaces"]["additional"] == [{"id": "allegro-cz"}]
    assert listed["additionalMarketplaces"]["allegro-cz"]["publication"]["state"] == "REFUSED"


async def test_prices_must_be_in_the_marketplace_currency_and_offers_need_a_product(
    seller: Seller,
) -> None:
    await make_table(seller)
    wrong = abroad("allegro-cz")
    wrong["additionalMarketplaces"] = {
        "allegro-cz": {"sellingMode": {"price": {"amount": "10.00", "currency": "PLN"}}}}
    refused = await seller.call("POST", "/sale/product-offers",
                                {**mug(), **wrong})
    assert first_error(refused)["path"] == "additionalMarketplaces.allegro-cz.sellingMode.price" \
        ".currency"
    no_product = {k: v for k, v in mug().items() if k != "productSet"}
    refused = await seller.call("POST", "/sale/product-offers",
                                {**no_product, "category": {"id": "67476"}, **abroad("allegro-cz")})
    assert first_error(refused)["code"] == (
        "ConstraintViolationException.ForeignMarketplacesWithProductOnly")


async def test_r26_price_command_with_marketplace_id_leaves_that_marketplaces_programme(
    seller: Seller, http: httpx.AsyncClient, backend: Backend
) -> None:
    backend.settings.processing_delay = 0.0
    await czech_table(seller)
    czech = abroad("allegro-cz", allegro_cz="179.00")
    czech["publication"]["status"] = "ACTIVE"
    offer = await make_offer(seller, delivery={"handlingTime": "PT24H",
                                               "shippingRates": {"name": "Zagranica"}}, **czech)
    for marketplace in ("allegro-pl", "allegro-cz"):
        entered = await http.post(f"/_emulator/offers/{offer['id']}/allegro-prices",
                                  json={"marketplace": marketplace, "scope": "DISCOUNTED"})
        assert entered.status_code == 200, entered.text
    body = {"modification": {"type": "FIXED_PRICE", "marketplaceId": "allegro-cz",
                             "price": {"amount": "149.00", "currency": "CZK"}},
            "offerCriteria": [{"type": "CONTAINS_OFFERS", "offers": [{"id": offer["id"]}]}]}
    command = str(uuid.uuid4())
    assert (await seller.call("PUT", f"/sale/offer-price-change-commands/{command}",
                              body)).status_code == 201
    tasks = (await seller.get(f"/sale/offer-price-change-commands/{command}/tasks")).json()
    assert tasks["tasks"][0]["status"] == "SUCCESS"
    after = (await seller.get(f"/sale/product-offers/{offer['id']}")).json()
    assert after["additionalMarketplaces"]["allegro-cz"]["sellingMode"]["price"]["amount"] == (
        "149.00")
    assert after["sellingMode"]["price"]["amount"] == "29.99"

    async def excluded(marketplace: str) -> Any:
        answer = await seller.call("POST", "/sale/allegro-prices/offers-queries",
                                   {"marketplace": {"id": marketplace}})
        return answer.json()["offers"][0]["excludedAt"]

    assert await excluded("allegro-cz") is not None  # left the programme there
    assert await excluded("allegro-pl") is None  # still in it at home

    body["modification"]["marketplaceId"] = "allegro-hu"
    command = str(uuid.uuid4())
    await seller.call("PUT", f"/sale/offer-price-change-commands/{command}", body)
    tasks = (await seller.get(f"/sale/offer-price-change-commands/{command}/tasks")).json()
    assert tasks["tasks"][0]["status"] == "FAIL"
