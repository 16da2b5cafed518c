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


ROOT = "/after-sales-service-conditions"
POLICY = {
    "name": "Zwroty 21 dni", "isFulfillment": False,
    "availability": {"range": "FULL"}, "withdrawalPeriod": "P21D",
    "returnCost": {"coveredBy": "SELLER"},
    "address": {"name": "Sklep", "street": "Prosta 1", "postCode": "00-950",
                "city": "Warszawa", "countryCode": "PL"},
    "options": {"cashOnDeliveryNotAllowed": False, "freeAccessoriesReturnRequired": True,
                "refundLoweredByReceivedDiscount": False, "businessReturnAllowed": True,
                "collectBySellerOnly": False},
}
IMPLIED = {"name": "Rękojmia 2 lata", "individual": {"period": "P2Y"},
           "address": POLICY["address"], "description": "Reklamacje pod adresem sklepu."}
WARRANTY = {"name": "Gwarancja 36", "type": "SELLER",
            "individual": {"period": "P36M"}, "corporate": {"lifetime": True}}


async def test_each_condition_is_created_listed_read_and_updated(seller: Seller) -> None:
    for segment, body, key in (("return-policies", POLICY, "returnPolicies"),
                               ("implied-warranties", IMPLIED, "impliedWarranties"),
                               ("warranties", WARRANTY, "warranties")):
        made = await seller.call("POST", f"{ROOT}/{segment}", body)
        assert made.status_code == 201, made.text
        doc = made.json()
        assert doc["seller"] == {"id": seed.DEMO_SELLER_ID} and doc["name"] == body["name"]
        listed = (await seller.get(f"{ROOT}/{segment}"))
        assert listed.status_code == 200
        assert doc["id"] in {d["id"] for d in listed.json()[key]}
        changed = {k: v for k, v in body.items() if k != "isFulfillment"} | {"name": "Nowa"}
        put = await seller.call("PUT", f"{ROOT}/{segment}/{doc['id']}", changed)
        assert put.status_code == 200, put.text
        assert (await seller.get(f"{ROOT}/{segment}/{doc['id']}")).json()["name"] == "Nowa"


async def test_lists_of_warranties_hold_only_id_and_name(seller: Seller) -> None:
    listed = (await seller.get(f"{ROOT}/warranties")).json()["warranties"]
    assert listed and all(set(d) == {"id", "name"} for d in listed)
    assert (await seller.get(f"{ROOT}/warranties", limit=61)).status_code == 400
    assert (await seller.get(f"{ROOT}/warranties", offset=60)).status_code == 400


@pytest.mark.parametrize(("change", "path"), [
    ({"withdrawalPeriod": "P10D"}, "withdrawalPeriod"),
    ({"withdrawalPeriod": "P2W"}, "withdrawalPeriod"),
    ({"availability": {"range": "RESTRICTED"}}, "availability.restrictionCause.name"),
    ({"availability": {"range": "FULL", "restrictionCause": {"name": "PRESS"}}},
     "availability.restrictionCause"),
    ({"availability": {"range": "RESTRICTED", "restrictionCause": {"name": "ALCOHOL"}}},
     "availability.restrictionCause.name"),
    ({"options": {"cashOnDeliveryNotAllowed": True}}, "options.refundLoweredByReceivedDiscount"),
    ({"address": {**POLICY["address"], "postCode": "00950"}}, "address.postCode"),
    ({"address": {**POLICY["address"], "street": "x" * 36}}, "address.street"),
    ({"name": "x" * 201}, "name"),
])
async def test_a_return_policy_is_checked_as_documented(
    seller: Seller, change: dict[str, object], path: str
) -> None:
    answer = await seller.call("POST", f"{ROOT}/return-policies", {**POLICY, **change})
    assert answer.status_code == 422
    assert first_error(answer)["path"] == path


async def test_a_disabled_policy_answers_nulls(seller: Seller) -> None:
    body = {"name": "Bez zwrotów", "isFulfillment": False,
            "availability": {"range": "DISABLED", "restrictionCause": {"name": "CUSTOM_ITEM"}}}
    doc = (await seller.call("POST", f"{ROOT}/return-policies", body)).json()
    assert doc["withdrawalPeriod"] is None and doc["address"] is None and doc["options"] is None


async def test_warranty_periods_and_names_are_checked(seller: Seller) -> None:
    years = await seller.call("POST", f"{ROOT}/implied-warranties",
                              {**IMPLIED, "individual": {"period": "P24M"}})
    assert first_error(years)["path"] == "individual.period"
    both = await seller.call("POST", f"{ROOT}/warranties",
                             {**WARRANTY, "corporate": {"lifetime": True, "period": "P1Y"}})
    assert first_error(both)["path"] == "corporate.period"
    kind = await seller.call("POST", f"{ROOT}/warranties", {**WARRANTY, "type": "SHOP"})
    assert first_error(kind)["path"] == "type"
    assert (await seller.call("POST", f"{ROOT}/warranties", WARRANTY)).status_code == 201
    twice = await seller.call("POST", f"{ROOT}/warranties", WARRANTY)
    assert twice.status_code == 422 and first_error(twice)["path"] == "name"


async def test_another_sellers_condition_cannot_be_changed(
    seller: Seller, http: httpx.AsyncClient, backend: Backend
) -> None:
    made = (await seller.call("POST", f"{ROOT}/implied-warranties", IMPLIED)).json()
    other = Seller(http, user_token(backend, seed.OTHER_SELLER_ID))
    put = await other.call("PUT", f"{ROOT}/implied-warranties/{made['id']}", IMPLIED)
    assert put.status_code == 403
    assert made["id"] not in {d["id"] for d in (await other.get(
        f"{ROOT}/implied-warranties")).json()["impliedWarranties"]}
    assert (await seller.get(f"{ROOT}/warranties/{made['id']}")).status_code == 404
