"""Handlers of `/sale/badges`, `/sale/badge-campaigns` and
`/sale/allegro-prices/offers-queries` (R26)."""

from __future__ import annotations

from starlette.responses import Response

from catalogsync.emulator.http.gate import Call, allegro_json


def list_badges(call: Call) -> Response:
    return allegro_json(200, call.backend.campaigns.list_badges(
        call.user_id, call.query("marketplace.id"), call.query("offer.id"),
        offset=call.int_query("offset", 0), limit=call.int_query("limit", 50)))


def allegro_prices_offers(call: Call) -> Response:
    return allegro_json(200, call.backend.campaigns.query_allegro_prices(call.user_id,
                                                                         call.body))


def list_badge_campaigns(call: Call) -> Response:
    return allegro_json(200, call.backend.badge_campaigns.list(call.user_id,
                                                               call.query("marketplace.id")))
