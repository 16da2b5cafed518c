"""Where offers are kept: the `offers` table, one JSON document per offer plus the columns the
API filters on. Every save tells the listeners what changed (events, R26), once per save."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from catalogsync.emulator.core.errors import Doc, forbidden, invalid, not_found
from catalogsync.emulator.core.store import Store
from catalogsync.emulator.services.offers import fields
from catalogsync.emulator.services.offers.documents import StoredOffer

SCHEMA = """
CREATE TABLE IF NOT EXISTS offers (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    seller TEXT NOT NULL,
    external_id TEXT,
    status TEXT NOT NULL,
    ever_activated INTEGER NOT NULL DEFAULT 0,
    hidden INTEGER NOT NULL DEFAULT 0,
    archived INTEGER NOT NULL DEFAULT 0,
    target_status TEXT,
    settle_at TEXT,
    doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS offers_by_external_id ON offers (seller, external_id);
CREATE INDEX IF NOT EXISTS offers_by_status ON offers (seller, status, archived, hidden);
CREATE INDEX IF NOT EXISTS offers_by_seller ON offers (seller, archived, hidden);
CREATE INDEX IF NOT EXISTS offers_settling ON offers (settle_at) WHERE settle_at IS NOT NULL;
"""
OFFER_ID_BASE = 17_700_000_000

#: Told of every save: the offer, its (status, document) as loaded (None if new), the time.
SaveListener = Callable[[StoredOffer, tuple[str, Doc] | None, datetime], None]


class OfferStore:
    """Loading and saving offers (call inside a session); counts drafts for R13."""

    def __init__(self, store: Store) -> None:
        self._store = store
        store.create(SCHEMA, ("offers",))
        self._listeners: list[SaveListener] = []
        #: seller -> INACTIVE offers (R13); counted lazily, dropped whenever drafts leave
        self._draft_counts: dict[str, int] = {}
        store.on_rollback.append(self._draft_counts.clear)

    def listen(self, listener: SaveListener) -> None:
        self._listeners.append(listener)

    def forget_drafts(self, seller: str | None = None) -> None:
        """Drop the cached draft count of `seller` (of everyone when None)."""
        if seller is None:
            self._draft_counts.clear()
        else:
            self._draft_counts.pop(seller, None)

    def load(self, offer_id: str) -> StoredOffer | None:
        row = self._store.db.execute(
            "SELECT id, seller, status, ever_activated, doc, target_status, settle_at"
            " FROM offers WHERE id = ? AND archived = 0",
            (offer_id,),
        ).fetchone()
        if row is None:
            return None
        return StoredOffer(row[0], row[1], row[2], bool(row[3]), json.loads(row[4]), row[5], row[6],
                           before=(row[2], row[4]))

    def owned(self, seller: str, offer_id: str) -> StoredOffer:
        offer = self.load(fields.offer_id(offer_id))
        if offer is None:  # R20: never existed, deleted draft or archived
            raise not_found(f"Offer {offer_id} not found.")
        if offer.seller != seller:  # R21
            raise forbidden("You can only access your own offers.")
        return offer

    def save(self, offer: StoredOffer, at: datetime, *, insert: bool = False) -> None:
        """Write the offer, after telling the listeners what changed since it was loaded."""
        offer.doc["publication"]["status"] = offer.status
        self._after_change(offer, at)
        external = (offer.doc.get("external") or {}).get("id")
        text = json.dumps(offer.doc)
        offer.before = (offer.status, text)
        values = (offer.seller, external, offer.status, int(offer.ever_activated), offer.target,
                  offer.settle_at, text, offer.id)
        if insert:
            self._store.db.execute(
                "INSERT INTO offers (seller, external_id, status, ever_activated, target_status,"
                " settle_at, doc, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
        else:
            self._store.db.execute(
                "UPDATE offers SET seller = ?, external_id = ?, status = ?, ever_activated = ?,"
                " target_status = ?, settle_at = ?, doc = ? WHERE id = ?",
                values,
            )

    def _after_change(self, offer: StoredOffer, at: datetime) -> None:
        before = None if offer.before is None else (offer.before[0], json.loads(offer.before[1]))
        for listener in self._listeners:
            listener(offer, before, at)

    def next_id(self) -> str:
        counter = int(self._store.meta("offer_counter") or 0) + 1
        self._store.set_meta("offer_counter", counter)
        return str(OFFER_ID_BASE + counter)

    # ----------------------------------------------------------------- R13

    def count_draft(self, seller: str) -> None:
        """R13; on success the new draft is counted (the caller inserts it)."""
        if seller not in self._draft_counts:
            self._draft_counts[seller] = self._store.db.execute(
                "SELECT COUNT(*) FROM offers WHERE seller = ? AND status = 'INACTIVE'"
                " AND archived = 0", (seller,),
            ).fetchone()[0]
        limit = self._store.settings.draft_limit
        if self._draft_counts[seller] >= limit:
            raise invalid(None, "You cannot create new drafts - your account has exceeded the "
                                f"maximum number {limit} of drafts.")
        self._draft_counts[seller] += 1

    def hide(self, offer_id: str, hidden: bool) -> bool:
        """R22: whether the offer exists (then it is hidden or shown again)."""
        cursor = self._store.db.execute(
            "UPDATE offers SET hidden = ? WHERE id = ?", (int(hidden), offer_id)
        )
        return cursor.rowcount > 0
