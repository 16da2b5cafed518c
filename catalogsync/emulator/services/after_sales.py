"""After-sales conditions: `/after-sales-service-conditions/return-policies`,
`/implied-warranties` and `/warranties` ([SL] tag "After sale services").

A seller keeps return policies, implied warranties (rękojmia) and warranties; offers refer to
each by id or by name in `afterSalesServices` (an unknown one is 422
`ReturnPolicyNotFoundException` etc. [S 422 table]). POST creates (201), PUT changes one (200),
GET lists them (return policies in full, the others as `{id, name}` only) and reads one. The
lists take `limit` 1..60 and `offset` 0..59 [SL]. Another seller's id answers 403 on GET and
PUT, an unknown one 404. What each body must hold: `after_sales_rules.py`.

Guesses (the docs are silent): a name is unique per seller and kind (a second one is a 422
VALIDATION_ERROR on `name`); a limit or offset out of range is a 400.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from catalogsync.emulator.core import checks
from catalogsync.emulator.core.errors import ApiError, Doc, forbidden, invalid, not_found
from catalogsync.emulator.core.store import Store
from catalogsync.emulator.services import after_sales_rules as rules

TABLE = "after_sales_conditions"
MAX_LIMIT = 60
MAX_OFFSET = 59


@dataclass(frozen=True)
class Kind:
    list_key: str  # the list's key in GET, and the kind's name here
    offer_key: str  # its key in an offer's `afterSalesServices`
    not_found: str  # the 422 code an offer's unknown reference gets
    label: str
    full_list: bool  # GET lists whole documents, else `{id, name}`
    checked: Callable[[Any, bool], Doc]  # (body, is a create) -> what is kept


KINDS = {
    kind.list_key: kind for kind in (
        Kind("returnPolicies", "returnPolicy", "ReturnPolicyNotFoundException",
             "Return policy", True, lambda body, create: rules.return_policy(body, create=create)),
        Kind("impliedWarranties", "impliedWarranty", "ImpliedWarrantyNotFoundException",
             "Implied warranty", False, lambda body, _: rules.implied_warranty(body)),
        Kind("warranties", "warranty", "WarrantyNotFoundException", "Warranty", False,
             lambda body, _: rules.warranty(body)),
    )
}


class AfterSales:
    """Every seller's after-sales conditions, in one table."""

    def __init__(self, store: Store) -> None:
        self._store = store
        store.create(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
            " id TEXT NOT NULL UNIQUE, seller TEXT NOT NULL, kind TEXT NOT NULL,"
            " name TEXT NOT NULL, doc TEXT NOT NULL);", (TABLE,))

    def list(self, seller: str, kind: str, offset: int, limit: int) -> Doc:
        if not 0 <= offset <= MAX_OFFSET:
            raise invalid("offset", f"offset must be between 0 and {MAX_OFFSET}.", status=400)
        if not 1 <= limit <= MAX_LIMIT:
            raise invalid("limit", f"limit must be between 1 and {MAX_LIMIT}.", status=400)
        with self._store.session():
            rows = self._store.db.execute(
                f"SELECT doc FROM {TABLE} WHERE seller = ? AND kind = ? ORDER BY seq"
                " LIMIT ? OFFSET ?", (seller, kind, limit, offset)).fetchall()
        docs = [json.loads(row[0]) for row in rows]
        if not KINDS[kind].full_list:
            docs = [{"id": d["id"], "name": d["name"]} for d in docs]
        return {kind: docs, "count": len(docs)}

    def get(self, seller: str, kind: str, entry_id: str) -> Doc:
        with self._store.session():
            return self._owned(seller, kind, entry_id)

    def create(self, seller: str, kind: str, body: Any) -> Doc:
        entry = KINDS[kind].checked(body, True)
        with self._store.session():
            self._unique(seller, kind, entry["name"], None)
            doc = {"id": str(uuid.uuid4()), "seller": {"id": seller}, **entry}
            self._store.db.execute(
                f"INSERT INTO {TABLE} (id, seller, kind, name, doc) VALUES (?, ?, ?, ?, ?)",
                (doc["id"], seller, kind, doc["name"], json.dumps(doc)))
            return doc

    def update(self, seller: str, kind: str, entry_id: str, body: Any) -> Doc:
        """PUT replaces the definition; a return policy keeps its `isFulfillment`."""
        entry = KINDS[kind].checked(body, False)
        with self._store.session():
            kept = self._owned(seller, kind, entry_id)
            self._unique(seller, kind, entry["name"], entry_id)
            doc = {"id": entry_id, "seller": {"id": seller}, **entry}
            if "isFulfillment" in kept:
                doc = {"id": entry_id, "isFulfillment": kept["isFulfillment"], **doc}
            self._store.db.execute(f"UPDATE {TABLE} SET name = ?, doc = ? WHERE id = ?",
                                   (doc["name"], json.dumps(doc), entry_id))
            return doc

    def offer_services(self, seller: str, value: Any) -> Doc:
        """An offer's `afterSalesServices`: each condition by id or by name -> `{id}` (what
        the offer answers [SL ReturnPolicy]: a renamed condition needs no edit of offers)."""
        chosen = checks.json_object(value, "afterSalesServices")
        out: Doc = {}
        for kind in KINDS.values():
            if chosen.get(kind.offer_key) is None:
                continue
            path = f"afterSalesServices.{kind.offer_key}"
            wanted = checks.json_object(chosen[kind.offer_key], path)
            if wanted.get("id"):
                row = self._store.db.execute(
                    f"SELECT id FROM {TABLE} WHERE id = ? AND seller = ? AND kind = ?",
                    (str(wanted["id"]), seller, kind.list_key)).fetchone()
            else:
                row = self._store.db.execute(
                    f"SELECT id FROM {TABLE} WHERE name = ? AND seller = ? AND kind = ?",
                    (str(wanted.get("name")), seller, kind.list_key)).fetchone()
            if row is None:
                raise ApiError(
                    422, kind.not_found,
                    f"{kind.offer_key} {wanted.get('id') or wanted.get('name')} not found",
                    path=path, metadata={"requestedName": str(wanted.get("name") or "")})
            out[kind.offer_key] = {"id": row[0]}
        return out

    def _owned(self, seller: str, kind: str, entry_id: str) -> Doc:
        row = self._store.db.execute(f"SELECT seller, kind, doc FROM {TABLE} WHERE id = ?",
                                     (entry_id,)).fetchone()
        label = KINDS[kind].label
        if row is None or row[1] != kind:
            raise not_found(f"{label} with given ID not found")
        if row[0] != seller:
            raise forbidden(f"You can only access your own {label.lower()} definitions.")
        doc: Doc = json.loads(row[2])
        return doc

    def _unique(self, seller: str, kind: str, name: str, entry_id: str | None) -> None:
        row = self._store.db.execute(
            f"SELECT id FROM {TABLE} WHERE seller = ? AND kind = ? AND name = ?",
            (seller, kind, name)).fetchone()
        if row is not None and row[0] != entry_id:
            raise invalid("name", f"A definition named '{name}' already exists.")
