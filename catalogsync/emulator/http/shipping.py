"""Handlers of `/sale/shipping-rates` (no DELETE: R4) and `/sale/delivery-methods`."""

from __future__ import annotations

from starlette.responses import Response

from catalogsync.emulator.http.gate import Call, allegro_json


def list_shipping_rates(call: Call) -> Response:
    return allegro_json(200, call.backend.shipping.tables(call.user_id,
                                                          call.query("marketplace")))


def create_shipping_rates(call: Call) -> Response:
    return allegro_json(201, call.backend.shipping.create(call.user_id, call.body))


def get_shipping_rates(call: Call) -> Response:
    return allegro_json(200, call.backend.shipping.get(call.user_id, call.path("id")))


def update_shipping_rates(call: Call) -> Response:
    table = call.backend.shipping.update(call.user_id, call.path("id"), call.body)
    return allegro_json(200, table)


def delivery_methods(call: Call) -> Response:
    return allegro_json(200, call.backend.shipping.delivery_methods(call.query("marketplace")))
