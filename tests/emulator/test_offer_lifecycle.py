"""Product offers as the API works today (API_NOTES §4): publication states, 202 operations and
the 409 while one runs, draft-only DELETE, and `GET /me`."""

from __future__ import annotations

import uuid

import pytest

from catalogsync.emulator import seed
from catalogsync.emulator.backend import Backend
from tests.emulator.support import Seller, first_error, make_offer, make_table

pytestmark = pytest.mark.anyio


async def status(seller: Seller, offer_id: str) -> str:
    offer = (await seller.get(f"/sale/product-offers/{offer_id}")).json()
    return str(offer["publication"]["status"])


async def test_patch_is_409_while_the_previous_operation_is_processing(
    seller: Seller, backend: Backend
) -> None:
    backend.settings.processing_delay = 5
    await make_table(seller)
    offer = await make_offer(seller)
    path = f"/sale/product-offers/{offer['id']}"
    started = await seller.call("PATCH", path, {"publication": {"status": "ACTIVE"}})
    assert started.status_code == 202
    busy = await seller.call("PATCH", path, {"stock": {"available": 3}})
    assert busy.status_code == 409
    assert first_error(busy)["message"] == (
        "The previous edition of the offer is still being processed."
    )
    backend.advance_clock(6)
    assert (await seller.call("PATCH", path, {"stock": {"available": 3}})).status_code == 200


async def test_publication_goes_inactive_activating_active_ended_and_never_back(
    seller: Seller, backend: Backend
) -> None:
    backend.settings.processing_delay = 5
    await make_table(seller)
    offer_id = str((await make_offer(seller))["id"])
    path = f"/sale/product-offers/{offer_id}"
    assert await status(seller, offer_id) == "INACTIVE"
    await seller.call("PATCH", path, {"publication": {"status": "ACTIVE"}})
    assert await status(seller, offer_id) == "ACTIVATING"
    backend.advance_clock(6)
    assert await status(seller, offer_id) == "ACTIVE"
    await seller.call("PATCH", path, {"publication": {"status": "ENDED"}})
    backend.advance_clock(6)
    assert await status(seller, offer_id) == "ENDED"

    unchanged = await seller.call("PATCH", path, {"publication": {"status": "INACTIVE"}})
    assert unchanged.status_code == 200  # accepted, nothing changes
    assert await status(seller, offer_id) == "ENDED"
    refused = await seller.call("DELETE", f"/sale/offers/{offer_id}")  # not a draft any more
    assert first_error(refused)["code"] == "CannotDeleteOfferException"

    await seller.call("PATCH", path, {"publication": {"status": "ACTIVE"}})  # renewal
    assert await status(seller, offer_id) == "ACTIVATING"
    backend.advance_clock(6)
    assert await status(seller, offer_id) == "ACTIVE"


async def test_me_answers_the_token_user(seller: Seller) -> None:
    me = (await seller.get("/me")).json()
    assert me["id"] == seed.DEMO_SELLER_ID and me["login"] == "demo-seller"
    assert me["baseMarketplace"] == {"id": "allegro-pl"}


@pytest.mark.parametrize(
    "field",
    ["name", "sellingMode", "stock", "images", "description", "parameters", "category", "external"],
)
async def test_modification_command_changes_only_its_fields(seller: Seller, field: str) -> None:
    """`offer-modification-commands` cannot touch price, stock, name, content (API_NOTES §5)."""
    body = {
        "offerCriteria": [{"type": "CONTAINS_OFFERS", "offers": [{"id": "17700000001"}]}],
        "modification": {field: {"id": "1"}},
    }
    response = await seller.call("PUT", f"/sale/offer-modification-commands/{uuid.uuid4()}", body)
    assert response.status_code == 422
    assert first_error(response)["path"] == f"modification.{field}"
