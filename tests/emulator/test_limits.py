"""Allegro's request limits (R1-R3, per seller, per command kind), scaled to run in milliseconds:
counts come down with `limits_scale` or explicit settings, and time moves on the emulator clock."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
import pytest

from catalogsync.emulator import seed
from catalogsync.emulator.backend import Backend
from tests.emulator.support import Seller, make_offer, make_table, user_token

pytestmark = pytest.mark.anyio

TOO_MANY = {
    "code": "TooManyRequestsException",
    "message": "An error occurred",
    "details": None,
    "path": None,
    "userMessage": "Server is unable to respond to your query. Try again in a few minutes.",
    "metadata": {},
}


async def steer(http: httpx.AsyncClient, route: str, **body: Any) -> dict[str, Any]:
    response = await http.post(f"/_emulator/{route}", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def stats(http: httpx.AsyncClient) -> dict[str, Any]:
    return dict((await http.get("/_emulator/stats")).json())


async def test_limit_defaults_are_allegros_numbers(http: httpx.AsyncClient) -> None:
    settings = (await http.get("/_emulator/settings")).json()
    assert {
        k: settings[k]
        for k in (
            "limits_scale",
            "client_rpm",
            "client_block_seconds",
            "client_concurrency",
            "seller_get_rpm",
            "seller_write_rpm",
            "seller_write_rph",
            "command_changes_per_minute",
            "command_changes_per_hour",
            "price_changes_per_hour",
            "automation_rps",
        )
    } == {
        "limits_scale": 1.0,
        "client_rpm": 9000,
        "client_block_seconds": 60.0,
        "client_concurrency": 20,
        "seller_get_rpm": 3500,
        "seller_write_rpm": 2490,
        "seller_write_rph": 74_700,
        "command_changes_per_minute": 9000,
        "command_changes_per_hour": 250_000,
        "price_changes_per_hour": 150_000,
        "automation_rps": 5,
    }


async def test_r1_9000_a_minute_per_client_id_then_a_block_that_requests_extend(
    seller: Seller, http: httpx.AsyncClient, backend: Backend
) -> None:
    await steer(http, "settings", limits_scale=0.001)  # 9 requests a minute
    for _ in range(9):
        assert (await seller.get("/me")).status_code == 200
    refused = await seller.get("/me")
    assert refused.status_code == 429
    assert refused.json() == {"errors": [TOO_MANY]}
    # The block is the client id's: another seller using the same application is refused too.
    other = Seller(http, user_token(backend, seed.OTHER_SELLER_ID))
    assert (await other.get("/me")).status_code == 429

    backend.advance_clock(45)  # a request during the block extends it to 60 s from now
    assert (await seller.get("/me")).status_code == 429
    backend.advance_clock(45)  # 90 s after the block began, 45 s after the last refusal
    assert (await seller.get("/me")).status_code == 429
    backend.advance_clock(61)
    assert (await seller.get("/me")).status_code == 200

    counted = await stats(http)
    assert counted["blocks"] == 1
    assert counted["throttled"] == 4 and counted["throttled_by"] == {"R1": 4}


async def test_r1_counts_a_sliding_minute(
    seller: Seller, http: httpx.AsyncClient, backend: Backend
) -> None:
    await steer(http, "settings", client_rpm=4)
    for _ in range(3):
        assert (await seller.get("/me")).status_code == 200
    backend.advance_clock(40)
    assert (await seller.get("/me")).status_code == 200  # 4 in the last minute
    backend.advance_clock(30)  # the first three are now older than a minute
    for _ in range(3):
        assert (await seller.get("/me")).status_code == 200
    assert (await seller.get("/me")).status_code == 429
    assert (await stats(http))["blocks"] == 1


async def test_r2_user_over_the_leaky_bucket_rate_is_slowed_down(
    seller: Seller, http: httpx.AsyncClient
) -> None:
    await steer(http, "settings", user_rpm=600, user_burst=2)  # 10 a second, 2 at once
    started = time.perf_counter()
    for _ in range(3):
        assert (await seller.get("/sale/offers")).status_code == 200
    assert time.perf_counter() - started >= 0.05  # the third waited ~0.1 s
    assert (await stats(http))["delayed"] == 1
    for _ in range(3):  # /me is no offer resource: no bucket there
        assert (await seller.get("/me")).status_code == 200
    assert (await stats(http))["delayed"] == 1


async def test_r2_too_many_parallel_requests_of_one_user_get_429(
    seller: Seller, http: httpx.AsyncClient
) -> None:
    await steer(http, "settings", user_parallel=2)
    await steer(http, "faults", latency_seconds=0.05)  # keeps requests in flight
    answers = await asyncio.gather(*(seller.get("/sale/offers") for _ in range(3)))
    assert sorted(a.status_code for a in answers) == [200, 200, 429]
    assert (await stats(http))["throttled_by"] == {"R2": 1}


async def test_r3_at_most_20_requests_of_a_client_in_flight(
    seller: Seller, http: httpx.AsyncClient, backend: Backend
) -> None:
    await steer(http, "settings", client_concurrency=3)
    await steer(http, "faults", latency_seconds=0.05)
    other = Seller(http, user_token(backend, seed.OTHER_SELLER_ID))
    calls = [seller.get("/me"), seller.get("/me"), other.get("/me"), other.get("/me")]
    answers = await asyncio.gather(*calls)
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 429]
    assert (await stats(http))["throttled_by"] == {"R3": 1}
    assert (await seller.get("/me")).status_code == 200  # the places are free again


async def test_r3_default_admits_20_parallel_requests_and_refuses_the_21st(
    seller: Seller, http: httpx.AsyncClient
) -> None:
    await steer(http, "faults", latency_seconds=0.05)
    answers = await asyncio.gather(*(seller.get("/me") for _ in range(21)))
    assert sorted(a.status_code for a in answers) == [200] * 20 + [429]


async def test_per_seller_get_product_offer_limit_3500_a_minute(
    seller: Seller, http: httpx.AsyncClient, backend: Backend
) -> None:
    await make_table(seller)
    offer = await make_offer(seller)
    await steer(http, "settings", seller_get_rpm=3)
    path = f"/sale/product-offers/{offer['id']}"
    for _ in range(3):
        assert (await seller.get(path)).status_code == 200
    assert (await seller.get(path)).status_code == 429
    other = Seller(http, user_token(backend, seed.OTHER_SELLER_ID))  # per seller
    assert (await other.get(f"/sale/product-offers/{seed.OTHER_OFFER_ID}")).status_code == 200
    assert (await seller.get("/sale/offers")).status_code == 200  # other resources unaffected
    backend.advance_clock(61)
    assert (await seller.get(path)).status_code == 200
    assert (await stats(http))["throttled_by"] == {"seller_get": 1}


async def test_per_seller_patch_limit_2490_a_minute_and_74700_an_hour_with_post(
    seller: Seller, http: httpx.AsyncClient, backend: Backend
) -> None:
    await make_table(seller)
    await steer(http, "settings", seller_write_rpm=3, seller_write_rph=5)
    offer = await make_offer(seller)  # POST and PATCH share the limits
    path = f"/sale/product-offers/{offer['id']}"
    stock = {"stock": {"available": 7}}
    for _ in range(2):
        assert (await seller.call("PATCH", path, stock)).status_code == 200
    assert (await seller.call("PATCH", path, stock)).status_code == 429  # 3 a minute
    backend.advance_clock(61)
    seller.token = user_token(backend, seed.DEMO_SELLER_ID)
    assert (await seller.call("PATCH", path, stock)).status_code == 200
    await make_offer(seller)  # the 5th write within the hour
    backend.advance_clock(61)
    assert (await seller.call("PATCH", path, stock)).status_code == 429  # 5 an hour
    backend.advance_clock(3600)
    seller.token = user_token(backend, seed.DEMO_SELLER_ID)
    assert (await seller.call("PATCH", path, stock)).status_code == 200
    assert (await stats(http))["throttled_by"] == {"seller_write": 2}


async def test_price_automation_5_requests_a_second_per_user(
    seller: Seller, http: httpx.AsyncClient, backend: Backend
) -> None:
    await steer(http, "settings", automation_rps=2)
    for _ in range(2):
        assert (await seller.get("/sale/price-automation/rules")).status_code == 200
    assert (await seller.get("/sale/price-automation/rules")).status_code == 429
    other = Seller(http, user_token(backend, seed.OTHER_SELLER_ID))  # per user
    assert (await other.get("/sale/price-automation/rules")).status_code == 200
    assert (await seller.get("/sale/offers")).status_code == 200  # other resources unaffected
    backend.advance_clock(1.1)
    assert (await seller.get("/sale/price-automation/rules")).status_code == 200
    assert (await stats(http))["throttled_by"] == {"per_second": 1}


def criteria(*offer_ids: str) -> list[dict[str, Any]]:
    return [{"type": "CONTAINS_OFFERS", "offers": [{"id": i} for i in offer_ids]}]


async def test_batch_commands_count_offer_changes_per_kind_not_requests(
    seller: Seller, http: httpx.AsyncClient, backend: Backend
) -> None:
    await steer(http, "settings", command_changes_per_minute=5, price_changes_per_hour=6)
    ids = [str(17_700_000_000 + i) for i in range(1, 4)]
    end = {"offerCriteria": criteria(*ids), "publication": {"action": "END"}}
    price = {
        "offerCriteria": criteria(*ids),
        "modification": {"type": "FIXED_PRICE", "price": {"amount": "9.99", "currency": "PLN"}},
    }

    async def put(kind: str, body: dict[str, Any]) -> int:
        response = await seller.call("PUT", f"/sale/{kind}/{uuid.uuid4()}", body)
        return response.status_code

    assert await put("offer-publication-commands", end) == 201
    assert await put("offer-publication-commands", end) == 429  # 6 changes > 5 a minute
    assert await put("offer-price-change-commands", price) == 201  # its own count
    backend.advance_clock(61)
    seller.token = user_token(backend, seed.DEMO_SELLER_ID)
    assert await put("offer-publication-commands", end) == 201
    assert await put("offer-price-change-commands", price) == 201
    backend.advance_clock(61)
    assert await put("offer-price-change-commands", price) == 429  # 9 > 6 an hour
    assert (await stats(http))["throttled_by"] == {"commands": 2}
