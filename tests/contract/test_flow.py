"""A representative session of catalogsync's client with the emulator, checked against the spec.

It does not depend on other tests: the flow runs once per module against a fresh emulator,
with the bodies built by `catalogsync.allegro.wire` as the applier builds them, and everything
it exchanged must conform (requests and responses). Its exchanges join the whole run's too.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalogsync.allegro import gpsr_wire, wire
from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.connect import connect
from catalogsync.catalog.models import Environment
from catalogsync.emulator import conformance, seed
from catalogsync.emulator.backend import Backend
from catalogsync.emulator.recording import Exchange, Recorder
from catalogsync.live import reader
from tests.contract import checks

FLOW = "tests/contract/test_flow.py::flow"  # a client test for `checks.CLIENT_TESTS`
IMAGE = "https://a.allegroimg.com/original/11a1b2/kubek-bialy-1.jpg"
MUGS = "67476"

#: What the flow must exercise (the operations catalogsync uses, and the emulator's others).
EXPECTED = {
    "GET /me",
    "GET /sale/delivery-methods",
    "POST /sale/shipping-rates",
    "GET /sale/shipping-rates",
    "GET /sale/shipping-rates/{id}",
    "PUT /sale/shipping-rates/{id}",
    "GET /sale/products",
    "GET /sale/products/{productId}",
    "GET /sale/categories/{categoryId}/parameters",
    "POST /sale/product-offers",
    "GET /sale/product-offers/{offerId}",
    "PATCH /sale/product-offers/{offerId}",
    "GET /sale/product-offers/{offerId}/operations/{operationId}",
    "GET /sale/offers",
    "DELETE /sale/offers/{offerId}",
    "GET /sale/offer-variants",
    "GET /sale/categories",
    "GET /sale/categories/{categoryId}",
    "GET /sale/badge-campaigns",
    "GET /sale/responsible-producers",
    "POST /sale/responsible-producers",
    "GET /sale/responsible-producers/{id}",
    "PUT /sale/responsible-producers/{id}",
    "GET /sale/responsible-persons",
    "POST /sale/responsible-persons",
    "PUT /sale/responsible-persons/{id}",
    "POST /sale/offer-attachments",
    "PUT /sale/offer-attachments/{attachmentId}",
    *(
        f"{method} /sale/{kind}/{{commandId}}{tail}"
        for kind in (
            "offer-publication-commands",
            "offer-price-change-commands",
            "offer-quantity-change-commands",
            "offer-modification-commands",
        )
        for method, tail in (("PUT", ""), ("GET", ""), ("GET", "/tasks"))
    ),
}


def fields(external_id: str, table: str) -> dict[str, Any]:
    return {
        "name": "Kubek ceramiczny biały 330 ml",
        "product": seed.MUG_WHITE,
        "category": MUGS,
        "parameters": {"Stan": ["Nowy"]},
        "price": "29.99 PLN",
        "stock": 40,
        "images": [IMAGE],
        "description": [
            [{"type": "TEXT", "content": "<p>Biały kubek do kawy.</p>"}],
            [{"type": "IMAGE", "url": IMAGE}],
        ],
        "shipping_rates": table,
        "handling_time": "PT24H",
        "location": {
            "countryCode": "PL",
            "province": "MAZOWIECKIE",
            "city": "Warszawa",
            "postCode": "00-001",
        },
        "invoice": "VAT",
        "external_id": external_id,
        "responsible_producer": "Producent Demo",
        "safety_information": {"type": "TEXT", "description": "Chronić przed dziećmi."},
    }


async def _command(client: AllegroClient, kind: str, body: dict[str, Any]) -> None:
    command_id = str(uuid.uuid4())
    await client.put(f"/sale/{kind}/{command_id}", body)
    await client.get(f"/sale/{kind}/{command_id}")
    await client.get(f"/sale/{kind}/{command_id}/tasks", params={"limit": 100, "offset": 0})


async def _flow(backend: Backend, catalog_dir: Path) -> None:
    async with connect(Environment.LOCAL, catalog_dir, emulator=backend) as client:
        await client.get("/me")
        methods = await reader._delivery_methods(client)
        method_ids = {m.name: m.id for m in methods}
        rate = {
            "delivery_method": "Allegro Paczkomaty InPost",
            "first_item": "9.99 PLN",
            "next_item": "0.00 PLN",
            "max_quantity_per_package": 5,
        }
        created = await client.post(
            "/sale/shipping-rates", wire.table_body("Kontrakt", (rate,), method_ids, None)
        )
        table_id = created.json()["id"]
        await client.get("/sale/shipping-rates")
        await client.get(f"/sale/shipping-rates/{table_id}")
        await client.put(
            f"/sale/shipping-rates/{table_id}",
            wire.table_body(
                "Kontrakt", ({**rate, "first_item": "10.99 PLN"},), method_ids, table_id
            ),
        )
        table_ids = {"Kontrakt": table_id}

        references = await _gpsr(client)
        await client.get("/sale/categories")
        await client.get(f"/sale/categories/{MUGS}")
        await client.get("/sale/badge-campaigns", params={"marketplace.id": "allegro-pl"})
        await client.get("/sale/products", params={"phrase": "5901234123457", "mode": "GTIN"})
        await client.get(f"/sale/products/{seed.MUG_WHITE}")
        parameters = {p.name: p for p in await reader._category_parameters(client, MUGS) or ()}

        offer_ids = []
        for external_id in ("CONTRACT-1", "CONTRACT-2", "CONTRACT-DRAFT"):
            wanted = fields(external_id, "Kontrakt")
            body = wire.offer_body(wanted, parameters, table_ids)
            body["external"] = {"id": external_id}
            body["publication"] = {"status": "INACTIVE"}  # as the planner creates them
            offer_ids.append((await client.post("/sale/product-offers", body)).json()["id"])
        draft = offer_ids.pop()
        await client.request("DELETE", f"/sale/offers/{draft}")

        first, second = offer_ids
        await client.patch(
            f"/sale/product-offers/{first}",
            wire.offer_body({"price": "31.50 PLN"}, parameters, table_ids),
        )
        await _command(
            client,
            "offer-publication-commands",
            wire.command_body(
                "offer-publication-commands", {"status": "active"}, [first], table_ids
            ),
        )
        for kind, changed in (
            ("offer-price-change-commands", {"price": "33.00 PLN"}),
            ("offer-quantity-change-commands", {"change": "GAIN", "value": 2}),
            ("offer-modification-commands", {"handling_time": "P2D"}),
            ("offer-modification-commands", {
                "responsible_producer": "Kontrakt", "responsible_person": "Kontrakt UE",
                "safety_information": {"type": "ATTACHMENTS",
                                       "attachments": references.pop("manual")}}),
        ):
            await _command(client, kind, wire.command_body(kind, changed, [first], table_ids,
                                                           references))

        # Publication through PATCH: 202 + Location, the operation runs (202), then 303.
        backend.settings.processing_delay = 5.0
        started = await client.patch(
            f"/sale/product-offers/{second}", {"publication": {"status": "ACTIVE"}}
        )
        operation = started.headers["location"]
        await client.request("GET", operation, ok=(202,))
        backend.advance_clock(10)
        await client.request("GET", operation, ok=(303,))
        backend.settings.processing_delay = 0.0

        for offer_id in offer_ids:
            wire.offer_fields(
                await client.get(f"/sale/product-offers/{offer_id}"), {table_id: "Kontrakt"}
            )
        await client.get("/sale/offers", params={"external.id": ["CONTRACT-1", "CONTRACT-2"]})
        await client.get("/sale/offers", params={"publication.status": "ACTIVE", "limit": 50})
        # Switched off in production since 2026-04-14: AccessDenied (API_NOTES §0).
        await client.request("GET", "/sale/offer-variants", ok=(403,))


async def _gpsr(client: AllegroClient) -> dict[str, Any]:
    """GPSR resources as apply makes them: a producer, a person, a safety manual."""
    producer = {"trade_name": "Kontrakt sp. z o.o.",
                "address": {"country_code": "PL", "street": "Prosta 2", "postal_code": "00-950",
                            "city": "Warszawa"},
                "contact": {"email": "gpsr@kontrakt.example"}}
    person = {**producer, "name": "Kontrakt GmbH"}
    del person["trade_name"]
    made = await client.post("/sale/responsible-producers", gpsr_wire.resource_body(
        "responsible_producer", "Kontrakt", producer))
    producer_id = made.json()["id"]
    await client.get(f"/sale/responsible-producers/{producer_id}")
    await client.put(f"/sale/responsible-producers/{producer_id}", gpsr_wire.resource_body(
        "responsible_producer", "Kontrakt", {**producer, "contact": {"form_url": "https://k.pl"}}))
    made = await client.post("/sale/responsible-persons", gpsr_wire.resource_body(
        "responsible_person", "Kontrakt UE", person))
    person_id = made.json()["id"]
    await client.put(f"/sale/responsible-persons/{person_id}", gpsr_wire.resource_body(
        "responsible_person", "Kontrakt UE", person))
    await client.get("/sale/responsible-producers", params={"offset": 0, "limit": 1000})
    await client.get("/sale/responsible-persons", params={"offset": 0, "limit": 1000})
    manual = await client.upload_attachment("SAFETY_INFORMATION_MANUAL", "kontrakt.pdf",
                                            b"%PDF-1.4\n", "application/pdf")
    return {"responsible_producer": {"Kontrakt": producer_id},
            "responsible_person": {"Kontrakt UE": person_id}, "manual": [manual]}


@pytest.fixture(scope="module")
def exchanges(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Exchange]]:
    """The flow's exchanges (recorded apart, then added to the whole run's recording)."""
    backend = Backend()
    backend.settings.processing_delay = 0.0
    run_recorder, recorder = conformance.RECORDER, Recorder()
    recorder.test = FLOW
    conformance.RECORDER = recorder
    try:
        asyncio.run(_flow(backend, tmp_path_factory.mktemp("contract")))
    finally:
        conformance.RECORDER = run_recorder
        if run_recorder is not None:
            run_recorder.exchanges += recorder.exchanges
        backend.close()
    yield recorder.exchanges


def test_flow_exercises_the_representative_operations(
    exchanges: list[Exchange],
) -> None:
    assert checks.operations_of(exchanges) >= EXPECTED


def test_every_request_of_the_client_conforms(exchanges: list[Exchange]) -> None:
    problems = [
        f"{ex.method} {ex.path}: {problem}"
        for ex in exchanges
        if (op := conformance.operation(ex.method, ex.template))
        for problem in checks.request_problems(op, ex)
    ]
    assert not problems


def test_every_response_of_the_flow_conforms(exchanges: list[Exchange]) -> None:
    assert not checks.problems_of(exchanges)


def test_the_flow_saw_the_asynchronous_answers(exchanges: list[Exchange]) -> None:
    statuses = {(ex.method, ex.template, ex.status) for ex in exchanges}
    operation = "/sale/product-offers/{offerId}/operations/{operationId}"
    assert {
        ("PATCH", "/sale/product-offers/{offerId}", 202),
        ("GET", operation, 202),
        ("GET", operation, 303),
        ("DELETE", "/sale/offers/{offerId}", 204),
    } <= statuses
