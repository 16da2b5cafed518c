"""Handlers of `GET /order/events` and `GET /order/checkout-forms/{id}`."""

from __future__ import annotations

from starlette.responses import Response

from catalogsync.emulator.http.gate import Call, allegro_json


def order_events(call: Call) -> Response:
    return allegro_json(200, call.backend.orders.events(
        call.user_id, call.query("from"), limit=call.int_query("limit", 100, status=422),
        types=call.queries("type")))


def checkout_form(call: Call) -> Response:
    return allegro_json(200, call.backend.orders.checkout_form(call.user_id, call.path("id")))
