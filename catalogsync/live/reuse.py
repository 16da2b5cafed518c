"""Whether an offer the live cache holds can stand in for reading it again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from catalogsync.allegro.wire import money
from catalogsync.live.cache import CachedOffer
from catalogsync.live.offer_list import Row
from catalogsync.live.state import LiveOffer


def pending(fields: Mapping[str, Any]) -> bool:
    """An additional marketplace has not given its verdict yet: read the offer again."""
    states = fields.get("marketplace_states") or {}
    return any(s.get("state") == "PENDING" for s in states.values())


#: What the offer list shows of an offer, as canonical fields.
LISTED = ("name", "stock", "price")


def _listed_fields(listed: Row) -> dict[str, Any]:
    """The offer list's row as the canonical fields it carries."""
    price = listed.price
    return {
        "name": listed.name,
        "stock": listed.stock,
        "price": money(*price) if price else None,
    }


def still_matches(cached: CachedOffer, listed: Row, status: str) -> bool:
    """Cheap cross-check of a cached offer against its row in the offer list. An offer we
    saw ACTIVATING may be ACTIVE now: Allegro finished publishing it, nothing else. A field
    the cache is unsure of (a stock set while buyers bought) is taken from the list."""
    settled = cached.status == "ACTIVATING" and status == "ACTIVE"
    if (cached.status if settled else status) != cached.status:
        return False
    now = _listed_fields(listed)
    if any(now.get(k) is None for k in cached.unsure):
        return False
    return all(cached.fields.get(k) == v for k, v in now.items() if k not in cached.unsure)


def from_cache(offer_id: str, cached: CachedOffer, listed: Row, status: str) -> LiveOffer:
    fields = cached.fields
    if cached.unsure:
        now = _listed_fields(listed)
        # a copy only where the list differs: a packed offer's (live/packed.py) is decoded whole
        differ = {k: now[k] for k in cached.unsure if fields.get(k) != now[k]}
        fields = {**fields, **differ} if differ else fields
    same = status == cached.status and not cached.unsure
    return LiveOffer(
        id=offer_id,
        status=status,
        fields=fields,
        ever_activated=cached.status != "INACTIVE",
        vouched=cached.vouched,
        known_digest=cached.digest if same else None,
    )
