"""GPSR account resources: `/sale/responsible-producers` and `/sale/responsible-persons`.

A seller keeps a dictionary of responsible producers (the producer's contact data) and of
responsible persons (who answers for an EU product's compliance); offers refer to an entry by
its id or by its `name`, the seller's own label for it ([SL] tags "Responsible producers",
"Responsible persons"; [I#10089], [I#10290], [I#10492]).

Rules as documented: `name` at most 50 characters, no leading or trailing whitespace, no
whitespace but single spaces; trade name (or person name) at most 200; street 200, postal code
20, city 100; e-mail 50, phone 30, form URL 80; since 2025-03-10 at least one of `contact.email`
and `contact.formUrl` ([I#10997]); a person's country is an EU member state ([SL] enum).
Creating a producer answers 201, a person 200, as the spec lists them.

Guesses (the docs are silent): `name`, the trade name and the whole address are required; a
name is unique per seller and kind, a second one with the same name is a 422 VALIDATION_ERROR
on `name`; paging past the end gives an empty list.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from catalogsync.emulator.core import checks
from catalogsync.emulator.core.errors import ApiError, Doc, invalid, not_found
from catalogsync.emulator.core.store import Store

EU = ("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "GR", "ES", "IE", "LT", "LU",
      "LV", "MT", "NL", "DE", "PL", "PT", "RO", "SK", "SI", "SE", "HU", "IT")
_ADDRESS_LIMITS = {"street": 200, "postalCode": 20, "city": 100}
_CONTACT_LIMITS = {"email": 50, "phoneNumber": 30, "formUrl": 80}
_NAME = re.compile(r"^\S+( \S+)*$")


@dataclass(frozen=True)
class Kind:
    table: str
    list_key: str  # the list's key in GET
    data_key: str  # producerData | personalData
    holder_key: str  # tradeName | name, inside data_key
    created: int  # the status POST answers
    max_offset: int
    countries: tuple[str, ...] | None  # None: any ISO 3166 code


PRODUCERS = Kind("responsible_producers", "responsibleProducers", "producerData", "tradeName",
                 201, 50_000, None)
PERSONS = Kind("responsible_persons", "responsiblePersons", "personalData", "name",
               200, 16_000, EU)


def _text(value: Any, path: str, limit: int, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise invalid(path, f"{path} is required.")
    if len(value) > limit:
        raise invalid(path, f"{path} may have at most {limit} characters.")
    return value


def _entry(kind: Kind, body: Any) -> Doc:
    """The request body checked, as the resource keeps it (without its id)."""
    body = checks.json_object(body, "")
    name = _text(body.get("name"), "name", 50)
    if not _NAME.match(name or ""):
        raise invalid("name", "name can't start or end with whitespace, contain whitespace "
                              "other than space or several spaces in a row.")
    data = checks.json_object(body.get(kind.data_key), kind.data_key)
    holder = _text(data.get(kind.holder_key), f"{kind.data_key}.{kind.holder_key}", 200)
    path = f"{kind.data_key}.address"
    address = checks.json_object(data.get("address"), path)
    country = address.get("countryCode")
    if not isinstance(country, str) or not re.fullmatch(r"[A-Z]{2}", country) or (
            kind.countries is not None and country not in kind.countries):
        raise invalid(f"{path}.countryCode", "countryCode must be an ISO 3166 code"
                      + (" of an EU member state." if kind.countries else "."))
    kept_address = {"countryCode": country} | {
        key: _text(address.get(key), f"{path}.{key}", limit)
        for key, limit in _ADDRESS_LIMITS.items()
    }
    path = f"{kind.data_key}.contact"
    contact = checks.json_object(data.get("contact") or {}, path)
    kept_contact = {key: _text(contact.get(key), f"{path}.{key}", limit, required=False)
                    for key, limit in _CONTACT_LIMITS.items()}
    if not kept_contact["email"] and not kept_contact["formUrl"]:
        raise invalid(path, "At least one of the following fields is required: email or "
                            "formUrl.")
    return {"name": name, kind.data_key: {
        kind.holder_key: holder, "address": kept_address,
        "contact": {k: v for k, v in kept_contact.items() if v is not None}}}


class Responsible:
    """One kind of GPSR dictionary (producers or persons), kept in its own table."""

    def __init__(self, store: Store, kind: Kind) -> None:
        self._store = store
        self.kind = kind
        store.create(
            f"CREATE TABLE IF NOT EXISTS {kind.table} (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
            " id TEXT NOT NULL UNIQUE, seller TEXT NOT NULL, name TEXT NOT NULL,"
            " doc TEXT NOT NULL);", (kind.table,))

    def list(self, seller: str, offset: int, limit: int) -> Doc:
        if not 0 <= offset <= self.kind.max_offset:
            raise invalid("offset", f"offset must be between 0 and {self.kind.max_offset}.",
                          status=400)
        if not 1 <= limit <= 1000:
            raise invalid("limit", "limit must be between 1 and 1000.", status=400)
        with self._store.session():
            db = self._store.db
            total = db.execute(f"SELECT COUNT(*) FROM {self.kind.table} WHERE seller = ?",
                               (seller,)).fetchone()[0]
            rows = db.execute(f"SELECT doc FROM {self.kind.table} WHERE seller = ? ORDER BY seq"
                              " LIMIT ? OFFSET ?", (seller, limit, offset)).fetchall()
        found = [json.loads(row[0]) for row in rows]
        return {self.kind.list_key: found, "count": len(found), "totalCount": total}

    def create(self, seller: str, body: Any) -> Doc:
        entry = _entry(self.kind, body)
        with self._store.session():
            self._unique(seller, entry["name"], None)
            doc = {"id": str(uuid.uuid4()), **entry}
            self._store.db.execute(
                f"INSERT INTO {self.kind.table} (id, seller, name, doc) VALUES (?, ?, ?, ?)",
                (doc["id"], seller, doc["name"], json.dumps(doc)))
            return doc

    def get(self, seller: str, entry_id: str) -> Doc:
        with self._store.session():
            return self._owned(seller, entry_id)

    def update(self, seller: str, entry_id: str, body: Any) -> Doc:
        entry = _entry(self.kind, body)
        with self._store.session():
            self._owned(seller, entry_id)
            self._unique(seller, entry["name"], entry_id)
            doc = {"id": entry_id, **entry}
            self._store.db.execute(f"UPDATE {self.kind.table} SET name = ?, doc = ? WHERE id = ?",
                                   (doc["name"], json.dumps(doc), entry_id))
            return doc

    # ----------------------------------------------------------------- what offers use

    def resolve(self, seller: str, reference: Doc, path: str) -> str:
        """The id an offer's `{id}` or `{name}` reference names (call inside a session)."""
        if reference.get("id"):
            row = self._store.db.execute(
                f"SELECT id FROM {self.kind.table} WHERE id = ? AND seller = ?",
                (str(reference["id"]), seller)).fetchone()
        elif reference.get("name"):
            row = self._store.db.execute(
                f"SELECT id FROM {self.kind.table} WHERE name = ? AND seller = ?",
                (str(reference["name"]), seller)).fetchone()
        else:
            raise invalid(path, "Give the id or the name.")
        if row is None:
            wanted = reference.get("id") or reference.get("name")
            what = "Responsible producer" if self.kind is PRODUCERS else "Responsible person"
            raise ApiError(422, "VALIDATION_ERROR", f"{what} {wanted} not found.", path,
                           user_message=f"{what} {wanted} does not exist on the account.")
        return str(row[0])

    def _owned(self, seller: str, entry_id: str) -> Doc:
        row = self._store.db.execute(f"SELECT seller, doc FROM {self.kind.table} WHERE id = ?",
                                     (entry_id,)).fetchone()
        if row is None or row[0] != seller:
            raise not_found(f"{entry_id} not found.")
        doc: Doc = json.loads(row[1])
        return doc

    def _unique(self, seller: str, name: str, entry_id: str | None) -> None:
        row = self._store.db.execute(
            f"SELECT id FROM {self.kind.table} WHERE seller = ? AND name = ?", (seller, name)
        ).fetchone()
        if row is not None and row[0] != entry_id:
            raise invalid("name", f"An entry named '{name}' already exists.")
