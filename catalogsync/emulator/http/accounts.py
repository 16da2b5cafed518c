"""Handlers of `/me` and `/after-sales-service-conditions/*`."""

from __future__ import annotations

from starlette.responses import Response

from catalogsync.emulator.http.gate import Call, Handler, allegro_json


def me(call: Call) -> Response:
    return allegro_json(200, call.backend.accounts.me(call.user_id))


def after_sales(kind: str) -> Handler:
    def handler(call: Call) -> Response:
        return allegro_json(200, call.backend.accounts.after_sales(call.user_id, kind))

    return handler
