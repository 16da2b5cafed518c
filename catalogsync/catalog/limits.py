"""Allegro's field limits, in one table read by the planner's checks and the emulator.

Each number is what Allegro enforces (API_NOTES.md, the OpenAPI spec, FAQ_RULES.md), or, where
Allegro publishes nothing, the bound the emulator enforces in its place (marked so).
"""

from __future__ import annotations

#: Local image files a catalog may name, by suffix, with the media type they are uploaded as.
IMAGE_MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
#: `POST /sale/images` answers 413 above this (Allegro does not publish it: the emulator's).
IMAGE_MAX_BYTES = 10_000_000
#: One file or directory name, in bytes (Linux NAME_MAX), and a whole relative path.
FILE_NAME_MAX_BYTES = 255
PATH_MAX_BYTES = 1024
