"""`/sale/offer-attachments`: files shown under an offer, and GPSR safety manuals ([SL]).

Two steps, as documented: `POST /sale/offer-attachments` `{"type", "file": {"name"}}` answers
201 with the attachment and its one-time upload URL in `Location`; `PUT` of the file's bytes to
that URL answers 200 with the attachment and the file's `url`. Each type takes the media types
the spec lists (PDF; JPEG or PNG for labels; PDF, JPEG or PNG for SAFETY_INFORMATION_MANUAL, of
which a product may have 20).

Guesses: the upload URL is `/sale/offer-attachments/{id}` on the host that was asked (Allegro's
is on its upload host); a second upload to it is a 422; an offer may use only uploaded
attachments of its seller, and safety information only SAFETY_INFORMATION_MANUAL ones (422
VALIDATION_ERROR naming the attachment otherwise).
"""

from __future__ import annotations

import uuid
from typing import Any

from catalogsync.emulator.core import checks
from catalogsync.emulator.core.errors import ApiError, Doc, invalid, not_found
from catalogsync.emulator.core.store import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS offer_attachments (
    id TEXT PRIMARY KEY, seller TEXT NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL,
    url TEXT);
"""
TABLES = ("offer_attachments",)
PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
LABELS = ("ENERGY_LABEL", "TIRE_LABEL")
SAFETY = "SAFETY_INFORMATION_MANUAL"
TYPES = ("MANUAL", "SPECIAL_OFFER_RULES", "COMPETITION_RULES", "BOOK_EXCERPT", "USER_MANUAL",
         "INSTALLATION_INSTRUCTIONS", "GAME_INSTRUCTIONS", "ENERGY_LABEL",
         "PRODUCT_INFORMATION_SHEET", "TIRE_LABEL", SAFETY, "SOFTWARE_DATA_PROCESSING",
         "HARDWARE_DATA_PROCESSING", "PLANT_PROTECTION_PRODUCTS_AUTHORIZATION")
SIGNATURES = {PDF: b"%PDF-", JPEG: b"\xff\xd8\xff", PNG: b"\x89PNG\r\n\x1a\n"}
MAX_SAFETY_MANUALS = 20
FILES_HOST = "https://a.allegroimg.com/attachments/"


def media_types(kind: str) -> tuple[str, ...]:
    if kind in LABELS:
        return (JPEG, PNG)
    return (PDF, JPEG, PNG) if kind == SAFETY else (PDF,)


def _doc(row: tuple[Any, ...]) -> Doc:
    file: Doc = {"name": row[2]}
    if row[3]:
        file["url"] = row[3]
    return {"id": row[0], "type": row[1], "file": file}


class Attachments:
    """Offer attachments, kept in the `offer_attachments` table."""

    def __init__(self, store: Store) -> None:
        self._store = store
        store.create(SCHEMA, TABLES)

    def create(self, seller: str, body: Any) -> Doc:
        body = checks.json_object(body, "")
        kind = checks.text(body.get("type"), "type", allowed=TYPES)
        name = checks.text(checks.json_object(body.get("file"), "file").get("name"), "file.name")
        if len(name) > 200:
            raise invalid("file.name", "file.name may have at most 200 characters.")
        with self._store.session():
            attachment_id = str(uuid.uuid4())
            self._store.db.execute(
                "INSERT INTO offer_attachments (id, seller, type, name) VALUES (?, ?, ?, ?)",
                (attachment_id, seller, kind, name))
            return {"id": attachment_id, "type": kind, "file": {"name": name}}

    def upload(self, seller: str, attachment_id: str, media_type: str, data: bytes) -> Doc:
        with self._store.session():
            row = self._row(seller, attachment_id)
            if media_type not in media_types(row[1]):
                raise ApiError(415, "UNSUPPORTED_MEDIA_TYPE",
                               f"{row[1]} takes {', '.join(media_types(row[1]))}.")
            if not data.startswith(SIGNATURES[media_type]):
                raise invalid(None, f"The file is not a valid {media_type} file.")
            if row[3]:
                raise invalid(None, "The file of this attachment was uploaded already.")
            url = f"{FILES_HOST}{attachment_id}/{row[2]}"
            self._store.db.execute("UPDATE offer_attachments SET url = ? WHERE id = ?",
                                   (url, attachment_id))
            return _doc((*row[:3], url))

    def get(self, seller: str, attachment_id: str) -> Doc:
        """`GET /sale/offer-attachments/{attachmentId}`."""
        with self._store.session():
            return _doc(self._row(seller, attachment_id))

    def check_safety_manuals(self, seller: str, ids: list[str], path: str) -> None:
        """The attachments an offer's safety information names (call inside a session)."""
        if not 1 <= len(ids) <= MAX_SAFETY_MANUALS:
            raise invalid(path, f"Give 1 to {MAX_SAFETY_MANUALS} safety information attachments.")
        for i, attachment_id in enumerate(ids):
            row = self._store.db.execute(
                "SELECT id, type, name, url, seller FROM offer_attachments WHERE id = ?",
                (attachment_id,)).fetchone()
            if row is None or row[4] != seller or not row[3] or row[1] != SAFETY:
                raise invalid(f"{path}[{i}].id", f"Attachment {attachment_id} is not an uploaded "
                                                 f"{SAFETY} attachment of this account.")

    def _row(self, seller: str, attachment_id: str) -> tuple[Any, ...]:
        row = self._store.db.execute(
            "SELECT id, type, name, url, seller FROM offer_attachments WHERE id = ?",
            (attachment_id,)).fetchone()
        if row is None or row[4] != seller:
            raise not_found(f"Attachment {attachment_id} not found.")
        return tuple(row[:4])
