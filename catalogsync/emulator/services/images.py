"""`POST /sale/images`: uploads whose `location` expires unless an offer uses it (API_NOTES §8).

An upload is a JSON `{"url"}` (Allegro would download it; the emulator only checks the address)
or the raw bytes of a JPEG, PNG or WebP. The answer is 201 `{"location", "expiresAt"}`;
Allegro's staff quote four hours for `expiresAt` ([I#6988], [I#5016]). An offer that lists an
expired, never used location in `images` or its description gets 422 "Invalid image URL. Image
must be present on allegro server." ([I#2761]); once used a location no longer expires.

An offer that names an image by an outside URL (the shop's own server) keeps a copy on
Allegro's image host instead: `images` and description IMAGE items answer with the copy's URL
(allegro-api #8448, #4346). The emulator fetches nothing: the copy's URL is derived from the
source URL, so the same source always gives the same copy. URLs on Allegro's image hosts are
kept as sent.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from catalogsync.catalog.image_hosts import is_outside_image
from catalogsync.emulator.core.errors import ApiError, Doc, invalid, iso
from catalogsync.emulator.core.store import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS images (
    location TEXT PRIMARY KEY, seller TEXT NOT NULL, expires_at TEXT NOT NULL,
    used INTEGER NOT NULL DEFAULT 0);
"""
TABLES = ("images",)
HOST = "https://a.allegroimg.com/original/"
#: Leading bytes of each accepted media type.
SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
}
EXPIRED = "Invalid image URL. Image must be present on allegro server."


def _location() -> str:
    """Like Allegro's `https://a.allegroimg.com/original/11cbe1/992d78694655bb59feef684558ed`."""
    return f"{HOST}11{secrets.token_hex(2)}/{secrets.token_hex(14)}"


def copied(url: str) -> str:
    """What an offer keeps for `url`: the same URL on Allegro's image hosts, else a copy there."""
    if not is_outside_image(url):
        return url
    digest = hashlib.sha256(url.encode()).hexdigest()
    return f"{HOST}{digest[:6]}/{digest[6:34]}"


def check_bytes(media_type: str, data: bytes, max_bytes: int) -> None:
    """415 for a media type other than JPEG/PNG/WebP, 413 when too big, 422 when not an image."""
    if media_type not in SIGNATURES:
        raise ApiError(415, "UNSUPPORTED_MEDIA_TYPE",
                       "Unsupported content type. Please check 'Content-Type' request header")
    if len(data) > max_bytes:
        raise ApiError(413, "PAYLOAD_TOO_LARGE", f"Image is too big: at most {max_bytes} bytes.")
    webp = media_type != "image/webp" or data[8:12] == b"WEBP"
    if not data.startswith(SIGNATURES[media_type]) or not webp:
        raise invalid(None, f"The file is not a valid {media_type.split('/')[1].upper()} image.")


def check_link(body: Any) -> str:
    """The `{"url"}` form: an http(s) address with a domain name, not an IP address."""
    url = body.get("url") if isinstance(body, dict) else None
    parts = urlsplit(url) if isinstance(url, str) else None
    host = parts.hostname if parts else None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise invalid("url", "The image URL must be an http or https address.")
    if host.replace(".", "").isdigit() or ":" in host:
        raise invalid("url", "The image URL has to contain a domain name, not an IP address.")
    return str(url)


class Images:
    """Uploaded image locations, kept in the `images` table."""

    def __init__(self, store: Store) -> None:
        self._store = store
        store.create(SCHEMA, TABLES)

    def upload(self, seller: str) -> Doc:
        """Store a new location (the checks on what was sent are done)."""
        with self._store.session() as now:
            ttl = timedelta(seconds=self._store.settings.image_ttl_seconds)
            doc = {"location": _location(), "expiresAt": iso(now + ttl)}
            self._store.db.execute(
                "INSERT INTO images (location, seller, expires_at) VALUES (?, ?, ?)",
                (doc["location"], seller, doc["expiresAt"]),
            )
            return doc

    def check(self, urls: Iterable[tuple[str, str]], now: datetime) -> None:
        """422 if an offer would use an expired, never used upload ((path, url) pairs)."""
        for path, url in urls:
            row = self._store.db.execute(
                "SELECT expires_at, used FROM images WHERE location = ?", (url,)).fetchone()
            if row is not None and not row[1] and row[0] <= iso(now):
                error = invalid(path, EXPIRED)
                error.errors[0]["details"] = f"Invalid value: {url}"
                raise error

    def keep(self, urls: Iterable[tuple[str, str]]) -> None:
        """An offer was saved with these: they never expire now. An expired location stays on
        record, so it can never pass for a foreign URL."""
        self._store.db.executemany("UPDATE images SET used = 1 WHERE location = ?",
                                   [(url,) for _, url in urls])
