"""The demo applications, users and after-sales conditions."""

from __future__ import annotations

from typing import Any

from catalogsync.emulator.seed.ids import DEMO_SELLER_ID, OTHER_SELLER_ID

Doc = dict[str, Any]

CLIENTS: list[Doc] = [
    {
        "id": "catalogsync-local",
        "secret": "local-secret",
        "name": "catalogsync (local emulator)",
        "grants": [
            "urn:ietf:params:oauth:grant-type:device_code",
            "authorization_code",
            "refresh_token",
            "client_credentials",
        ],
        "redirect_uri": "http://localhost:8765/callback",
    },
    {
        "id": "catalogsync-web",
        "secret": "web-secret",
        "name": "catalogsync (web app, no device grant)",
        "grants": ["authorization_code", "refresh_token"],
        "redirect_uri": "http://localhost:8765/callback",
    },
]

USERS: list[Doc] = [
    {
        "id": DEMO_SELLER_ID,
        "login": "demo-seller",
        "firstName": "Demo",
        "lastName": "Seller",
        "email": "demo-seller@allegro.local",
        "baseMarketplace": {"id": "allegro-pl"},
        "company": {"name": "Demo Seller sp. z o.o.", "taxId": "5250000001"},
        "features": [],
    },
    {
        "id": OTHER_SELLER_ID,
        "login": "other-seller",
        "firstName": "Other",
        "lastName": "Seller",
        "email": "other-seller@allegro.local",
        "baseMarketplace": {"id": "allegro-pl"},
        "company": {"name": None, "taxId": None},
        "features": [],
    },
]

#: Sellers with no data at start, for runs of many accounts on one application
#: (`benchmarks/fleet.py`, `plan DIR…`): ids 1000101-1000124, logins fleet-seller-01…24.
FLEET_SELLERS: list[Doc] = [
    {
        "id": str(1000100 + n),
        "login": f"fleet-seller-{n:02d}",
        "firstName": "Fleet",
        "lastName": f"Seller {n:02d}",
        "email": f"fleet-seller-{n:02d}@allegro.local",
        "baseMarketplace": {"id": "allegro-pl"},
        "company": {"name": f"Fleet {n:02d} sp. z o.o.", "taxId": f"52500{n:05d}"},
        "features": [],
    }
    for n in range(1, 25)
]

#: The demo seller's after-sales conditions, referred to by offers by id or by name, as
#: `GET /after-sales-service-conditions/*/{id}` answers them.
_RETURN_ADDRESS: Doc = {"name": "Demo Seller sp. z o.o.", "street": "Prosta 1",
                        "postCode": "00-950", "city": "Warszawa", "countryCode": "PL"}
_RETURN_OPTIONS: Doc = {"cashOnDeliveryNotAllowed": True, "freeAccessoriesReturnRequired": True,
                        "refundLoweredByReceivedDiscount": True, "businessReturnAllowed": False,
                        "collectBySellerOnly": False}
AFTER_SALES: dict[str, dict[str, list[Doc]]] = {
    DEMO_SELLER_ID: {
        "returnPolicies": [
            {"id": "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b", "isFulfillment": False,
             "seller": {"id": DEMO_SELLER_ID}, "name": "Zwroty 14 dni",
             "availability": {"range": "FULL"}, "withdrawalPeriod": "P14D",
             "returnCost": {"coveredBy": "BUYER"}, "address": _RETURN_ADDRESS,
             "contact": None, "options": _RETURN_OPTIONS},
            {"id": "4a2d3b5f-6c7e-4f80-9bac-1d2e3f4a5b6c", "isFulfillment": False,
             "seller": {"id": DEMO_SELLER_ID}, "name": "Zwroty 30 dni",
             "availability": {"range": "FULL"}, "withdrawalPeriod": "P30D",
             "returnCost": {"coveredBy": "SELLER"}, "address": _RETURN_ADDRESS,
             "contact": None, "options": _RETURN_OPTIONS},
        ],
        "impliedWarranties": [
            {"id": "5b3e4c60-7d8f-4091-acbd-2e3f4a5b6c7d", "seller": {"id": DEMO_SELLER_ID},
             "name": "Rękojmia 24 miesiące", "individual": {"period": "P2Y"},
             "corporate": {"period": "P1Y"}, "address": _RETURN_ADDRESS},
        ],
        "warranties": [
            {"id": "6c4f5d71-8e90-41a2-bdce-3f4a5b6c7d8e", "seller": {"id": DEMO_SELLER_ID},
             "name": "Gwarancja producenta", "type": "MANUFACTURER",
             "individual": {"period": "P24M", "lifetime": False}},
        ],
    },
}


#: The demo seller's responsible producer (GPSR), as `POST /sale/responsible-producers` keeps it.
DEMO_PRODUCER: Doc = {
    "id": "8d1e6f0a-2b3c-4d5e-8f90-a1b2c3d4e5f6",
    "name": "Producent Demo",
    "producerData": {
        "tradeName": "Demo Seller sp. z o.o.",
        "address": {"countryCode": "PL", "street": "Prosta 1", "postalCode": "00-950",
                    "city": "Warszawa"},
        "contact": {"email": "produkty@demo-seller.example"},
    },
}
