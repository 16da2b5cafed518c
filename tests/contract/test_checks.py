"""The contract checker itself: it catches what it should and lets through only §11's nulls."""

from __future__ import annotations

import json
from typing import Any

from catalogsync.emulator.recording import Exchange
from tests.contract import checks

MEDIA_TYPE = "application/vnd.allegro.public.v1+json"
OFFER = "/sale/product-offers/{offerId}"


def exchange(
    method: str,
    template: str,
    status: int,
    body: Any = None,
    *,
    request: Any = None,
    headers: dict[str, str] | None = None,
    test: str = "tests/emulator/test_x.py::probe",
) -> Exchange:
    return Exchange(
        method,
        template,
        template,
        "",
        b"" if request is None else json.dumps(request).encode(),
        status,
        {"content-type": MEDIA_TYPE, **(headers or {})},
        b"" if body is None else json.dumps(body).encode(),
        test,
    )


def problems(*exchanges: Exchange) -> list[str]:
    return checks.problems_of(exchanges)


def test_null_objects_and_arrays_pass_as_api_notes_11_documents() -> None:
    body = {
        "id": "1",
        "location": None,
        "afterSalesServices": None,
        "productSet": [
            {
                "product": {
                    "id": "p",
                    "parameters": [{"id": "1", "rangeValue": None, "valuesIds": None}],
                }
            }
        ],
    }
    assert problems(exchange("GET", OFFER, 200, body)) == []


def test_null_strings_do_not_pass() -> None:
    found = problems(exchange("GET", OFFER, 200, {"publication": {"endingAt": None}}))
    assert found and all("publication.endingAt" in p for p in found)


def test_wrong_types_and_values_are_caught() -> None:
    found = problems(
        exchange(
            "GET", OFFER, 200, {"stock": {"available": "ten"}, "publication": {"status": "PAUSED"}}
        )
    )
    assert any("stock.available" in p for p in found)
    assert any("publication.status" in p for p in found)


def test_undocumented_status_and_missing_documented_header_are_caught() -> None:
    assert problems(exchange("GET", "/me", 418, {"errors": []}))
    started = exchange(
        "POST",
        "/sale/product-offers",
        202,
        {"id": "1"},
        request={"stock": {"available": 1}},
        headers={"location": "/x"},
    )
    assert any("Retry-after" in p for p in problems(started))


def test_error_answers_must_be_allegros_error_list() -> None:
    assert problems(exchange("PATCH", OFFER, 409, {"message": "busy"}))
    assert not problems(
        exchange(
            "PATCH",
            OFFER,
            409,
            {
                "errors": [
                    {
                        "code": "CONFLICT",
                        "message": "busy",
                        "details": None,
                        "path": None,
                        "userMessage": "busy",
                        "metadata": {},
                    }
                ]
            },
        )
    )


def test_401_may_be_oauths_or_allegros_error_shape() -> None:
    oauth = exchange(
        "GET",
        "/me",
        401,
        {"error": "invalid_token", "error_description": "x"},
        headers={"content-type": "application/json"},
    )
    assert not problems(oauth)
    assert problems(exchange("GET", "/me", 401, {"message": "no"}))


def test_requests_the_spec_rejects_are_caught() -> None:
    wrong = {"stock": {"available": "ten"}}
    accepted = exchange("POST", "/sale/product-offers", 201, {"id": "1"}, request=wrong)
    assert any("accepted a request the spec rejects" in p for p in problems(accepted))
    rejected = exchange(
        "POST",
        "/sale/product-offers",
        422,
        {
            "errors": [
                {
                    "code": "VALIDATION_ERROR",
                    "message": "m",
                    "details": None,
                    "path": "stock.available",
                    "userMessage": "m",
                    "metadata": {},
                }
            ]
        },
        request=wrong,
    )
    assert problems(rejected) == []  # a probe of the emulator's validation
    ours = exchange(
        "POST",
        "/sale/product-offers",
        422,
        json.loads(rejected.response_body),
        request=wrong,
        test="tests/e2e/test_x.py::apply",
    )
    assert any("catalogsync's client sent" in p for p in problems(ours))
