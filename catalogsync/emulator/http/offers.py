"""Handlers of `/sale/product-offers` and `/sale/offers`."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from catalogsync.emulator.http.gate import Call, allegro_json


def list_offers(call: Call) -> Response:
    params = call.request.query_params
    query = {name: params.getlist(name) for name in params}
    return allegro_json(200, call.backend.offers.find(call.user_id, query))


def _absolute(call: Call, path: str) -> str:
    """Allegro's `Location` is an absolute URL on the host that was asked (the spec's examples,
    API_NOTES §4)."""
    return str(call.request.base_url).rstrip("/") + path


def _offer_answer(call: Call, doc: dict[str, Any], operation: str | None,
                  synchronous: int) -> Response:
    """201/200 when done; 202 with the operation to poll when publication changes."""
    if operation is None:
        return allegro_json(synchronous, doc)
    location = _absolute(call, f"/sale/product-offers/{doc['id']}/operations/{operation}")
    return allegro_json(202, doc, headers={"Location": location, "Retry-After": "1"})


def create_offer(call: Call) -> Response:
    doc, operation = call.backend.offers.create(call.user_id, call.body)
    return _offer_answer(call, doc, operation, 201)


def get_offer(call: Call) -> Response:
    return allegro_json(200, call.backend.offers.get(call.user_id, call.path("offerId")))


def patch_offer(call: Call) -> Response:
    doc, operation = call.backend.offers.patch(call.user_id, call.path("offerId"), call.body)
    return _offer_answer(call, doc, operation, 200)


def offer_operation(call: Call) -> Response:
    offer_id = call.path("offerId")
    status = call.backend.offers.operation(call.user_id, offer_id, call.path("operationId"))
    if status is None:  # done: 303 with an empty body; GET the offer for the outcome
        return Response(status_code=303,
                        headers={"Location": _absolute(call, f"/sale/product-offers/{offer_id}")})
    return allegro_json(202, status, headers={"Retry-After": "1",
                                              "Location": str(call.request.url)})


def delete_offer(call: Call) -> Response:
    call.backend.offers.delete(call.user_id, call.path("offerId"))
    return Response(status_code=204)
