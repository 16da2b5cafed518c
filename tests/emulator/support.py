"""Helpers shared by the emulator's tests: a seller that talks like a well-behaved client,
and offer and table bodies that the demo catalogue accepts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from catalogsync.emulator import seed
from catalogsync.emulator.backend import Backend

MEDIA_TYPE = "application/vnd.allegro.public.v1+json"
CLIENT = ("catalogsync-local", "local-secret")
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
IMAGE = "https://a.allegroimg.com/original/11a1b2/kubek"
WARSAW = {"countryCode": "PL", "province": "MAZOWIECKIE", "city": "Warszawa", "postCode": "00-001"}


@dataclass
class Seller:
    """A logged-in seller talking to the emulator like a well-behaved client."""

    http: httpx.AsyncClient
    token: str

    async def call(
        self, method: str, path: str, body: Any = None, params: Any = None
    ) -> httpx.Response:
        headers = {"Accept": MEDIA_TYPE, "Authorization": f"Bearer {self.token}"}
        content = None
        if body is not None:
            headers["Content-Type"] = MEDIA_TYPE
            content = json.dumps(body)
        return await self.http.request(
            method, path, params=params, headers=headers, content=content
        )

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.call("GET", path, params=params or None)


def user_token(backend: Backend, user_id: str) -> str:
    code = backend.oauth.device_authorize(*CLIENT, CLIENT[0])
    backend.oauth.approve_device(code["user_code"], user_id)
    grant = {"grant_type": DEVICE_GRANT, "device_code": code["device_code"]}
    return str(backend.oauth.token(*CLIENT, grant)["access_token"])


def rate(method: str = seed.INPOST, first: str = "12.99", quantity: int = 5) -> dict[str, Any]:
    return {
        "deliveryMethod": {"id": method},
        "maxQuantityPerPackage": quantity,
        "firstItemRate": {"amount": first, "currency": "PLN"},
        "nextItemRate": {"amount": "0.00", "currency": "PLN"},
    }


async def make_table(seller: Seller, name: str = "Standard") -> str:
    response = await seller.call("POST", "/sale/shipping-rates", {"name": name, "rates": [rate()]})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


#: What GPSR asks of every demo category: the seeded producer and safety information.
GPSR: dict[str, Any] = {
    "responsibleProducer": {"type": "NAME", "name": "Producent Demo"},
    "safetyInformation": {"type": "TEXT", "description": "Nie dla dzieci poniżej 3 lat."},
}


def mug(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "productSet": [{"product": {"id": "5901234123457", "idType": "GTIN"}, **GPSR}],
        "name": "Kubek ceramiczny biały 330 ml",
        "parameters": [{"id": "11323", "valuesIds": ["11323_1"]}],
        "images": [IMAGE],
        "description": {"sections": [{"items": [{"type": "TEXT", "content": "<p>Kubek</p>"}]}]},
        "sellingMode": {"format": "BUY_NOW", "price": {"amount": "29.99", "currency": "PLN"}},
        "stock": {"available": 10, "unit": "UNIT"},
        "delivery": {"handlingTime": "PT24H", "shippingRates": {"name": "Standard"}},
        "location": WARSAW,
        "payments": {"invoice": "VAT"},
        "external": {"id": "MUG-WHITE-330"},
    }
    body.update(changes)
    return body


async def make_offer(seller: Seller, **changes: Any) -> dict[str, Any]:
    response = await seller.call("POST", "/sale/product-offers", mug(**changes))
    assert response.status_code in (201, 202), response.text
    return dict(response.json())


def first_error(response: httpx.Response) -> dict[str, Any]:
    return dict(response.json()["errors"][0])
