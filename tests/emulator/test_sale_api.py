"""The emulator's /sale resources: offers, shipping rates, catalogue, batch commands, steering."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from catalogsync.emulator import seed
from catalogsync.emulator.backend import Backend
from tests.emulator.support import (
    GPSR,
    IMAGE,
    WARSAW,
    Seller,
    first_error,
    make_offer,
    make_table,
    mug,
    rate,
    user_token,
)

pytestmark = pytest.mark.anyio

# --------------------------------------------------------------------------- catalogue


async def test_delivery_methods_products_and_category_parameters(seller: Seller) -> None:
    methods = (await seller.get("/sale/delivery-methods")).json()["deliveryMethods"]
    names = {m["name"]: m for m in methods}
    dpd = names["Allegro Kurier DPD"]["shippingRatesConstraints"]
    assert dpd["firstItemRate"] == {"min": "0.00", "max": "500.00", "currency": "PLN"}
    assert names["Allegro Paczkomaty InPost"]["id"] == seed.INPOST

    found = (await seller.get("/sale/products", phrase="5901234123464", mode="GTIN")).json()
    [product] = found["products"]
    assert product["id"] == seed.MUG_BLACK and product["publication"]["status"] == "LISTED"
    assert (await seller.get(f"/sale/products/{seed.MUG_BLACK}")).json()["name"] == product["name"]
    assert (await seller.get("/sale/products")).status_code == 400

    params = (await seller.get("/sale/categories/67476/parameters")).json()["parameters"]
    condition = next(p for p in params if p["id"] == "11323")
    assert condition["required"] is True and condition["type"] == "dictionary"
    assert condition["dictionary"][0] == {"id": "11323_1", "value": "Nowy", "dependsOnValueIds": []}
    assert (await seller.get("/sale/categories/1/parameters")).status_code == 404


async def test_r23_one_ean_two_laptops(seller: Seller) -> None:
    found = (await seller.get("/sale/products", phrase="5909990000012", mode="GTIN")).json()
    assert {p["id"] for p in found["products"]} == {seed.LAPTOP_256, seed.LAPTOP_512}

    await make_table(seller)
    laptop = {"id": "5909990000012", "idType": "GTIN"}
    response = await seller.call(
        "POST", "/sale/product-offers", mug(productSet=[{"product": laptop, **GPSR}], parameters=[])
    )
    assert response.status_code == 422
    error = first_error(response)
    assert error["code"] == "MultipleProductsFoundException"
    found_ids = set(error["metadata"]["foundProductsIds"].split(","))
    assert found_ids == {seed.LAPTOP_256, seed.LAPTOP_512}

    # The product's parameters tell the two apart; a pinned product id always works.
    narrowed = {**laptop, "parameters": [{"id": "202865", "valuesIds": ["202865_2"]}]}
    offer = await make_offer(seller, productSet=[{"product": narrowed, **GPSR}], parameters=[])
    assert offer["productSet"][0]["product"]["id"] == seed.LAPTOP_512
    assert offer["category"] == {"id": "491"}


# --------------------------------------------------------------------------- shipping rates


async def test_shipping_rates_are_checked_against_delivery_method_constraints(
    seller: Seller,
) -> None:
    too_dear = await seller.call(
        "POST", "/sale/shipping-rates", {"name": "Drogi", "rates": [rate(first="100.01")]}
    )
    assert too_dear.status_code == 422
    assert first_error(too_dear)["path"] == "rates[0].firstItemRate.amount"
    too_many = await seller.call(
        "POST", "/sale/shipping-rates", {"name": "Duzo", "rates": [rate(quantity=11)]}
    )
    assert first_error(too_many)["path"] == "rates[0].maxQuantityPerPackage"

    table_id = await make_table(seller)
    duplicate = await seller.call(
        "POST", "/sale/shipping-rates", {"name": "Standard", "rates": [rate()]}
    )
    assert duplicate.status_code == 422

    listing = (await seller.get("/sale/shipping-rates")).json()["shippingRates"]
    assert listing == [
        {
            "id": table_id,
            "name": "Standard",
            "features": {"managedByAllegro": False, "isFulfillment": False},
            "marketplaces": [{"id": "allegro-pl"}],
        }
    ]

    body = {"name": "Standard 2", "rates": [rate(seed.DPD, first="15.00")]}
    assert (await seller.call("PUT", f"/sale/shipping-rates/{table_id}", body)).status_code == 422
    updated = await seller.call("PUT", f"/sale/shipping-rates/{table_id}", {**body, "id": table_id})
    assert updated.status_code == 200
    table = (await seller.get(f"/sale/shipping-rates/{table_id}")).json()
    assert table["name"] == "Standard 2"
    assert table["rates"][0]["firstItemRate"] == {"amount": "15.00", "currency": "PLN"}

    other = await seller.get(f"/sale/shipping-rates/{seed.OTHER_TABLE_ID}")
    assert other.status_code == 403


async def test_r4_at_most_250_shipping_rate_tables(seller: Seller) -> None:
    for number in range(250):
        await make_table(seller, f"Cennik {number}")
    response = await seller.call(
        "POST", "/sale/shipping-rates", {"name": "Cennik 250", "rates": [rate()]}
    )
    assert response.status_code == 422
    assert first_error(response)["message"] == (
        "The user has reached the limit of shipping rates sets"
    )


# --------------------------------------------------------------------------- offers


async def test_draft_is_created_with_201_and_full_response_shape(seller: Seller) -> None:
    table_id = await make_table(seller)
    response = await seller.call("POST", "/sale/product-offers", mug())
    assert response.status_code == 201
    offer = response.json()
    assert offer["id"].isdigit()
    assert offer["category"] == {"id": "67476"}  # the product's category
    assert offer["productSet"][0]["product"]["id"] == seed.MUG_WHITE
    assert offer["parameters"] == [
        {"id": "11323", "name": "Stan", "values": ["Nowy"], "valuesIds": ["11323_1"]}
    ]
    assert offer["delivery"]["shippingRates"] == {"id": table_id, "name": "Standard"}
    assert offer["location"] == WARSAW
    assert offer["publication"]["status"] == "INACTIVE"
    assert offer["language"] == "pl-PL"
    assert offer["validation"]["errors"] == []
    assert offer["createdAt"] == offer["updatedAt"]
    assert (await seller.get(f"/sale/product-offers/{offer['id']}")).json() == offer


async def test_active_offer_is_202_then_operation_303_then_active(
    seller: Seller, backend: Backend
) -> None:
    backend.settings.processing_delay = 0.2
    await make_table(seller)
    response = await seller.call(
        "POST", "/sale/product-offers", mug(publication={"status": "ACTIVE"})
    )
    assert response.status_code == 202
    assert response.headers["retry-after"] == "1"
    offer = response.json()
    assert offer["publication"]["status"] == "ACTIVATING"
    location = response.headers["location"]  # absolute, as Allegro's documented example
    base = str(seller.http.base_url).rstrip("/")
    assert location.startswith(f"{base}/sale/product-offers/{offer['id']}/operations/")

    running = await seller.get(location)
    assert running.status_code == 202
    assert running.json()["operation"]["status"] == "IN_PROGRESS"
    busy = await seller.call(
        "PATCH", f"/sale/product-offers/{offer['id']}", {"stock": {"available": 3}}
    )
    assert busy.status_code == 409

    backend.advance_clock(1)
    done = await seller.get(location)
    assert done.status_code == 303 and done.content == b""
    assert done.headers["location"] == f"{base}/sale/product-offers/{offer['id']}"
    active = (await seller.get(f"/sale/product-offers/{offer['id']}")).json()
    assert active["publication"]["status"] == "ACTIVE"


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"name": "Za krótka"}, "name"),
        ({"stock": None}, "stock"),
        ({"id": "123"}, "id"),  # R12: read-only fields
        ({"createdAt": "2024-01-01T00:00:00Z"}, "createdAt"),
        (
            {"delivery": {"handlingTime": "PT5H", "shippingRates": {"name": "Standard"}}},
            "delivery.handlingTime",
        ),
        ({"location": {**WARSAW, "province": "BAWARIA"}}, "location.province"),
        ({"payments": {"invoice": "MAYBE"}}, "payments.invoice"),
        ({"parameters": [{"id": "11323", "valuesIds": ["11323_9"]}]}, "parameters[0].valuesIds"),
        ({"delivery": {"shippingRates": {"name": "Nope"}}}, "delivery.shippingRates"),
        (
            {"description": {"sections": [{"items": [{"type": "TEXT", "content": "<h3>x</h3>"}]}]}},
            "description.sections[0].items[0].content",
        ),
    ],
)
async def test_r19_invalid_offers_are_422_naming_the_path(
    seller: Seller, changes: dict[str, Any], path: str
) -> None:
    await make_table(seller)
    body = mug(**changes)
    if changes.get("stock", 1) is None:
        del body["stock"]
    response = await seller.call("POST", "/sale/product-offers", body)
    assert response.status_code == 422, response.text
    assert first_error(response)["path"] == path


async def test_unknown_product_is_422_product_not_found(seller: Seller) -> None:
    product = {"id": "5900000000000", "idType": "GTIN"}
    response = await seller.call(
        "POST", "/sale/product-offers", mug(productSet=[{"product": product, **GPSR}])
    )
    assert first_error(response)["code"] == "ProductNotFoundException"


async def test_r18_description_images_must_be_listed_in_images(seller: Seller) -> None:
    await make_table(seller)
    picture = {"type": "IMAGE", "url": "https://a.allegroimg.com/original/other"}
    description = {"sections": [{"items": [picture]}]}
    response = await seller.call("POST", "/sale/product-offers", mug(description=description))
    assert response.status_code == 422
    assert first_error(response)["message"] == "Description images are not valid."
    listed = await make_offer(seller, description=description, images=[IMAGE, picture["url"]])
    assert listed["description"] == description


async def test_r17_location_is_dropped_without_shipping_rates_and_selling_mode(
    seller: Seller,
) -> None:
    await make_table(seller)
    body = mug()
    del body["sellingMode"]  # not sent at all (`null` is refused by the spec's schema)
    response = await seller.call("POST", "/sale/product-offers", body)
    assert response.status_code == 201, response.text
    offer = response.json()
    assert offer["location"] is None
    patched = await seller.call(
        "PATCH", f"/sale/product-offers/{offer['id']}", {"location": WARSAW}
    )
    assert patched.json()["location"] is None
    kept = await seller.call(
        "PATCH",
        f"/sale/product-offers/{offer['id']}",
        {
            "location": WARSAW,
            "sellingMode": {"price": {"amount": "31.00", "currency": "PLN"}},
            "delivery": {"shippingRates": {"name": "Standard"}},
        },
    )
    assert kept.json()["location"] == WARSAW


async def test_r13_draft_limit(seller: Seller, backend: Backend) -> None:
    backend.update_settings({"draft_limit": 1})
    await make_table(seller)
    await make_offer(seller)
    response = await seller.call("POST", "/sale/product-offers", mug())
    assert response.status_code == 422
    assert first_error(response)["message"] == (
        "You cannot create new drafts - your account has exceeded the maximum number 1 of drafts."
    )


async def test_r21_another_sellers_offer_is_forbidden_and_a_missing_one_404(
    seller: Seller,
) -> None:
    other = await seller.get(f"/sale/product-offers/{seed.OTHER_OFFER_ID}")
    assert other.status_code == 403
    assert (await seller.get("/sale/product-offers/17799999999")).status_code == 404
    assert (await seller.get("/sale/offers")).json()["totalCount"] == 0


async def test_r22_hidden_offer_is_missing_from_the_list_but_readable(
    seller: Seller, http: httpx.AsyncClient
) -> None:
    await make_table(seller)
    offer = await make_offer(seller)
    assert (await http.post(f"/_emulator/offers/{offer['id']}/hide")).status_code == 200
    listing = (await seller.get("/sale/offers")).json()
    assert listing == {"offers": [], "count": 0, "totalCount": 0}
    assert (await seller.get(f"/sale/product-offers/{offer['id']}")).status_code == 200


async def test_offer_list_filters_pages_and_is_newest_first(seller: Seller) -> None:
    await make_table(seller)
    first = await make_offer(seller, external={"id": "A"})
    second = await make_offer(seller, external={"id": "B"})
    listing = (await seller.get("/sale/offers", limit=1)).json()
    assert listing["count"] == 1 and listing["totalCount"] == 2
    assert listing["offers"][0]["id"] == second["id"]
    row = listing["offers"][0]
    assert row["external"] == {"id": "B"} and row["publication"]["status"] == "INACTIVE"
    assert row["sellingMode"]["price"] == {"amount": "29.99", "currency": "PLN"}

    by_external = (await seller.get("/sale/offers", **{"external.id": ["A", "C"]})).json()
    assert [o["id"] for o in by_external["offers"]] == [first["id"]]
    active = (await seller.get("/sale/offers", **{"publication.status": "ACTIVE"})).json()
    assert active["totalCount"] == 0
    assert (await seller.get("/sale/offers", limit=1001)).status_code == 400


async def test_patch_merges_fields_and_publication_changes(seller: Seller) -> None:
    await make_table(seller)
    offer = await make_offer(seller)
    path = f"/sale/product-offers/{offer['id']}"
    price = {"sellingMode": {"price": {"amount": "34.99", "currency": "PLN"}}}
    patched = await seller.call("PATCH", path, {**price, "delivery": {"handlingTime": "P2D"}})
    assert patched.status_code == 200
    body = patched.json()
    assert body["sellingMode"] == {
        "format": "BUY_NOW",
        "price": {"amount": "34.99", "currency": "PLN"},
    }
    assert body["delivery"]["handlingTime"] == "P2D"
    assert body["delivery"]["shippingRates"]["name"] == "Standard"

    activated = await seller.call("PATCH", path, {"publication": {"status": "ACTIVE"}})
    assert activated.status_code == 202
    assert (await seller.get(path)).json()["publication"]["status"] == "ACTIVE"
    # An activated offer never returns to INACTIVE: accepted, nothing changes.
    unchanged = await seller.call("PATCH", path, {"publication": {"status": "INACTIVE"}})
    assert unchanged.status_code == 200 and unchanged.json()["publication"]["status"] == "ACTIVE"
    ended = await seller.call("PATCH", path, {"publication": {"status": "ENDED"}})
    assert ended.status_code == 202
    assert (await seller.get(path)).json()["publication"]["endedBy"] == "USER"


async def test_only_never_activated_drafts_can_be_deleted(seller: Seller) -> None:
    await make_table(seller)
    draft = await make_offer(seller)
    assert (await seller.call("DELETE", f"/sale/offers/{draft['id']}")).status_code == 204
    assert (await seller.get(f"/sale/product-offers/{draft['id']}")).status_code == 404

    active = await make_offer(seller, publication={"status": "ACTIVE"})
    refused = await seller.call("DELETE", f"/sale/offers/{active['id']}")
    assert refused.status_code == 400
    assert first_error(refused)["code"] == "CannotDeleteOfferException"
    assert first_error(refused)["message"] == "You can only remove the draft offer."


async def test_r20_untouched_drafts_vanish_and_ended_offers_are_archived_after_60_days(
    seller: Seller, backend: Backend
) -> None:
    await make_table(seller)
    draft = await make_offer(seller)
    ended = await make_offer(seller, publication={"status": "ACTIVE"})
    path = f"/sale/product-offers/{ended['id']}"
    await seller.call("PATCH", path, {"publication": {"status": "ENDED"}})
    backend.advance_clock(59 * 86400)
    seller.token = user_token(backend, seed.DEMO_SELLER_ID)  # the old one expired long ago
    assert (await seller.get(path)).status_code == 200
    backend.advance_clock(2 * 86400)
    seller.token = user_token(backend, seed.DEMO_SELLER_ID)
    assert (await seller.get(path)).status_code == 404
    assert (await seller.get(f"/sale/product-offers/{draft['id']}")).status_code == 404
    assert (await seller.get("/sale/offers")).json()["totalCount"] == 0


async def test_switched_off_variant_sets_answer_access_denied(seller: Seller) -> None:
    response = await seller.get("/sale/offer-variants")
    assert response.status_code == 403 and first_error(response)["code"] == "AccessDenied"


# --------------------------------------------------------------------------- batch commands


def command(*offer_ids: str, **payload: Any) -> dict[str, Any]:
    criteria = [{"type": "CONTAINS_OFFERS", "offers": [{"id": i} for i in offer_ids]}]
    return {"offerCriteria": criteria, **payload}


async def put_command(seller: Seller, kind: str, body: dict[str, Any]) -> str:
    command_id = str(uuid.uuid4())
    response = await seller.call("PUT", f"/sale/{kind}/{command_id}", body)
    assert response.status_code == 201, response.text
    return command_id


async def tasks(seller: Seller, kind: str, command_id: str) -> list[dict[str, Any]]:
    return list((await seller.get(f"/sale/{kind}/{command_id}/tasks")).json()["tasks"])


async def test_r15_publication_command_answers_zeros_then_tasks(
    seller: Seller, backend: Backend
) -> None:
    backend.settings.processing_delay = 0.2
    await make_table(seller)
    ready = await make_offer(seller)
    empty = await make_offer(seller, stock={"available": 0})
    body = command(
        ready["id"],
        empty["id"],
        seed.OTHER_OFFER_ID,
        "17799999999",
        publication={"action": "ACTIVATE"},
    )
    command_id = str(uuid.uuid4())
    path = f"/sale/offer-publication-commands/{command_id}"
    response = await seller.call("PUT", path, body)
    assert response.status_code == 201
    assert response.json()["taskCount"] == {"total": 0, "success": 0, "failed": 0}
    assert response.json()["completedAt"] is None
    assert {t["status"] for t in await tasks(seller, "offer-publication-commands", command_id)} == {
        "NEW"
    }

    backend.advance_clock(1)
    report = (await seller.get(path)).json()
    assert report["taskCount"] == {"total": 4, "success": 1, "failed": 3}
    assert report["completedAt"] is not None
    by_offer = {
        t["offer"]["id"]: t for t in await tasks(seller, "offer-publication-commands", command_id)
    }
    assert by_offer[ready["id"]]["status"] == "SUCCESS"
    assert by_offer[empty["id"]]["errors"][0]["path"] == "stock.available"
    assert by_offer[seed.OTHER_OFFER_ID]["message"] == "The offer does not exist."
    assert by_offer["17799999999"]["message"] == "The offer does not exist."
    assert (await seller.get(f"/sale/product-offers/{ready['id']}")).json()["publication"][
        "status"
    ] == "ACTIVE"


async def test_publication_end_fails_for_a_draft_and_ends_an_active_offer(seller: Seller) -> None:
    await make_table(seller)
    draft = await make_offer(seller)
    active = await make_offer(seller, publication={"status": "ACTIVE"})
    body = command(draft["id"], active["id"], publication={"action": "END"})
    command_id = await put_command(seller, "offer-publication-commands", body)
    statuses = [t["status"] for t in await tasks(seller, "offer-publication-commands", command_id)]
    assert statuses == ["FAIL", "SUCCESS"]
    ended = (await seller.get(f"/sale/product-offers/{active['id']}")).json()
    assert ended["publication"]["status"] == "ENDED"


async def test_r14_at_most_1000_offers_per_command(seller: Seller) -> None:
    ids = [str(17_700_000_000 + i) for i in range(1001)]
    body = command(*ids, publication={"action": "END"})
    response = await seller.call("PUT", f"/sale/offer-publication-commands/{uuid.uuid4()}", body)
    assert response.status_code == 422
    assert first_error(response)["path"] == "offerCriteria"


async def test_r11_activation_cannot_be_scheduled_in_the_past(seller: Seller) -> None:
    body = command(
        "17700000001", publication={"action": "ACTIVATE", "scheduledFor": "2020-01-01T00:00:00Z"}
    )
    response = await seller.call("PUT", f"/sale/offer-publication-commands/{uuid.uuid4()}", body)
    assert response.status_code == 422
    assert first_error(response)["message"] == "You cannot schedule activating an offer in the past"


async def test_command_ids_are_uuids_used_once(seller: Seller) -> None:
    body = command("17700000001", publication={"action": "END"})
    command_id = await put_command(seller, "offer-publication-commands", body)
    reused = await seller.call("PUT", f"/sale/offer-publication-commands/{command_id}", body)
    assert reused.status_code == 409
    assert first_error(reused)["message"] == "Command id was already used"
    not_uuid = await seller.call("PUT", "/sale/offer-publication-commands/abc", body)
    assert not_uuid.status_code == 400
    missing = await seller.get(f"/sale/offer-publication-commands/{uuid.uuid4()}")
    assert missing.status_code == 404 and first_error(missing)["message"] == "Command not found"


async def test_r16_price_quantity_and_modification_commands(seller: Seller) -> None:
    await make_table(seller)
    other_table = await make_table(seller, "Kurier")
    offer = await make_offer(seller)
    price = {"type": "FIXED_PRICE", "price": {"amount": "39.99", "currency": "PLN"}}
    await put_command(
        seller, "offer-price-change-commands", command(offer["id"], modification=price)
    )
    quantity = {"changeType": "GAIN", "value": -4}
    await put_command(
        seller, "offer-quantity-change-commands", command(offer["id"], modification=quantity)
    )
    change = {
        "delivery": {"handlingTime": "P3D", "shippingRates": {"id": other_table}},
        "payments": {"invoice": "NO_INVOICE"},
    }
    command_id = await put_command(
        seller, "offer-modification-commands", command(offer["id"], modification=change)
    )
    [task] = await tasks(seller, "offer-modification-commands", command_id)
    assert task["status"] == "SUCCESS"
    assert task["field"] == "delivery.handlingTime,delivery.shippingRates,payments.invoice"

    current = (await seller.get(f"/sale/product-offers/{offer['id']}")).json()
    assert current["sellingMode"]["price"]["amount"] == "39.99"
    assert current["stock"]["available"] == 6
    assert current["delivery"]["handlingTime"] == "P3D"
    assert current["delivery"]["shippingRates"] == {"id": other_table, "name": "Kurier"}
    assert current["payments"]["invoice"] == "NO_INVOICE"


async def test_commands_reject_what_they_cannot_change(seller: Seller) -> None:
    conflict = {"type": "INCREASE_PRICE", "price": {"amount": "1.00", "currency": "PLN"}}
    response = await seller.call(
        "PUT",
        f"/sale/offer-price-change-commands/{uuid.uuid4()}",
        command("17700000001", modification=conflict),
    )
    assert first_error(response)["message"] == (
        "type is not given or price, value and percentage conflict"
    )
    price = {"sellingMode": {"price": {"amount": "1.00", "currency": "PLN"}}}
    response = await seller.call(
        "PUT",
        f"/sale/offer-modification-commands/{uuid.uuid4()}",
        command("17700000001", modification=price),
    )
    assert response.status_code == 422
    assert first_error(response)["path"] == "modification.sellingMode"


# --------------------------------------------------------------------------- steering, storage


async def test_stats_count_requests_by_route_and_reset_wipes_offers(
    seller: Seller, http: httpx.AsyncClient
) -> None:
    await make_table(seller)
    offer = await make_offer(seller)
    await seller.get(f"/sale/product-offers/{offer['id']}")
    stats = (await http.get("/_emulator/stats")).json()["requests"]
    assert stats == {
        "POST /sale/shipping-rates": 1,
        "POST /sale/product-offers": 1,
        "GET /sale/product-offers/{offerId}": 1,
    }

    assert (await http.post("/_emulator/reset")).status_code == 200
    assert (await http.get("/_emulator/stats")).json() == {
        "requests": {},
        "blocks": 0,
        "throttled": 0,
        "delayed": 0,
        "throttled_by": {},
        "faults": {},
    }
    assert (await seller.get(f"/sale/product-offers/{offer['id']}")).status_code == 404
    bad = await http.post("/_emulator/settings", json={"processing_delay": -1})
    assert bad.status_code == 400


def test_file_database_survives_a_new_backend(tmp_path: Path) -> None:
    path = tmp_path / "emulator.sqlite3"
    first = Backend(path)
    first.update_settings({"processing_delay": 0})
    draft, _ = first.offers.create(seed.DEMO_SELLER_ID, mug(delivery={"handlingTime": "PT24H"}))
    first.close()

    second = Backend(path)
    assert second.settings.processing_delay == 0
    assert second.offers.get(seed.DEMO_SELLER_ID, draft["id"])["name"] == draft["name"]
    assert second.offers.find(seed.DEMO_SELLER_ID)["totalCount"] == 1


def test_after_sales_conditions_are_listed_and_offers_refer_to_them_by_name_or_id() -> None:
    from catalogsync.emulator.backend import Backend
    from catalogsync.emulator.core.errors import ApiError

    backend = Backend()
    policies = backend.after_sales.list("1000001", "returnPolicies", 0, 60)
    assert policies["count"] == 2
    first = policies["returnPolicies"][0]
    chosen = backend.after_sales.offer_services("1000001",
                                                {"returnPolicy": {"name": first["name"]}})
    assert chosen == {"returnPolicy": {"id": first["id"]}}
    try:
        backend.after_sales.offer_services("1000001", {"warranty": {"name": "Nie ma takiej"}})
    except ApiError as error:
        assert error.status == 422
        assert "WarrantyNotFoundException" in str(error.errors)
    else:
        raise AssertionError("an unknown warranty must be refused")


async def test_r12_read_only_fields_are_refused_on_create(seller: Seller) -> None:
    await make_table(seller)
    for field, value in (
        ("id", "17700000099"),
        ("createdAt", "2026-01-01T00:00:00Z"),
        ("updatedAt", "2026-01-01T00:00:00Z"),
    ):
        response = await seller.call("POST", "/sale/product-offers", mug(**{field: value}))
        assert response.status_code == 422, (field, response.text)
        assert first_error(response)["path"] == field
