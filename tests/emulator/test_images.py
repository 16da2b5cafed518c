"""`POST /sale/images`: a location that expires unless an offer uses it in time."""

from __future__ import annotations

import pytest

from catalogsync.emulator import seed
from catalogsync.emulator.backend import Backend
from tests.emulator.support import (
    IMAGE,
    MEDIA_TYPE,
    Seller,
    first_error,
    make_offer,
    make_table,
    mug,
)
from tests.emulator.support import user_token as login

pytestmark = pytest.mark.anyio

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 64


async def upload(seller: Seller, data: bytes, media_type: str) -> tuple[int, dict[str, str]]:
    response = await seller.http.post(
        "/sale/images",
        content=data,
        headers={
            "Accept": MEDIA_TYPE,
            "Authorization": f"Bearer {seller.token}",
            "Content-Type": media_type,
        },
    )
    return response.status_code, response.json()


async def test_images_upload_by_link_answers_201_with_location_and_expiry(seller: Seller) -> None:
    response = await seller.call("POST", "/sale/images", {"url": "https://example.com/kubek.jpg"})
    assert response.status_code == 201
    doc = response.json()
    assert set(doc) == {"location", "expiresAt"}
    assert doc["location"].startswith("https://a.allegroimg.com/original/")
    for url in ("ftp://example.com/a.jpg", "https://192.168.0.1/a.jpg", "kubek.jpg"):
        refused = await seller.call("POST", "/sale/images", {"url": url})
        assert refused.status_code in (400, 422), url


@pytest.mark.parametrize(
    ("data", "media_type"),
    [(JPEG, "image/jpeg"), (PNG, "image/png"), (WEBP, "image/webp")],
    ids=["jpeg", "png", "webp"],
)
async def test_images_upload_raw_jpeg_png_and_webp(
    seller: Seller, data: bytes, media_type: str
) -> None:
    status, doc = await upload(seller, data, media_type)
    assert status == 201 and doc["location"] and doc["expiresAt"]


async def test_images_wrong_media_type_is_415_too_big_413_not_an_image_422(
    seller: Seller, backend: Backend
) -> None:
    assert (await upload(seller, b"GIF89a", "image/gif"))[0] == 415
    backend.update_settings({"image_max_bytes": 32})
    assert (await upload(seller, JPEG, "image/jpeg"))[0] == 413
    assert (await upload(seller, PNG[:20], "image/jpeg"))[0] == 422


async def test_images_location_expires_after_four_hours_unless_used(
    seller: Seller, backend: Backend
) -> None:
    await make_table(seller)
    _, kept = await upload(seller, JPEG, "image/jpeg")
    _, late = await upload(seller, PNG, "image/png")
    offer = await make_offer(seller, images=[kept["location"]])  # used in time: kept for good

    backend.advance_clock(4 * 3600 + 1)
    seller.token = login(backend, seed.DEMO_SELLER_ID)
    refused = await seller.call("POST", "/sale/product-offers", mug(images=[late["location"]]))
    assert refused.status_code == 422
    error = first_error(refused)
    assert error["message"] == "Invalid image URL. Image must be present on allegro server."
    assert error["path"] == "images[0]"
    description = {"sections": [{"items": [{"type": "IMAGE", "url": late["location"]}]}]}
    patched = await seller.call(
        "PATCH",
        f"/sale/product-offers/{offer['id']}",
        {"images": [kept["location"], late["location"]], "description": description},
    )
    assert first_error(patched)["path"] == "images[1]"
    assert (await make_offer(seller, images=[kept["location"]]))["images"] == [kept["location"]]


async def test_images_outside_url_in_an_offer_is_kept_as_a_copy_on_allegros_host(
    seller: Seller,
) -> None:
    """Allegro copies an image given by an outside URL and shows the copy (allegro-api #8448):
    in the gallery and in the description alike, the same copy for the same source."""
    await make_table(seller)
    shop = "https://sklep.example/zdjecia/kubek.jpg"
    description = {"sections": [{"items": [{"type": "IMAGE", "url": shop}]}]}
    offer = await make_offer(seller, images=[shop, IMAGE], description=description)
    copy = offer["images"][0]
    assert copy.startswith("https://a.allegroimg.com/original/") and copy != shop
    assert offer["images"][1] == IMAGE  # already on Allegro's host: kept as sent
    assert offer["description"]["sections"][0]["items"][0]["url"] == copy
    read = (await seller.get(f"/sale/product-offers/{offer['id']}")).json()
    assert read["images"] == [copy, IMAGE]
    again = await make_offer(seller, images=[shop])
    assert again["images"] == [copy]
