"""Hashes of live state: what a saved plan remembers to notice that Allegro changed since."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from catalogsync.live.state import LiveOffer, LiveState, hashed_fields


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def offer_hash(offer: LiveOffer, sold: int = 0) -> str:
    """The offer as a saved plan remembers it. Sales do not count as a change: the stock is
    taken with the units `sold` since the stock ledger's position added back, and an offer that
    sold out (ended by EMPTY_STOCK) as the active offer it was. Otherwise its `digest`."""
    if not sold and offer.fields.get("ended_by") != "EMPTY_STOCK":
        return offer.digest
    fields, status = dict(hashed_fields(offer.fields)), offer.status
    if "stock" in fields:
        fields["stock"] += sold
    if fields.get("ended_by") == "EMPTY_STOCK":
        del fields["ended_by"]
        fields["status"], status = "active", "ACTIVE"
    return _digest([offer.id, status, fields])[:16]


def table_hash(table_id: str, rates: tuple[Any, ...]) -> str:
    return _digest([table_id, list(rates)])[:16]


def fingerprint(live: LiveState) -> str:
    """The whole managed live state; batch-command ids derive from it. Made of per-offer
    digests, which the live cache keeps, so a plan need not serialise every offer."""
    offers = hashlib.sha256()
    for sku, offer in sorted(live.offers.items()):
        offers.update(f"{sku}\0{offer.digest}\n".encode())
    tables = {n: [t.id, list(t.rates)] for n, t in sorted(live.tables.items())}
    return _digest({"offers": offers.hexdigest(), "tables": tables})
