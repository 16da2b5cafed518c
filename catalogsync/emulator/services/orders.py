"""Orders: buyers purchase offers, and the seller reads `GET /order/events` and
`GET /order/checkout-forms/{id}` [S].

A purchase takes the quantity off the offer's `stock.available` (the offer ends with
`endedBy: EMPTY_STOCK` when it reaches 0; offer events follow from the save), counts it as sold,
and makes a checkout form with one line item. Its order events follow the FAQ: at least one per
order, several of one type possible, in any order (the purchase names them, default BOUGHT,
FILLED_IN, READY_FOR_PROCESSING); a buyer who pays separate purchases together gets a new
checkout form holding their line items (same `lineItem.id`s) and the old forms answer 404.
A form's `revision` changes with every event about it.

Purchases come from steering (`POST /_emulator/offers/{offerId}/purchase`; later events of a
form with `POST /_emulator/checkout-forms/{id}/events`) and, with the
`purchase_on_command` setting, from a buyer who buys each offer a batch command names the
moment the command is registered (a sale racing an apply).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from catalogsync.emulator.core.errors import Doc, invalid, iso, not_found
from catalogsync.emulator.core.store import Store
from catalogsync.emulator.services.events import event_id, feed_page
from catalogsync.emulator.services.offers.documents import MARKETPLACE, StoredOffer
from catalogsync.emulator.services.offers.lifecycle import OfferLifecycle
from catalogsync.emulator.services.offers.storage import OfferStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS checkout_forms (
    id TEXT PRIMARY KEY, seller TEXT NOT NULL, buyer TEXT NOT NULL, status TEXT NOT NULL,
    removed INTEGER NOT NULL DEFAULT 0, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS checkout_forms_by_buyer ON checkout_forms (seller, buyer, removed);
CREATE TABLE IF NOT EXISTS order_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, seller TEXT NOT NULL, type TEXT NOT NULL,
    occurred_at TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS order_events_by_seller ON order_events (seller, seq);
"""
TABLES = ("checkout_forms", "order_events")
#: `OrderEventType` [S]
EVENT_TYPES = ("BOUGHT", "FILLED_IN", "READY_FOR_PROCESSING", "BUYER_CANCELLED",
               "FULFILLMENT_STATUS_CHANGED", "BUYER_MODIFIED", "AUTO_CANCELLED")
#: The events a purchase sends, and the checkout-form status each one stands for, furthest last.
PURCHASE_EVENTS = ("BOUGHT", "FILLED_IN", "READY_FOR_PROCESSING")
DEFAULT_BUYER = "demo-buyer"


class Orders:
    """Checkout forms and the order-event journal (tables `checkout_forms`, `order_events`)."""

    def __init__(self, store: Store, offers: OfferStore, lifecycle: OfferLifecycle) -> None:
        self._store = store
        self._offers = offers
        self._lifecycle = lifecycle
        store.create(SCHEMA, TABLES)

    # ----------------------------------------------------------------- buying

    def purchase(self, offer_id: str, body: Doc) -> Doc:
        """One buyer's purchase of an offer (steering). Body: `quantity`, optional `buyer`
        (login), `events` (types to send, in order) and `pay_together` (merge the buyer's
        unpaid checkout forms with this one)."""
        quantity = body.get("quantity", 1)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise ValueError("quantity must be a whole number >= 1")
        buyer = str(body.get("buyer") or DEFAULT_BUYER)
        events = _event_types(body.get("events", list(PURCHASE_EVENTS)))
        with self._store.session() as now:
            offer = self._offers.load(offer_id)
            if offer is None:
                raise LookupError(f"no offer {offer_id}")
            item = self._take(offer, quantity, now)
            return self._check_out(offer.seller, buyer, [item], events,
                                   bool(body.get("pay_together")), now)

    def advance(self, form_id: str, body: Doc) -> Doc:
        """More events about an existing checkout form, e.g. the buyer pays a day later
        (steering; body: `events`)."""
        events = _event_types(body.get("events", ["READY_FOR_PROCESSING"]))
        with self._store.session() as now:
            row = self._store.db.execute(
                "SELECT seller, doc FROM checkout_forms WHERE id = ? AND removed = 0", (form_id,)
            ).fetchone()
            if row is None:
                raise LookupError(f"no checkout form {form_id}")
            form: Doc = json.loads(row[1])
            for kind in events:
                self._record(row[0], form, kind, now)
            return form

    def buy_named(self, seller: str, offer_ids: list[str], now: datetime) -> None:
        """The `purchase_on_command` buyer: buys that many units of each named offer that is
        on sale with enough stock (called inside the session registering a batch command)."""
        quantity = self._store.settings.purchase_on_command
        if quantity < 1:
            return
        for offer_id in offer_ids:
            offer = self._offers.load(offer_id)
            if offer is None or offer.seller != seller or offer.status != "ACTIVE":
                continue
            if (offer.doc.get("stock") or {}).get("available", 0) < quantity:
                continue
            item = self._take(offer, quantity, now)
            self._check_out(seller, DEFAULT_BUYER, [item], list(PURCHASE_EVENTS), False, now)

    def _take(self, offer: StoredOffer, quantity: int, now: datetime) -> Doc:
        """Take `quantity` off the offer's stock; the line item that records it."""
        if offer.status != "ACTIVE":
            raise ValueError(f"offer {offer.id} is {offer.status}: only an active offer sells")
        stock = offer.doc.get("stock") or {"available": 0, "unit": "UNIT"}
        if quantity > stock["available"]:
            raise ValueError(f"offer {offer.id} has only {stock['available']} in stock")
        offer.doc["stock"] = {**stock, "available": stock["available"] - quantity}
        listing = offer.doc.setdefault("_listing", {})
        listing["sold"] = int(listing.get("sold") or 0) + quantity
        offer.doc["updatedAt"] = iso(now)
        if offer.doc["stock"]["available"] == 0:
            self._lifecycle.end(offer, now, "EMPTY_STOCK")  # [S Stock.available]
        self._offers.save(offer, now)
        price = (offer.doc.get("sellingMode") or {}).get("price") or {"amount": "0.00",
                                                                        "currency": "PLN"}
        reference: Doc = {"id": offer.id, "name": offer.doc.get("name") or ""}
        if offer.doc.get("external"):
            reference["external"] = {"id": offer.doc["external"]["id"]}
        return {"id": str(uuid.uuid4()), "offer": reference, "quantity": quantity,
                "originalPrice": dict(price), "price": dict(price), "boughtAt": iso(now)}

    def _check_out(self, seller: str, buyer: str, items: list[Doc], events: list[str],
                   pay_together: bool, now: datetime) -> Doc:
        if pay_together:  # FAQ: the old forms are removed; their line items move to a new one
            rows = self._store.db.execute(
                "SELECT id, doc FROM checkout_forms WHERE seller = ? AND buyer = ? AND removed = 0"
                " AND status != 'READY_FOR_PROCESSING' ORDER BY rowid", (seller, buyer),
            ).fetchall()
            items = [i for _, doc in rows for i in json.loads(doc)["lineItems"]] + items
            self._store.db.executemany("UPDATE checkout_forms SET removed = 1 WHERE id = ?",
                                       [(form_id,) for form_id, _ in rows])
        form = _checkout_form(str(uuid.uuid4()), buyer, items, now)
        self._store.db.execute(
            "INSERT INTO checkout_forms (id, seller, buyer, status, doc) VALUES (?, ?, ?, ?, ?)",
            (form["id"], seller, buyer, form["status"], json.dumps(form)),
        )
        for kind in events:
            self._record(seller, form, kind, now)
        return form

    def _record(self, seller: str, form: Doc, kind: str, now: datetime) -> None:
        """Journal one event; the form moves on to the furthest status its events reached."""
        reached = max(PURCHASE_EVENTS.index(form["status"]), PURCHASE_EVENTS.index(kind))
        form["status"] = PURCHASE_EVENTS[reached]
        if form["status"] == "READY_FOR_PROCESSING" and "payment" not in form:
            form["payment"] = {"id": str(uuid.uuid4()), "type": "ONLINE", "finishedAt": iso(now),
                               "paidAmount": form["summary"]["totalToPay"]}
        form["updatedAt"] = iso(now)
        form["revision"] = hashlib.sha1(  # a new one for every event about the form
            f"{form['id']}:{form['revision']}:{kind}".encode()).hexdigest()[:8]
        self._store.db.execute("UPDATE checkout_forms SET status = ?, doc = ? WHERE id = ?",
                               (form["status"], json.dumps(form), form["id"]))
        order = {
            "seller": {"id": seller},
            "buyer": form["buyer"],
            "lineItems": form["lineItems"],
            "checkoutForm": {"id": form["id"], "revision": form["revision"]},
            "marketplace": {"id": MARKETPLACE},
        }
        self._store.db.execute(
            "INSERT INTO order_events (seller, type, occurred_at, doc) VALUES (?, ?, ?, ?)",
            (seller, kind, iso(now), json.dumps(order)),
        )

    # ----------------------------------------------------------------- the seller's API

    def events(self, seller: str, after: str | None, limit: int, types: list[str]) -> Doc:
        """`GET /order/events?from=&type=&limit=`: the events after the one named."""
        with self._store.session():
            rows = feed_page(self._store.db, "order_events", seller, after, limit, types,
                             EVENT_TYPES, 422)
        return {"events": [{"id": event_id(seq), "order": json.loads(doc), "type": kind,
                            "occurredAt": at} for seq, kind, at, doc in rows]}

    def checkout_form(self, seller: str, form_id: str) -> Doc:
        """`GET /order/checkout-forms/{id}`; a form merged into another one is gone (404)."""
        try:
            uuid.UUID(form_id)
        except ValueError as exc:
            raise invalid("id", f"Invalid checkout form id: {form_id}") from exc
        with self._store.session():
            row = self._store.db.execute(
                "SELECT seller, removed, doc FROM checkout_forms WHERE id = ?", (form_id,)
            ).fetchone()
        if row is None or row[0] != seller or row[1]:
            raise not_found(f"Checkout form {form_id} not found.")
        form: Doc = json.loads(row[2])
        return form


def _event_types(events: Any) -> list[str]:
    if not isinstance(events, list) or not events or any(e not in PURCHASE_EVENTS for e in events):
        raise ValueError(f"events must be a non-empty list of {', '.join(PURCHASE_EVENTS)}")
    return events


def _checkout_form(form_id: str, buyer: str, items: list[Doc], now: datetime) -> Doc:
    currency = items[0]["price"]["currency"]
    total = sum(Decimal(i["price"]["amount"]) * i["quantity"] for i in items)
    return {
        "id": form_id,
        "buyer": _buyer(buyer),
        "status": "BOUGHT",
        "fulfillment": {"status": "NEW", "shipmentSummary": {"lineItemsSent": "NONE"}},
        "lineItems": items,
        "surcharges": [],
        "marketplace": {"id": MARKETPLACE},
        "summary": {"totalToPay": {"amount": f"{total:.2f}", "currency": currency}},
        "updatedAt": iso(now),
        "revision": "",
    }


def _buyer(login: str) -> Doc:
    number = int(hashlib.sha1(login.encode()).hexdigest()[:8], 16) % 10_000_000
    return {"id": str(50_000_000 + number), "email": f"{login}@buyers.allegro.local",
            "login": login, "guest": False}

