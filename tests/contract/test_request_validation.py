"""Requests of the wrong shape for Allegro's spec: the status Allegro documents, `errors[]` with
every path, and Allegro's gate (406, 401, 415) before any of it."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from catalogsync.emulator import conformance, seed
from catalogsync.emulator.app import REST, create_app
from catalogsync.emulator.backend import Backend
from tests.emulator.support import GPSR

MEDIA_TYPE = "application/vnd.allegro.public.v1+json"
CLIENT = ("catalogsync-local", "local-secret")
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
IMAGE = "https://a.allegroimg.com/original/11a1b2/kubek"

Call = Callable[..., Awaitable[httpx.Response]]


def mug(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "productSet": [{"product": {"id": "5901234123457", "idType": "GTIN"}, **GPSR}],
        "name": "Kubek ceramiczny biały 330 ml",
        "parameters": [{"id": "11323", "valuesIds": ["11323_1"]}],
        "images": [IMAGE],
        "description": {"sections": [{"items": [{"type": "TEXT", "content": "<p>Kubek</p>"}]}]},
        "sellingMode": {"format": "BUY_NOW", "price": {"amount": "29.99", "currency": "PLN"}},
        "stock": {"available": 10, "unit": "UNIT"},
        "external": {"id": "MUG-WHITE-330"},
        "publication": {"status": "INACTIVE"},
    }
    return {**body, **changes}


def run(scenario: Callable[[Call, Backend], Awaitable[None]]) -> None:
    """Run `scenario` with a logged-in demo seller against a fresh in-process emulator."""
    backend = Backend()
    backend.settings.processing_delay = 0.0
    code = backend.oauth.device_authorize(*CLIENT, CLIENT[0])
    backend.oauth.approve_device(code["user_code"], seed.DEMO_SELLER_ID)
    token = backend.oauth.token(
        *CLIENT, {"grant_type": DEVICE_GRANT, "device_code": code["device_code"]}
    )["access_token"]

    async def main() -> None:
        transport = httpx.ASGITransport(app=create_app(backend))
        async with httpx.AsyncClient(transport=transport, base_url="http://allegro.local") as http:

            async def call(
                method: str,
                path: str,
                body: Any = None,
                *,
                headers: dict[str, str] | None = None,
                **params: Any,
            ) -> httpx.Response:
                sent = {
                    "Accept": MEDIA_TYPE,
                    "Authorization": f"Bearer {token}",
                    "Content-Type": MEDIA_TYPE,
                    **(headers or {}),
                }
                content = None if body is None else json.dumps(body)
                return await http.request(
                    method, path, content=content, headers=sent, params=params or None
                )

            await scenario(call, backend)

    try:
        asyncio.run(main())
    finally:
        backend.close()


def paths(response: httpx.Response) -> dict[str, str]:
    """`{path: message}` of an Allegro error answer; every entry is a VALIDATION_ERROR."""
    errors = response.json()["errors"]
    assert all(
        e["code"] == "VALIDATION_ERROR"
        and e["details"] is None
        and e["userMessage"]
        and e["metadata"] == {}
        for e in errors
    ), errors
    return {e["path"]: e["message"] for e in errors}


def test_offer_of_the_wrong_shape_is_422_naming_every_path() -> None:
    async def scenario(call: Call, backend: Backend) -> None:
        response = await call(
            "POST",
            "/sale/product-offers",
            mug(
                productSet=[{"product": {"id": 5901234123457}}],
                name="Kubek",
                stock={"available": "10", "unit": "KILOGRAM"},
                description={"sections": [{"items": [{"type": "VIDEO"}, {"content": "<p>x</p>"}]}]},
            ),
        )
        assert response.status_code == 422
        assert response.headers["content-type"] == MEDIA_TYPE
        assert set(paths(response)) == {
            "productSet[0].product.id",
            "name",
            "stock.available",
            "stock.unit",
            "description.sections[0].items[0].type",
            "description.sections[0].items[1].type",
        }
        assert "12" in paths(response)["name"]  # minLength 12 [S]

    run(scenario)


def test_missing_stock_is_422_at_stock() -> None:
    async def scenario(call: Call, backend: Backend) -> None:
        body = mug()
        del body["stock"]
        response = await call("POST", "/sale/product-offers", body)
        assert response.status_code == 422
        assert paths(response) == {"stock": "'stock' is required."}

    run(scenario)


def test_null_where_the_spec_wants_a_value_is_rejected() -> None:
    """API_NOTES §11: sending `"language": null` is rejected; send only the fields you set."""

    async def scenario(call: Call, backend: Backend) -> None:
        response = await call("POST", "/sale/product-offers", mug(language=None))
        assert response.status_code == 422
        assert paths(response) == {"language": "'language' may not be null."}
        created = (await call("POST", "/sale/product-offers", mug())).json()
        patched = await call(
            "PATCH", f"/sale/product-offers/{created['id']}", {"sellingMode": None}
        )
        assert (patched.status_code, list(paths(patched))) == (422, ["sellingMode"])

    run(scenario)


def test_external_null_is_left_to_the_emulator_as_allegro_answers_it() -> None:
    """API_NOTES §4 ([I#4610]): `"external": null` clears, `{"id": null}` is "may not be blank"."""

    async def scenario(call: Call, backend: Backend) -> None:
        created = (await call("POST", "/sale/product-offers", mug())).json()
        blank = await call(
            "PATCH", f"/sale/product-offers/{created['id']}", {"external": {"id": None}}
        )
        assert blank.status_code == 422
        assert paths(blank) == {"external.id": "Offer external identifier may not be blank"}
        cleared = await call("PATCH", f"/sale/product-offers/{created['id']}", {"external": None})
        assert cleared.status_code == 200
        assert cleared.json()["external"] is None

    run(scenario)


def test_malformed_shipping_rates_set_is_400() -> None:
    """The spec's 400 "Bad request"; POST's 422 is only the 250-table limit (FAQ R4)."""

    async def scenario(call: Call, backend: Backend) -> None:
        rate = {
            "deliveryMethod": {"id": seed.INPOST},
            "maxQuantityPerPackage": 5,
            "firstItemRate": {"amount": "9.99", "currency": "PLN"},
            "nextItemRate": {"amount": "0.00", "currency": "PLN"},
        }
        broken = {
            "name": "Zły",
            "rates": [{k: v for k, v in rate.items() if k != "maxQuantityPerPackage"}],
        }
        response = await call("POST", "/sale/shipping-rates", broken)
        assert response.status_code == 400
        assert list(paths(response)) == ["rates[0].maxQuantityPerPackage"]
        table = await call("POST", "/sale/shipping-rates", {"name": "Dobry", "rates": [rate]})
        assert table.status_code == 201
        put = await call(
            "PUT",
            f"/sale/shipping-rates/{table.json()['id']}",
            {"id": table.json()["id"], "name": 7, "rates": [rate]},
        )
        assert (put.status_code, list(paths(put))) == (400, ["name"])

    run(scenario)


def test_dates_must_be_rfc_3339_date_times() -> None:
    """`format: date-time` [S]: an offset is required ("2026-12-01T10:00:00" is refused)."""

    async def scenario(call: Call, backend: Backend) -> None:
        offers = [{"type": "CONTAINS_OFFERS", "offers": [{"id": "17700000001"}]}]
        for moment in ("tomorrow", "2099-12-01T10:00:00"):
            response = await call(
                "PUT",
                f"/sale/offer-publication-commands/{uuid.uuid4()}",
                {
                    "publication": {"action": "ACTIVATE", "scheduledFor": moment},
                    "offerCriteria": offers,
                },
            )
            assert response.status_code == 422
            assert list(paths(response)) == ["publication.scheduledFor"]

    run(scenario)


def test_batch_command_of_the_wrong_shape_is_422() -> None:
    async def scenario(call: Call, backend: Backend) -> None:
        offers = [{"type": "CONTAINS_OFFERS", "offers": [{"id": "17700000001"}]}]
        response = await call(
            "PUT",
            f"/sale/offer-price-change-commands/{uuid.uuid4()}",
            {"modification": {"type": "HALF_PRICE"}, "offerCriteria": offers},
        )
        assert response.status_code == 422
        assert list(paths(response)) == ["modification.type"]
        publication = await call(
            "PUT",
            f"/sale/offer-publication-commands/{uuid.uuid4()}",
            {"publication": {"action": "PAUSE"}, "offerCriteria": offers},
        )
        assert (publication.status_code, list(paths(publication))) == (422, ["publication.action"])

    run(scenario)


def test_required_query_parameter_is_checked() -> None:
    """`GET /sale/badges` needs `marketplace.id` [S]; a wrong query string is the spec's 400."""

    async def scenario(call: Call, backend: Backend) -> None:
        response = await call("GET", "/sale/badges")
        assert response.status_code == 400
        assert list(paths(response)) == ["marketplace.id"]

    run(scenario)


def test_allegros_gate_answers_before_the_shape_is_looked_at() -> None:
    async def scenario(call: Call, backend: Backend) -> None:
        broken = {"stock": "plenty"}
        unauthorised = await call(
            "POST", "/sale/product-offers", broken, headers={"Authorization": ""}
        )
        assert unauthorised.status_code == 401
        assert (
            await call(
                "POST", "/sale/product-offers", broken, headers={"Accept": "application/json"}
            )
        ).status_code == 406
        assert (
            await call(
                "POST", "/sale/product-offers", broken, headers={"Content-Type": "application/json"}
            )
        ).status_code == 415

    run(scenario)


def test_switched_off_variant_sets_deny_access_whatever_the_body() -> None:
    """Production answers AccessDenied since 2026-04-14; the spec applies behind the switch."""

    async def scenario(call: Call, backend: Backend) -> None:
        broken = {"name": 5, "offers": "all"}
        denied = await call("POST", "/sale/offer-variants", broken)
        assert denied.status_code == 403
        assert denied.json()["errors"][0]["code"] == "AccessDenied"
        backend.settings.legacy_variants = True
        legacy = await call("POST", "/sale/offer-variants", broken)
        assert legacy.status_code == 422
        assert set(paths(legacy)) == {"name", "offers", "parameters"}

    run(scenario)


def test_every_routed_operation_is_in_the_derived_spec() -> None:
    """A new route needs `python scripts/derive_openapi.py` (its operation is validated then)."""
    missing = [
        f"{method} {path}"
        for method, path, *_ in REST
        if conformance.operation(method, path) is None
    ]
    assert not missing


def test_validation_is_fast() -> None:
    """It sits on every request: a full offer body takes well under a few milliseconds."""
    op = conformance.operation("POST", "/sale/product-offers")
    assert op is not None
    body = mug(
        delivery={"handlingTime": "PT24H", "shippingRates": {"name": "Standard"}},
        location={
            "countryCode": "PL",
            "province": "MAZOWIECKIE",
            "city": "Warszawa",
            "postCode": "00-001",
        },
        payments={"invoice": "VAT"},
    )
    assert op.request_errors(body, {}) == (422, [])
    started = time.perf_counter()
    for _ in range(100):
        op.request_errors(body, {})
    assert (time.perf_counter() - started) / 100 < 0.005


def test_error_entries_have_allegros_shape() -> None:
    op = conformance.operation("POST", "/sale/product-offers")
    assert op is not None
    status, errors = op.request_errors({"stock": {"available": -1}}, {})
    assert status == 422
    assert errors == [
        {
            "code": "VALIDATION_ERROR",
            "message": "'stock.available' must have a value of at least 0 (got -1).",
            "details": None,
            "path": "stock.available",
            "userMessage": "'stock.available' must have a value of at least 0 (got -1).",
            "metadata": {},
        }
    ]
    holder = conformance.schema_validator("ErrorsHolder")
    assert not list(holder.iter_errors({"errors": errors}))
