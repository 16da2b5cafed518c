"""other-seller's shipping-rate table and ACTIVE offer, for the ownership rules (R8, R21)."""

from __future__ import annotations

from typing import Any

from catalogsync.emulator.seed.catalogue import KUBKI, PRODUCTS
from catalogsync.emulator.seed.ids import INPOST, MUG_WHITE, OTHER_OFFER_ID, OTHER_TABLE_ID

Doc = dict[str, Any]

OTHER_TABLE: Doc = {
    "id": OTHER_TABLE_ID,
    "name": "Cennik innego sprzedawcy",
    "rates": [
        {
            "deliveryMethod": {"id": INPOST},
            "maxQuantityPerPackage": 5,
            "firstItemRate": {"amount": "9.99", "currency": "PLN"},
            "nextItemRate": {"amount": "0.00", "currency": "PLN"},
        }
    ],
}


def other_offer(now: str) -> Doc:
    """other-seller's ACTIVE offer, in `SaleProductOfferResponseV1` shape."""
    image = PRODUCTS[0]["images"][0]["url"]
    return {
        "id": OTHER_OFFER_ID,
        "name": "Kubek ceramiczny biały 330 ml od innego sprzedawcy",
        "category": {"id": KUBKI["id"]},
        "productSet": [
            {
                "product": {
                    "id": MUG_WHITE,
                    "publication": {"status": "LISTED"},
                    "parameters": [
                        {"id": "248811", "name": "Kolor", "values": ["biały"],
                         "valuesIds": ["248811_1"], "rangeValue": None},
                        {"id": "17448", "name": "Pojemność", "values": ["330"],
                         "valuesIds": None, "rangeValue": None},
                    ],
                },
                "quantity": {"value": 1},
            }
        ],
        "parameters": [
            {"id": "11323", "name": "Stan", "values": ["Nowy"], "valuesIds": ["11323_1"]}
        ],
        "images": [image],
        "description": {"sections": [{"items": [{"type": "TEXT", "content": "<p>Kubek.</p>"}]}]},
        "sellingMode": {"format": "BUY_NOW", "price": {"amount": "25.00", "currency": "PLN"}},
        "stock": {"available": 5, "unit": "UNIT"},
        "delivery": {
            "handlingTime": "PT24H",
            "shippingRates": {"id": OTHER_TABLE_ID, "name": OTHER_TABLE["name"]},
            "additionalInfo": None,
            "shipmentDate": None,
        },
        "location": {"countryCode": "PL", "province": "MAZOWIECKIE", "city": "Warszawa",
                     "postCode": "00-001"},
        "payments": {"invoice": "VAT"},
        "publication": {
            "duration": None,
            "startingAt": now,
            "endingAt": None,
            "endedBy": None,
            "status": "ACTIVE",
            "republish": False,
            "marketplaces": {"base": {"id": "allegro-pl"}, "additional": []},
        },
        "external": {"id": "OTHER-1"},
        "afterSalesServices": None,
        "language": "pl-PL",
        "validation": {"errors": [], "warnings": [], "validatedAt": now},
        "warnings": [],
        "createdAt": now,
        "updatedAt": now,
        "_listing": {"startedAt": now, "endedAt": None},
    }
