"""`GET /sale/tax-settings` and `taxSettings` in product-offer bodies."""

from __future__ import annotations

import pytest

from tests.emulator.support import Seller, first_error, make_offer, make_table, mug

pytestmark = pytest.mark.anyio


async def test_tax_settings_list_rates_per_country_for_a_category(seller: Seller) -> None:
    answer = await seller.get("/sale/tax-settings", **{"category.id": "67476",
                                                       "countryCode": "SK"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    (slovak,) = body["rates"]
    assert slovak["countryCode"] == "SK"
    assert [v["value"] for v in slovak["values"]] == ["23.00", "19.00", "5.00"]
    assert {s["value"] for s in body["subjects"]} == {"GOODS", "SERVICE"}
    every = (await seller.get("/sale/tax-settings", **{"category.id": "67476"})).json()
    assert [r["countryCode"] for r in every["rates"]] == ["PL", "CZ", "SK", "HU", "LT"]
    assert (await seller.get("/sale/tax-settings")).status_code == 400
    unknown = await seller.get("/sale/tax-settings", **{"category.id": "999999999"})
    assert unknown.status_code == 404


async def test_an_offer_keeps_allowed_tax_settings_and_refuses_others(seller: Seller) -> None:
    await make_table(seller)
    tax = {"rates": [{"rate": "23.00", "countryCode": "PL"}, {"rate": "21.00",
                                                             "countryCode": "CZ"}],
           "subject": "GOODS"}
    offer = await make_offer(seller, taxSettings=tax)
    assert offer["taxSettings"] == tax
    wrong = await seller.call("PATCH", f"/sale/product-offers/{offer['id']}",
                              {"taxSettings": {"rates": [{"rate": "7.00", "countryCode": "PL"}]}})
    assert wrong.status_code == 422
    assert first_error(wrong)["code"] == "TransactionTaxSettingsNotFoundException"
    assert first_error(wrong)["path"] == "taxSettings.rates[0].rate"
    empty = await seller.call("POST", "/sale/product-offers", {**mug(), "taxSettings": {}})
    assert empty.status_code == 422
    kept = (await seller.get(f"/sale/product-offers/{offer['id']}")).json()
    assert kept["taxSettings"] == tax
