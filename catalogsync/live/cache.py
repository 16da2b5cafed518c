"""What the last read saw of each managed offer, kept so the next plan re-reads only offers
that changed since (Allegro's 24-hour `GET /sale/offer-events` feed says which).

The cache is an optimisation and never the truth: an offer is reused only when the feed
names no change to it and its cheap fields in the offer list still match.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

#: The feed keeps 24 hours; past this age the cursor may have fallen out of it.
MAX_AGE = timedelta(hours=23)


class CachedOffer(BaseModel):
    status: str
    fields: dict[str, Any]


class LiveCache(BaseModel):
    event_cursor: str | None = None
    read_at: datetime | None = None
    offers: dict[str, CachedOffer] = Field(default_factory=dict)  # offer id -> what was read
    #: table id -> name when read: offers name their table, and a rename sends no event
    tables: dict[str, str] = Field(default_factory=dict)

    def usable(self, now: datetime) -> bool:
        return bool(self.event_cursor and self.read_at and now - self.read_at < MAX_AGE)


def load_cache(path: Path) -> LiveCache:
    try:
        return LiveCache.model_validate_json(path.read_bytes())
    except (OSError, ValidationError, ValueError):
        return LiveCache()  # missing or unreadable: read everything again


def save_cache(path: Path, cache: LiveCache) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".live-", suffix=".tmp")
    with os.fdopen(fd, "w") as out:
        out.write(cache.model_dump_json())
    os.replace(tmp, path)
