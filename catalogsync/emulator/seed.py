"""Demo data the emulator starts with; the example catalog is written against these facts.

Application: client ``catalogsync-local`` / ``local-secret`` (device, authorization-code,
refresh and client-credentials grants; redirect URI ``http://localhost:8765/callback``), and
``catalogsync-web`` / ``web-secret`` registered without the device grant (authorization-code and
refresh only, same redirect URI), for `auth login`'s "Client does not have the device_code grant."

Sellers: ``1000001`` demo-seller (the local CLI acts as it; no tables, no offers at start) and
``1000002`` other-seller (one ACTIVE offer ``20000000001``, external id ``OTHER-1``, and its own
shipping-rate table, for ownership tests: R8, R21).

Delivery methods (ids are fixed)::

    ee2a8f53-ece5-4a5e-9146-a94fb0f88ac0  Allegro Paczkomaty InPost       max 10,  0.00-100.00 PLN
    a7de9a80-fc6e-43e6-a1bf-953c9d2cb214  Allegro Kurier DPD              max 20,  0.00-500.00 PLN
    74c0e8cd-adcf-4806-901f-f8dbe7e1fdef  Allegro One Box, One Kurier     max 10,  0.00-100.00 PLN
    b7641d8e-02e7-4ee0-86df-62f342d9737a  Odbiór osobisty po przedpłacie  max 100, 0.00-0.00 PLN

Categories: Kubki 67476 and Laptopy 491 (variant sets managed by hand), Koszulki 16248 (managed
automatically by Allegro: R25).

Products (ids are fixed)::

    6fa5cff5-8eda-427c-9d89-07d45aa8b16d  mug, white      EAN 5901234123457  Kubki
    d3d28cd1-9b8f-45f9-8439-8b97eee31d9c  mug, black      EAN 5901234123464  Kubki
    c7168735-a30e-45b9-bf0b-07c9f1e32fca  laptop, 256 GB  EAN 5909990000017  Laptopy  (R23:
    27216a4d-06eb-4176-8a73-071bcee799e6  laptop, 512 GB  EAN 5909990000017  Laptopy   one EAN)
    da2866d6-4819-41ca-999e-5f57b289045d  t-shirt S       EAN 5907000000011  Koszulki
    0b797a31-b965-45c9-9010-374ab87ff111  t-shirt M       EAN 5907000000028  Koszulki
    49fc3094-55f4-476f-8f2c-ed30add4b70b  t-shirt L       EAN 5907000000035  Koszulki
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

Doc = dict[str, Any]

DEMO_SELLER_ID = "1000001"
OTHER_SELLER_ID = "1000002"
OTHER_OFFER_ID = "20000000001"
OTHER_TABLE_ID = "d2d32610-81fe-4fd3-ad2c-ae41e77684d3"

INPOST = "ee2a8f53-ece5-4a5e-9146-a94fb0f88ac0"
DPD = "a7de9a80-fc6e-43e6-a1bf-953c9d2cb214"
ONE_BOX = "74c0e8cd-adcf-4806-901f-f8dbe7e1fdef"
PICKUP = "b7641d8e-02e7-4ee0-86df-62f342d9737a"

MUG_WHITE = "6fa5cff5-8eda-427c-9d89-07d45aa8b16d"
MUG_BLACK = "d3d28cd1-9b8f-45f9-8439-8b97eee31d9c"
LAPTOP_256 = "c7168735-a30e-45b9-bf0b-07c9f1e32fca"
LAPTOP_512 = "27216a4d-06eb-4176-8a73-071bcee799e6"
TSHIRT_S = "da2866d6-4819-41ca-999e-5f57b289045d"
TSHIRT_M = "0b797a31-b965-45c9-9010-374ab87ff111"
TSHIRT_L = "49fc3094-55f4-476f-8f2c-ed30add4b70b"

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


def _delivery_method(
    method_id: str,
    name: str,
    max_quantity: int,
    max_rate: str,
    weight: tuple[str, str] | None,
    endorsed: bool = True,
) -> Doc:
    """A delivery method as `GET /sale/delivery-methods` lists it (API_NOTES §7)."""
    rate = {"min": "0.00", "max": max_rate, "currency": "PLN"}
    shipping_time = {"from": "PT24H", "to": "PT48H"} if endorsed else {"from": "PT0S", "to": "PT0S"}
    return {
        "id": method_id,
        "name": name,
        "marketplaces": ["allegro-pl"],
        "paymentPolicy": "IN_ADVANCE",
        "allegroEndorsed": endorsed,
        "dispatchCountry": "PL",
        "destinationCountry": "PL",
        "shippingRatesConstraints": {
            "allowed": True,
            "maxQuantityPerPackage": {"max": max_quantity},
            "maxPackageWeight": {
                "supported": weight is not None,
                "min": weight[0] if weight else None,
                "max": weight[1] if weight else None,
                "unit": "KILOGRAM" if weight else None,
            },
            "firstItemRate": dict(rate),
            "nextItemRate": dict(rate),
            "shippingTime": {
                "default": shipping_time,
                "customizable": False,
            },
        },
    }


DELIVERY_METHODS: list[Doc] = [
    _delivery_method(INPOST, "Allegro Paczkomaty InPost", 10, "100.00", ("0.100", "25.000")),
    _delivery_method(DPD, "Allegro Kurier DPD", 20, "500.00", ("0.100", "31.500")),
    _delivery_method(ONE_BOX, "Allegro One Box, One Kurier", 10, "100.00", None),
    _delivery_method(PICKUP, "Odbiór osobisty po przedpłacie", 100, "0.00", None, endorsed=False),
]


def _options(describes_product: bool) -> Doc:
    return {
        "variantsAllowed": describes_product,
        "variantsEqual": False,
        "ambiguousValueId": None,
        "dependsOnParameterId": None,
        "describesProduct": describes_product,
        "customValuesEnabled": False,
    }


def _dictionary(
    param_id: str, name: str, values: list[str], *, required: bool = False, describes: bool = True
) -> Doc:
    """A dictionary parameter; value ids are `<param id>_<1-based index>`."""
    return {
        "id": param_id,
        "name": name,
        "type": "dictionary",
        "required": required,
        "requiredForProduct": False,
        "requiredIf": None,
        "displayedIf": None,
        "unit": None,
        "options": _options(describes),
        "dictionary": [
            {"id": f"{param_id}_{i}", "value": value, "dependsOnValueIds": []}
            for i, value in enumerate(values, start=1)
        ],
        "restrictions": {"multipleChoices": False},
    }


CONDITION = _dictionary("11323", "Stan", ["Nowy", "Używany"], required=True, describes=False)
COLOUR = _dictionary("248811", "Kolor", ["biały", "czarny", "niebieski"])
CAPACITY: Doc = {
    "id": "17448",
    "name": "Pojemność",
    "type": "integer",
    "required": False,
    "requiredForProduct": False,
    "requiredIf": None,
    "displayedIf": None,
    "unit": "ml",
    "options": _options(True),
    "restrictions": {"min": 0, "max": 100000, "range": False},
}
DISK = _dictionary("202865", "Pojemność dysku", ["256 GB", "512 GB"])
SIZE = _dictionary("3306", "Rozmiar", ["S", "M", "L"])

#: category id -> {"id", "name", "parameters", "variants"} (parameters as `GET .../parameters`
#: lists them; "variants": whether Allegro manages multi-variant offers there automatically or
#: sellers do it by hand, which decides if ended offers show in a variant set: R25)
CATEGORIES: list[Doc] = [
    {"id": "67476", "name": "Kubki", "parameters": [CONDITION, COLOUR, CAPACITY],
     "variants": "MANUAL"},
    {"id": "491", "name": "Laptopy", "parameters": [CONDITION, DISK, COLOUR], "variants": "MANUAL"},
    {"id": "16248", "name": "Koszulki", "parameters": [CONDITION, SIZE, COLOUR],
     "variants": "AUTOMATIC"},
]


def _dict_value(param: Doc, label: str) -> Doc:
    value_id = next(v["id"] for v in param["dictionary"] if v["value"] == label)
    return {
        "id": param["id"],
        "name": param["name"],
        "values": [label],
        "valuesIds": [value_id],
        "valuesLabels": [label],
        "options": {"identifiesProduct": True, "isGTIN": False},
    }


def _capacity(ml: int) -> Doc:
    return {
        "id": CAPACITY["id"],
        "name": CAPACITY["name"],
        "values": [str(ml)],
        "valuesLabels": [f"{ml} ml"],
        "unit": "ml",
        "options": {"identifiesProduct": True, "isGTIN": False},
    }


def _product(
    product_id: str, ean: str, name: str, category: Doc, parameters: list[Doc], image: str
) -> Doc:
    """A catalogue product as `GET /sale/products` lists it, plus its EAN under `ean`."""
    return {
        "ean": ean,
        "id": product_id,
        "name": name,
        "category": {
            "id": category["id"],
            "path": [{"id": category["id"], "name": category["name"]}],
        },
        "images": [{"url": f"https://a.allegroimg.com/original/{image}"}],
        "parameters": parameters,
        "publication": {"status": "LISTED"},
    }


KUBKI, LAPTOPY, KOSZULKI = CATEGORIES
PRODUCTS: list[Doc] = [
    _product(
        MUG_WHITE, "5901234123457", "Kubek ceramiczny biały 330 ml", KUBKI,
        [_dict_value(COLOUR, "biały"), _capacity(330)], "11a1b2/kubek-bialy-330",
    ),
    _product(
        MUG_BLACK, "5901234123464", "Kubek ceramiczny czarny 330 ml", KUBKI,
        [_dict_value(COLOUR, "czarny"), _capacity(330)], "11a1b3/kubek-czarny-330",
    ),
    _product(
        LAPTOP_256, "5909990000017", "Laptop Demo 14 256 GB czarny", LAPTOPY,
        [_dict_value(DISK, "256 GB"), _dict_value(COLOUR, "czarny")], "22b1c1/laptop-256",
    ),
    _product(
        LAPTOP_512, "5909990000017", "Laptop Demo 14 512 GB czarny", LAPTOPY,
        [_dict_value(DISK, "512 GB"), _dict_value(COLOUR, "czarny")], "22b1c2/laptop-512",
    ),
    _product(
        TSHIRT_S, "5907000000011", "Koszulka bawełniana biała S", KOSZULKI,
        [_dict_value(SIZE, "S"), _dict_value(COLOUR, "biały")], "33c1d1/koszulka-s",
    ),
    _product(
        TSHIRT_M, "5907000000028", "Koszulka bawełniana biała M", KOSZULKI,
        [_dict_value(SIZE, "M"), _dict_value(COLOUR, "biały")], "33c1d2/koszulka-m",
    ),
    _product(
        TSHIRT_L, "5907000000035", "Koszulka bawełniana biała L", KOSZULKI,
        [_dict_value(SIZE, "L"), _dict_value(COLOUR, "biały")], "33c1d3/koszulka-l",
    ),
]

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


def _other_offer(now: str) -> Doc:
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


def insert_seed(db: sqlite3.Connection, now: str) -> None:
    """Insert the demo data into an empty emulator database (schema made by the backend)."""
    reference = [
        *(("client", c["id"], c) for c in CLIENTS),
        *(("user", u["id"], u) for u in USERS),
        *(("delivery_method", m["id"], m) for m in DELIVERY_METHODS),
        *(("category", c["id"], c) for c in CATEGORIES),
        *(("product", p["id"], p) for p in PRODUCTS),
    ]
    db.executemany(
        "INSERT INTO reference (kind, id, doc) VALUES (?, ?, ?)",
        [(kind, key, json.dumps(doc)) for kind, key, doc in reference],
    )
    table = {**OTHER_TABLE, "lastModified": now}
    db.execute(
        "INSERT INTO shipping_rates (id, seller, name, doc) VALUES (?, ?, ?, ?)",
        (OTHER_TABLE_ID, OTHER_SELLER_ID, OTHER_TABLE["name"], json.dumps(table)),
    )
    db.execute(
        "INSERT INTO offers (id, seller, external_id, status, ever_activated, doc)"
        " VALUES (?, ?, ?, 'ACTIVE', 1, ?)",
        (OTHER_OFFER_ID, OTHER_SELLER_ID, "OTHER-1", json.dumps(_other_offer(now))),
    )


#: The demo seller's after-sales conditions, referred to by offers by id or by name.
AFTER_SALES: dict[str, dict[str, list[Doc]]] = {
    DEMO_SELLER_ID: {
        "returnPolicies": [
            {"id": "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b", "seller": {"id": DEMO_SELLER_ID},
             "name": "Zwroty 14 dni", "availability": {"range": "FULL"},
             "withdrawalPeriod": "P14D"},
            {"id": "4a2d3b5f-6c7e-4f80-9bac-1d2e3f4a5b6c", "seller": {"id": DEMO_SELLER_ID},
             "name": "Zwroty 30 dni", "availability": {"range": "FULL"},
             "withdrawalPeriod": "P30D"},
        ],
        "impliedWarranties": [
            {"id": "5b3e4c60-7d8f-4091-acbd-2e3f4a5b6c7d", "name": "Rękojmia 24 miesiące"},
        ],
        "warranties": [
            {"id": "6c4f5d71-8e90-41a2-bdce-3f4a5b6c7d8e", "name": "Gwarancja producenta"},
        ],
    },
}
