"""Handlers of `/sale/responsible-producers`, `/sale/responsible-persons` and
`/sale/offer-attachments` (GPSR)."""

from __future__ import annotations

from starlette.responses import Response

from catalogsync.emulator.http.gate import Call, Handler, allegro_json
from catalogsync.emulator.services.responsible import Responsible


def _dictionary(call: Call, kind: str) -> Responsible:
    backend = call.backend
    return backend.responsible_producers if kind == "producers" else backend.responsible_persons


def listing(kind: str) -> Handler:
    def handler(call: Call) -> Response:
        found = _dictionary(call, kind).list(
            call.user_id, call.int_query("offset", 0), call.int_query("limit", 1000))
        return allegro_json(200, found)
    return handler


def create(kind: str) -> Handler:
    def handler(call: Call) -> Response:
        dictionary = _dictionary(call, kind)
        return allegro_json(dictionary.kind.created, dictionary.create(call.user_id, call.body))
    return handler


def get(kind: str) -> Handler:
    def handler(call: Call) -> Response:
        return allegro_json(200, _dictionary(call, kind).get(call.user_id, call.path("id")))
    return handler


def update(kind: str) -> Handler:
    def handler(call: Call) -> Response:
        updated = _dictionary(call, kind).update(call.user_id, call.path("id"), call.body)
        return allegro_json(200, updated)
    return handler


def create_attachment(call: Call) -> Response:
    """201 with the one-time upload URL in `Location` (on the host that was asked)."""
    doc = call.backend.attachments.create(call.user_id, call.body)
    upload = str(call.request.base_url).rstrip("/") + f"/sale/offer-attachments/{doc['id']}"
    return allegro_json(201, doc, headers={"Location": upload})


def upload_attachment(call: Call) -> Response:
    assert call.upload is not None
    doc = call.backend.attachments.upload(call.user_id, call.path("attachmentId"),
                                          call.upload.media_type, call.upload.data)
    return allegro_json(200, doc)


def get_attachment(call: Call) -> Response:
    return allegro_json(200, call.backend.attachments.get(call.user_id,
                                                          call.path("attachmentId")))
