"""Handlers of `/sale/size-tables`, `/sale/size-tables-templates` and `/sale/offer-contacts`."""

from __future__ import annotations

from starlette.responses import Response

from catalogsync.emulator.http.gate import Call, Handler, allegro_json
from catalogsync.emulator.services.seller_entries import SellerEntries
from catalogsync.emulator.services.size_tables import TEMPLATES


def _entries(call: Call, kind: str) -> SellerEntries:
    return call.backend.size_tables if kind == "size_tables" else call.backend.contacts


def listing(kind: str) -> Handler:
    def handler(call: Call) -> Response:
        return allegro_json(200, _entries(call, kind).list(call.user_id))
    return handler


def create(kind: str) -> Handler:
    def handler(call: Call) -> Response:
        return allegro_json(201, _entries(call, kind).create(call.user_id, call.body))
    return handler


def get(kind: str, key: str) -> Handler:
    def handler(call: Call) -> Response:
        return allegro_json(200, _entries(call, kind).get(call.user_id, call.path(key)))
    return handler


def update(kind: str, key: str) -> Handler:
    def handler(call: Call) -> Response:
        return allegro_json(200, _entries(call, kind).update(call.user_id, call.path(key),
                                                             call.body))
    return handler


def templates(call: Call) -> Response:
    return allegro_json(200, {"templates": TEMPLATES})
