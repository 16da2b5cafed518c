"""Handler of `POST /sale/images`."""

from __future__ import annotations

from starlette.responses import Response

from catalogsync.emulator.http.gate import Call, allegro_json
from catalogsync.emulator.services import images


def upload_image(call: Call) -> Response:
    """`POST /sale/images`: a link or the image itself -> 201 `{"location", "expiresAt"}`."""
    if call.upload is None:
        images.check_link(call.body)
    return allegro_json(201, call.backend.images.upload(call.user_id))
