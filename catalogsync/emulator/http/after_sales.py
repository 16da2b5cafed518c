"""Handlers of `/after-sales-service-conditions/{return-policies,implied-warranties,warranties}`."""

from __future__ import annotations

from starlette.responses import Response

from catalogsync.emulator.http.gate import Call, Handler, allegro_json
from catalogsync.emulator.services.after_sales import MAX_LIMIT

#: the path's segment -> (the kind's list key, the name of its id in the path)
PATHS = {
    "return-policies": ("returnPolicies", "returnPolicyId"),
    "implied-warranties": ("impliedWarranties", "impliedWarrantyId"),
    "warranties": ("warranties", "warrantyId"),
}


def listing(kind: str) -> Handler:
    def handler(call: Call) -> Response:
        found = call.backend.after_sales.list(
            call.user_id, kind, call.int_query("offset", 0), call.int_query("limit", MAX_LIMIT))
        return allegro_json(200, found)
    return handler


def create(kind: str) -> Handler:
    def handler(call: Call) -> Response:
        return allegro_json(201, call.backend.after_sales.create(call.user_id, kind, call.body))
    return handler


def get(kind: str, id_name: str) -> Handler:
    def handler(call: Call) -> Response:
        found = call.backend.after_sales.get(call.user_id, kind, call.path(id_name))
        return allegro_json(200, found)
    return handler


def update(kind: str, id_name: str) -> Handler:
    def handler(call: Call) -> Response:
        updated = call.backend.after_sales.update(call.user_id, kind, call.path(id_name),
                                                  call.body)
        return allegro_json(200, updated)
    return handler
