"""Local files a catalog names (images, safety manuals, feeds): inside the catalog directory,
regular, small enough.

A path in a catalog is data someone else may have written (a pull request), so nothing outside
the catalog directory is ever read: no absolute paths, no `..`, no symlink that leads out.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from catalogsync.catalog.limits import (
    FILE_NAME_MAX_BYTES,
    IMAGE_MAX_BYTES,
    IMAGE_MEDIA_TYPES,
    PATH_MAX_BYTES,
)

MISSING = "does not exist (paths are relative to the catalog directory)"
_URL = re.compile(r"^https?://", re.IGNORECASE)


def is_local(image: str) -> bool:
    """An image named by a file path rather than an http(s) URL."""
    return not _URL.match(image)


def local_file_problem(
    directory: Path, name: str, kinds: dict[str, str] = IMAGE_MEDIA_TYPES,
    max_bytes: int | None = IMAGE_MAX_BYTES,
) -> str | None:
    """Why the file `name` (relative to `directory`; an image unless `kinds` says otherwise)
    cannot be used, or None (a missing file is `MISSING`)."""
    encoded = name.encode("utf-8", "surrogateescape")
    if len(encoded) > PATH_MAX_BYTES:
        return f"has a path longer than {PATH_MAX_BYTES} bytes"
    if any(
        len(part.encode("utf-8", "surrogateescape")) > FILE_NAME_MAX_BYTES
        for part in name.split("/")
    ):
        return f"has a file or folder name longer than {FILE_NAME_MAX_BYTES} bytes"
    if "\x00" in name:
        return "contains a NUL character"
    if os.path.isabs(name) or name.startswith("~"):
        return "must be a path relative to the catalog directory"
    if Path(name).suffix.lower() not in kinds:
        if kinds is IMAGE_MEDIA_TYPES:
            return f"is not a supported image file ({', '.join(kinds)}) nor an http(s) URL"
        return f"is not a supported file ({', '.join(kinds)})"
    try:
        root = directory.resolve()
        path = (directory / name).resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python < 3.13)
        return f"cannot be resolved: {getattr(exc, 'strerror', None) or exc}"
    if not path.is_relative_to(root):
        what = "images" if kinds is IMAGE_MEDIA_TYPES else "files"
        return f"lies outside the catalog directory; {what} must be inside it"
    try:
        info = path.stat()
    except FileNotFoundError:
        return MISSING
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    if max_bytes is not None and info.st_size > max_bytes:
        what = "images" if kinds is IMAGE_MEDIA_TYPES else "files"
        return f"is {info.st_size} bytes; Allegro takes {what} of at most {max_bytes} bytes"
    if info.st_size == 0:
        return "is empty"
    return None
