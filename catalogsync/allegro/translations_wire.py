"""Offer translations (`/sale/offers/{offerId}/translations`) <-> canonical values. Pure.

Canonical: language -> `{"name"?: str, "description"?: [[{type, content|url}]]}` holding only
the seller's own (MANUAL) elements; BASE (the offer's own language) and AUTO (Allegro's
machine translation) are Allegro's and left out [SL OfferTranslationType].
"""

from __future__ import annotations

from typing import Any

from catalogsync.allegro.wire import description_sections

MANUAL = "MANUAL"


def manual_translations(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The seller's own translations from an `OfferTranslations` answer, by language."""
    out: dict[str, dict[str, Any]] = {}
    for entry in doc.get("translations") or []:
        title = entry.get("title") or {}
        description = entry.get("description") or {}
        own: dict[str, Any] = {}
        if title.get("type") == MANUAL and title.get("translation") is not None:
            own["name"] = str(title["translation"])
        if description.get("type") == MANUAL and description.get("translation") is not None:
            own["description"] = description_sections(description["translation"])
        if own:
            out[str(entry.get("language"))] = own
    return out


def translation_body(values: dict[str, Any]) -> dict[str, Any]:
    """A `ManualTranslationUpdateRequest` setting the elements in `values`."""
    body: dict[str, Any] = {}
    if "name" in values:
        body["title"] = {"translation": values["name"]}
    if "description" in values:
        body["description"] = {"translation": {
            "sections": [{"items": list(section)} for section in values["description"]]}}
    return body
