"""A seller's named entries of one kind (size tables, offer contacts), kept as JSON documents
in their own table, and what offers do with them: name one by `{"id"}` or `{"name"}`.

Names are not unique on Allegro: an offer naming one that several entries carry is refused
with the kind's "not unique" code, one naming none with its "not found" code ([SL] 422 table of
POST /sale/product-offers). Read or written by id, another seller's entry is 403 (the spec
lists 403; as the after-sales conditions answer), and an offer naming it is told it is not found.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from catalogsync.emulator.core.errors import ApiError, Doc, forbidden, invalid, not_found
from catalogsync.emulator.core.store import Store


@dataclass(frozen=True)
class EntryKind:
    table: str
    list_key: str  # the list's key in GET
    not_found: str  # error codes of an offer's reference by name [SL]
    not_unique: str
    #: a POST body checked, as kept (without id): raises ApiError
    check: Callable[[Any], Doc]
    #: a PUT body checked, and the entry it makes of the old one
    check_put: Callable[[Any], Doc] | None = None
    keep: Callable[[Doc, Doc], Doc] = lambda old, new: new


class SellerEntries:
    """One kind of entry, per seller."""

    def __init__(self, store: Store, kind: EntryKind) -> None:
        self._store = store
        self.kind = kind
        store.create(
            f"CREATE TABLE IF NOT EXISTS {kind.table} (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
            " id TEXT NOT NULL UNIQUE, seller TEXT NOT NULL, name TEXT NOT NULL,"
            " doc TEXT NOT NULL);", (kind.table,))

    def list(self, seller: str) -> Doc:
        with self._store.session():
            rows = self._store.db.execute(
                f"SELECT doc FROM {self.kind.table} WHERE seller = ? ORDER BY seq", (seller,)
            ).fetchall()
        return {self.kind.list_key: [json.loads(row[0]) for row in rows]}

    def create(self, seller: str, body: Any) -> Doc:
        doc = {"id": str(uuid.uuid4()), **self.kind.check(body)}
        with self._store.session():
            self._store.db.execute(
                f"INSERT INTO {self.kind.table} (id, seller, name, doc) VALUES (?, ?, ?, ?)",
                (doc["id"], seller, doc["name"], json.dumps(doc)))
        return doc

    def get(self, seller: str, entry_id: str) -> Doc:
        with self._store.session():
            return self.owned(seller, entry_id)

    def update(self, seller: str, entry_id: str, body: Any) -> Doc:
        """Replace the entry (PUT), keeping what a PUT cannot change."""
        entry = (self.kind.check_put or self.kind.check)(body)
        with self._store.session():
            doc = {"id": entry_id, **self.kind.keep(self.owned(seller, entry_id), entry)}
            self._store.db.execute(f"UPDATE {self.kind.table} SET name = ?, doc = ? WHERE id = ?",
                                   (doc["name"], json.dumps(doc), entry_id))
        return doc

    def owned(self, seller: str, entry_id: str) -> Doc:
        """The seller's entry (call inside a session); 404 for another seller's."""
        row = self._store.db.execute(f"SELECT seller, doc FROM {self.kind.table} WHERE id = ?",
                                     (entry_id,)).fetchone()
        if row is None:
            raise not_found(f"{entry_id} not found.")
        if row[0] != seller:
            raise forbidden(f"{entry_id} belongs to another seller.")
        doc: Doc = json.loads(row[1])
        return doc

    def resolve(self, seller: str, reference: Any, path: str) -> Doc:
        """The entry an offer's `{id}` or `{name}` names (call inside a session)."""
        if not isinstance(reference, dict):
            raise invalid(path, f"{path} must be a JSON object.")
        column, wanted = ("id", reference.get("id")) if reference.get("id") else (
            "name", reference.get("name"))
        if not isinstance(wanted, str) or not wanted:
            raise invalid(path, "Give the id or the name.")
        rows = self._store.db.execute(
            f"SELECT doc FROM {self.kind.table} WHERE {column} = ? AND seller = ?",
            (wanted, seller)).fetchall()
        metadata = {"requestedName": wanted} if column == "name" else {}
        if not rows:
            raise ApiError(422, self.kind.not_found, f"{wanted} not found.", path,
                           metadata=metadata)
        if len(rows) > 1:
            raise ApiError(422, self.kind.not_unique, f"{wanted} is not unique.", path,
                           metadata=metadata)
        doc: Doc = json.loads(rows[0][0])
        return doc
