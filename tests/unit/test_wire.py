"""Allegro JSON <-> canonical fields, with plain values."""

from __future__ import annotations

from catalogsync.allegro.wire import (
    CategoryParameter,
    offer_body,
    offer_fields,
    table_body,
    table_rates,
)

RESPONSE = {
    "id": "17739010762",
    "name": "Kubek ceramiczny biały 330 ml",
    "productSet": [{"product": {"id": "p-1", "parameters": [{"rangeValue": None}]}}],
    "category": {"id": "67476"},
    "parameters": [
        {
            "id": "11323",
            "name": "Stan",
            "values": ["Nowy"],
            "valuesIds": ["11323_1"],
            "rangeValue": None,
        }
    ],
    "sellingMode": {"format": "BUY_NOW", "price": {"amount": "29.9", "currency": "PLN"}},
    "stock": {"available": 4, "unit": "UNIT"},
    "images": ["https://img/1.jpg"],
    "description": {
        "sections": [
            {
                "items": [
                    {"type": "TEXT", "content": "<p>a</p>"},
                    {"type": "IMAGE", "url": "https://img/1.jpg"},
                ]
            }
        ]
    },
    "delivery": {"handlingTime": "PT24H", "shippingRates": {"id": "t-1"}},
    "location": {
        "countryCode": "PL",
        "province": "MAZOWIECKIE",
        "city": "Warszawa",
        "postCode": "00-950",
    },
    "payments": {"invoice": "VAT"},
    "publication": {"status": "ACTIVATING"},
    "warnings": [],
}


def test_response_becomes_canonical_fields() -> None:
    fields = offer_fields(RESPONSE, {"t-1": "Standard"})
    assert fields == {
        "name": "Kubek ceramiczny biały 330 ml",
        "product": "p-1",
        "category": "67476",
        "parameters": {"Stan": ["Nowy"]},
        "price": "29.90 PLN",
        "stock": 4,
        "images": ["https://img/1.jpg"],
        "description": [
            [{"type": "TEXT", "content": "<p>a</p>"}, {"type": "IMAGE", "url": "https://img/1.jpg"}]
        ],
        "shipping_rates": "Standard",
        "handling_time": "PT24H",
        "location": {
            "countryCode": "PL",
            "province": "MAZOWIECKIE",
            "city": "Warszawa",
            "postCode": "00-950",
        },
        "invoice": "VAT",
        "status": "active",
    }


def test_canonical_fields_round_trip_through_a_request_body() -> None:
    fields = offer_fields(RESPONSE, {"t-1": "Standard"})
    stan = CategoryParameter(
        id="11323", name="Stan", type="dictionary", required=True, dictionary={"Nowy": "11323_1"}
    )
    body = offer_body(fields, {"Stan": stan}, {"Standard": "t-1"})
    assert body["parameters"] == [{"id": "11323", "valuesIds": ["11323_1"]}]
    assert body["delivery"] == {"handlingTime": "PT24H", "shippingRates": {"id": "t-1"}}
    assert body["sellingMode"]["price"] == {"amount": "29.90", "currency": "PLN"}
    response = {**body, "parameters": RESPONSE["parameters"], "publication": {"status": "ACTIVE"}}
    assert offer_fields(response, {"t-1": "Standard"}) == fields


def test_table_not_yet_created_is_referenced_by_name() -> None:
    body = offer_body({"shipping_rates": "Nowy cennik"}, {}, {})
    assert body == {"delivery": {"shippingRates": {"name": "Nowy cennik"}}}


def test_shipping_rate_table_round_trip() -> None:
    rows = (
        {
            "delivery_method": "DPD",
            "first_item": "16.99 PLN",
            "next_item": "0.00 PLN",
            "max_quantity_per_package": 5,
        },
    )
    body = table_body("Standard", rows, {"DPD": "m-1"}, "t-1")
    assert body["id"] == "t-1"
    assert table_rates(body, {"m-1": "DPD"}) == rows


def test_range_and_multi_value_parameters_go_out_and_come_back_in_one_shape() -> None:
    known = {
        "Temperatura napoju": CategoryParameter("219201", "Temperatura napoju", "float", False),
        "Cechy": CategoryParameter(
            "4720", "Cechy", "dictionary", False, {"z uchem": "4720_3", "do zmywarki": "4720_1"}
        ),
    }
    fields = {"parameters": {"Temperatura napoju": {"from": "60", "to": "90.5"},
                             "Cechy": ["do zmywarki", "z uchem"]}}

    body = offer_body(fields, known, {})

    assert body["parameters"] == [
        {"id": "4720", "valuesIds": ["4720_1", "4720_3"]},
        {"id": "219201", "rangeValue": {"from": "60", "to": "90.5"}},
    ]
    echoed = {"parameters": [
        {"id": "4720", "name": "Cechy", "values": ["do zmywarki", "z uchem"],
         "valuesIds": ["4720_1", "4720_3"], "rangeValue": None},
        {"id": "219201", "name": "Temperatura napoju", "values": [], "valuesIds": [],
         "rangeValue": {"from": "60", "to": "90.5"}},
    ]}
    assert offer_fields(echoed, {})["parameters"] == fields["parameters"]
