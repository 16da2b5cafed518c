"""Which image URLs are Allegro's own: an image given by any other (outside) URL is copied by
Allegro to its image servers, and the offer then shows the copy's URL, not the one sent
(allegro-api #8448, #4346)."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

#: Allegro's image hosts: `a.allegroimg.com`, `5.allegroimg.com`, …, and the sandbox's.
ALLEGRO_IMAGE_DOMAINS = ("allegroimg.com", "allegroimg.allegrosandbox.pl")


def is_outside_image(url: str) -> bool:
    """An http(s) image URL on a host other than Allegro's image servers."""
    start = url.find("//")
    end = url.find("/", start + 2) if start >= 0 else -1
    return _outside(url[:end] if end >= 0 else url)  # a catalog's URLs share a few origins


@lru_cache(maxsize=1024)
def _outside(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in ("http", "https") or not host:
        return False
    return not any(host == d or host.endswith(f".{d}") for d in ALLEGRO_IMAGE_DOMAINS)
