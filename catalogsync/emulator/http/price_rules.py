"""Handlers of `/sale/price-automation/*` and `POST /sale/offer-price-automation-commands`
(services/price_rules.py)."""

from __future__ import annotations

from starlette.responses import Response

from catalogsync.emulator.http.gate import Call, allegro_json


def list_rules(call: Call) -> Response:
    return allegro_json(200, call.backend.price_rules.listing(call.user_id))


def create_rule(call: Call) -> Response:
    return allegro_json(201, call.backend.price_rules.create(call.user_id, call.body))


def get_rule(call: Call) -> Response:
    return allegro_json(200, call.backend.price_rules.get(call.user_id, call.path("ruleId")))


def update_rule(call: Call) -> Response:
    rules = call.backend.price_rules
    return allegro_json(200, rules.update(call.user_id, call.path("ruleId"), call.body))


def delete_rule(call: Call) -> Response:
    call.backend.price_rules.delete(call.user_id, call.path("ruleId"))
    return Response(status_code=204)


def offer_rules(call: Call) -> Response:
    """403 for another seller's offer, 404 for none (as for the offer itself, R20, R21)."""
    doc = call.backend.offers.stored(call.user_id, call.path("offerId"))
    return allegro_json(200, call.backend.price_rules.offer_rules(doc))


def post_command(call: Call) -> Response:
    return allegro_json(201, call.backend.commands.post_automation(call.user_id, call.body))
