"""Handlers of `/me` and `/marketplaces`."""

from __future__ import annotations

from starlette.responses import Response

from catalogsync.emulator.http.gate import Call, allegro_json
from catalogsync.emulator.services import marketplaces as services_marketplaces


def me(call: Call) -> Response:
    return allegro_json(200, call.backend.accounts.me(call.user_id))


def marketplaces(call: Call) -> Response:
    """`GET /marketplaces`: where Allegro sells, in which currency and language."""
    return allegro_json(200, services_marketplaces.marketplaces())
