"""`GET /sale/offer-events`: the seller's offer event journal of the last 24 hours [S].

The offer store reports every saved offer with its state before and after; `changes` turns that
into events. As the spec says, events concern offers that are ACTIVE or ACTIVATING (a change to
an INACTIVE draft or an ENDED offer emits nothing), except OFFER_ARCHIVED; one change may give
more than one event (a PATCH of price and stock gives OFFER_PRICE_CHANGED and
OFFER_STOCK_CHANGED). Event ids are the base64 of a sequence number, like Allegro's
"MTEzMjQzODU3NA", and `from` returns the events after the one named.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime, timedelta
from typing import Any

from catalogsync.emulator.core.errors import Doc, invalid, iso
from catalogsync.emulator.core.store import Store
from catalogsync.emulator.services.marketplaces import prices_of, requested
from catalogsync.emulator.services.offers.documents import LIVE, StoredOffer

SCHEMA = """
CREATE TABLE IF NOT EXISTS offer_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, seller TEXT NOT NULL, type TEXT NOT NULL,
    occurred_at TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS offer_events_by_seller ON offer_events (seller, seq);
"""
TABLES = ("offer_events",)
#: Every type the spec lists; the emulator emits the first six.
TYPES = (
    "OFFER_ACTIVATED", "OFFER_CHANGED", "OFFER_ENDED", "OFFER_STOCK_CHANGED",
    "OFFER_PRICE_CHANGED", "OFFER_ARCHIVED", "OFFER_BID_PLACED", "OFFER_BID_CANCELED",
    "OFFER_TRANSLATION_UPDATED", "OFFER_VISIBILITY_CHANGED", "OFFER_DELIVERY_COUNTRIES_BLOCKED",
)
KEPT_FOR = timedelta(hours=24)
#: Offer fields whose changes are not OFFER_CHANGED: bookkeeping, and what has its own event.
_NOT_CONTENT = ("updatedAt", "validation", "publication", "stock", "sellingMode", "warnings")


def price_of(doc: Doc | None) -> Any:
    return ((doc or {}).get("sellingMode") or {}).get("price")


def _stock_of(doc: Doc | None) -> Any:
    return ((doc or {}).get("stock") or {}).get("available")


def _content(doc: Doc) -> Doc:
    selling = {k: v for k, v in (doc.get("sellingMode") or {}).items() if k != "price"}
    return {**{k: v for k, v in doc.items() if k not in _NOT_CONTENT and not k.startswith("_")},
            "sellingMode": selling}


def changes(before: tuple[str, Doc] | None, status: str, doc: Doc) -> list[Doc]:
    """Events for one saved offer: `before` is (status, document) as loaded, None if new."""
    was, old = before if before is not None else ("INACTIVE", None)
    found: list[Doc] = []
    if status == "ACTIVE" and was != "ACTIVE":
        found.append(_event("OFFER_ACTIVATED", doc))
    if old is not None and was in LIVE:
        if price_of(old) != price_of(doc):
            found.append(_price_event(doc, "allegro-pl"))
        old_prices, new_prices = prices_of(old), prices_of(doc)
        for marketplace in sorted(set(old_prices) | set(new_prices)):
            if old_prices.get(marketplace) != new_prices.get(marketplace):
                found.append(_price_event(doc, marketplace))
        if _stock_of(old) != _stock_of(doc):
            found.append(_event("OFFER_STOCK_CHANGED", doc))
        # guess: asking for other additional marketplaces is a content change too
        if _content(old) != _content(doc) or requested(old) != requested(doc):
            found.append(_event("OFFER_CHANGED", doc))
    if old is not None and old.get("_translations") != doc.get("_translations"):
        found.append(_event("OFFER_TRANSLATION_UPDATED", doc))  # services/translations.py
    if status == "ENDED" and was in LIVE:
        ended = _event("OFFER_ENDED", doc)
        ended["offer"]["publication"] = {"endedBy": doc["publication"].get("endedBy") or "USER"}
        found.append(ended)
    return found


def archived(doc: Doc) -> Doc:
    return _event("OFFER_ARCHIVED", doc)


def _event(kind: str, doc: Doc) -> Doc:
    offer: Doc = {"id": doc["id"]}
    if doc.get("external"):
        offer["external"] = {"id": doc["external"]["id"]}
    return {"type": kind, "offer": offer}


def _price_event(doc: Doc, marketplace: str) -> Doc:
    event = _event("OFFER_PRICE_CHANGED", doc)
    event["offer"].setdefault("external", {})  # required by the spec's schema
    event["offer"]["marketplaces"] = [{"id": marketplace, "changeType": "MANUAL"}]
    return event


def event_id(seq: int) -> str:
    return base64.b64encode(str(seq).encode()).decode().rstrip("=")


def event_seq(value: str, status: int = 400) -> int:
    """The sequence number of an event id (a bad one is a `from` error with `status`)."""
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode()
        return int(decoded)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise invalid("from", f"Invalid event id: {value}", status=status) from exc


def feed_page(
    db: Any, table: str, seller: str, after: str | None, limit: int, types: list[str],
    known: tuple[str, ...], status: int, since: str | None = None,
) -> list[tuple[Any, ...]]:
    """(seq, type, occurred_at, doc) of the seller's events after the event id `after`, of
    `types` (all if none), at most `limit`: one page of a feed, as Allegro's event feeds
    page (an error answers with `status`). `since` leaves out events older than that."""
    if not 1 <= limit <= 1000:
        raise invalid("limit", "limit must be between 1 and 1000.", status=status)
    for kind in types:
        if kind not in known:
            raise invalid("type", f"Unknown event type {kind}.", status=status)
    where, args = ["seller = ?", "seq > ?"], [seller, event_seq(after, status) if after else 0]
    if since is not None:
        where.append("occurred_at >= ?")
        args.append(since)
    if types:
        where.append(f"type IN ({', '.join('?' * len(types))})")
        args += types
    return list(db.execute(  # table: one of the services' own names, never input
        f"SELECT seq, type, occurred_at, doc FROM {table} WHERE {' AND '.join(where)}"
        " ORDER BY seq LIMIT ?", [*args, limit],
    ).fetchall())


class OfferEvents:
    """The journal, kept in the `offer_events` table."""

    def __init__(self, store: Store) -> None:
        self._store = store
        store.create(SCHEMA, TABLES)

    def offer_saved(self, offer: StoredOffer, before: tuple[str, Doc] | None, at: datetime
                    ) -> None:
        """Journal what a save changed (an `OfferStore` listener)."""
        found = changes(before, offer.status, offer.doc)
        if found:
            self.record(offer.seller, found, at)

    def record(self, seller: str, events: list[Doc], at: datetime) -> None:
        """Append events (inside an open session)."""
        self._store.db.executemany(
            "INSERT INTO offer_events (seller, type, occurred_at, doc) VALUES (?, ?, ?, ?)",
            [(seller, e["type"], iso(at), json.dumps(e["offer"])) for e in events],
        )

    def prune(self, now: datetime) -> None:
        self._store.db.execute("DELETE FROM offer_events WHERE occurred_at < ?",
                               (iso(now - KEPT_FOR),))

    def feed(self, seller: str, after: str | None, limit: int, types: list[str]) -> Doc:
        """`GET /sale/offer-events?from=&limit=&type=`."""
        with self._store.session() as now:
            rows = feed_page(self._store.db, "offer_events", seller, after, limit, types, TYPES,
                             400, since=iso(now - KEPT_FOR))
        return {"offerEvents": [
            {"id": event_id(seq), "occurredAt": at, "type": kind, "offer": json.loads(doc)}
            for seq, kind, at, doc in rows
        ]}
