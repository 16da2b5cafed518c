"""Local files apply sends before the offers that use them: gallery and description images
(`POST /sale/images` on the upload host) and GPSR safety manuals (`POST /sale/offer-attachments`,
then the file to the one-time URL its `Location` names); and outside image URLs, which
Allegro copies (`POST /sale/images` with `{"url"}`).

Each is remembered in the state index by content hash (an outside URL: by the URL) the moment
Allegro has it, so it is uploaded once however many offers use it and however often apply
runs. A transient failure is tried again: a repeated upload only leaves an unused copy, which
Allegro removes when it expires.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Literal

from catalogsync.allegro.client import AllegroClient
from catalogsync.apply.creates import CREATE_ATTEMPTS, backoff, transient
from catalogsync.catalog.image_hosts import is_outside_image
from catalogsync.catalog.limits import IMAGE_MEDIA_TYPES, SAFETY_FILE_MEDIA_TYPES
from catalogsync.catalog.local_files import local_file_problem
from catalogsync.errors import CatalogsyncError

#: The placeholder key of a safety manual: `attachment-<content hash>`.
ATTACHMENT = "attachment-"


class UploadProblem(Exception):
    """The file cannot be sent as planned (missing, or changed since the plan)."""


def read_planned(catalog_dir: Path, path: str, digest: str, kinds: dict[str, str]) -> bytes:
    """The file's bytes, checked again: the tree may have changed since the plan."""
    problem = local_file_problem(catalog_dir, path, kinds)
    if problem is not None:
        raise UploadProblem(problem)
    try:
        data = (catalog_dir / path).read_bytes()
    except OSError as exc:
        raise UploadProblem(f"cannot be read: {exc.strerror or exc}") from exc
    if hashlib.sha256(data).hexdigest() != digest:
        raise UploadProblem("the file changed since the plan")
    return data


async def upload(client: AllegroClient, upload_url: str, catalog_dir: Path, key: str, path: str
                 ) -> tuple[Literal["image", "attachment"], str]:
    """Send one file, or ask Allegro to copy an outside image URL (`key` is the URL then);
    (state index section, what offers name it by: a URL or an id)."""
    if is_outside_image(key):
        return "image", await _retried(lambda: client.upload_image_link(upload_url, key))
    manual = key.startswith(ATTACHMENT)
    kinds = SAFETY_FILE_MEDIA_TYPES if manual else IMAGE_MEDIA_TYPES
    data = read_planned(catalog_dir, path, key.removeprefix(ATTACHMENT), kinds)
    media_type = kinds[Path(path).suffix.lower()]
    if manual:
        return "attachment", await _retried(lambda: client.upload_attachment(
            "SAFETY_INFORMATION_MANUAL", Path(path).name, data, media_type))
    return "image", await _retried(lambda: client.upload_image(upload_url, data, media_type))


async def _retried(send: Callable[[], Awaitable[str]]) -> str:
    """`send()`, again after a transient failure (a repeat leaves an unused copy at worst)."""
    attempt = 1
    while True:
        try:
            return await send()
        except CatalogsyncError as exc:
            if not transient(exc) or attempt >= CREATE_ATTEMPTS:
                raise
        await asyncio.sleep(backoff(attempt))
        attempt += 1
