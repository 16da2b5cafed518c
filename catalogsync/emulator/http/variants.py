"""Handlers of `/sale/offer-variants*`, switched off unless `legacy_variants` (R24, R25)."""

from __future__ import annotations

from starlette.responses import Response

from catalogsync.emulator.core.errors import ApiError
from catalogsync.emulator.http.gate import Call, allegro_json


def switched_off(call: Call) -> Response:
    """`/sale/offer-variants*` was switched off on 2026-04-14 (API_NOTES §0, §6); the body is
    Allegro's AccessDenied as posted in [I#13307] and [I#13083]."""
    english = call.request.headers.get("accept-language", "").lower().startswith("en")
    raise ApiError(403, "AccessDenied", "Access is denied",
                   user_message="No access to the specified resource." if english
                   else "Brak dostępu do danego zasobu.")


def _legacy_variants(call: Call) -> None:
    if not call.backend.settings.legacy_variants:
        switched_off(call)


def search_variant_sets(call: Call) -> Response:
    _legacy_variants(call)
    return allegro_json(200, call.backend.variants.search(
        call.user_id, call.query("query"), offset=call.int_query("offset", 0),
        limit=call.int_query("limit", 10)))


def create_variant_set(call: Call) -> Response:
    _legacy_variants(call)
    return allegro_json(201, call.backend.variants.create(call.user_id, call.body))


def get_variant_set(call: Call) -> Response:
    _legacy_variants(call)
    return allegro_json(200, call.backend.variants.get(call.user_id, call.path("setId")))


def put_variant_set(call: Call) -> Response:
    _legacy_variants(call)
    return allegro_json(200, call.backend.variants.put(call.user_id, call.path("setId"),
                                                       call.body))


def delete_variant_set(call: Call) -> Response:
    _legacy_variants(call)
    call.backend.variants.delete(call.user_id, call.path("setId"))
    return Response(status_code=204)
