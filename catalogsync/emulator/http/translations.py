"""Handlers of `/sale/offers/{offerId}/translations[/{language}]`."""

from __future__ import annotations

from starlette.responses import Response

from catalogsync.emulator.http.gate import Call, allegro_json


def get_translations(call: Call) -> Response:
    found = call.backend.translations.get(call.user_id, call.path("offerId"),
                                          call.query("language"))
    return allegro_json(200, found)


def patch_translation(call: Call) -> Response:
    call.backend.translations.patch(call.user_id, call.path("offerId"), call.path("language"),
                                    call.body)
    return Response(status_code=200)


def delete_translation(call: Call) -> Response:
    call.backend.translations.delete(call.user_id, call.path("offerId"), call.path("language"),
                                     call.query("element"))
    return Response(status_code=204)
