"""The in-process emulator's own CPU per request: what every benchmark that talks to it through
`httpx.ASGITransport` pays on its wall clock besides catalogsync's work.

    python benchmarks/emulator_cost.py [--offers 5000] [--command-size 1000] [--json out.json]

Creates `--offers` offers with catalogsync's create body (one after another, as one seller),
then runs one publication command (ACTIVATE) and one price-change command of `--command-size`
offers each and lets their tasks settle. CPU time (process time, so a busy machine disturbs it
less than wall time) is counted only inside the emulator's ASGI app, from the request's arrival
to its answer: the client's side is left out. The request limits are lifted
(`limits_scale`), so nothing waits.

Prints milliseconds of CPU per create, per command PUT, for settling a command's tasks and then
(activations) its offers' publication, and per create the parts of the gate (validation
against the spec, token check) measured directly on the same bodies.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import httpx

from catalogsync.emulator import conformance, seed
from catalogsync.emulator.app import create_app
from catalogsync.emulator.backend import Backend

MEDIA_TYPE = "application/vnd.allegro.public.v1+json"
CLIENT = ("catalogsync-local", "local-secret")
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
EAN = "5901234123457"
PROCESSING_DELAY = 0.05  # seconds until command tasks and activations settle

Scope = MutableMapping[str, Any]
Asgi = Callable[[Scope, Any, Any], Awaitable[None]]


class Metered:
    """An ASGI app that adds up the process time spent inside the app it wraps."""

    def __init__(self, app: Asgi) -> None:
        self.app = app
        self.cpu = 0.0

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        started = time.process_time()
        try:
            await self.app(scope, receive, send)
        finally:
            self.cpu += time.process_time() - started


def create_body(number: int, product_id: str, table: str) -> dict[str, Any]:
    """The body catalogsync's apply sends for a synthetic offer (benchmarks' `write_catalog`)."""
    image = f"https://a.allegroimg.com/original/synthetic/{number:06d}.jpg"
    name = "Kubek ceramiczny biały 330 ml"
    return {
        "name": f"{name} nr {number:06d}",
        "productSet": [{
            "product": {"id": product_id},
            "responsibleProducer": {"type": "NAME", "name": "Producent Demo"},
            "safetyInformation": {"type": "TEXT", "description": "Chronić przed dziećmi."},
        }],
        "category": {"id": "67476"},
        "parameters": [{"id": "11323", "valuesIds": ["11323_1"]}],
        "sellingMode": {"format": "BUY_NOW", "price": {"amount": "29.99", "currency": "PLN"}},
        "stock": {"available": 10 + number % 50, "unit": "UNIT"},
        "images": [image],
        "description": {"sections": [
            {"items": [{"type": "TEXT",
                        "content": f"<h1>{name}</h1><p>Egzemplarz numer {number}.</p>"}]},
            {"items": [{"type": "IMAGE", "url": image},
                       {"type": "TEXT", "content": "<p>Można myć w zmywarce.</p>"}]},
        ]},
        "delivery": {"shippingRates": {"name": table}, "handlingTime": "PT24H"},
        "location": {"countryCode": "PL", "province": "MAZOWIECKIE", "city": "Warszawa",
                     "postCode": "00-950"},
        "payments": {"invoice": "VAT"},
        "external": {"id": f"SYN-{number:06d}"},
        "publication": {"status": "INACTIVE"},
    }


def login(backend: Backend) -> str:
    code = backend.oauth.device_authorize(*CLIENT, CLIENT[0])
    backend.oauth.approve_device(code["user_code"], seed.DEMO_SELLER_ID)
    token = backend.oauth.token(
        *CLIENT, {"grant_type": DEVICE_GRANT, "device_code": code["device_code"]}
    )
    return str(token["access_token"])


async def measure(offers: int, command_size: int) -> dict[str, Any]:
    backend = Backend()
    backend.update_settings({"processing_delay": PROCESSING_DELAY, "limits_scale": 1000.0})
    token = login(backend)
    app = Metered(create_app(backend))
    headers = {"Accept": MEDIA_TYPE, "Content-Type": MEDIA_TYPE,
               "Authorization": f"Bearer {token}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://allegro.local",
                                 headers=headers) as http:

        async def send(method: str, path: str, body: Any = None, **params: Any) -> Any:
            content = None if body is None else json.dumps(body)
            response = await http.request(method, path, content=content, params=params or None)
            assert response.status_code < 300, (path, response.status_code, response.text[:500])
            return response.json()

        methods = await send("GET", "/sale/delivery-methods")
        method_id = next(m["id"] for m in methods["deliveryMethods"]
                         if m["name"] == "Allegro Kurier DPD")
        table = {"name": "Standard", "rates": [{
            "deliveryMethod": {"id": method_id}, "maxQuantityPerPackage": 20,
            "firstItemRate": {"amount": "16.99", "currency": "PLN"},
            "nextItemRate": {"amount": "0.00", "currency": "PLN"}}]}
        await send("POST", "/sale/shipping-rates", table)
        found = await send("GET", "/sale/products", phrase=EAN, mode="GTIN")
        product_id = found["products"][0]["id"]
        bodies = [create_body(n, product_id, "Standard") for n in range(offers)]

        app.cpu = 0.0
        ids = [str((await send("POST", "/sale/product-offers", body))["id"]) for body in bodies]
        create_cpu = app.cpu

        batch = ids[:command_size]
        criteria = [{"type": "CONTAINS_OFFERS", "offers": [{"id": i} for i in batch]}]
        commands: dict[str, float] = {}
        for kind, payload in (
            ("offer-publication-commands", {"publication": {"action": "ACTIVATE"}}),
            ("offer-price-change-commands", {"modification": {
                "type": "FIXED_PRICE", "price": {"amount": "31.99", "currency": "PLN"}}}),
        ):
            command_id = str(uuid.uuid4())
            app.cpu = 0.0
            await send("PUT", f"/sale/{kind}/{command_id}", {"offerCriteria": criteria, **payload})
            commands[f"{kind.split('-')[1]}_command_put_ms"] = app.cpu
            # the tasks settle, then (activations) the offers' publication: each in the first
            # request after its processing delay, here the report's GET
            for settled in ("tasks", "offers"):
                await asyncio.sleep(PROCESSING_DELAY * 1.2)
                app.cpu = 0.0
                report = await send("GET", f"/sale/{kind}/{command_id}")
                commands[f"{kind.split('-')[1]}_{settled}_settle_ms"] = app.cpu
            assert report["taskCount"]["success"] == len(batch), report

    validate = conformance.operation("POST", "/sale/product-offers")
    assert validate is not None
    sample = bodies[: min(len(bodies), 2000)]
    started = time.process_time()
    for body in sample:
        validate.request_errors(body, {})
    validation_cpu = (time.process_time() - started) / len(sample)
    started = time.process_time()
    for _ in range(len(sample)):
        backend.oauth.principal(token)
    principal_cpu = (time.process_time() - started) / len(sample)
    return {
        "offers": offers,
        "create_ms": round(create_cpu / offers * 1000, 3),
        "create_validation_ms": round(validation_cpu * 1000, 3),
        "token_check_ms": round(principal_cpu * 1000, 3),
        "command_size": len(batch),
        **{name: round(cpu * 1000, 1) for name, cpu in commands.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=5000)
    parser.add_argument("--command-size", type=int, default=1000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    row = asyncio.run(measure(args.offers, args.command_size))
    width = max(len(key) for key in row)
    for key, value in row.items():
        print(f"{key:<{width}} {value}")
    if args.json:
        args.json.write_text(json.dumps(row, indent=1))
    print(json.dumps(row), file=sys.stderr)


if __name__ == "__main__":
    main()
