"""What the last read saw of each managed offer, kept so the next plan re-reads only offers
that changed since (Allegro's 24-hour `GET /sale/offer-events` feed says which).

Apply writes into it too: what Allegro confirmed (the offer a POST or PATCH answered with, a
command task's SUCCESS) replaces what was read, with the events that change causes listed as
expected, so the feed's echo of our own work does not make the next plan read it again.

The cache is an optimisation and never the truth: an offer is reused only when the feed
names no change to it beyond what we expect and its cheap fields in the offer list still
match. A file of another format, or one that cannot be read, is dropped: the next plan
reads everything again.

The file is one JSON document of format `FORMAT`, each offer a row `[status, digest, expect,
fields, unsure, vouched]`; at 100 000 offers it loads and saves with the standard library's C codec
in a fraction of the time a validating model took. It is written to a temporary file and
renamed over the old one, so a crash leaves either the old cache or the new one.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from catalogsync.gcpause import gc_paused

#: The feed keeps 24 hours; past this age the cursor may have fallen out of it.
MAX_AGE = timedelta(hours=23)
#: Publication statuses for which Allegro emits offer events (drafts and ended offers: none).
LIVE_STATUSES = ("ACTIVE", "ACTIVATING")
#: The file's format; any other (older caches included) is dropped for a full read.
FORMAT = 3


@dataclass(slots=True)
class CachedOffer:
    status: str
    fields: dict[str, Any]
    #: event types our own changes cause and the feed has not shown yet, one per change
    expect: list[str] = field(default_factory=list)
    #: `LiveOffer.digest` of this entry, once computed
    digest: str | None = None
    #: fields whose value is not known exactly (a stock a quantity command set while buyers
    #: may have bought): the offer list's value is taken for them
    unsure: tuple[str, ...] = ()
    #: not read: taken on the word of `catalogsync.lock` (live/committed.py); `fields` holds
    #: only what the offer list shows, the planner's reading fills in the rest
    vouched: bool = False


@dataclass
class LiveCache:
    #: whether the event feed was read at `read_at`; then `event_cursor` is the last event
    #: seen, None if the feed was empty
    fed: bool = False
    event_cursor: str | None = None
    read_at: datetime | None = None
    offers: dict[str, CachedOffer] = field(default_factory=dict)  # offer id -> what was read
    #: table id -> name when read: offers name their table, and a rename sends no event
    tables: dict[str, str] = field(default_factory=dict)
    #: GPSR producer and person id -> name when read, for the same reason
    responsible: dict[str, str] = field(default_factory=dict)

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
        with gc_paused():  # many thousands of small objects and no cycles
            return _decode(json.loads(path.read_bytes()))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return LiveCache()  # missing, unreadable or of another format: read everything again


def save_cache(path: Path, cache: LiveCache) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".live-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as out:  # dumps, not dump: only a one-shot encode runs in C
            out.write(json.dumps(_encode(cache), separators=(",", ":"), check_circular=False))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _encode(cache: LiveCache) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "fed": cache.fed,
        "event_cursor": cache.event_cursor,
        "read_at": cache.read_at.isoformat() if cache.read_at else None,
        "tables": cache.tables,
        "responsible": cache.responsible,
        "offers": {
            offer_id: [o.status, o.digest, o.expect, o.fields, list(o.unsure), o.vouched]
            for offer_id, o in cache.offers.items()
        },
    }


def _decode(data: Any) -> LiveCache:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return LiveCache()
    offers = {}
    for offer_id, (status, digest, expect, fields, unsure, vouched) in data["offers"].items():
        if not (isinstance(status, str) and isinstance(fields, dict) and isinstance(expect, list)):
            raise ValueError(f"cached offer {offer_id} is malformed")
        offers[str(offer_id)] = CachedOffer(
            status, fields, [str(e) for e in expect], digest and str(digest), tuple(unsure),
            vouched is True,
        )
    read_at = data["read_at"]
    cursor = data["event_cursor"]
    return LiveCache(
        fed=data["fed"] is True,
        event_cursor=None if cursor is None else str(cursor),
        read_at=datetime.fromisoformat(read_at) if read_at else None,
        offers=offers,
        tables={str(k): str(v) for k, v in dict(data["tables"]).items()},
        responsible={str(k): str(v) for k, v in dict(data["responsible"]).items()},
    )
