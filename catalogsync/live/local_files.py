"""The catalog's local files (images, safety manuals) as a plan compares them: by content,
with the id an earlier upload got where the state index knows it; an outside image URL by the
copy Allegro made of it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from catalogsync.catalog.limits import SAFETY_FILE_MEDIA_TYPES
from catalogsync.catalog.models import Catalog
from catalogsync.images import catalog_images, catalog_safety_files, local_images, outside_images
from catalogsync.live.state import LiveState
from catalogsync.state.index import StateIndex


def with_local_files(
    live: LiveState, catalog: Catalog, index: StateIndex, directory: Path
) -> LiveState:
    named = catalog_images(catalog)
    images = local_images(named, directory, index.images) | outside_images(named, index.images)
    manuals = local_images(
        catalog_safety_files(catalog), directory, index.attachments, SAFETY_FILE_MEDIA_TYPES
    )
    return replace(live, local_images=images, local_attachments=manuals)
