"""Batch commands (`/sale/offer-*-commands/{id}`, API_NOTES §5; R14-R16).

A PUT registers the command and one NEW task per offer; the answer has zero counts (R15).
The tasks settle after the processing delay, lazily at the start of a session (`settle_due`):
each applies the payload to its offer and ends SUCCESS or FAIL with Allegro's message.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from catalogsync.emulator.core import checks
from catalogsync.emulator.core.errors import (
    ApiError,
    Doc,
    error_entry,
    invalid,
    iso,
    not_found,
    parse_time,
)
from catalogsync.emulator.core.limits import Limiter
from catalogsync.emulator.core.store import Store
from catalogsync.emulator.services import bulk_modifications as bulk
from catalogsync.emulator.services import command_bodies as bodies
from catalogsync.emulator.services import marketplaces
from catalogsync.emulator.services import price_rules as automation
from catalogsync.emulator.services.offers.documents import LIVE, MARKETPLACE, StoredOffer
from catalogsync.emulator.services.offers.gpsr import Gpsr
from catalogsync.emulator.services.offers.lifecycle import OfferLifecycle
from catalogsync.emulator.services.offers.references import OfferReferences
from catalogsync.emulator.services.offers.storage import OfferStore
from catalogsync.emulator.services.shipping import ShippingRates

SCHEMA = """
CREATE TABLE IF NOT EXISTS commands (
    kind TEXT NOT NULL, id TEXT NOT NULL, seller TEXT NOT NULL, created_at TEXT NOT NULL,
    due_at TEXT NOT NULL, payload TEXT NOT NULL, PRIMARY KEY (kind, id));
CREATE TABLE IF NOT EXISTS tasks (
    kind TEXT NOT NULL, command_id TEXT NOT NULL, idx INTEGER NOT NULL, offer_id TEXT NOT NULL,
    status TEXT NOT NULL, due_at TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (kind, command_id, idx));
CREATE INDEX IF NOT EXISTS tasks_due ON tasks (status, due_at);
"""


class TaskFailure(Exception):
    """A batch-command task that ends FAIL, with the message and errors its report shows."""

    def __init__(self, message: str, *errors: Doc) -> None:
        super().__init__(message)
        self.message = message
        self.errors = list(errors) or [error_entry("VALIDATION_ERROR", message)]


def _new_price(price: Doc, payload: Doc) -> Doc:
    """A price after a price-change command's modification (TaskFailure if refused)."""
    amount, kind = Decimal(price["amount"]), payload["type"]
    if "money" in payload and payload["money"]["currency"] != price["currency"]:
        raise TaskFailure(f"The offer's price is in {price['currency']}.")
    if kind == "FIXED_PRICE":
        amount = Decimal(payload["money"]["amount"])
    elif kind.endswith("_PRICE"):
        change = Decimal(payload["money"]["amount"])
        amount += change if kind.startswith("INCREASE") else -change
    else:
        factor = Decimal(payload["percentage"]) / 100
        amount *= (1 + factor) if kind.startswith("INCREASE") else (1 - factor)
    amount = amount.quantize(checks.CENT, rounding=ROUND_HALF_UP)
    if amount <= 0:
        raise TaskFailure("The new price must be greater than 0.")
    return {"amount": str(amount), "currency": price["currency"]}


def _not_found_task(offer_id: str) -> TaskFailure:
    return TaskFailure(
        "The offer does not exist.",
        error_entry("OfferNotFoundException", "The offer does not exist.",
                    metadata={"offerId": offer_id}),
    )


@lru_cache(maxsize=64)  # a command's tasks share their due time
def _time(value: str) -> datetime:
    return parse_time(value, "")


#: Told of every registered command inside its session: the seller, the offer ids, the time.
RegisteredListener = Callable[[str, list[str], datetime], None]


class Commands:
    """The kinds of batch command, kept in the `commands` and `tasks` tables."""

    def __init__(self, store: Store, offers: OfferStore, lifecycle: OfferLifecycle,
                 shipping: ShippingRates, limiter: Limiter, gpsr: Gpsr,
                 task_fails: Callable[[], bool] = lambda: False,
                 references: OfferReferences | None = None) -> None:
        self._store = store
        self._references = references
        self._task_fails = task_fails
        self._gpsr = gpsr
        self._offers = offers
        self._lifecycle = lifecycle
        self._shipping = shipping
        self._limiter = limiter
        self._registered: list[RegisteredListener] = []
        self.price_rules = automation.PriceRules(store)
        store.create(SCHEMA, ("commands", "tasks"))

    def listen(self, listener: RegisteredListener) -> None:
        self._registered.append(listener)

    def put(self, seller: str, kind: str, command_id: str, body: Any) -> Doc:
        """Register a command; tasks are NEW and settle after the processing delay (R15, R16)."""
        with self._store.session() as now:
            bodies.command_id(command_id)
            self._unused(kind, command_id)
            body = checks.json_object(body, "")
            offer_ids = bodies.criteria_offers(body.get("offerCriteria"))
            payload = bodies.VALIDATORS[kind](body, now)
            field = payload.get("_field") or bodies.TASK_FIELDS.get(kind)
            return self._register(seller, kind, command_id, payload,
                                  [(offer_id, field) for offer_id in offer_ids], now)

    def post_bulk(self, seller: str, body: Any) -> Doc:
        """`POST /sale/offer-bulk-modification-commands`: its id is in the body, and each
        offer and field has a task of its own (`bulk_modifications`)."""
        with self._store.session() as now:
            command_id, tasks = bulk.tasks(body)
            bodies.command_id(command_id)
            self._unused(bulk.KIND, command_id)
            payload = {"tasks": [{"_field": field, "change": change}
                                 for _, field, change in tasks]}
            return self._register(seller, bulk.KIND, command_id, payload,
                                  [(offer_id, field) for offer_id, field, _ in tasks], now)

    def post_automation(self, seller: str, body: Any) -> Doc:
        """`POST /sale/offer-price-automation-commands`: its id in the body, or made here."""
        with self._store.session() as now:
            body = checks.json_object(body, "")
            command_id = str(body.get("id") or uuid.uuid4())
            bodies.command_id(command_id)
            self._unused(automation.KIND, command_id)
            offer_ids = bodies.criteria_offers(body.get("offerCriteria"))
            payload = automation.command_payload(body)
            return self._register(seller, automation.KIND, command_id, payload,
                                  [(offer_id, None) for offer_id in offer_ids], now)

    def _unused(self, kind: str, command_id: str) -> None:
        used = self._store.db.execute(
            "SELECT 1 FROM commands WHERE kind = ? AND id = ?", (kind, command_id)
        ).fetchone()
        if used:
            raise ApiError(409, "CONFLICT", "Command id was already used")

    def _register(self, seller: str, kind: str, command_id: str, payload: Doc,
                  parts: list[tuple[str, str | None]], now: datetime) -> Doc:
        """Store the command and one NEW task per part (an offer, and the field it changes)."""
        self._limiter.offer_changes(seller, kind, len(parts))
        due = iso(now + self._lifecycle.delay())
        self._store.db.execute(
            "INSERT INTO commands (kind, id, seller, created_at, due_at, payload)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (kind, command_id, seller, iso(now), due, json.dumps(payload)),
        )
        self._store.db.executemany(
            "INSERT INTO tasks (kind, command_id, idx, offer_id, status, due_at, doc)"
            " VALUES (?, ?, ?, ?, 'NEW', ?, ?)",
            [(kind, command_id, i, offer_id, due, json.dumps(
                self._task(kind, offer_id, "NEW", field, "", [])))
             for i, (offer_id, field) in enumerate(parts)],
        )
        offer_ids = list(dict.fromkeys(offer_id for offer_id, _ in parts))
        for listener in self._registered:
            listener(seller, offer_ids, now)
        # R15: the answer has zero counts; results come from .../tasks.
        return {"id": command_id, "createdAt": iso(now), "completedAt": None,
                "taskCount": {"total": 0, "success": 0, "failed": 0}}

    @staticmethod
    def _task(kind: str, offer_id: str, status: str, field: str | None, message: str,
              errors: list[Doc]) -> Doc:
        if kind == bulk.KIND:  # `CommandTaskWith*Subject`
            task: Doc = {"subject": {"offerId": offer_id, "field": field}, "status": status}
        else:
            task = {"offer": {"id": offer_id}, "status": status}
            if field:
                task["field"] = field
        task.update({"message": message, "errors": errors})
        return task

    def _command(self, seller: str, kind: str, command_id: str) -> tuple[str, str]:
        row = self._store.db.execute(
            "SELECT seller, created_at, due_at FROM commands WHERE kind = ? AND id = ?",
            (kind, command_id),
        ).fetchone()
        if row is None or row[0] != seller:
            raise not_found("Command not found")
        return row[1], row[2]

    def report(self, seller: str, kind: str, command_id: str) -> Doc:
        """`GeneralReport`: counts so far; `completedAt` once no task is NEW."""
        with self._store.session():
            created, due = self._command(seller, kind, command_id)
            counts = dict(self._store.db.execute(
                "SELECT status, COUNT(*) FROM tasks WHERE kind = ? AND command_id = ?"
                " GROUP BY status", (kind, command_id),
            ).fetchall())
            return {
                "id": command_id,
                "createdAt": created,
                "completedAt": None if counts.get("NEW") else due,
                "taskCount": {"total": sum(counts.values()), "success": counts.get("SUCCESS", 0),
                              "failed": counts.get("FAIL", 0)},
            }

    def tasks(self, seller: str, kind: str, command_id: str, limit: int = 100,
              offset: int = 0) -> Doc:
        with self._store.session():
            self._command(seller, kind, command_id)
            if not 1 <= limit <= 1000:
                raise invalid("limit", "limit must be between 1 and 1000.")
            if not 0 <= offset <= 999:
                raise invalid("offset", "offset must be between 0 and 999.")
            rows = self._store.db.execute(
                "SELECT doc FROM tasks WHERE kind = ? AND command_id = ? ORDER BY idx"
                " LIMIT ? OFFSET ?", (kind, command_id, limit, offset),
            ).fetchall()
            return {"tasks": [json.loads(row[0]) for row in rows]}

    # ----------------------------------------------------------------- settling due work

    def settle_due(self, now: datetime) -> None:
        rows = self._store.db.execute(
            "SELECT rowid, kind, command_id, idx, offer_id, due_at FROM tasks"
            " WHERE status = 'NEW' AND due_at <= ? ORDER BY due_at, rowid",
            (iso(now),),
        ).fetchall()
        commands: dict[tuple[str, str], tuple[str, Doc]] = {}
        settled: list[tuple[str, str, int]] = []  # nothing below reads the tasks table
        try:
            for rowid, kind, command_id, idx, offer_id, due in rows:
                if (kind, command_id) not in commands:
                    seller, payload = self._store.db.execute(
                        "SELECT seller, payload FROM commands WHERE kind = ? AND id = ?",
                        (kind, command_id),
                    ).fetchone()
                    commands[kind, command_id] = (seller, json.loads(payload))
                seller, payload = commands[kind, command_id]
                if kind == bulk.KIND:  # each task its own change
                    payload = payload["tasks"][idx]
                task = self._run_task(kind, seller, payload, offer_id, _time(due))
                settled.append((task["status"], json.dumps(task), rowid))
        finally:  # what ran is written even if a later task raised
            self._store.db.executemany("UPDATE tasks SET status = ?, doc = ? WHERE rowid = ?",
                                       settled)

    def _run_task(self, kind: str, seller: str, payload: Doc, offer_id: str, at: datetime
                  ) -> Doc:
        field = payload.get("_field") or bodies.TASK_FIELDS.get(kind)
        offer = self._offers.load(offer_id)
        try:
            if offer is None or offer.seller != seller:
                raise _not_found_task(offer_id)
            if self._task_fails():
                raise TaskFailure("OfferRepository error")
            self._apply_task(kind, offer, payload, at)
        except TaskFailure as failure:
            return self._task(kind, offer_id, "FAIL", field, failure.message, failure.errors)
        offer.doc["updatedAt"] = iso(at)
        self._lifecycle.revalidate(offer, at)
        self._offers.save(offer, at)
        return self._task(kind, offer_id, "SUCCESS", field, "", [])

    def _apply_task(self, kind: str, offer: StoredOffer, payload: Doc, at: datetime) -> None:
        if kind == "offer-publication-commands":
            self._task_publication(offer, payload, at)
        elif kind == "offer-price-change-commands":
            self._task_price(offer, payload)
        elif kind == "offer-quantity-change-commands":
            self._task_quantity(offer, payload, at)
        elif kind == automation.KIND:
            try:
                self.price_rules.follow(offer.seller, offer.doc, payload, iso(at))
            except ValueError as exc:
                raise TaskFailure(str(exc)) from exc
        elif kind == bulk.KIND:
            try:
                bulk.run(offer, payload["_field"], payload["change"])
            except bulk.Refused as refused:
                raise TaskFailure(str(refused)) from refused
        else:
            self._task_modification(offer, payload)

    def _task_publication(self, offer: StoredOffer, payload: Doc, at: datetime) -> None:
        if payload["action"] == "END":
            if offer.status == "INACTIVE":
                raise TaskFailure("The offer cannot be ended because it was never activated.")
            if offer.status in LIVE:
                self._lifecycle.end(offer, at, "USER")
            return
        if offer.status in LIVE:
            return
        problems = self._lifecycle.activation_problems(offer.doc)
        if problems:
            raise TaskFailure("The offer cannot be activated.", *problems)
        settle = at + self._lifecycle.delay()
        if payload["scheduledFor"]:
            settle = max(settle, parse_time(payload["scheduledFor"], ""))
            offer.doc["publication"]["startingAt"] = payload["scheduledFor"]
        self._lifecycle.begin_activation(offer, settle)

    @staticmethod
    def _task_price(offer: StoredOffer, payload: Doc) -> None:
        marketplace = payload["marketplaceId"]
        if marketplace not in (None, MARKETPLACE):
            try:
                marketplaces.change_price(offer.doc, marketplace,
                                          lambda price: _new_price(price, payload))
            except ValueError as exc:
                raise TaskFailure(str(exc)) from exc
            return
        price = (offer.doc.get("sellingMode") or {}).get("price")
        if not price:
            raise TaskFailure("The offer has no price to change.")
        offer.doc["sellingMode"]["price"] = _new_price(price, payload)

    def _task_quantity(self, offer: StoredOffer, payload: Doc, at: datetime) -> None:
        stock = offer.doc.get("stock") or {"available": 0, "unit": "UNIT"}
        value = payload["value"]
        available = value if payload["changeType"] == "FIXED" else stock["available"] + value
        if available < 0:
            raise TaskFailure("The stock cannot be lower than 0.")
        offer.doc["stock"] = {**stock, "available": available}
        if available == 0 and offer.status in LIVE:
            self._lifecycle.end(offer, at, "EMPTY_STOCK")

    def _task_modification(self, offer: StoredOffer, payload: Doc) -> None:
        gpsr = {k: payload[k] for k in bodies.GPSR_FIELDS if k in payload}
        if gpsr:
            try:
                self._gpsr.modify(offer.seller, offer.doc, gpsr)
            except ApiError as error:
                raise TaskFailure(error.errors[0]["message"], *error.errors) from error
        if "sizeTable" in payload and self._references is not None:
            try:
                self._references.modify(offer.seller, offer.doc, payload["sizeTable"])
            except ApiError as error:
                raise TaskFailure(error.errors[0]["message"], *error.errors) from error
        delivery = dict(payload.get("delivery") or {})
        if "shippingRates" in delivery:
            table_id = delivery["shippingRates"]["id"]
            table = self._shipping.table(table_id)
            if table is None or table[0] != offer.seller:
                raise TaskFailure(
                    "Shipping rates not found.",
                    error_entry("ShippingRatesNotFoundException",
                                f"Shipping rates {table_id} not found.",
                                "delivery.shippingRates.id"),
                )
            delivery["shippingRates"] = {"id": table_id, "name": table[1]}
        offer.doc["delivery"] = {**offer.doc["delivery"], **delivery}
        if "location" in payload:
            offer.doc["location"] = payload["location"]
        if "payments" in payload:
            offer.doc["payments"] = {**(offer.doc.get("payments") or {}), **payload["payments"]}
