"""An offer's size table and contact (`sizeTable`, `contact`): named by id or name when the
offer is written (POST, PATCH; a size table also by modification command), kept as `{"id"}`,
only the seller's own; `null` takes one off the offer (a guess: the spec is silent). A size
table is refused in a category that takes none (services/size_tables.py)."""

from __future__ import annotations

from catalogsync.emulator.core.errors import Doc, invalid
from catalogsync.emulator.services.seller_entries import SellerEntries
from catalogsync.emulator.services.size_tables import NOT_ALLOWED, allowed_in


class OfferReferences:
    def __init__(self, size_tables: SellerEntries, contacts: SellerEntries) -> None:
        self._entries = {"sizeTable": size_tables, "contact": contacts}

    def write(self, seller: str, doc: Doc, body: Doc) -> None:
        """The references `body` names, into `doc` (call inside a session)."""
        for key, entries in self._entries.items():
            if key in body:
                given = body[key]
                doc[key] = None if given is None else {
                    "id": entries.resolve(seller, given, key)["id"]}
        self.check_category(doc)

    def modify(self, seller: str, doc: Doc, reference: Doc) -> None:
        """A modification command's `sizeTable{id}` (an `ApiError` fails the task)."""
        doc["sizeTable"] = {"id": self._entries["sizeTable"].resolve(
            seller, reference, "sizeTable")["id"]}
        self.check_category(doc)

    @staticmethod
    def check_category(doc: Doc) -> None:
        if doc.get("sizeTable") and not allowed_in(str((doc.get("category") or {}).get("id"))):
            raise invalid("sizeTable", NOT_ALLOWED)

