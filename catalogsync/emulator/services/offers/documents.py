"""The stored offer and the documents made from it: a new draft, the product-offer answer,
the `GET /sale/offers` listing entry."""

from __future__ import annotations

from dataclasses import dataclass

from catalogsync.emulator.core.errors import Doc

MARKETPLACE = "allegro-pl"
OFFER_STATUSES = ("INACTIVE", "ACTIVATING", "ACTIVE", "ENDED")
LIVE = ("ACTIVE", "ACTIVATING")


@dataclass
class StoredOffer:
    id: str
    seller: str
    status: str
    ever_activated: bool
    doc: Doc
    target: str | None = None
    settle_at: str | None = None
    before: tuple[str, str] | None = None  # (status, JSON) as loaded or last saved


#: and arrays stay `null`, as the real server sends them (API_NOTES §11). ("" = top level)
_OMITTED_WHEN_NULL = {
    "": ("name",),
    "publication": ("duration", "startingAt", "startedAt", "endingAt", "endedAt", "endedBy"),
    "delivery": ("handlingTime", "additionalInfo", "shipmentDate"),
}


def without_null_strings(doc: Doc) -> Doc:
    out = {k: v for k, v in doc.items() if v is not None or k not in _OMITTED_WHEN_NULL[""]}
    for section, keys in _OMITTED_WHEN_NULL.items():
        if section and isinstance(out.get(section), dict):
            out[section] = {k: v for k, v in out[section].items() if v is not None or k not in keys}
    validation = out.get("validation")
    if isinstance(validation, dict) and validation.get("errors"):  # `details`: a string [S]
        errors = [{k: v for k, v in e.items() if v is not None or k != "details"}
                  for e in validation["errors"]]
        out["validation"] = {**validation, "errors": errors}
    return out


def public(doc: Doc) -> Doc:
    """The stored document without the emulator's private keys (nor unset strings)."""
    return without_null_strings({k: v for k, v in doc.items() if not k.startswith("_")})


def blank_offer(offer_id: str, now: str) -> Doc:
    return {
        "id": offer_id,
        "name": None,
        "category": None,
        "productSet": [],
        "parameters": [],
        "images": [],
        "description": None,
        "sellingMode": None,
        "stock": None,
        "delivery": {
            "handlingTime": None,
            "shippingRates": None,
            "additionalInfo": None,
            "shipmentDate": None,
        },
        "location": None,
        "payments": None,
        "publication": {
            "duration": None,
            "startingAt": None,
            "endingAt": None,
            "endedBy": None,
            "status": "INACTIVE",
            "republish": False,
            "marketplaces": {"base": {"id": MARKETPLACE}, "additional": []},
        },
        "external": None,
        "afterSalesServices": None,
        "language": "pl-PL",
        "validation": {"errors": [], "warnings": [], "validatedAt": now},
        "warnings": [],  # an array, as the real server sends it (API_NOTES §11)
        "createdAt": now,
        "updatedAt": now,
        "_listing": {"startedAt": None, "endedAt": None},
    }


def listing(doc: Doc) -> Doc:
    """An `OfferListingDto` for `GET /sale/offers`, from the stored offer document."""
    publication = doc["publication"]
    listing = doc.get("_listing") or {}
    selling = doc.get("sellingMode") or {}
    rates = (doc.get("delivery") or {}).get("shippingRates")
    images = doc.get("images") or []
    return {
        "id": doc["id"],
        "name": doc.get("name"),
        "category": doc.get("category"),
        "primaryImage": {"url": images[0]} if images else None,
        "sellingMode": {
            "format": selling.get("format", "BUY_NOW"),
            "price": selling.get("price"),
            "priceAutomation": None,
        },
        "saleInfo": {"currentPrice": None, "biddersCount": 0},
        "stock": {"available": (doc.get("stock") or {}).get("available", 0),
                  "sold": int(listing.get("sold") or 0)},  # all time here; 30 days on Allegro
        "stats": {"watchersCount": 0, "visitsCount": 0},
        "publication": {
            "status": publication["status"],
            "startingAt": publication.get("startingAt"),
            "startedAt": listing.get("startedAt"),
            "endingAt": publication.get("endingAt"),
            "endedAt": listing.get("endedAt"),
            "marketplaces": {"base": {"id": MARKETPLACE},
                             "additional": list(publication["marketplaces"]["additional"])},
        },
        "afterSalesServices": doc.get("afterSalesServices"),
        "additionalServices": None,
        "external": doc.get("external"),
        "delivery": {"shippingRates": {"id": rates["id"]} if rates else None},
        "b2b": {"buyableOnlyByBusiness": False},
        "fundraisingCampaign": None,
        "isFulfillment": False,
        "additionalMarketplaces": {},
    }
