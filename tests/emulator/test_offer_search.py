"""`GET /sale/offers` with every documented filter and sort, and the category tree."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from catalogsync.emulator import seed
from catalogsync.emulator.backend import Backend
from tests.emulator.support import GPSR, Seller, first_error, make_offer, make_table, user_token

pytestmark = pytest.mark.anyio


async def ids(seller: Seller, **params: Any) -> list[str]:
    response = await seller.call("GET", "/sale/offers", params=params)
    assert response.status_code == 200, response.text
    return [offer["id"] for offer in response.json()["offers"]]


def price(amount: str) -> dict[str, Any]:
    return {"format": "BUY_NOW", "price": {"amount": amount, "currency": "PLN"}}


async def three_offers(seller: Seller) -> tuple[str, str, str]:
    """A cheap white mug with a table, a dear black mug with a table, a laptop without one."""
    cheap = await make_offer(seller, sellingMode=price("9.99"), external={"id": "A"})
    dear = await make_offer(
        seller, name="Kubek ceramiczny czarny 330 ml", sellingMode=price("129.00"),
        stock={"available": 50, "unit": "UNIT"}, external={"id": "B"},
        productSet=[{"product": {"id": seed.MUG_BLACK}, **GPSR}],
    )
    laptop = await make_offer(
        seller, name="Laptop Demo 14 256 GB czarny", sellingMode=price("2999.00"),
        productSet=[{"product": {"id": seed.LAPTOP_256}, **GPSR}], parameters=[],
        delivery={"handlingTime": "PT24H"}, external={"id": "C"},
    )
    return cheap["id"], dear["id"], laptop["id"]


async def test_offers_are_filtered_by_name_price_table_and_category(seller: Seller) -> None:
    table = await make_table(seller)
    cheap, dear, laptop = await three_offers(seller)

    assert await ids(seller) == [laptop, dear, cheap]  # newest first
    assert await ids(seller, name="KUBEK ceramiczny") == [dear, cheap]
    assert await ids(seller, name="czarny") == [laptop, dear]
    assert await ids(seller, **{"sellingMode.price.amount.gte": "10"}) == [laptop, dear]
    assert await ids(seller, **{"sellingMode.price.amount.lte": "129"}) == [dear, cheap]
    assert await ids(seller, **{"sellingMode.price.amount.gte": "10",
                                "sellingMode.price.amount.lte": "200"}) == [dear]
    assert await ids(seller, **{"delivery.shippingRates.id": table}) == [dear, cheap]
    assert await ids(seller, **{"delivery.shippingRates.id.empty": "true"}) == [laptop]
    assert await ids(seller, **{"category.id": "491"}) == [laptop]
    assert await ids(seller, **{"product.id.empty": "false"}) == [laptop, dear, cheap]
    assert await ids(seller, productizationRequired="true") == [laptop]
    assert await ids(seller, **{"sellingMode.format": "AUCTION"}) == []
    assert await ids(seller, **{"publication.marketplace": "allegro-cz"}) == []
    # features the demo seller never has
    assert await ids(seller, isFulfillment="true") == []
    assert await ids(seller, **{"b2b.buyableOnlyByBusiness": "false"}) == [laptop, dear, cheap]
    assert await ids(seller, **{"fundraisingCampaign.id.empty": "true"}) == [laptop, dear, cheap]


async def test_offers_are_sorted_by_price_and_stock(seller: Seller) -> None:
    await make_table(seller)
    cheap, dear, laptop = await three_offers(seller)

    assert await ids(seller, sort="sellingMode.price.amount") == [cheap, dear, laptop]
    assert await ids(seller, sort="-sellingMode.price.amount") == [laptop, dear, cheap]
    assert await ids(seller, sort="-stock.available") == [dear, laptop, cheap]
    assert await ids(seller, sort="stock.sold") == [laptop, dear, cheap]  # nothing sold: newest
    listing = (await seller.call("GET", "/sale/offers", params={"sort": "-sellingMode.price.amount",
                                                                 "limit": 1, "offset": 1})).json()
    assert [o["id"] for o in listing["offers"]] == [dear] and listing["totalCount"] == 3


@pytest.mark.parametrize(
    ("name", "value"),
    [("sort", "name"), ("sellingMode.price.amount.gte", "cheap"), ("isFulfillment", "yes"),
     ("publication.status", "SOLD"), ("limit", "0")],
)
async def test_invalid_filters_are_400(seller: Seller, name: str, value: str) -> None:
    response = await seller.call("GET", "/sale/offers", params={name: value})
    assert response.status_code == 400 and first_error(response)["path"] == name


async def test_category_tree_from_main_categories_to_leaves(
    http: httpx.AsyncClient, backend: Backend
) -> None:
    seller = Seller(http, user_token(backend, seed.DEMO_SELLER_ID))
    main = (await seller.get("/sale/categories")).json()["categories"]
    assert {c["name"] for c in main} == {"Dom i Ogród", "Elektronika", "Moda"}
    assert all(not c["leaf"] and c["parent"] is None for c in main)
    home = next(c for c in main if c["name"] == "Dom i Ogród")

    children = (await seller.get("/sale/categories", **{"parent.id": home["id"]})).json()
    assert [(c["id"], c["name"], c["leaf"]) for c in children["categories"]] == [
        ("67476", "Kubki", True)]
    mugs = (await seller.get("/sale/categories/67476")).json()
    assert mugs["parent"] == {"id": home["id"]} and mugs["options"]["advertisement"] is False
    assert (await seller.get("/sale/categories/999")).status_code == 404
    assert (await seller.get("/sale/categories", **{"parent.id": "999"})).status_code == 404
