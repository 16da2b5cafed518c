"""What a fresh clone may trust without reading every offer, from `catalogsync.lock`.

The live cache (`.catalogsync/`, git-ignored) lets a warm machine read only the offers the
event feed names; a CI runner starts from a fresh clone without it. So every apply also
commits where it left the offer-event feed (`feed`: the cursor past its own changes, when,
and the table and producer names offers were read with) beside the per-field digests of each
offer as it left them (`applied`, plan/drift.py). A runner without a usable cache starts from
these: an offer the feed names no change for since the cursor, and which the offer list shows
ACTIVE with the name, price and stock it shows, is taken as the apply left it ("vouched"),
its other fields the catalog's where their digests match (plan/vouched.py), read otherwise.
Drafts and ended offers cause no events, so they are always read; the feed keeps 24 hours,
so a cursor older than `cache.MAX_AGE` is not used.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from catalogsync.live.cache import CachedOffer, LiveCache
from catalogsync.live.reuse import LISTED
from catalogsync.state.index import StateIndex

#: A cursor kept by applies that change nothing is renewed past this age: the feed keeps 24
#: hours, and a plan reads every event since the cursor.
RENEW = timedelta(hours=12)


def feed_line(
    cache: LiveCache, now: datetime, managed: dict[str, str], kept: str | None = None
) -> str | None:
    """Where the feed was left, for the lock; None when the cache did not follow it.
    `managed` (external id -> offer id): offers the cache no longer holds (someone changed
    them while apply ran, an outcome not known) are named, never vouched for. An apply that
    changed nothing keeps the line it had (`kept`) while that is younger than `RENEW`, so
    that the committed file does not change with every run."""
    if kept is not None and (read_at := _read_at(kept)) and now - read_at < RENEW:
        return kept
    if not cache.usable(now) or cache.read_at is None:
        return None
    unsure = sorted(sku for sku, offer_id in managed.items() if offer_id not in cache.offers)
    return json.dumps(
        {"cursor": cache.event_cursor, "read_at": cache.read_at.isoformat(),
         "tables": cache.tables, "responsible": cache.responsible, "unsure": unsure},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )


def _read_at(line: str) -> datetime | None:
    try:
        return datetime.fromisoformat(json.loads(line)["read_at"])
    except (ValueError, TypeError, KeyError):
        return None


def committed_cache(index: StateIndex) -> LiveCache | None:
    """A cache of the offers the lock vouches for; None when it holds no (readable) cursor."""
    if index.feed is None:
        return None
    try:
        data = json.loads(index.feed)
        cursor = data["cursor"]
        read_at = datetime.fromisoformat(data["read_at"])
        tables = {str(k): str(v) for k, v in dict(data["tables"]).items()}
        responsible = {str(k): str(v) for k, v in dict(data["responsible"]).items()}
        unsure = {str(sku) for sku in data["unsure"]}
    except (ValueError, TypeError, KeyError):
        return None  # an unreadable line costs a full read, nothing else
    offers = {
        index.offers[sku]: CachedOffer("ACTIVE", {}, unsure=LISTED, vouched=True)
        for sku in index.applied if sku in index.offers and sku not in unsure
    }
    return LiveCache(fed=True, event_cursor=None if cursor is None else str(cursor),
                     read_at=read_at, offers=offers, tables=tables, responsible=responsible)
