"""`/sale/offers/{offerId}/translations[/{language}]`: an offer's name and description in the
languages of Allegro's additional marketplaces ([SL] getOfferTranslationUsingGET,
updateOfferTranslationUsingPATCH, deleteManualTranslationUsingDELETE).

Documented [SL]: the answer lists the BASE content (the offer's own language), and per language
AUTO (Allegro's machine translation of BASE) or MANUAL (the seller's own) title and
description; a PATCH sets the seller's own elements (at least one of title, description,
safety information) and answers 200 without a body; a DELETE removes one element
(`element=title|description|safety_information`) or the whole manual translation, after which
the automatic one is shown again, and answers 200 or 204 (never 404). Only the seller's own
offers: another seller's offer is 403, as for the offer itself.

Guessed, where the docs are silent: the languages are those the additional marketplaces display
(cs-CZ, sk-SK, hu-HU; `GET /marketplaces`), another one is a 422 VALIDATION_ERROR; a title has
the offer name's limits and a description the offer description's; an automatic translation is
the base text marked with its language (the emulator translates nothing); safety information
translations are kept but not checked against the offer's products; a change of the
seller's translations is an OFFER_TRANSLATION_UPDATED offer event (a type the spec lists; when
Allegro sends it is not documented).
"""

from __future__ import annotations

from typing import Any

from catalogsync.emulator.core import checks
from catalogsync.emulator.core.errors import ApiError, Doc, invalid
from catalogsync.emulator.core.store import Store
from catalogsync.emulator.services.marketplaces import ADDITIONAL, MARKETPLACES
from catalogsync.emulator.services.offers import fields
from catalogsync.emulator.services.offers.storage import OfferStore

LANGUAGES = tuple(MARKETPLACES[m][1] for m in ADDITIONAL)
KEY = "_translations"  # the offer document's private key: language -> the seller's elements
ELEMENTS = {"title": "title", "description": "description",
            "safety_information": "safetyInformation"}


class OfferTranslations:
    def __init__(self, store: Store, storage: OfferStore) -> None:
        self._store = store
        self._storage = storage

    def get(self, seller: str, offer_id: str, language: str | None) -> Doc:
        with self._store.session():
            doc = self._storage.owned(seller, offer_id).doc
        base = str(doc.get("language") or "pl-PL")
        entries = [_entry(base, doc.get("name"), doc.get("description"), "BASE")]
        for code in LANGUAGES:
            own = (doc.get(KEY) or {}).get(code) or {}
            entry = _entry(code, f"[{code}] {doc['name']}" if doc.get("name") else None,
                           doc.get("description"), "AUTO")
            for element, value in own.items():
                entry[element] = ({"products": value["products"]}
                                  if element == "safetyInformation"
                                  else {"translation": value, "type": "MANUAL"})
            entries.append(entry)
        if language is not None:
            entries = [e for e in entries if e["language"] == language]
        return {"translations": entries}

    def patch(self, seller: str, offer_id: str, language: str, body: Any) -> None:
        body = checks.json_object(body, "")
        _language(language)
        given: Doc = {}
        if body.get("title") is not None:
            title = checks.json_object(body["title"], "title").get("translation")
            try:
                given["title"] = fields.name(title)
            except ApiError as exc:
                raise invalid("title.translation", exc.errors[0]["message"]) from exc
        if body.get("description") is not None:
            text = checks.json_object(body["description"], "description").get("translation")
            given["description"] = fields.description(text)
        if body.get("safetyInformation") is not None:
            products = checks.json_object(body["safetyInformation"], "safetyInformation")
            given["safetyInformation"] = {
                "products": [{**p, "type": "MANUAL"} for p in products.get("products") or []]}
        if not given:
            raise invalid(None, "The translation must contain at least one translated offer "
                                "element (title, description or safety information).")
        with self._store.session() as now:
            offer = self._storage.owned(seller, offer_id)
            own = offer.doc.setdefault(KEY, {})
            own[language] = {**own.get(language, {}), **given}
            self._storage.save(offer, now)

    def delete(self, seller: str, offer_id: str, language: str, element: str | None) -> None:
        _language(language)
        if element is not None:
            checks.text(element, "element", allowed=tuple(ELEMENTS))
        with self._store.session() as now:
            offer = self._storage.owned(seller, offer_id)
            own = offer.doc.get(KEY) or {}
            if language not in own:
                return
            if element is None:
                own.pop(language)
            else:
                own[language].pop(ELEMENTS[element], None)
                if not own[language]:
                    own.pop(language)
            self._storage.save(offer, now)


def _language(language: str) -> None:
    if language not in LANGUAGES:
        raise invalid("language", f"Translations are made for {', '.join(LANGUAGES)}; "
                                  f"not for {language}.")


def _entry(language: str, title: str | None, description: Any, kind: str) -> Doc:
    entry: Doc = {"language": language}
    if title is not None:
        entry["title"] = {"translation": title, "type": kind}
    if description is not None:
        entry["description"] = {"translation": description, "type": kind}
    return entry
