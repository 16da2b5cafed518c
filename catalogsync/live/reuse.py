"""Whether an offer the live cache holds can stand in for reading it again."""

from __future__ import annotations

from typing import Any

from catalogsync.allegro.wire import money
from catalogsync.live.state import LiveOffer


def pending(fields: dict[str, Any]) -> bool:
    """An additional marketplace has not given its verdict yet: read the offer again."""
    states = fields.get("marketplace_states") or {}
    return any(s.get("state") == "PENDING" for s in states.values())


def still_matches(cached: LiveOffer, listed: dict[str, Any], status: str) -> bool:
    """Cheap cross-check of a cached offer against its row in the offer list. An offer we
    saw ACTIVATING may be ACTIVE now: Allegro finished publishing it, nothing else."""
    price = (listed.get("sellingMode") or {}).get("price") or {}
    settled = cached.status == "ACTIVATING" and status == "ACTIVE"
    now = {
        "status": cached.status if settled else status,
        "name": listed.get("name"),
        "stock": (listed.get("stock") or {}).get("available"),
        "price": money(price["amount"], price.get("currency") or "PLN") if price else None,
    }
    then = {
        "status": cached.status,
        "name": cached.fields.get("name"),
        "stock": cached.fields.get("stock"),
        "price": cached.fields.get("price"),
    }
    return now == then
