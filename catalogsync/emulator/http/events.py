"""Handler of `GET /sale/offer-events`."""

from __future__ import annotations

from starlette.responses import Response

from catalogsync.emulator.http.gate import Call, allegro_json


def offer_events(call: Call) -> Response:
    return allegro_json(200, call.backend.events.feed(
        call.user_id, call.query("from"), limit=call.int_query("limit", 100),
        types=call.queries("type")))
