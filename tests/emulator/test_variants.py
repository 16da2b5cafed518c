"""Variant sets in both worlds: switched off as in production since 2026-04-14, and the legacy
resource (R24, R25) behind the `legacy_variants` setting."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from catalogsync.emulator import seed
from catalogsync.emulator.backend import Backend
from tests.emulator.support import (
    GPSR,
    IMAGE,
    Seller,
    first_error,
    make_offer,
    make_table,
    user_token,
)

pytestmark = pytest.mark.anyio

GTIN = {
    "S": "5907000000014",
    "M": "5907000000021",
    "L": "5907000000038",
    "white": "5901234123457",
    "black": "5901234123464",
}
SIZE, COLOUR = "3306", "248811"


@pytest.fixture
async def legacy(seller: Seller, backend: Backend) -> Seller:
    """demo-seller with the legacy resource on, a table, and new offers processed at once."""
    backend.update_settings({"legacy_variants": True, "variants_processing_seconds": 0})
    await make_table(seller)
    return seller


async def active(seller: Seller, variant: str, image: str = IMAGE) -> str:
    kind = "Kubek ceramiczny" if variant in ("white", "black") else "Koszulka bawełniana"
    offer = await make_offer(
        seller,
        productSet=[{"product": {"id": GTIN[variant], "idType": "GTIN"}, **GPSR}],
        name=f"{kind} {variant} 330",
        external={"id": f"{variant}-{uuid.uuid4().hex[:6]}"},
        images=[image],
        publication={"status": "ACTIVE"},
    )
    return str(offer["id"])


def variant_set(
    name: str, *offers: str | dict[str, str], params: tuple[str, ...] = (SIZE,)
) -> dict[str, Any]:
    return {
        "name": name,
        "offers": [o if isinstance(o, dict) else {"id": o} for o in offers],
        "parameters": [{"id": p} for p in params],
    }


async def create(seller: Seller, body: dict[str, Any]) -> httpx.Response:
    return await seller.call("POST", "/sale/offer-variants", body)


async def members(seller: Seller, set_id: str) -> list[str]:
    response = await seller.get(f"/sale/offer-variants/{set_id}")
    assert response.status_code == 200, response.text
    return [o["id"] for o in response.json()["offers"]]


async def set_status(seller: Seller, offer_id: str, status: str) -> None:
    response = await seller.call(
        "PATCH", f"/sale/product-offers/{offer_id}", {"publication": {"status": status}}
    )
    assert response.status_code == 202, response.text


async def test_variant_sets_answer_access_denied_as_in_production_since_2026_04_14(
    seller: Seller,
) -> None:
    for method, path in (("GET", "/sale/offer-variants"), ("DELETE", "/sale/offer-variants/x")):
        response = await seller.call(method, path)
        assert response.status_code == 403
        assert response.json() == {
            "errors": [
                {
                    "code": "AccessDenied",
                    "message": "Access is denied",
                    "details": None,
                    "path": None,
                    "userMessage": "Brak dostępu do danego zasobu.",
                    "metadata": {},
                }
            ]
        }
    english = await seller.http.get(
        "/sale/offer-variants",
        headers={
            "Accept": "application/vnd.allegro.public.v1+json",
            "Accept-Language": "en-US",
            "Authorization": f"Bearer {seller.token}",
        },
    )
    assert first_error(english)["userMessage"] == "No access to the specified resource."


async def test_r24_sets_take_2_to_500_active_offers_once_processed(
    legacy: Seller, backend: Backend
) -> None:
    backend.update_settings({"variants_processing_seconds": 3600})
    small, medium = await active(legacy, "S"), await active(legacy, "M")
    draft = str((await make_offer(legacy, external={"id": "DRAFT"}))["id"])

    fresh = await create(legacy, variant_set("Koszulki", small, medium))
    assert fresh.status_code == 422
    assert first_error(fresh)["message"] == (
        f"Offers {small}, {medium} have not been processed yet. Try again later."
    )
    backend.advance_clock(3601)
    legacy.token = user_token(backend, seed.DEMO_SELLER_ID)

    not_active = await create(legacy, variant_set("Koszulki", small, draft))
    assert first_error(not_active)["message"] == f"Offers: {draft} are not found."
    foreign = await create(legacy, variant_set("Koszulki", small, seed.OTHER_OFFER_ID))
    assert first_error(foreign)["message"] == f"Offers: {seed.OTHER_OFFER_ID} are not found."
    assert (await create(legacy, variant_set("Koszulki", small))).status_code == 422
    assert (await create(legacy, variant_set("", small, medium))).status_code == 422

    made = await create(legacy, variant_set("Koszulki", small, medium))
    assert made.status_code == 201
    body = made.json()
    assert body == {
        "id": body["id"],
        "name": "Koszulki",
        "offers": [{"id": small}, {"id": medium}],
        "parameters": [{"id": SIZE}],
    }
    assert await members(legacy, body["id"]) == [small, medium]


async def test_r24_offer_of_another_user_set_is_refused_and_moved_by_delete_then_put(
    legacy: Seller,
) -> None:
    small, medium, large = (
        await active(legacy, "S"),
        await active(legacy, "M"),
        await active(legacy, "L"),
    )
    old = (await create(legacy, variant_set("Stary", small, medium))).json()["id"]
    taken = await create(legacy, variant_set("Nowy", medium, large))
    assert taken.status_code == 422
    assert first_error(taken)["message"].startswith(f"Offers: {medium} already belong")

    new_id = str(uuid.uuid4())
    assert (await legacy.call("DELETE", f"/sale/offer-variants/{old}")).status_code == 204
    moved = await legacy.call(
        "PUT", f"/sale/offer-variants/{new_id}", variant_set("Nowy", medium, large)
    )
    assert moved.status_code == 200 and moved.json()["id"] == new_id
    assert await members(legacy, new_id) == [medium, large]
    assert (await legacy.get(f"/sale/offer-variants/{old}")).status_code == 404
    # A PUT replaces the set: the small size joins, the large one leaves.
    await legacy.call("PUT", f"/sale/offer-variants/{new_id}", variant_set("Nowy", small, medium))
    assert await members(legacy, new_id) == [small, medium]
    assert (await create(legacy, variant_set("Inny", large, small))).status_code == 422


async def test_r24_offers_of_an_automatically_made_set_can_be_taken(
    legacy: Seller, http: httpx.AsyncClient
) -> None:
    small, medium = await active(legacy, "S"), await active(legacy, "M")
    merged = await http.post("/_emulator/variant-sets", json=variant_set("Auto", small, medium))
    assert merged.status_code == 200
    assert (await legacy.get("/sale/offer-variants")).json() == {"count": 0, "offerVariants": []}
    assert (await create(legacy, variant_set("Moje", small, medium))).status_code == 201


async def test_r24_a_lost_set_is_found_with_query_by_name_or_offer_id(legacy: Seller) -> None:
    small, medium = await active(legacy, "S"), await active(legacy, "M")
    white, black = await active(legacy, "white"), await active(legacy, "black")
    shirts = (await create(legacy, variant_set("Koszulki białe", small, medium))).json()["id"]
    mugs = (await create(legacy, variant_set("Kubki", white, black, params=(COLOUR,)))).json()
    listing = (await legacy.get("/sale/offer-variants")).json()
    assert listing == {
        "count": 2,
        "offerVariants": [
            {"id": shirts, "name": "Koszulki białe"},
            {"id": mugs["id"], "name": "Kubki"},
        ],
    }
    assert [
        s["id"]
        for s in (await legacy.get("/sale/offer-variants", query="KOSZ")).json()["offerVariants"]
    ] == [shirts]
    assert [
        s["id"]
        for s in (await legacy.get("/sale/offer-variants", query=black)).json()["offerVariants"]
    ] == [mugs["id"]]
    assert (await legacy.get("/sale/offer-variants", limit=1)).json()["count"] == 2
    assert (await legacy.get("/sale/offer-variants", limit=51)).status_code in (400, 422)


async def test_r24_duplicates_and_color_pattern_labels_are_checked(legacy: Seller) -> None:
    small, medium = await active(legacy, "S"), await active(legacy, "M")
    twin = await active(legacy, "S")
    duplicates = await create(legacy, variant_set("Koszulki", small, medium, twin))
    assert first_error(duplicates)["message"] == (
        f"Cannot connect offers {small}, {twin} because of duplicates. "
        f"Try again with offers {small}, {medium}."
    )

    # Both show the same picture: one colour, so one label.
    labels = variant_set(
        "Koszulki",
        {"id": small, "colorPattern": "white"},
        {"id": medium, "colorPattern": "blue"},
        params=("color/pattern", SIZE),
    )
    clash = await create(legacy, labels)
    assert first_error(clash)["message"].startswith(
        f"The color/pattern parameter entered cannot be matched with the offers {small}, {medium}"
    )
    unlabelled = variant_set("Koszulki", small, medium, params=("color/pattern",))
    assert first_error(await create(legacy, unlabelled))["path"] == "offers[0].colorPattern"
    labels["offers"][1]["colorPattern"] = "white"
    assert (await create(legacy, labels)).status_code == 201
    no_param = await create(legacy, variant_set("Kubki", small, medium, params=("17448",)))
    assert no_param.status_code == 422


async def test_r25_ended_offer_drops_out_and_rejoins_when_reactivated(legacy: Seller) -> None:
    small, medium, large = (
        await active(legacy, "S"),
        await active(legacy, "M"),
        await active(legacy, "L"),
    )
    shirts = (await create(legacy, variant_set("Koszulki", small, medium, large))).json()["id"]
    white, black = await active(legacy, "white"), await active(legacy, "black")
    mugs = (await create(legacy, variant_set("Kubki", white, black, params=(COLOUR,)))).json()["id"]

    await set_status(legacy, large, "ENDED")
    await set_status(legacy, black, "ENDED")
    # Koszulki: Allegro manages variants automatically, ended offers are left out.
    assert await members(legacy, shirts) == [small, medium]
    # Kubki: managed by hand, ended offers stay listed.
    assert await members(legacy, mugs) == [white, black]
    # An ended offer is still in its set: it cannot join another, and a PUT keeps it.
    await legacy.call(
        "PUT", f"/sale/offer-variants/{shirts}", variant_set("Koszulki", small, medium)
    )
    await set_status(legacy, large, "ACTIVE")
    assert await members(legacy, shirts) == [small, medium, large]
