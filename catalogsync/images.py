"""Images Allegro keeps a copy of: local files (hashed) and outside URLs, uploaded once through
`POST /sale/images` and then referred to by the URL Allegro gave, remembered in the state index
by content hash (a file) or by the source URL itself (an outside URL).

An offer's `images` (and description image items) may name a URL or a file relative to the
catalog directory. Allegro copies an image given by a URL outside its own image hosts and
answers with the copy's URL, so such a URL is uploaded like a file and compared by its source:
the plan settles after apply, and a new source URL is uploaded again. Until an image has been
uploaded, the plan carries a placeholder that apply replaces with the uploaded URL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalogsync.catalog.gpsr import SafetyManuals
from catalogsync.catalog.image_hosts import is_outside_image
from catalogsync.catalog.limits import IMAGE_MEDIA_TYPES as MEDIA_TYPES
from catalogsync.catalog.local_files import is_local, local_file_problem
from catalogsync.catalog.models import Catalog, ImageItem

__all__ = ["MEDIA_TYPES", "PLACEHOLDER", "LocalImage", "is_local", "local_images",
           "outside_images"]

PLACEHOLDER = "catalogsync-upload:"
#: Safety manuals wait for their attachment id the same way, under `attachment-<hash>`.
ATTACHMENT_PLACEHOLDER = f"{PLACEHOLDER}attachment-"


@dataclass(frozen=True)
class LocalImage:
    path: str  # as written in the catalog: relative to the catalog directory, or an outside URL
    sha256: str  # "" when the file cannot be used, and for an outside URL
    url: str | None  # where Allegro has it, if uploaded before
    problem: str | None = None  # why it cannot be used (missing, outside the catalog …)
    outside: bool = False  # an outside URL, not a file

    @property
    def key(self) -> str:
        """What the state index and the upload placeholder know it by: content hash or URL."""
        return self.path if self.outside else self.sha256

    @property
    def reference(self) -> str:
        """What offers name: the uploaded URL, or a placeholder apply fills in."""
        return self.url or f"{PLACEHOLDER}{self.key}"


def local_images(
    images: Iterable[str],
    catalog_dir: Path,
    uploaded: dict[str, str],
    kinds: dict[str, str] = MEDIA_TYPES,
) -> dict[str, LocalImage]:
    """Hash each distinct local file once; `uploaded` maps content hash -> URL (or id)."""
    found = {}
    for image in sorted({i for i in images if is_local(i)}):
        problem = local_file_problem(catalog_dir, image, kinds)
        digest = ""
        if problem is None:
            try:
                digest = hashlib.sha256((catalog_dir / image).read_bytes()).hexdigest()
            except OSError as exc:
                problem = f"cannot be read: {exc.strerror or exc}"
        found[image] = LocalImage(image, digest, uploaded.get(digest) if digest else None, problem)
    return found


def outside_images(images: Iterable[str], uploaded: dict[str, str]) -> dict[str, LocalImage]:
    """Images named by a URL off Allegro's image hosts; `uploaded` maps source URL -> URL."""
    return {
        url: LocalImage(url, "", uploaded.get(url), outside=True)
        for url in sorted({i for i in images if not is_local(i) and is_outside_image(i)})
    }


def placeholders(value: Any) -> set[str]:
    """Content hashes of every placeholder inside a request body."""
    found: set[str] = set()
    _collect(value, found)
    return found


def _collect(value: Any, found: set[str]) -> None:
    # one walk filling one set: a request body has a hundred strings, numbers and nested
    # containers, and apply looks at every body it sends
    if isinstance(value, str):
        if value.startswith(PLACEHOLDER):
            found.add(value[_SKIP:])
        return
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, list):
        return
    for item in value:
        if isinstance(item, str):
            if item.startswith(PLACEHOLDER):
                found.add(item[_SKIP:])
        elif isinstance(item, (dict, list)):
            _collect(item, found)


_SKIP = len(PLACEHOLDER)


def substitute(value: Any, urls: dict[str, str]) -> Any:
    """`value` with each placeholder replaced by its uploaded URL."""
    if isinstance(value, str) and value.startswith(PLACEHOLDER):
        return urls[value[_SKIP:]]
    if isinstance(value, dict):
        return {k: substitute(v, urls) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, urls) for v in value]
    return value


def catalog_images(catalog: Catalog) -> list[str]:
    """Every image the catalog's offers name, in `images` or in description items."""
    found: list[str] = []
    for offer in catalog.offers.values():
        found += offer.images or ()
        found += [i.image for s in offer.description or () for i in s if isinstance(i, ImageItem)]
    return found


def catalog_safety_files(catalog: Catalog) -> list[str]:
    """Every safety manual file the catalog names (offers and defaults)."""
    named = [o.safety_information for o in catalog.offers.values()]
    named.append(catalog.settings.defaults.safety_information)
    return [f for value in named if isinstance(value, SafetyManuals) for f in value.files]
