"""A URL feed, downloaded into the git-ignored `.catalogsync/feeds/` with a conditional request:
the ETag and Last-Modified of the last copy go out as If-None-Match / If-Modified-Since, and a
304 answer reuses the copy, so an unchanged feed costs one small request.

The one place besides `allegro/` and `emulator/` that speaks HTTP (docs/architecture.md): the
feed is the seller's own server, not Allegro, so it goes through none of the Allegro client's
pacing, tokens or error shapes. Header values come from environment variables and never appear
in a message; a URL is shown without its query string (which may hold a token).
"""

from __future__ import annotations

import hashlib
import json
import os
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx

from catalogsync.catalog.feeds import FeedSpec
from catalogsync.errors import ConfigError

TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def fetch_feed(spec: FeedSpec, folder: Path, transport: httpx.BaseTransport | None = None
               ) -> tuple[Path, str | None]:
    """The feed's local copy and its time (Last-Modified as ISO 8601 UTC, else the server's
    Date, else None)."""
    assert spec.url is not None
    folder.mkdir(parents=True, exist_ok=True)
    stem = hashlib.sha256(spec.url.encode()).hexdigest()[:16]
    copy, meta_path = folder / f"{stem}.data", folder / f"{stem}.json"
    meta = _meta(meta_path) if copy.is_file() else {}
    headers = _headers(spec)
    if meta.get("etag"):
        headers["If-None-Match"] = meta["etag"]
    if meta.get("last_modified"):
        headers["If-Modified-Since"] = meta["last_modified"]
    try:
        with httpx.Client(timeout=TIMEOUT, transport=transport, follow_redirects=True) as client, \
                client.stream("GET", spec.url, headers=headers) as response:
            if response.status_code == 304 and copy.is_file():
                return copy, meta.get("at")
            if response.status_code != 200:
                raise ConfigError(f"feed {spec.name}: the server answered "
                                  f"{response.status_code} {response.reason_phrase}")
            partial = copy.with_suffix(".part")
            with partial.open("wb") as out:
                for chunk in response.iter_bytes():
                    out.write(chunk)
            moment = _time(response.headers.get("last-modified") or response.headers.get("date"))
            partial.replace(copy)
            kept = {"etag": response.headers.get("etag"),
                    "last_modified": response.headers.get("last-modified"), "at": moment}
            meta_path.write_text(json.dumps({k: v for k, v in kept.items() if v}))
            return copy, moment
    except httpx.HTTPError as exc:
        raise ConfigError(f"feed {spec.name} could not be read: {exc.__class__.__name__}") from None


def _headers(spec: FeedSpec) -> dict[str, str]:
    headers = {}
    for header, variable in spec.headers.items():
        value = os.environ.get(variable)
        if value is None:
            raise ConfigError(f"feed {spec.name}: the environment variable {variable} (for "
                              f"the {header} header) is not set")
        headers[header] = value
    return headers


def _meta(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}


def _time(header: str | None) -> str | None:
    if not header:
        return None
    try:
        moment = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
