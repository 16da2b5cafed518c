"""What the last read saw of each managed offer, kept so the next plan re-reads only offers
that changed since (Allegro's 24-hour `GET /sale/offer-events` feed says which).

Apply writes into it too: what Allegro confirmed (the offer a POST or PATCH answered with, a
command task's SUCCESS) replaces what was read, with the events that change causes listed as
expected, so the feed's echo of our own work does not make the next plan read it again.

The cache is an optimisation and never the truth: an offer is reused only when the feed
names no change to it beyond what we expect and its cheap fields in the offer list still
match.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

#: The feed keeps 24 hours; past this age the cursor may have fallen out of it.
MAX_AGE = timedelta(hours=23)
#: Publication statuses for which Allegro emits offer events (drafts and ended offers: none).
LIVE_STATUSES = ("ACTIVE", "ACTIVATING")


class CachedOffer(BaseModel):
    status: str
    fields: dict[str, Any]
    #: event types our own changes cause and the feed has not shown yet, one per change
    expect: list[str] = Field(default_factory=list)
    #: `LiveOffer.digest` of this entry, once computed
    digest: str | None = None


class LiveCache(BaseModel):
    #: whether the event feed was read at `read_at`; then `event_cursor` is the last event
    #: seen, None if the feed was empty
    fed: bool = False
    event_cursor: str | None = None
    read_at: datetime | None = None
    offers: dict[str, CachedOffer] = Field(default_factory=dict)  # offer id -> what was read
    #: table id -> name when read: offers name their table, and a rename sends no event
    tables: dict[str, str] = Field(default_factory=dict)
    #: GPSR producer and person id -> name when read, for the same reason
    responsible: dict[str, str] = Field(default_factory=dict)

    def usable(self, now: datetime) -> bool:
        return bool(self.fed and self.read_at and now - self.read_at < MAX_AGE)

    def unexplained(self, events: Iterable[tuple[str, str]]) -> set[str]:
        """Offer ids among `events` ((offer id, type), in feed order) that changed beyond
        what we expect; each expected event is consumed by the first one of its type."""
        changed = set()
        for offer_id, kind in events:
            cached = self.offers.get(offer_id)
            if cached is not None and kind in cached.expect:
                cached.expect.remove(kind)
            else:
                changed.add(offer_id)
        return changed


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
