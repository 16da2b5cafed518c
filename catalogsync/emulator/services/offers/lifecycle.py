"""An offer's publication: INACTIVE -> ACTIVATING -> ACTIVE -> ENDED, over time.

Publishing needs a complete offer (its problems are also a draft's `validation.errors`);
activating and ending through product-offers are 202 operations, settled once the processing
delay has passed (lazily, at the start of a session: `settle_due`). R20: drafts untouched for
60 days are deleted and offers ended 60 days ago archived (`housekeeping`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from catalogsync.emulator.core.errors import (
    ApiError,
    Doc,
    error_entry,
    invalid,
    iso,
    not_found,
    parse_time,
)
from catalogsync.emulator.core.store import Store
from catalogsync.emulator.services.catalogue import Catalogue
from catalogsync.emulator.services.events import OfferEvents, archived
from catalogsync.emulator.services.offers.documents import LIVE, StoredOffer
from catalogsync.emulator.services.offers.storage import OfferStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS operations (
    id TEXT PRIMARY KEY, offer_id TEXT NOT NULL, seller TEXT NOT NULL,
    started_at TEXT NOT NULL, done_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS operations_by_offer ON operations (offer_id, done_at);
"""
OPERATION_TTL = timedelta(days=7)
ARCHIVE_AFTER = timedelta(days=60)  # R20
HOUSEKEEPING_EVERY = timedelta(hours=1)


class OfferLifecycle:
    """Publication rules and the 202 operations of product-offers (the `operations` table)."""

    def __init__(self, store: Store, offers: OfferStore, catalogue: Catalogue,
                 events: OfferEvents) -> None:
        self._store = store
        self._offers = offers
        self._catalogue = catalogue
        self._events = events
        self._last_housekeeping: datetime | None = None
        #: further rules a published offer must meet (GPSR), each giving error entries
        self.publication_rules: list[Callable[[Doc], list[Doc]]] = []
        store.create(SCHEMA, ("operations",))

    def delay(self) -> timedelta:
        """How long 202 operations and command tasks take (the `processing_delay` setting)."""
        return timedelta(seconds=self._store.settings.processing_delay)

    def activation_problems(self, doc: Doc) -> list[Doc]:
        """Why an offer cannot be published (also its draft `validation.errors`)."""
        problems: list[tuple[str, str]] = []
        if not doc.get("name"):
            problems.append(("name", "The offer name is required."))
        if not doc.get("category"):
            problems.append(("category.id", "The offer category is required."))
        if not (doc.get("sellingMode") or {}).get("price"):
            problems.append(("sellingMode.price", "The offer price is required."))
        if not (doc.get("stock") or {}).get("available"):
            problems.append(("stock.available",
                             "Offer can be activated only with stock being greater than 0."))
        if not (doc.get("delivery") or {}).get("shippingRates"):
            problems.append(("delivery.shippingRates", "Shipping rates are required."))
        problems += [("parameters", f"Parameter '{name}' is required.")
                     for name in self._catalogue.missing_required(doc)]
        entries = [error_entry("VALIDATION_ERROR", message, path) for path, message in problems]
        for rule in self.publication_rules:
            entries += rule(doc)
        return entries

    def revalidate(self, offer: StoredOffer, at: datetime) -> None:
        errors = [] if offer.status in LIVE else self.activation_problems(offer.doc)
        offer.doc["validation"] = {"errors": errors, "warnings": [], "validatedAt": iso(at)}

    def activate(self, offer: StoredOffer, now: datetime) -> str:
        """Start publishing: ACTIVATING now, ACTIVE once the processing delay has passed."""
        problems = self.activation_problems(offer.doc)
        if problems:
            raise ApiError.of(422, problems)
        settle = now + self.delay()
        starting = offer.doc["publication"].get("startingAt")
        if starting and offer.status == "INACTIVE":
            settle = max(settle, parse_time(starting, "publication.startingAt"))
        self.begin_activation(offer, settle)
        return self._start_operation(offer, now)

    def change_publication(self, offer: StoredOffer, requested: str | None, now: datetime
                           ) -> str | None:
        """PATCH `publication.status`: ACTIVE/ENDED are 202 operations; INACTIVE is a no-op."""
        if requested == "ACTIVE" and offer.status not in LIVE:
            return self.activate(offer, now)
        if requested == "ENDED" and offer.status == "INACTIVE":
            raise invalid("publication.status", "A draft offer cannot be ended.")
        if requested == "ENDED" and offer.status in LIVE:
            offer.target, offer.settle_at = "ENDED", iso(now + self.delay())
            return self._start_operation(offer, now)
        return None  # INACTIVE on an activated offer is accepted and changes nothing

    def begin_activation(self, offer: StoredOffer, settle: datetime) -> None:
        if offer.status == "INACTIVE":
            self._offers.forget_drafts(offer.seller)
        offer.status, offer.ever_activated = "ACTIVATING", True
        offer.target, offer.settle_at = "ACTIVE", iso(settle)
        offer.doc["publication"]["endedBy"] = None

    def end(self, offer: StoredOffer, at: datetime, by: str) -> None:
        offer.status, offer.target, offer.settle_at = "ENDED", None, None
        offer.doc["publication"]["endedBy"] = by
        offer.doc["_listing"]["endedAt"] = iso(at)

    def _start_operation(self, offer: StoredOffer, now: datetime) -> str:
        operation_id = str(uuid.uuid4())
        self._store.db.execute(
            "INSERT INTO operations (id, offer_id, seller, started_at, done_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (operation_id, offer.id, offer.seller, iso(now), iso(now + self.delay())),
        )
        return operation_id

    def running_operation(self, offer_id: str, now: datetime) -> bool:
        return self._store.db.execute(
            "SELECT 1 FROM operations WHERE offer_id = ? AND done_at > ? LIMIT 1",
            (offer_id, iso(now)),
        ).fetchone() is not None

    # ----------------------------------------------------------------- API and due work

    def operation(self, seller: str, offer_id: str, operation_id: str) -> Doc | None:
        """An operation's 202 body while it runs; None once it is done (the 303)."""
        with self._store.session() as now:
            row = self._store.db.execute(
                "SELECT seller, started_at, done_at FROM operations WHERE id = ? AND offer_id = ?",
                (operation_id, offer_id),
            ).fetchone()
            expired = row is not None and parse_time(row[1], "") + OPERATION_TTL < now
            if row is None or row[0] != seller or expired:
                raise not_found("Wskazana operacja nie istnieje")
            if row[2] <= iso(now):
                return None
            return {"offer": {"id": offer_id},
                    "operation": {"id": operation_id, "status": "IN_PROGRESS", "startedAt": row[1]}}

    def settle_due(self, now: datetime) -> None:
        """ACTIVATING -> ACTIVE and pending ends, once their time has come."""
        rows = self._store.db.execute(
            "SELECT id FROM offers WHERE settle_at IS NOT NULL AND settle_at <= ?", (iso(now),)
        ).fetchall()
        for (offer_id,) in rows:
            offer = self._offers.load(offer_id)
            if offer is None or offer.settle_at is None:
                continue
            at = parse_time(offer.settle_at, "")
            if offer.target == "ENDED":
                self.end(offer, at, "USER")
            else:
                offer.status, offer.target, offer.settle_at = "ACTIVE", None, None
                offer.doc["_listing"]["startedAt"] = iso(at)
                offer.doc["publication"]["startingAt"] = (
                    offer.doc["publication"].get("startingAt") or iso(at)
                )
            self.revalidate(offer, at)
            self._offers.save(offer, at)

    def housekeeping(self, now: datetime) -> None:
        """R20: drafts untouched for 60 days are deleted; offers ended 60 days ago archived."""
        last = self._last_housekeeping
        if last is not None and now - last < HOUSEKEEPING_EVERY:
            return
        self._last_housekeeping = now
        self._offers.forget_drafts()
        cutoff = iso(now - ARCHIVE_AFTER)
        self._store.db.execute(
            "DELETE FROM offers WHERE status = 'INACTIVE' AND json_extract(doc, '$.updatedAt') < ?",
            (cutoff,),
        )
        gone = self._store.db.execute(
            "UPDATE offers SET archived = 1 WHERE status = 'ENDED' AND archived = 0"
            " AND json_extract(doc, '$._listing.endedAt') < ? RETURNING seller, doc",
            (cutoff,),
        ).fetchall()
        for seller, doc in gone:
            self._events.record(seller, [archived(json.loads(doc))], now)
        self._events.prune(now)
