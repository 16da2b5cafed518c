"""Local files apply sends before the offers that use them: gallery and description images
(`POST /sale/images` on the upload host) and GPSR safety manuals (`POST /sale/offer-attachments`,
then the file to the one-time URL its `Location` names).

Each is remembered in the state index by content hash the moment Allegro has it, so it is
uploaded once however many offers use it and however often apply runs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from catalogsync.allegro.client import AllegroClient
from catalogsync.images import MEDIA_TYPES

ATTACHMENT = "attachment-"
ATTACHMENT_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                    ".png": "image/png"}


class UploadProblem(Exception):
    """The file cannot be sent as planned (missing, or changed since the plan)."""


def read_planned(catalog_dir: Path, path: str, digest: str) -> bytes:
    try:
        data = (catalog_dir / path).read_bytes()
    except OSError as exc:
        raise UploadProblem(str(exc)) from exc
    if hashlib.sha256(data).hexdigest() != digest:
        raise UploadProblem("the file changed since the plan")
    return data


async def upload(client: AllegroClient, upload_url: str, key: str, path: str, data: bytes
                 ) -> tuple[Literal["image", "attachment"], str]:
    """Send one file; (state index section, what offers name it by: a URL or an id)."""
    suffix = Path(path).suffix.lower()
    if key.startswith(ATTACHMENT):
        media_type = ATTACHMENT_TYPES.get(suffix, "application/pdf")
        return "attachment", await client.upload_attachment(
            "SAFETY_INFORMATION_MANUAL", Path(path).name, data, media_type)
    return "image", await client.upload_image(upload_url, data, MEDIA_TYPES.get(suffix,
                                                                             "image/jpeg"))
