"""`/after-sales-service-conditions/*`: the seller's return policies, listed and one by one."""

from __future__ import annotations

import httpx
import pytest

from catalogsync.emulator import seed
from catalogsync.emulator.backend import Backend
from tests.emulator.support import Seller, first_error, user_token

pytestmark = pytest.mark.anyio

PATH = "/after-sales-service-conditions/return-policies"


async def test_a_return_policy_is_read_by_its_id(
    seller: Seller, http: httpx.AsyncClient, backend: Backend
) -> None:
    listed = (await seller.get(PATH)).json()["returnPolicies"]
    policy = listed[0]

    one = await seller.get(f"{PATH}/{policy['id']}")

    assert one.status_code == 200
    assert one.json() == policy
    assert {"id", "isFulfillment", "seller", "name", "availability"} <= set(one.json())
    missing = await seller.get(f"{PATH}/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404 and first_error(missing)["code"] == "NOT_FOUND"
    other = Seller(http, user_token(backend, seed.OTHER_SELLER_ID))
    assert (await other.get(f"{PATH}/{policy['id']}")).status_code == 403
