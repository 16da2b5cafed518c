"""Allegro's field limits, in one table read by the planner's checks and the emulator.

Each number is what Allegro enforces (API_NOTES.md, the OpenAPI spec, FAQ_RULES.md), or, where
Allegro publishes nothing, the bound the emulator enforces in its place (marked so). The catalog
models and the planner refuse a value past any of them before anything is sent, and the
emulator answers 422 past the same numbers, so the two cannot drift apart; `NOT_AT_PLAN_TIME`
lists what only Allegro can tell, and why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

#: int32 fields (`stock.available`, `maxQuantityPerPackage` …) [S format: int32]
INT32_MAX = 2**31 - 1
#: offer name (title), in characters [S SaleProductOfferRequestBase.name]
OFFER_NAME_MIN_CHARS, OFFER_NAME_MAX_CHARS = 12, 75
#: …and in words: "consist of at least 3 words" [S SaleProductOfferRequestBase.name]
OFFER_NAME_MIN_WORDS = 3
#: `external.id`, the seller's SKU [S ExternalId.id]
EXTERNAL_ID_MAX_CHARS = 100
#: the description as JSON (sections of items), in UTF-8 bytes (API_NOTES §2)
DESCRIPTION_MAX_BYTES = 40_000
#: items in one description section (API_NOTES §2)
SECTION_MIN_ITEMS, SECTION_MAX_ITEMS = 1, 2
#: images in an offer's gallery (`GallerySizeException{gallerySizeLimit}`, API_NOTES §2)
GALLERY_MAX_IMAGES = 16
#: a location's city, in characters (the emulator's bound; Allegro publishes none)
CITY_MAX_CHARS = 50
#: a shipping-rate table's name [S ShippingRatesSet.name]
TABLE_NAME_MIN_CHARS, TABLE_NAME_MAX_CHARS = 1, 64
#: besides letters and digits, the only characters a table name may have [S ShippingRatesSet]
TABLE_NAME_OTHER_CHARS = "-., "
#: an after-sales condition's name, and a warranty's description [SL ReturnPolicyRequestV1,
#: ImpliedWarrantyRequest, WarrantyRequest]
AFTER_SALES_NAME_MAX_CHARS = 200
AFTER_SALES_DESCRIPTION_MAX_CHARS = 10_240
#: days a buyer has to withdraw at least (the EU consumer right; the emulator's bound)
WITHDRAWAL_MIN_DAYS = 14
#: R4: tables per account
TABLES_PER_ACCOUNT = 250
#: a variant set's name, and how many offers it groups [S VariantSet]
VARIANT_SET_NAME_MAX_CHARS = 75
VARIANT_SET_MIN_OFFERS, VARIANT_SET_MAX_OFFERS = 2, 500
#: a price automation rule's name [SL AutomaticPricingRuleName]
PRICE_RULE_NAME_MAX_CHARS = 33
#: R13: drafts (INACTIVE offers) per account
DRAFTS_PER_ACCOUNT = 20_000
#: R14: offers in one batch command
OFFERS_PER_COMMAND = 1000
#: an offer contact [SL ContactRequest]: its name, e-mails and phones, an address and the
#: part of it before `@`, a phone number
CONTACT_NAME_MAX_CHARS = 250
CONTACT_MAX_EMAILS, CONTACT_MAX_PHONES = 1, 2
EMAIL_MAX_CHARS, EMAIL_USER_MAX_CHARS = 128, 64
PHONE_MAX_CHARS = 250
#: a size table's name, columns, rows and cells (Allegro publishes none: the emulator's)
SIZE_TABLE_NAME_MAX_CHARS = 100
SIZE_TABLE_MAX_COLUMNS, SIZE_TABLE_MAX_ROWS = 20, 100
CELL_MAX_CHARS = 50

#: Local image files a catalog may name, by suffix, with the media type they are uploaded as.
IMAGE_MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
#: GPSR safety manuals: PDF, JPEG or PNG (the spec's SAFETY_INFORMATION_MANUAL).
SAFETY_FILE_MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
#: `POST /sale/images` answers 413 above this (Allegro does not publish it: the emulator's).
IMAGE_MAX_BYTES = 10_000_000
#: A safety manual (`PUT /sale/offer-attachments/{id}`): Allegro publishes no bound; the
#: emulator's, as for images.
SAFETY_FILE_MAX_BYTES = IMAGE_MAX_BYTES
#: One file or directory name, in bytes (Linux NAME_MAX), and a whole relative path.
FILE_NAME_MAX_BYTES = 255
PATH_MAX_BYTES = 1024

#: What Allegro refuses that a plan cannot know beforehand, and why.
NOT_AT_PLAN_TIME = {
    "image URLs": "Allegro fetches each URL when the offer is saved; whether it answers with "
    "an image (and how big) is known only then (local files are checked)",
    "category parameter rules beyond the definition": "`requiredIf`/`displayedIf` and values "
    "that depend on other values are judged by Allegro's validation of the whole offer",
    "product matching": "whether an EAN still names one product (R23) can change between the "
    "plan and the apply; the plan checks it against what Allegro said when it read",
    "request limits": "R1-R3 and the per-seller limits depend on every client of the account; "
    "apply paces itself and waits a 429 out instead",
}


def name_words(name: str) -> int:
    """Words of an offer name, as the 3-word rule counts them: runs between spaces."""
    return len(name.split())


def table_name_problem(name: str) -> str | None:
    """Why Allegro refuses a shipping-rate table's name, or None."""
    if not TABLE_NAME_MIN_CHARS <= len(name) <= TABLE_NAME_MAX_CHARS:
        return f"must have between {TABLE_NAME_MIN_CHARS} and {TABLE_NAME_MAX_CHARS} characters"
    if not all(c.isalnum() or c in TABLE_NAME_OTHER_CHARS for c in name):
        return "may only contain letters, numbers, hyphens, dots, commas and spaces"
    return None


def description_bytes(sections: Sequence[Sequence[Mapping[str, str]]]) -> int:
    """How the description limit counts: the sections' JSON, as sent, in UTF-8 bytes."""
    import json  # not at import: `catalogsync validate` needs none

    doc = {"sections": [{"items": list(items)} for items in sections]}
    return len(json.dumps(doc, ensure_ascii=False).encode())


def parameter_problem(
    kind: str, restrictions: Mapping[str, Any], dictionary: bool, values: Sequence[str]
) -> str | None:
    """Why Allegro refuses these values of a category parameter (its `type`, `restrictions`
    and whether it has a dictionary), or None: how many values it takes, and the number
    range or text length its restrictions give."""
    limits = restrictions
    if dictionary:
        if len(values) > 1 and not limits.get("multipleChoices"):
            return "takes a single value"
        return None
    if len(values) != 1:
        return "takes one value"
    value = values[0]
    if kind in ("integer", "float"):
        return _number_problem(kind, restrictions, value)
    low, high = limits.get("minLength"), limits.get("maxLength")
    if isinstance(high, int) and len(value) > high:
        return f"may have at most {high} characters"
    if isinstance(low, int) and len(value) < low:
        return f"needs at least {low} characters"
    return None


def _number_problem(kind: str, restrictions: Mapping[str, Any], value: str) -> str | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return f"must be a number, not {value!r}"
    if not number.is_finite():
        return f"must be a number, not {value!r}"
    if kind == "integer" and number != number.to_integral_value():
        return f"must be a whole number, not {value!r}"
    low, high = restrictions.get("min"), restrictions.get("max")
    if low is not None and number < Decimal(str(low)):
        return f"must be at least {low}, not {value}"
    if high is not None and number > Decimal(str(high)):
        return f"must be at most {high}, not {value}"
    return None
