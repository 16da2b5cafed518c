"""The emulator's state and Allegro's rules, kept in SQLite as JSON documents. No HTTP here.

Handlers parse requests and shape responses; everything Allegro decides lives in `Backend`.
Time comes from an injectable `Clock`. Asynchronous work (202 operations of product-offers,
batch-command tasks) is settled lazily: every call first applies whatever became due.
Each call runs in one transaction and commits, so a file database survives the process.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import string
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt

from catalogsync.emulator import campaigns, events, images, variants
from catalogsync.emulator.campaigns import Campaigns
from catalogsync.emulator.core.clock import Clock
from catalogsync.emulator.core.errors import ApiError as ApiError
from catalogsync.emulator.core.errors import Doc
from catalogsync.emulator.core.errors import OAuthError as OAuthError
from catalogsync.emulator.core.errors import error_entry as error_entry
from catalogsync.emulator.core.errors import forbidden as _forbidden
from catalogsync.emulator.core.errors import invalid as _invalid
from catalogsync.emulator.core.errors import iso as _iso
from catalogsync.emulator.core.errors import not_found as _not_found
from catalogsync.emulator.core.errors import parse_time as _parse_time
from catalogsync.emulator.core.faults import Faults
from catalogsync.emulator.core.limits import Limiter
from catalogsync.emulator.core.settings import Settings, coerced
from catalogsync.emulator.events import OfferEvents, price_of
from catalogsync.emulator.images import Images
from catalogsync.emulator.seed import DEMO_SELLER_ID, insert_seed
from catalogsync.emulator.seed.accounts import AFTER_SALES
from catalogsync.emulator.variants import VariantSets

MARKETPLACE = "allegro-pl"
ISSUER = "allegro-emulator"
SCOPES = (
    "allegro:api:profile:read allegro:api:sale:offers:read allegro:api:sale:offers:write "
    "allegro:api:sale:settings:read allegro:api:sale:settings:write allegro:api:campaigns"
)
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
ACCESS_TTL = timedelta(hours=12)
EXPIRES_IN = 43199
REFRESH_TTL = timedelta(days=90)
DEVICE_TTL = 3600
DEVICE_INTERVAL = 5
OPERATION_TTL = timedelta(days=7)
ARCHIVE_AFTER = timedelta(days=60)  # R20
HOUSEKEEPING_EVERY = timedelta(hours=1)
OFFER_ID_BASE = 17_700_000_000
COMMAND_OFFER_LIMIT = 1000  # R14
GALLERY_LIMIT = 16
DESCRIPTION_MAX_BYTES = 40_000

HANDLING_TIMES = (
    "PT0S", "PT24H", "P2D", "P3D", "P4D", "P5D", "P7D", "P10D", "P14D", "P21D", "P30D", "P60D",
)
#: offer-modification-commands accept these as well [S ModificationDelivery]
COMMAND_HANDLING_TIMES = (
    *HANDLING_TIMES, "PT48H", "PT72H", "PT96H", "PT120H", "PT168H", "PT240H", "PT336H",
    "PT504H", "PT720H", "PT1440H",
)
PROVINCES = (
    "DOLNOSLASKIE", "KUJAWSKO_POMORSKIE", "LUBELSKIE", "LUBUSKIE", "LODZKIE", "MALOPOLSKIE",
    "MAZOWIECKIE", "OPOLSKIE", "PODKARPACKIE", "PODLASKIE", "POMORSKIE", "SLASKIE",
    "SWIETOKRZYSKIE", "WARMINSKO_MAZURSKIE", "WIELKOPOLSKIE", "ZACHODNIOPOMORSKIE",
)
INVOICES = ("VAT", "VAT_MARGIN", "WITHOUT_VAT", "NO_INVOICE")
STOCK_UNITS = ("UNIT", "PAIR", "SET")
SELLING_FORMATS = ("BUY_NOW", "AUCTION", "ADVERTISEMENT")
OFFER_STATUSES = ("INACTIVE", "ACTIVATING", "ACTIVE", "ENDED")
READ_ONLY_FIELDS = ("id", "createdAt", "updatedAt", "validatedAt")  # R12
COMMAND_KINDS = (
    "offer-publication-commands",
    "offer-price-change-commands",
    "offer-quantity-change-commands",
    "offer-modification-commands",
)
CENT = Decimal("0.01")
LIVE = ("ACTIVE", "ACTIVATING")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reference (
    kind TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (kind, id));
CREATE TABLE IF NOT EXISTS offers (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    seller TEXT NOT NULL,
    external_id TEXT,
    status TEXT NOT NULL,
    ever_activated INTEGER NOT NULL DEFAULT 0,
    hidden INTEGER NOT NULL DEFAULT 0,
    archived INTEGER NOT NULL DEFAULT 0,
    target_status TEXT,
    settle_at TEXT,
    doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS offers_by_external_id ON offers (seller, external_id);
CREATE INDEX IF NOT EXISTS offers_by_status ON offers (seller, status, archived, hidden);
CREATE INDEX IF NOT EXISTS offers_by_seller ON offers (seller, archived, hidden);
CREATE INDEX IF NOT EXISTS offers_settling ON offers (settle_at) WHERE settle_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS shipping_rates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE, seller TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS shipping_rates_by_seller ON shipping_rates (seller, name);
CREATE TABLE IF NOT EXISTS commands (
    kind TEXT NOT NULL, id TEXT NOT NULL, seller TEXT NOT NULL, created_at TEXT NOT NULL,
    due_at TEXT NOT NULL, payload TEXT NOT NULL, PRIMARY KEY (kind, id));
CREATE TABLE IF NOT EXISTS tasks (
    kind TEXT NOT NULL, command_id TEXT NOT NULL, idx INTEGER NOT NULL, offer_id TEXT NOT NULL,
    status TEXT NOT NULL, due_at TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (kind, command_id, idx));
CREATE INDEX IF NOT EXISTS tasks_due ON tasks (status, due_at);
CREATE TABLE IF NOT EXISTS operations (
    id TEXT PRIMARY KEY, offer_id TEXT NOT NULL, seller TEXT NOT NULL,
    started_at TEXT NOT NULL, done_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS operations_by_offer ON operations (offer_id, done_at);
CREATE TABLE IF NOT EXISTS grants (
    kind TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (kind, key));
"""
#: Seller data wiped by `reset`; OAuth grants and the JWT secret survive it.
DATA_TABLES = ("reference", "offers", "shipping_rates", "commands", "tasks", "operations")


class _TaskFailure(Exception):
    """A batch-command task that ends FAIL, with the message and errors its report shows."""

    def __init__(self, message: str, *errors: Doc) -> None:
        super().__init__(message)
        self.message = message
        self.errors = list(errors) or [error_entry("VALIDATION_ERROR", message)]


@dataclass(frozen=True)
class Principal:
    """Who a bearer token speaks for; `user_id` is None for client_credentials tokens."""

    client_id: str
    user_id: str | None


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


# --------------------------------------------------------------------------- small helpers


def _object(value: Any, path: str) -> Doc:
    if not isinstance(value, dict):
        raise _invalid(path or None, f"{path or 'Request body'} must be a JSON object.")
    return value


def _string(value: Any, path: str, *, allowed: tuple[str, ...] = ()) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _invalid(path, f"{path} must be a non-empty string.")
    if allowed and value not in allowed:
        raise _invalid(path, f"{path} must be one of: {', '.join(allowed)}.")
    return value


def _integer(value: Any, path: str, minimum: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _invalid(path, f"{path} must be an integer.")
    if minimum is not None and value < minimum:
        raise _invalid(path, f"{path} must be greater than or equal to {minimum}.")
    return value


def _decimal(value: Any, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _invalid(path, f"{path} must be a decimal number given as a string.")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise _invalid(path, f"{path} must be a decimal number given as a string.") from exc
    if not number.is_finite():
        raise _invalid(path, f"{path} must be a decimal number given as a string.")
    return number


def _money(value: Any, path: str, *, positive: bool = True) -> Doc:
    """A `{"amount", "currency"}` object, amount normalised to two decimal places."""
    money = _object(value, path)
    amount = _decimal(money.get("amount"), f"{path}.amount")
    if amount != amount.quantize(CENT):
        raise _invalid(f"{path}.amount", "Amount may have at most 2 decimal places.")
    if amount < 0 or (positive and amount == 0):
        raise _invalid(f"{path}.amount", "Amount must be greater than 0.")
    currency = money.get("currency")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isupper():
        raise _invalid(f"{path}.currency", "Currency must be an ISO 4217 code.")
    return {"amount": str(amount.quantize(CENT)), "currency": currency}


def _merged(current: Any, change: Any) -> Any:
    """PATCH edits each field independently: objects merge, anything else replaces."""
    if isinstance(current, dict) and isinstance(change, dict):
        out = dict(current)
        for key, value in change.items():
            out[key] = _merged(current.get(key), value)
        return out
    return change


#: Unset strings are left out of answers, as the spec types them non-nullable; unset objects
#: and arrays stay `null`, as the real server sends them (API_NOTES §11). ("" = top level)
_OMITTED_WHEN_NULL = {
    "": ("name",),
    "publication": ("duration", "startingAt", "startedAt", "endingAt", "endedAt", "endedBy"),
    "delivery": ("handlingTime", "additionalInfo", "shipmentDate"),
}


def _without_null_strings(doc: Doc) -> Doc:
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


def _public(doc: Doc) -> Doc:
    """The stored document without the emulator's private keys (nor unset strings)."""
    return _without_null_strings({k: v for k, v in doc.items() if not k.startswith("_")})


def _offer_id(value: str) -> str:
    if not value.isdigit():
        raise _invalid(None, f"Invalid offer id format: {value}", status=400)
    return value


# --------------------------------------------------------------------------- description HTML

#: Tags allowed inside each parent in a TEXT item (None = top level) (API_NOTES §2).
_ALLOWED_TAGS: dict[str | None, tuple[str, ...]] = {
    None: ("h1", "h2", "p", "ul", "ol"),
    "h1": (),
    "h2": (),
    "p": ("b",),
    "ul": ("li",),
    "ol": ("li",),
    "li": ("b",),
    "b": (),
}


class _DescriptionHtml(HTMLParser):
    """Finds the first tag that Allegro's description HTML subset does not allow."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problem: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        allowed = _ALLOWED_TAGS.get(self.stack[-1] if self.stack else None, ())
        if self.problem is None and tag not in allowed:
            self.problem = f'Invalid tag: "{tag}", allowed tags: {{{", ".join(allowed)}}}'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass


def _check_html(content: str, path: str) -> None:
    parser = _DescriptionHtml()
    parser.feed(content)
    parser.close()
    if parser.problem:
        error = ApiError(422, "VALIDATION_ERROR", parser.problem, path)
        error.errors[0]["details"] = f"Invalid value: {content[:200]}"
        raise error


# --------------------------------------------------------------------------- offer fields


def _description(value: Any) -> Doc | None:
    if value is None:
        return None
    sections = _object(value, "description").get("sections")
    if not isinstance(sections, list):
        raise _invalid("description.sections", "description.sections must be a list.")
    out = []
    for i, section in enumerate(sections):
        items = _object(section, f"description.sections[{i}]").get("items")
        if not isinstance(items, list) or not 1 <= len(items) <= 2:
            raise _invalid(
                f"description.sections[{i}].items", "A section must have one or two items."
            )
        out.append({"items": [_item(it, f"description.sections[{i}].items[{j}]")
                              for j, it in enumerate(items)]})
    description = {"sections": out}
    if len(json.dumps(description, ensure_ascii=False).encode()) > DESCRIPTION_MAX_BYTES:
        raise _invalid("description", "The description may have at most 40000 bytes.")
    return description


def _item(value: Any, path: str) -> Doc:
    item = _object(value, path)
    kind = _string(item.get("type"), f"{path}.type", allowed=("TEXT", "IMAGE"))
    if kind == "IMAGE":
        return {"type": "IMAGE", "url": _string(item.get("url"), f"{path}.url")}
    content = _string(item.get("content"), f"{path}.content")
    _check_html(content, f"{path}.content")
    return {"type": "TEXT", "content": content}


def _images(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise _invalid("images", "images must be a list of image URLs.")
    if len(value) > GALLERY_LIMIT:
        raise ApiError(
            422, "GallerySizeException", f"An offer may have at most {GALLERY_LIMIT} images.",
            "images", metadata={"gallerySizeLimit": str(GALLERY_LIMIT)},
        )
    for i, url in enumerate(value):
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise _invalid(f"images[{i}]", "Image URL must be an http(s) address with a domain.")
    return list(value)


def _image_urls(doc: Doc) -> list[tuple[str, str]]:
    """(path, url) of every image an offer uses: its gallery and its description's."""
    urls = [(f"images[{i}]", url) for i, url in enumerate(doc.get("images") or [])]
    for i, section in enumerate((doc.get("description") or {}).get("sections") or []):
        urls += [(f"description.sections[{i}].items[{j}].url", item["url"])
                 for j, item in enumerate(section["items"]) if item["type"] == "IMAGE"]
    return urls


def _check_description_images(doc: Doc) -> None:
    """R18: every image used in the description must also be listed in `images`."""
    listed = set(doc.get("images") or [])
    for i, section in enumerate((doc.get("description") or {}).get("sections") or []):
        for j, item in enumerate(section["items"]):
            if item["type"] == "IMAGE" and item["url"] not in listed:
                raise ApiError(
                    422, "VALIDATION_ERROR", "Description images are not valid.",
                    f"description.sections[{i}].items[{j}].url",
                )


def _name(value: Any) -> str:
    if not isinstance(value, str) or not 12 <= len(value) <= 75:
        raise _invalid("name", "The offer name must have between 12 and 75 characters.")
    return value


def _selling_mode(value: Any) -> Doc | None:
    if value is None:
        return None
    given = _object(value, "sellingMode")
    selling_format = _string(given.get("format") or "BUY_NOW", "sellingMode.format",
                             allowed=SELLING_FORMATS)
    mode = {"format": selling_format, **{k: v for k, v in given.items() if k != "format"}}
    for key in ("price", "minimalPrice", "startingPrice"):
        if mode.get(key) is not None:
            mode[key] = _money(mode[key], f"sellingMode.{key}")
            if mode[key]["currency"] != "PLN":
                raise _invalid(f"sellingMode.{key}.currency", "allegro-pl sells in PLN.")
    return mode


def _stock(value: Any) -> Doc:
    stock = _object(value, "stock")
    return {
        "available": _integer(stock.get("available"), "stock.available", minimum=0),
        "unit": _string(stock.get("unit") or "UNIT", "stock.unit", allowed=STOCK_UNITS),
    }


def _location(value: Any, path: str = "location") -> Doc | None:
    if value is None:
        return None
    location = _object(value, path)
    country = _string(location.get("countryCode"), f"{path}.countryCode")
    if len(country) != 2:
        raise _invalid(f"{path}.countryCode", "countryCode must be an ISO 3166 2-letter code.")
    province = location.get("province")
    post_code = location.get("postCode")
    if country == "PL":
        _string(province, f"{path}.province", allowed=PROVINCES)
        if not (isinstance(post_code, str) and len(post_code) == 6 and post_code[2] == "-"
                and (post_code[:2] + post_code[3:]).isdigit()):
            raise _invalid(f"{path}.postCode", "A Polish post code looks like XX-XXX.")
    city = location.get("city")
    if city is not None and (not isinstance(city, str) or len(city) > 50):
        raise _invalid(f"{path}.city", "city must be a string of at most 50 characters.")
    return {"countryCode": country, "province": province, "city": city, "postCode": post_code}


def _keeps_location(body: Doc) -> bool:
    """R17: `location` is kept only with `delivery.shippingRates` and `sellingMode` alongside."""
    delivery = body.get("delivery")
    return (
        isinstance(delivery, dict)
        and delivery.get("shippingRates") is not None
        and body.get("sellingMode") is not None
    )


def _payments(value: Any) -> Doc | None:
    if value is None:
        return None
    payments = dict(_object(value, "payments"))
    if payments.get("invoice") is not None:
        _string(payments["invoice"], "payments.invoice", allowed=INVOICES)
    return payments


def _external(value: Any) -> Doc | None:
    if value is None:
        return None
    external_id = _object(value, "external").get("id")
    if not isinstance(external_id, str) or not external_id.strip():
        raise _invalid("external.id", "Offer external identifier may not be blank")
    if len(external_id) > 100:
        raise _invalid("external.id", "Offer external identifier may have at most 100 characters.")
    return {"id": external_id}


def _publication_fields(doc: Doc, value: Any) -> None:
    publication = _object(value, "publication")
    for key in ("duration", "republish"):
        if key in publication:
            doc["publication"][key] = publication[key]
    if publication.get("startingAt") is not None:
        starting = _parse_time(publication["startingAt"], "publication.startingAt")
        doc["publication"]["startingAt"] = _iso(starting)


def _requested_status(body: Doc, allowed: tuple[str, ...]) -> str | None:
    publication = body.get("publication")
    if not isinstance(publication, dict) or publication.get("status") is None:
        return None
    return _string(publication["status"], "publication.status", allowed=allowed)


def _blank_offer(offer_id: str, now: str) -> Doc:
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


def _listing(doc: Doc) -> Doc:
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
        "stock": {"available": (doc.get("stock") or {}).get("available", 0), "sold": 0},
        "stats": {"watchersCount": 0, "visitsCount": 0},
        "publication": {
            "status": publication["status"],
            "startingAt": publication.get("startingAt"),
            "startedAt": listing.get("startedAt"),
            "endingAt": publication.get("endingAt"),
            "endedAt": listing.get("endedAt"),
            "marketplaces": {"base": {"id": MARKETPLACE}, "additional": []},
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


def _product_matches(product: Doc, wanted: Any) -> bool:
    """Whether a catalogue product has every parameter value the request names (R23)."""
    if not isinstance(wanted, list):
        return False
    params = product["parameters"]
    for want in wanted:
        if not isinstance(want, dict):
            return False
        have = next(
            (p for p in params if p["id"] == want.get("id") or p["name"] == want.get("name")), None
        )
        if have is None:
            return False
        if want.get("valuesIds") and set(have.get("valuesIds") or []) != set(want["valuesIds"]):
            return False
        if want.get("values") and list(have.get("values") or []) != list(want["values"]):
            return False
    return True


def _offer_product(product: Doc, item: Doc) -> Doc:
    """A `productSet` entry of an offer response for a catalogue product."""
    entry: Doc = {
        "product": {
            "id": product["id"],
            "publication": {"status": product["publication"]["status"]},
            # The real server sends these nulls although the spec forbids them (§11).
            "parameters": [
                {
                    "id": p["id"],
                    "name": p["name"],
                    "values": p["values"],
                    "valuesIds": p.get("valuesIds"),
                    "rangeValue": None,
                }
                for p in product["parameters"]
            ],
        },
        "quantity": item.get("quantity") or {"value": 1},
    }
    for key in ("responsiblePerson", "responsibleProducer", "safetyInformation", "deposits"):
        if key in item:
            entry[key] = item[key]
    return entry


def _parameter_value(definition: Doc, item: Doc, path: str) -> Doc:
    """An offer parameter resolved against its category definition, with labels filled in."""
    if definition["type"] == "dictionary":
        ids = _dictionary_ids(definition, item, path)
        labels = {d["id"]: d["value"] for d in definition["dictionary"]}
        values = [labels[value_id] for value_id in ids]
    else:
        given, ids = item.get("values"), []
        if not isinstance(given, list) or len(given) != 1 or not isinstance(given[0], str):
            raise _invalid(f"{path}.values",
                           f"Parameter {definition['name']} takes one value given as a string.")
        _check_number(definition, given[0], f"{path}.values")
        values = list(given)
    return {"id": definition["id"], "name": definition["name"], "values": values,
            "valuesIds": ids}


def _dictionary_ids(definition: Doc, item: Doc, path: str) -> list[str]:
    """Dictionary value ids from `valuesIds`, or from the labels in `values`."""
    pid, name = definition["id"], definition["name"]
    ids = {d["value"]: d["id"] for d in definition["dictionary"]}
    if item.get("valuesIds"):
        for value_id in item["valuesIds"]:
            if value_id not in ids.values():
                raise ApiError(
                    422, "InvalidDictionaryParameter",
                    f"Invalid value {value_id} of parameter {name}.", f"{path}.valuesIds",
                    metadata={"dictionaryValue": str(value_id), "parameterId": pid,
                              "parameterName": name},
                )
        chosen = [str(value_id) for value_id in item["valuesIds"]]
    elif item.get("values"):
        for label in item["values"]:
            if label not in ids:
                raise ApiError(
                    422, "DictionaryParameterValueNotFound",
                    f"Value '{label}' not found for parameter {name}.", f"{path}.values",
                    metadata={"parameterName": name, "requestedDictionaryValue": str(label)},
                )
        chosen = [ids[label] for label in item["values"]]
    else:
        raise _invalid(path, f"Parameter {name} needs valuesIds or values.")
    if len(chosen) > 1 and not definition.get("restrictions", {}).get("multipleChoices"):
        raise _invalid(path, f"Parameter {name} takes a single value.")
    return chosen


def _check_number(definition: Doc, value: str, path: str) -> None:
    kind = definition["type"]
    if kind not in ("integer", "float"):
        return
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise _invalid(path, f"Parameter {definition['name']} must be a number.") from exc
    if kind == "integer" and number != number.to_integral_value():
        raise _invalid(path, f"Parameter {definition['name']} must be an integer.")
    limits = definition.get("restrictions") or {}
    if not limits.get("min", number) <= number <= limits.get("max", number):
        raise _invalid(
            path, f"Parameter {definition['name']} must be between {limits['min']} and "
            f"{limits['max']}."
        )


# --------------------------------------------------------------------------- shipping rates


def _table_name(value: Any) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 64:
        raise _invalid("name", "The name must have between 1 and 64 characters.")
    if not all(c.isalnum() or c in "-., " for c in value):
        raise _invalid(
            "name", "The name may only contain letters, numbers, hyphens, dots, commas and spaces."
        )
    return value


def _rate_amount(value: Any, limits: Doc, path: str) -> Doc:
    money = _money(value, path, positive=False)
    amount = Decimal(money["amount"])
    if not Decimal(limits["min"]) <= amount <= Decimal(limits["max"]):
        raise _invalid(
            f"{path}.amount",
            f"The rate must be between {limits['min']} and {limits['max']} {limits['currency']}.",
        )
    if money["currency"] != limits["currency"]:
        raise _invalid(f"{path}.currency", f"The rate must be given in {limits['currency']}.")
    return money


def _rate(value: Any, method: Doc | None, path: str) -> Doc:
    """One rate, checked against its delivery method's `shippingRatesConstraints`."""
    rate = _object(value, path)
    if method is None:
        raise _invalid(f"{path}.deliveryMethod.id", "Delivery method not found.")
    rules = method["shippingRatesConstraints"]
    if not rules["allowed"]:
        raise _invalid(f"{path}.deliveryMethod.id", "This delivery method cannot be used.")
    quantity = _integer(rate.get("maxQuantityPerPackage"), f"{path}.maxQuantityPerPackage", 1)
    if quantity > rules["maxQuantityPerPackage"]["max"]:
        raise _invalid(
            f"{path}.maxQuantityPerPackage",
            f"maxQuantityPerPackage may be at most {rules['maxQuantityPerPackage']['max']}.",
        )
    out: Doc = {
        "deliveryMethod": {"id": method["id"]},
        "maxQuantityPerPackage": quantity,
        "firstItemRate": _rate_amount(rate.get("firstItemRate"), rules["firstItemRate"],
                                      f"{path}.firstItemRate"),
        "nextItemRate": _rate_amount(rate.get("nextItemRate"), rules["nextItemRate"],
                                     f"{path}.nextItemRate"),
    }
    if rate.get("maxPackageWeight") is not None:
        out["maxPackageWeight"] = _weight(rate["maxPackageWeight"], rules["maxPackageWeight"],
                                          f"{path}.maxPackageWeight")
    if rate.get("shippingTime") is not None:
        if not rules["shippingTime"]["customizable"]:
            raise _invalid(f"{path}.shippingTime", "Shipping time of this method is fixed.")
        out["shippingTime"] = _object(rate["shippingTime"], f"{path}.shippingTime")
    return out


def _weight(value: Any, rules: Doc, path: str) -> Doc:
    if not rules["supported"]:
        raise _invalid(path, "This delivery method does not support a maximum package weight.")
    weight = _decimal(_object(value, path).get("value"), f"{path}.value")
    if not Decimal(rules["min"]) <= weight <= Decimal(rules["max"]):
        raise _invalid(f"{path}.value", f"Weight must be {rules['min']} to {rules['max']} kg.")
    return {"value": str(weight.quantize(Decimal("0.001"))), "unit": "KILOGRAM"}


# --------------------------------------------------------------------------- batch commands


def _command_id(value: str) -> None:
    try:
        uuid.UUID(value)
    except ValueError as exc:
        raise _invalid(None, f"Command id must be a UUID: {value}", status=400) from exc


def _criteria_offers(value: Any) -> list[str]:
    """Offer ids of `offerCriteria`, in order, without repeats; at most 1000 (R14)."""
    if not isinstance(value, list) or not value:
        raise _invalid("offerCriteria", "offerCriteria must name at least one offer.")
    ids: dict[str, None] = {}
    for i, criterion in enumerate(value):
        criterion = _object(criterion, f"offerCriteria[{i}]")
        _string(criterion.get("type"), f"offerCriteria[{i}].type", allowed=("CONTAINS_OFFERS",))
        offers = criterion.get("offers")
        if not isinstance(offers, list):
            raise _invalid(f"offerCriteria[{i}].offers", "offers must be a list.")
        for j, offer in enumerate(offers):
            path = f"offerCriteria[{i}].offers[{j}]"
            offer_id = _object(offer, path).get("id")
            ids[_string(str(offer_id) if offer_id else None, f"{path}.id")] = None
    if not ids:
        raise _invalid("offerCriteria", "offerCriteria must name at least one offer.")
    if len(ids) > COMMAND_OFFER_LIMIT:  # R14
        raise _invalid(
            "offerCriteria", f"A command may contain at most {COMMAND_OFFER_LIMIT} offers."
        )
    return list(ids)


def _price_modification(body: Doc, now: datetime) -> Doc:
    modification = _object(body.get("modification"), "modification")
    kind = modification.get("type")
    fields = {k for k in ("price", "value", "percentage") if modification.get(k) is not None}
    expected = {"FIXED_PRICE": {"price"}, "INCREASE_PRICE": {"value"}, "DECREASE_PRICE": {"value"},
                "INCREASE_PERCENTAGE": {"percentage"}, "DECREASE_PERCENTAGE": {"percentage"}}
    if kind not in expected or fields != expected[kind]:
        raise _invalid("modification", "type is not given or price, value and percentage conflict")
    out: Doc = {"type": kind, "marketplaceId": modification.get("marketplaceId")}
    if "percentage" in fields:
        percentage = _decimal(modification["percentage"], "modification.percentage")
        if percentage <= 0:
            raise _invalid("modification.percentage", "percentage must be greater than 0.")
        out["percentage"] = str(percentage)
    else:
        key = fields.pop()
        out["money"] = _money(modification[key], f"modification.{key}")
    return out


def _quantity_modification(body: Doc, now: datetime) -> Doc:
    modification = _object(body.get("modification"), "modification")
    change = _string(modification.get("changeType"), "modification.changeType",
                     allowed=("FIXED", "GAIN"))
    value = _integer(modification.get("value"), "modification.value")
    if change == "FIXED" and value <= 0:
        raise _invalid("modification.value", "For changeType FIXED the value must be > 0.")
    return {"changeType": change, "value": value}


def _publication_modification(body: Doc, now: datetime) -> Doc:
    publication = _object(body.get("publication"), "publication")
    action = _string(publication.get("action"), "publication.action", allowed=("ACTIVATE", "END"))
    scheduled = None
    if action == "ACTIVATE" and publication.get("scheduledFor") is not None:
        moment = _parse_time(publication["scheduledFor"], "publication.scheduledFor")
        if moment < now:  # R11
            raise _invalid(
                "publication.scheduledFor", "You cannot schedule activating an offer in the past"
            )
        scheduled = _iso(moment)
    return {"action": action, "scheduledFor": scheduled}


#: offer-modification-commands fields the spec allows but the emulator does not model.
_UNMODELLED = ("additionalServicesGroup", "discounts", "sizeTable", "publication",
               "responsiblePerson", "responsibleProducer", "safetyInformation")


def _offer_modification(body: Doc, now: datetime) -> Doc:
    """Only the fields API_NOTES §5 allows: no price, stock, name, description, images…"""
    modification = _object(body.get("modification"), "modification")
    out: Doc = {}
    for key, value in modification.items():
        path = f"modification.{key}"
        if key in _UNMODELLED:
            raise _invalid(path, f"{path} is not supported by the emulator.")
        if key == "delivery":
            out["delivery"] = _modified_delivery(value)
        elif key == "location":
            out["location"] = _location(value, path)
        elif key == "payments":
            payments = _object(value, path)
            if set(payments) != {"invoice"}:
                raise _invalid(path, "Only payments.invoice can be modified by the emulator.")
            out["payments"] = {"invoice": _string(payments["invoice"], f"{path}.invoice",
                                                  allowed=INVOICES)}
        else:
            raise _invalid(path, f'Unrecognized field "{key}"')
    if not out:
        raise _invalid("modification", "modification must change at least one field.")
    fields: list[str] = []
    for key, value in out.items():
        fields += [key] if key == "location" else [f"{key}.{sub}" for sub in value]
    out["_field"] = ",".join(fields)  # the task's `field`: what the command changes
    return out


def _modified_delivery(value: Any) -> Doc:
    delivery = _object(value, "modification.delivery")
    out: Doc = {}
    for key, item in delivery.items():
        path = f"modification.delivery.{key}"
        if key == "handlingTime":
            out[key] = _string(item, path, allowed=COMMAND_HANDLING_TIMES)
        elif key == "shippingRates":
            out[key] = {"id": _string(_object(item, path).get("id"), f"{path}.id")}
        else:
            raise _invalid(path, f'Unrecognized field "{key}"')
    if not out:
        raise _invalid("modification.delivery", "delivery must change at least one field.")
    return out


_COMMAND_VALIDATORS: dict[str, Callable[[Doc, datetime], Doc]] = {
    "offer-publication-commands": _publication_modification,
    "offer-price-change-commands": _price_modification,
    "offer-quantity-change-commands": _quantity_modification,
    "offer-modification-commands": _offer_modification,
}
_TASK_FIELDS = {
    "offer-price-change-commands": "sellingMode.price",
    "offer-quantity-change-commands": "stock.available",
}


def _not_found_task(offer_id: str) -> _TaskFailure:
    return _TaskFailure(
        "The offer does not exist.",
        error_entry("OfferNotFoundException", "The offer does not exist.",
                    metadata={"offerId": offer_id}),
    )


# --------------------------------------------------------------------------- the backend


_AFTER_SALES_KINDS = {
    "returnPolicy": ("returnPolicies", "ReturnPolicyNotFoundException"),
    "impliedWarranty": ("impliedWarranties", "ImpliedWarrantyNotFoundException"),
    "warranty": ("warranties", "WarrantyNotFoundException"),
}


class Backend:
    """All emulator state and rules. Thread-safe; every call is one committed transaction."""

    def __init__(self, db_path: str | Path = ":memory:", clock: Clock | None = None) -> None:
        self._db = sqlite3.connect(str(db_path), check_same_thread=False)
        self._db.execute("PRAGMA synchronous=OFF")  # survive process exit, not power loss
        self._db.executescript(SCHEMA)
        self._lock = threading.RLock()
        self.stats: Counter[str] = Counter()
        self.clock = clock or Clock(float(self._meta("clock_offset") or 0.0))
        self._last_housekeeping: datetime | None = None
        #: seller -> INACTIVE offers (R13); counted lazily, dropped whenever drafts leave
        self._draft_counts: dict[str, int] = {}
        if self._meta("seeded") is None:
            self._seed()
            self._db.commit()
        self._secret = str(self._meta("jwt_secret"))
        self.settings = Settings(**self._meta("settings"))
        self._load_reference()
        self.limiter = Limiter(lambda: self.settings, self.clock.timestamp)
        self.faults = Faults(self.clock.timestamp)
        self.events = OfferEvents(self)
        self.images = Images(self)
        self.campaigns = Campaigns(self)
        self.variants = VariantSets(self)
        self._data_tables = (*DATA_TABLES, *events.TABLES, *images.TABLES, *campaigns.TABLES,
                             *variants.TABLES)

    def close(self) -> None:
        self._db.close()

    # ----------------------------------------------------------------- for the split-off modules

    @property
    def db(self) -> sqlite3.Connection:
        return self._db

    def session(self) -> AbstractContextManager[datetime]:
        """One committed transaction at the current clock time (see `_session`)."""
        return self._session()

    def stored_offer(self, offer_id: str) -> StoredOffer | None:
        """An offer that is not archived, whoever owns it (call inside a session)."""
        return self._load_offer(offer_id)

    def category(self, category_id: str) -> Doc | None:
        return self._ref["category"].get(category_id)

    # ----------------------------------------------------------------- plumbing

    @contextmanager
    def _session(self) -> Iterator[datetime]:
        """One transaction at the current clock time, after settling what became due."""
        with self._lock:
            now = self.clock.now()
            try:
                self._tick(now)
                yield now
            except ApiError:
                self._db.commit()  # keep what the tick settled; the failed call wrote nothing
                raise
            except BaseException:
                self._db.rollback()
                self._draft_counts.clear()
                raise
            self._db.commit()

    def _meta(self, key: str) -> Any:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def _set_meta(self, key: str, value: Any) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, json.dumps(value))
        )

    def _seed(self) -> None:
        """Demo data; the secret, settings and offer counter are set once and then kept."""
        insert_seed(self._db, _iso(self.clock.now()))
        defaults = {"jwt_secret": secrets.token_hex(32), "settings": asdict(Settings()),
                    "offer_counter": 0, "seeded": True}
        for key, value in defaults.items():
            if self._meta(key) is None:
                self._set_meta(key, value)

    def _load_reference(self) -> None:
        """Catalogue data (users, delivery methods, categories, products) is read-only: cache it."""
        self._ref: dict[str, dict[str, Doc]] = {}
        rows = self._db.execute("SELECT kind, id, doc FROM reference ORDER BY rowid")
        for kind, key, doc in rows:
            self._ref.setdefault(kind, {})[key] = json.loads(doc)
        self._by_ean: dict[str, list[Doc]] = {}
        for product in self._ref.get("product", {}).values():
            self._by_ean.setdefault(product["ean"], []).append(product)

    def _delay(self) -> timedelta:
        return timedelta(seconds=self.settings.processing_delay)

    # ----------------------------------------------------------------- steering

    def reset(self) -> None:
        """Wipe seller data and re-seed; forget request limits and injected faults. Tokens,
        settings, the clock and the offer-id counter are kept, so running clients carry on and
        new offers never reuse an old id."""
        with self._lock:
            for table in self._data_tables:
                self._db.execute(f"DELETE FROM {table}")
            self._seed()
            self._db.commit()
            self._load_reference()
            self.stats.clear()
            self._draft_counts.clear()
            self.limiter.reset()
            self.faults.reset()

    def advance_clock(self, seconds: float) -> datetime:
        with self._lock:
            self.clock.advance(seconds)
            self._set_meta("clock_offset", self.clock.offset.total_seconds())
            self._db.commit()
            return self.clock.now()

    def update_settings(self, changes: Mapping[str, Any]) -> Doc:
        current = asdict(self.settings)
        unknown = set(changes) - set(current)
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        for key, value in changes.items():
            current[key] = coerced(key, current[key], value)
        with self._lock:
            self.settings = Settings(**current)
            self._set_meta("settings", current)
            self._db.commit()
        return current

    def hide_offer(self, offer_id: str, hidden: bool = True) -> None:
        """R22: the seller hid the offer on the website; it leaves `GET /sale/offers`."""
        with self._session():
            cursor = self._db.execute(
                "UPDATE offers SET hidden = ? WHERE id = ?", (int(hidden), offer_id)
            )
            if cursor.rowcount == 0:
                raise LookupError(f"no offer {offer_id}")

    def approve_device(self, user_code: str, user_id: str) -> None:
        """What the user does on the verification page: bind the device code to a seller."""
        with self._session() as now:
            if user_id not in self._ref["user"]:
                raise ValueError(f"no user {user_id}")
            link = self._grant("user_code", user_code)
            code = str(link["device_code"]) if link else ""
            device = self._grant("device", code)
            if device is None or device["consumed"] or device["expiresAt"] < _iso(now):
                raise LookupError(f"no pending device code for user code {user_code}")
            device["user"] = user_id
            self._put_grant("device", code, device)

    def count_request(self, key: str) -> None:
        self.stats[key] += 1

    # ----------------------------------------------------------------- OAuth

    def _grant(self, kind: str, key: str) -> Doc | None:
        row = self._db.execute(
            "SELECT doc FROM grants WHERE kind = ? AND key = ?", (kind, key)
        ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def _put_grant(self, kind: str, key: str, doc: Doc) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO grants (kind, key, doc) VALUES (?, ?, ?)",
            (kind, key, json.dumps(doc)),
        )

    def _client(self, client_id: str | None, secret: str | None) -> Doc:
        client = self._ref["client"].get(client_id or "")
        if client is None or not secrets.compare_digest(client["secret"], secret or ""):
            raise OAuthError(401, "Unauthorized", "Unauthorized")
        return client

    def device_authorize(self, client_id: str | None, secret: str | None, requested: str | None
                         ) -> Doc:
        """`POST /auth/oauth/device`: codes for the device flow (no verification URIs)."""
        with self._session() as now:
            client = self._client(client_id, secret)
            if requested != client["id"]:
                raise OAuthError(400, "invalid_request", "Missing or wrong client_id parameter")
            if DEVICE_GRANT not in client["grants"]:
                raise OAuthError(
                    400, "unauthorized_client", "Client does not have the device_code grant."
                )
            device_code = secrets.token_urlsafe(24)
            alphabet = string.ascii_lowercase + string.digits
            user_code = "".join(secrets.choice(alphabet) for _ in range(9))
            expires = _iso(now + timedelta(seconds=DEVICE_TTL))
            self._put_grant("device", device_code, {
                "client": client["id"], "user": None, "expiresAt": expires, "consumed": False,
            })
            self._put_grant("user_code", user_code, {"device_code": device_code})
            return {"device_code": device_code, "expires_in": DEVICE_TTL, "user_code": user_code,
                    "interval": DEVICE_INTERVAL}

    def authorize(self, client_id: str | None, redirect_uri: str | None, response_type: str | None
                  ) -> str:
        """`GET /auth/oauth/authorize` as if demo-seller logged in and agreed: a code."""
        with self._session() as now:
            client = self._ref["client"].get(client_id or "")
            if client is None:
                raise OAuthError(401, "invalid_client", f"Bad client credentials: {client_id}")
            if response_type != "code":
                raise OAuthError(400, "unsupported_response_type",
                                 f"Unsupported response types: [{response_type}]")
            if redirect_uri != client["redirect_uri"]:  # R5
                raise OAuthError(400, "invalid_request", f"Invalid redirect: {redirect_uri} "
                                 "does not match one of the registered values.")
            code = secrets.token_urlsafe(16)
            self._put_grant("code", code, {
                "client": client["id"], "user": DEMO_SELLER_ID, "redirectUri": redirect_uri,
                "expiresAt": _iso(now + timedelta(minutes=10)), "used": False,
            })
            return code

    def token(self, client_id: str | None, secret: str | None, params: Mapping[str, str]) -> Doc:
        """`POST /auth/oauth/token` for every grant the emulator's application has."""
        with self._session() as now:
            client = self._client(client_id, secret)
            grant_type = params.get("grant_type")
            if not grant_type:
                raise OAuthError(400, "invalid_request", "Missing grant type")
            if grant_type not in client["grants"]:
                raise OAuthError(400, "unsupported_grant_type",
                                 f"Unsupported grant type: {grant_type}")
            if grant_type == "client_credentials":
                return self._issue(now, client["id"], None)
            user_id = {
                DEVICE_GRANT: self._redeem_device,
                "refresh_token": self._redeem_refresh,
                "authorization_code": self._redeem_code,
            }[grant_type](now, client, params)
            return self._issue(now, client["id"], user_id)

    def _redeem_device(self, now: datetime, client: Doc, params: Mapping[str, str]) -> str:
        code = params.get("device_code") or ""
        device = self._grant("device", code)
        if (device is None or device["consumed"] or device["client"] != client["id"]
                or device["expiresAt"] < _iso(now)):
            raise OAuthError(400, "invalid_request", "Invalid device code")
        if device["user"] is None:
            raise OAuthError(
                400, "authorization_pending", "User has not authorized the device code yet."
            )
        device["consumed"] = True
        self._put_grant("device", code, device)
        return str(device["user"])

    def _redeem_refresh(self, now: datetime, client: Doc, params: Mapping[str, str]) -> str:
        """Refresh tokens are single-use; the pair they belonged to dies with them."""
        token = params.get("refresh_token") or ""
        refresh = self._grant("refresh", token)
        if (refresh is None or refresh["used"] or refresh["client"] != client["id"]
                or refresh["expiresAt"] < _iso(now)):
            raise OAuthError(400, "invalid_grant", f"Invalid refresh token: {token}")
        refresh["used"] = True
        self._put_grant("refresh", token, refresh)
        access = self._grant("access", refresh["access"])
        if access is not None:
            self._put_grant("access", refresh["access"], {**access, "revoked": True})
        return str(refresh["user"])

    def _redeem_code(self, now: datetime, client: Doc, params: Mapping[str, str]) -> str:
        code = params.get("code")
        if not code:  # R6
            raise OAuthError(400, "invalid_request", "An authorization code must be supplied")
        grant = self._grant("code", code)
        if (grant is None or grant["used"] or grant["client"] != client["id"]
                or grant["expiresAt"] < _iso(now)):
            raise OAuthError(400, "invalid_grant", f"Invalid authorization code: {code}")
        if params.get("redirect_uri") != grant["redirectUri"]:  # R5
            raise OAuthError(400, "invalid_grant", "Redirect URI mismatch.")
        grant["used"] = True
        self._put_grant("code", code, grant)
        return str(grant["user"])

    def _issue(self, now: datetime, client_id: str, user_id: str | None) -> Doc:
        jti = str(uuid.uuid4())
        claims: Doc = {
            "client_id": client_id,
            "scope": SCOPES.split(),
            "allegro_api": True,
            "iss": ISSUER,
            "exp": int((now + ACCESS_TTL).timestamp()),
            "jti": jti,
        }
        if user_id is not None:
            claims["user_name"] = user_id
        self._put_grant("access", jti, {"client": client_id, "user": user_id, "revoked": False})
        body: Doc = {
            "access_token": jwt.encode(claims, self._secret, algorithm="HS256"),
            "token_type": "bearer",
            "expires_in": EXPIRES_IN,
            "scope": SCOPES,
            "allegro_api": True,
            "jti": jti,
        }
        if user_id is not None:
            refresh = secrets.token_urlsafe(32)
            self._put_grant("refresh", refresh, {
                "client": client_id, "user": user_id, "access": jti, "used": False,
                "expiresAt": _iso(now + REFRESH_TTL),
            })
            body["refresh_token"] = refresh
        return body

    def principal(self, token: str) -> Principal:
        """Check a bearer token; OAuth-shaped 401s as Allegro's resource servers send them."""
        with self._lock:
            try:
                claims = jwt.decode(
                    token, self._secret, algorithms=["HS256"], issuer=ISSUER,
                    options={"verify_exp": False, "require": ["exp", "jti", "client_id"]},
                )
            except jwt.PyJWTError as exc:  # R9: e.g. a token of another environment
                raise OAuthError(
                    401, "invalid_token", "Cannot convert access token to JSON"
                ) from exc
            if claims["exp"] <= self.clock.now().timestamp():
                raise OAuthError(401, "invalid_token", f"Access token expired: {token}")
            access = self._grant("access", str(claims["jti"]))
            if access is None or access["revoked"]:
                raise OAuthError(401, "invalid_token", f"Invalid access token: {token}")
            user = claims.get("user_name")
            return Principal(client_id=str(claims["client_id"]), user_id=user and str(user))

    # ----------------------------------------------------------------- catalogue

    def me(self, user_id: str) -> Doc:
        return dict(self._ref["user"][user_id])

    def after_sales(self, seller: str, kind: str) -> Doc:
        """`GET /after-sales-service-conditions/{kind}`: the seller's definitions."""
        found = AFTER_SALES.get(seller, {}).get(kind, [])
        return {kind: found, "count": len(found)}

    def _after_sales_services(self, seller: str, value: Any) -> Doc:
        """Each of returnPolicy, impliedWarranty, warranty by id or by name -> its id; an
        unknown one is 422 `<Kind>NotFoundException` [S 422 table]."""
        chosen = _object(value, "afterSalesServices")
        out: Doc = {}
        for key, (kind, code) in _AFTER_SALES_KINDS.items():
            if chosen.get(key) is None:
                continue
            wanted = _object(chosen[key], f"afterSalesServices.{key}")
            known = AFTER_SALES.get(seller, {}).get(kind, [])
            match = [d for d in known if d["id"] == wanted.get("id")
                     or ("id" not in wanted and d["name"] == wanted.get("name"))]
            if not match:
                raise ApiError(
                    422, code, f"{key} {wanted.get('id') or wanted.get('name')} not found",
                    path=f"afterSalesServices.{key}",
                    metadata={"requestedName": str(wanted.get("name") or "")},
                )
            out[key] = {"id": match[0]["id"], "name": match[0]["name"]}
        return out

    def delivery_methods(self, marketplace: str | None = None) -> Doc:
        methods = [m for m in self._ref["delivery_method"].values()
                   if marketplace is None or marketplace in m["marketplaces"]]
        return {"deliveryMethods": methods}

    def search_products(self, phrase: str | None, mode: str | None,
                        category_id: str | None = None) -> Doc:
        if not phrase:
            raise _invalid(None, "At least ean or phrase parameter is required", status=400)
        if mode not in (None, "GTIN", "MPN"):
            raise _invalid("mode", "mode must be GTIN or MPN.")
        if mode == "GTIN":
            found = self._by_ean.get(phrase.strip(), [])
        elif mode == "MPN":
            found = []  # the demo catalogue has no MPNs
        else:
            needle = phrase.strip().lower()
            found = [p for p in self._ref["product"].values()
                     if needle == p["ean"] or needle in p["name"].lower()]
        if category_id:
            found = [p for p in found if p["category"]["id"] == category_id]
        return {"products": [self._product_dto(p) for p in found]}

    def get_product(self, product_id: str) -> Doc:
        product = self._ref["product"].get(product_id)
        if product is None:
            raise _not_found(f"Product {product_id} not found.")
        return self._product_dto(product)

    @staticmethod
    def _product_dto(product: Doc) -> Doc:
        return {k: v for k, v in product.items() if k != "ean"}

    def category_parameters(self, category_id: str) -> Doc:
        category = self._ref["category"].get(category_id)
        if category is None:
            raise _not_found(f"Category {category_id} not found.")
        return {"parameters": category["parameters"]}

    # ----------------------------------------------------------------- offers: storage

    def _load_offer(self, offer_id: str) -> StoredOffer | None:
        row = self._db.execute(
            "SELECT id, seller, status, ever_activated, doc, target_status, settle_at"
            " FROM offers WHERE id = ? AND archived = 0",
            (offer_id,),
        ).fetchone()
        if row is None:
            return None
        return StoredOffer(row[0], row[1], row[2], bool(row[3]), json.loads(row[4]), row[5], row[6],
                           before=(row[2], row[4]))

    def _owned(self, seller: str, offer_id: str) -> StoredOffer:
        offer = self._load_offer(_offer_id(offer_id))
        if offer is None:  # R20: never existed, deleted draft or archived
            raise _not_found(f"Offer {offer_id} not found.")
        if offer.seller != seller:  # R21
            raise _forbidden("You can only access your own offers.")
        return offer

    def _save_offer(self, offer: StoredOffer, at: datetime, *, insert: bool = False) -> None:
        """Write the offer; emit its events and apply R26 for what changed since it was loaded."""
        offer.doc["publication"]["status"] = offer.status
        self._after_change(offer, at)
        external = (offer.doc.get("external") or {}).get("id")
        text = json.dumps(offer.doc)
        offer.before = (offer.status, text)
        values = (offer.seller, external, offer.status, int(offer.ever_activated), offer.target,
                  offer.settle_at, text, offer.id)
        if insert:
            self._db.execute(
                "INSERT INTO offers (seller, external_id, status, ever_activated, target_status,"
                " settle_at, doc, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
        else:
            self._db.execute(
                "UPDATE offers SET seller = ?, external_id = ?, status = ?, ever_activated = ?,"
                " target_status = ?, settle_at = ?, doc = ? WHERE id = ?",
                values,
            )

    def _after_change(self, offer: StoredOffer, at: datetime) -> None:
        before = None if offer.before is None else (offer.before[0], json.loads(offer.before[1]))
        found = events.changes(before, offer.status, offer.doc)
        if found:
            self.events.record(offer.seller, found, at)
        if before is not None and price_of(before[1]) != price_of(offer.doc):
            self.campaigns.leave_programs(offer.id, at)  # R26

    def _next_offer_id(self) -> str:
        counter = int(self._meta("offer_counter") or 0) + 1
        self._set_meta("offer_counter", counter)
        return str(OFFER_ID_BASE + counter)

    # ----------------------------------------------------------------- offers: API

    def list_offers(
        self,
        seller: str,
        *,
        external_ids: list[str] | None = None,
        offer_ids: list[str] | None = None,
        statuses: list[str] | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> Doc:
        """`GET /sale/offers`: the seller's offers, newest first; hidden ones are left out (R22)."""
        with self._session():
            if not 1 <= limit <= 1000:
                raise _invalid("limit", "limit must be between 1 and 1000.", status=400)
            if offset < 0 or offset + limit > 10_000_000:
                raise _invalid("offset", "offset must be >= 0 and offset + limit <= 10000000.",
                               status=400)
            for status in statuses or []:
                if status not in OFFER_STATUSES:
                    raise _invalid("publication.status", f"Unknown status {status}.", status=400)
            where, args = ["seller = ?", "hidden = 0", "archived = 0"], [seller]
            for column, values in (("external_id", external_ids), ("id", offer_ids),
                                   ("status", statuses)):
                if values:
                    where.append(f"{column} IN ({', '.join('?' * len(values))})")
                    args.extend(values)
            clause = " AND ".join(where)
            total = self._db.execute(f"SELECT COUNT(*) FROM offers WHERE {clause}", args).fetchone()
            rows = self._db.execute(
                f"SELECT doc FROM offers WHERE {clause} ORDER BY seq DESC LIMIT ? OFFSET ?",
                [*args, limit, offset],
            ).fetchall()
            offers = [_without_null_strings(_listing(json.loads(row[0]))) for row in rows]
            return {"offers": offers, "count": len(offers), "totalCount": total[0]}

    def get_offer(self, seller: str, offer_id: str) -> Doc:
        with self._session():
            return _public(self._owned(seller, offer_id).doc)

    def create_offer(self, seller: str, body: Any) -> tuple[Doc, str | None]:
        """`POST /sale/product-offers`: a draft (no operation) or an activation (operation id)."""
        with self._session() as now:
            body = _object(body, "")
            self._reject_read_only(body)
            if body.get("stock") is None:
                raise _invalid("stock", "stock is required.")
            status = _requested_status(body, ("INACTIVE", "ACTIVE"))
            offer = StoredOffer("", seller, "INACTIVE", False, _blank_offer("", _iso(now)))
            self._apply_body(offer, body, now)
            if status != "ACTIVE":
                self._check_draft_limit(seller)
            offer.id = offer.doc["id"] = self._next_offer_id()
            operation = self._activate(offer, now) if status == "ACTIVE" else None
            self._revalidate(offer, now)
            self.images.keep(_image_urls(offer.doc))
            self._save_offer(offer, now, insert=True)
            return _public(offer.doc), operation

    def patch_offer(self, seller: str, offer_id: str, body: Any) -> tuple[Doc, str | None]:
        """`PATCH /sale/product-offers/{id}`: sync edits; publication changes are operations."""
        with self._session() as now:
            body = _object(body, "")
            self._reject_read_only(body)
            offer = self._owned(seller, offer_id)
            if self._running_operation(offer.id, now):
                raise ApiError(409, "CONFLICT",
                               "The previous edition of the offer is still being processed.")
            requested = _requested_status(body, ("INACTIVE", "ACTIVE", "ENDED"))
            self._apply_body(offer, body, now)
            operation = self._change_publication(offer, requested, now)
            stock = (offer.doc.get("stock") or {}).get("available")
            if operation is None and "stock" in body and stock == 0 and offer.status in LIVE:
                self._end(offer, now, "EMPTY_STOCK")  # [S SaleProductOffersRequestStock]
            if offer.status in LIVE and offer.target != "ENDED":
                problems = self._activation_problems(offer.doc)
                if problems:  # a published offer must stay publishable
                    raise ApiError.of(422, problems)
            self._revalidate(offer, now)
            self.images.keep(_image_urls(offer.doc))
            self._save_offer(offer, now)
            return _public(offer.doc), operation

    def offer_operation(self, seller: str, offer_id: str, operation_id: str) -> Doc | None:
        """An operation's 202 body while it runs; None once it is done (the 303)."""
        with self._session() as now:
            row = self._db.execute(
                "SELECT seller, started_at, done_at FROM operations WHERE id = ? AND offer_id = ?",
                (operation_id, offer_id),
            ).fetchone()
            expired = row is not None and _parse_time(row[1], "") + OPERATION_TTL < now
            if row is None or row[0] != seller or expired:
                raise _not_found("Wskazana operacja nie istnieje")
            if row[2] <= _iso(now):
                return None
            return {"offer": {"id": offer_id},
                    "operation": {"id": operation_id, "status": "IN_PROGRESS", "startedAt": row[1]}}

    def delete_offer(self, seller: str, offer_id: str) -> None:
        """`DELETE /sale/offers/{id}`: only drafts that were never activated."""
        with self._session():
            offer = self._owned(seller, offer_id)
            if offer.status != "INACTIVE" or offer.ever_activated:
                raise ApiError(400, "CannotDeleteOfferException",
                               "You can only remove the draft offer.")
            self._db.execute("DELETE FROM offers WHERE id = ?", (offer.id,))
            self._draft_counts.pop(seller, None)

    # ----------------------------------------------------------------- offers: rules

    @staticmethod
    def _reject_read_only(body: Doc) -> None:
        for key in READ_ONLY_FIELDS:  # R12
            if key in body:
                raise _invalid(key, f"The field '{key}' is read-only and cannot be sent.")

    def _check_draft_limit(self, seller: str) -> None:
        """R13; on success the new draft is counted (the caller inserts it)."""
        if seller not in self._draft_counts:
            self._draft_counts[seller] = self._db.execute(
                "SELECT COUNT(*) FROM offers WHERE seller = ? AND status = 'INACTIVE'"
                " AND archived = 0", (seller,),
            ).fetchone()[0]
        limit = self.settings.draft_limit
        if self._draft_counts[seller] >= limit:
            raise _invalid(None, "You cannot create new drafts - your account has exceeded the "
                                 f"maximum number {limit} of drafts.")
        self._draft_counts[seller] += 1

    def _apply_body(self, offer: StoredOffer, body: Doc, now: datetime) -> None:
        """Validate the request's fields and write them into the offer document."""
        doc = offer.doc
        product = (self._product_set(doc, body["productSet"]) if "productSet" in body
                   else self._product_of(doc))
        if "category" in body or "productSet" in body:
            self._category(doc, body, product)
        if "name" in body:
            doc["name"] = _name(body["name"])
        if "parameters" in body:
            doc["parameters"] = self._parameters(doc, body["parameters"])
        if "images" in body:
            doc["images"] = _images(body["images"])
        if "description" in body:
            doc["description"] = _description(body["description"])
        _check_description_images(doc)
        if "sellingMode" in body:
            doc["sellingMode"] = _selling_mode(_merged(doc["sellingMode"], body["sellingMode"]))
        if "stock" in body:
            doc["stock"] = _stock(_merged(doc["stock"], body["stock"]))
        if "delivery" in body:
            doc["delivery"] = self._delivery(offer.seller, doc["delivery"], body["delivery"])
        if "location" in body:  # R17
            doc["location"] = _location(body["location"]) if _keeps_location(body) else None
        if "payments" in body:
            doc["payments"] = _payments(_merged(doc["payments"], body["payments"]))
        if "external" in body:
            doc["external"] = _external(body["external"])
        if "afterSalesServices" in body:
            chosen = self._after_sales_services(offer.seller, body["afterSalesServices"])
            doc["afterSalesServices"] = _merged(doc["afterSalesServices"], chosen)
        if "language" in body:  # `"language": null` is rejected (API_NOTES §11)
            doc["language"] = _string(body["language"], "language")
        if "publication" in body:
            _publication_fields(doc, body["publication"])
        if "images" in body or "description" in body:
            self.images.check(_image_urls(doc), now)
        doc["updatedAt"] = _iso(now)

    def _product_set(self, doc: Doc, items: Any) -> Doc:
        if not isinstance(items, list) or not items:
            raise _invalid("productSet", "productSet must contain at least one product.")
        products = []
        for i, item in enumerate(items):
            item = _object(item, f"productSet[{i}]")
            products.append(self._find_product(item.get("product"), f"productSet[{i}].product"))
        doc["productSet"] = [_offer_product(p, item)
                             for p, item in zip(products, items, strict=True)]
        return products[0]

    def _find_product(self, ref: Any, path: str) -> Doc:
        """A product by UUID, or by GTIN narrowed by the given parameters (R23)."""
        if not isinstance(ref, dict) or not ref.get("id"):
            raise _invalid(path, "Give the product id or GTIN; product proposals are not "
                                 "supported by the emulator.")
        key, id_type = str(ref["id"]), ref.get("idType")
        if id_type is None:
            found = [self._ref["product"][key]] if key in self._ref["product"] else []
        elif id_type in ("GTIN", "MPN"):
            found = list(self._by_ean.get(key, [])) if id_type == "GTIN" else []
        else:
            raise _invalid(f"{path}.idType", "idType must be GTIN or MPN.")
        if not found:
            raise ApiError(422, "ProductNotFoundException", f"Product {key} not found.", path,
                           metadata={"productId": key})
        if len(found) > 1 and ref.get("parameters"):
            found = [p for p in found if _product_matches(p, ref["parameters"])] or found
        if len(found) > 1:  # R23
            ids = ",".join(p["id"] for p in found)
            raise ApiError(
                422, "MultipleProductsFoundException",
                f"Found {len(found)} products for {id_type} {key}: {ids}.", path,
                user_message="More than one product matches; choose it by its id.",
                metadata={"foundProductsIds": ids},
            )
        return found[0]

    def _product_of(self, doc: Doc) -> Doc | None:
        products = doc.get("productSet") or []
        if not products:
            return None
        return self._ref["product"].get(products[0]["product"]["id"])

    def _category(self, doc: Doc, body: Doc, product: Doc | None) -> None:
        if "category" in body:
            category_id = _string(str((body["category"] or {}).get("id") or ""), "category.id")
            category = self._ref["category"].get(category_id)
            if category is None:
                raise ApiError(422, "CATEGORY_NOT_EXISTS", f"Category {category_id} does not "
                               "exist.", "category.id", metadata={"categoryId": category_id})
            if product is not None and product["category"]["id"] != category_id:
                existing = self._ref["category"][product["category"]["id"]]
                raise ApiError(
                    422, "CATEGORY_MISMATCH", "The offer category differs from the product's.",
                    "category.id", metadata={
                        "requestedCategoryName": category["name"],
                        "requestedCategoryId": category_id,
                        "existingCategoryName": existing["name"],
                        "existingCategoryId": existing["id"],
                        "existingProductId": product["id"],
                    },
                )
        elif product is not None:
            category_id = product["category"]["id"]
        else:
            return
        doc["category"] = {"id": category_id}

    def _parameters(self, doc: Doc, given: Any) -> list[Doc]:
        if not isinstance(given, list):
            raise _invalid("parameters", "parameters must be a list.")
        category_id = (doc.get("category") or {}).get("id")
        if category_id is None:
            raise _invalid("category.id", "Parameters need the offer's category.")
        definitions = self._ref["category"][category_id]["parameters"]
        out: list[Doc] = []
        for i, item in enumerate(given):
            path = f"parameters[{i}]"
            item = _object(item, path)
            definition = self._definition(definitions, category_id, item, path)
            if any(p["id"] == definition["id"] for p in out):
                raise _invalid(path, f"Parameter {definition['name']} is given more than once.")
            out.append(_parameter_value(definition, item, path))
        return out

    @staticmethod
    def _definition(definitions: list[Doc], category_id: str, item: Doc, path: str) -> Doc:
        if item.get("id") is not None:
            found = next((d for d in definitions if d["id"] == str(item["id"])), None)
            if found is None:
                raise ApiError(
                    422, "ParameterIdNotFoundException",
                    f"Parameter {item['id']} does not exist in category {category_id}.",
                    f"{path}.id",
                    metadata={"categoryId": category_id, "parameterId": str(item["id"])},
                )
            return found
        if item.get("name") is not None:
            found = next((d for d in definitions if d["name"] == item["name"]), None)
            if found is None:
                raise ApiError(
                    422, "ParameterNameNotFoundException",
                    f"Parameter '{item['name']}' does not exist in category {category_id}.",
                    f"{path}.name",
                    metadata={"categoryId": category_id, "parameterName": str(item["name"])},
                )
            return found
        raise _invalid(path, "A parameter needs its id or name.")

    def _delivery(self, seller: str, current: Doc, given: Any) -> Doc:
        if given is None:
            return dict(_blank_offer("", "")["delivery"])
        delivery = _merged(current, _object(given, "delivery"))
        if delivery.get("handlingTime") is not None:
            _string(delivery["handlingTime"], "delivery.handlingTime", allowed=HANDLING_TIMES)
        additional = delivery.get("additionalInfo")
        if additional is not None and (not isinstance(additional, str) or len(additional) > 650):
            raise _invalid("delivery.additionalInfo", "additionalInfo may have 650 characters.")
        if isinstance(given, dict) and given.get("shippingRates") is not None:
            delivery["shippingRates"] = self._table_reference(seller, given["shippingRates"])
        return dict(delivery)

    def _table_reference(self, seller: str, ref: Any) -> Doc:
        """`delivery.shippingRates` by id or by name -> `{"id", "name"}`."""
        ref = _object(ref, "delivery.shippingRates")
        if ref.get("id") is not None:
            table = self._table_row(str(ref["id"]))
            if table is None or table[0] != seller:
                raise ApiError(422, "ShippingRatesNotFoundException",
                               f"Shipping rates {ref['id']} not found.", "delivery.shippingRates",
                               metadata={"requestedName": ""})
            return {"id": str(ref["id"]), "name": table[1]}
        name = _string(ref.get("name"), "delivery.shippingRates.name")
        row = self._db.execute(
            "SELECT id FROM shipping_rates WHERE seller = ? AND name = ?", (seller, name)
        ).fetchone()
        if row is None:
            raise ApiError(422, "ShippingRatesNotFoundException",
                           f"Shipping rates '{name}' not found.", "delivery.shippingRates",
                           metadata={"defaultName": "", "requestedName": name})
        return {"id": row[0], "name": name}

    def _missing_required(self, doc: Doc) -> list[str]:
        category_id = (doc.get("category") or {}).get("id")
        if category_id is None:
            return []
        given = {p["id"] for p in doc.get("parameters") or []}
        for entry in doc.get("productSet") or []:
            given |= {p["id"] for p in entry["product"].get("parameters") or []}
        return [d["name"] for d in self._ref["category"][category_id]["parameters"]
                if d["required"] and d["id"] not in given]

    def _activation_problems(self, doc: Doc) -> list[Doc]:
        """Why an offer cannot be published (also its draft `validation.errors`)."""
        problems: list[tuple[str, str]] = []
        if not doc.get("name"):
            problems.append(("name", "The offer name is required."))
        if not doc.get("category"):
            problems.append(("category.id", "The offer category is required."))
        if not (doc.get("sellingMode") or {}).get("price"):
            problems.append(("sellingMode.price", "The offer price is required."))
        if not (doc.get("stock") or {}).get("available"):
            problems.append(("stock.available",
                             "Offer can be activated only with stock being greater than 0."))
        if not (doc.get("delivery") or {}).get("shippingRates"):
            problems.append(("delivery.shippingRates", "Shipping rates are required."))
        problems += [("parameters", f"Parameter '{name}' is required.")
                     for name in self._missing_required(doc)]
        return [error_entry("VALIDATION_ERROR", message, path) for path, message in problems]

    def _revalidate(self, offer: StoredOffer, at: datetime) -> None:
        errors = [] if offer.status in LIVE else self._activation_problems(offer.doc)
        offer.doc["validation"] = {"errors": errors, "warnings": [], "validatedAt": _iso(at)}

    def _activate(self, offer: StoredOffer, now: datetime) -> str:
        """Start publishing: ACTIVATING now, ACTIVE once the processing delay has passed."""
        problems = self._activation_problems(offer.doc)
        if problems:
            raise ApiError.of(422, problems)
        settle = now + self._delay()
        starting = offer.doc["publication"].get("startingAt")
        if starting and offer.status == "INACTIVE":
            settle = max(settle, _parse_time(starting, "publication.startingAt"))
        self._begin_activation(offer, settle)
        return self._start_operation(offer, now)

    def _change_publication(self, offer: StoredOffer, requested: str | None, now: datetime
                            ) -> str | None:
        """PATCH `publication.status`: ACTIVE/ENDED are 202 operations; INACTIVE is a no-op."""
        if requested == "ACTIVE" and offer.status not in LIVE:
            return self._activate(offer, now)
        if requested == "ENDED" and offer.status == "INACTIVE":
            raise _invalid("publication.status", "A draft offer cannot be ended.")
        if requested == "ENDED" and offer.status in LIVE:
            offer.target, offer.settle_at = "ENDED", _iso(now + self._delay())
            return self._start_operation(offer, now)
        return None  # INACTIVE on an activated offer is accepted and changes nothing

    def _begin_activation(self, offer: StoredOffer, settle: datetime) -> None:
        if offer.status == "INACTIVE":
            self._draft_counts.pop(offer.seller, None)
        offer.status, offer.ever_activated = "ACTIVATING", True
        offer.target, offer.settle_at = "ACTIVE", _iso(settle)
        offer.doc["publication"]["endedBy"] = None

    def _end(self, offer: StoredOffer, at: datetime, by: str) -> None:
        offer.status, offer.target, offer.settle_at = "ENDED", None, None
        offer.doc["publication"]["endedBy"] = by
        offer.doc["_listing"]["endedAt"] = _iso(at)

    def _start_operation(self, offer: StoredOffer, now: datetime) -> str:
        operation_id = str(uuid.uuid4())
        self._db.execute(
            "INSERT INTO operations (id, offer_id, seller, started_at, done_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (operation_id, offer.id, offer.seller, _iso(now), _iso(now + self._delay())),
        )
        return operation_id

    def _running_operation(self, offer_id: str, now: datetime) -> bool:
        return self._db.execute(
            "SELECT 1 FROM operations WHERE offer_id = ? AND done_at > ? LIMIT 1",
            (offer_id, _iso(now)),
        ).fetchone() is not None

    # ----------------------------------------------------------------- shipping rates

    def _table_row(self, table_id: str) -> tuple[str, str, Doc] | None:
        row = self._db.execute(
            "SELECT seller, name, doc FROM shipping_rates WHERE id = ?", (table_id,)
        ).fetchone()
        return None if row is None else (row[0], row[1], json.loads(row[2]))

    def _owned_table(self, seller: str, table_id: str) -> Doc:
        row = self._table_row(table_id)
        if row is None:
            raise _not_found("Shipping rates set with given ID not found")
        if row[0] != seller:
            raise _forbidden("You can only access your own shipping rates.")
        return row[2]

    def _marketplaces(self, table: Doc) -> list[Doc]:
        ids: dict[str, None] = {}
        for rate in table["rates"]:
            method = self._ref["delivery_method"][rate["deliveryMethod"]["id"]]
            ids.update(dict.fromkeys(method["marketplaces"]))
        return [{"id": i} for i in ids]

    def list_shipping_rates(self, seller: str, marketplace: str | None = None) -> Doc:
        with self._session():
            rows = self._db.execute(
                "SELECT doc FROM shipping_rates WHERE seller = ? ORDER BY seq", (seller,)
            ).fetchall()
            out = []
            for row in rows:
                table = json.loads(row[0])
                markets = self._marketplaces(table)
                if marketplace is None or {"id": marketplace} in markets:
                    out.append({"id": table["id"], "name": table["name"],
                                "features": {"managedByAllegro": False, "isFulfillment": False},
                                "marketplaces": markets})
            return {"shippingRates": out}

    def get_shipping_rates(self, seller: str, table_id: str) -> Doc:
        with self._session():
            table = self._owned_table(seller, table_id)
            return {**table, "features": {"managedByAllegro": False, "isFulfillment": False}}

    def create_shipping_rates(self, seller: str, body: Any) -> Doc:
        """`POST /sale/shipping-rates`; at most 250 tables per account, never deleted (R4)."""
        with self._session() as now:
            table = self._checked_table(seller, _object(body, ""), None)
            count = self._db.execute(
                "SELECT COUNT(*) FROM shipping_rates WHERE seller = ?", (seller,)
            ).fetchone()[0]
            limit = self.settings.shipping_rates_limit
            if count >= limit:  # R4
                raise ApiError(422, "VALIDATION_ERROR",
                               "The user has reached the limit of shipping rates sets",
                               metadata={"limit": str(limit)})
            table = {"id": str(uuid.uuid4()), **table, "lastModified": _iso(now)}
            self._db.execute(
                "INSERT INTO shipping_rates (id, seller, name, doc) VALUES (?, ?, ?, ?)",
                (table["id"], seller, table["name"], json.dumps(table)),
            )
            return table

    def update_shipping_rates(self, seller: str, table_id: str, body: Any) -> Doc:
        with self._session() as now:
            self._owned_table(seller, table_id)
            body = _object(body, "")
            if body.get("id") is None:
                raise _invalid("id", "The shipping rates set id is required when updating.")
            if body["id"] != table_id:
                raise _invalid("id", "The id in the body differs from the id in the path.")
            table = {"id": table_id, **self._checked_table(seller, body, table_id),
                     "lastModified": _iso(now)}
            self._db.execute(
                "UPDATE shipping_rates SET name = ?, doc = ? WHERE id = ?",
                (table["name"], json.dumps(table), table_id),
            )
            return table

    def _checked_table(self, seller: str, body: Doc, table_id: str | None) -> Doc:
        name = _table_name(body.get("name"))
        clash = self._db.execute(
            "SELECT id FROM shipping_rates WHERE seller = ? AND name = ?", (seller, name)
        ).fetchone()
        if clash is not None and clash[0] != table_id:
            raise _invalid("name", f"A shipping rates set named '{name}' already exists.")
        rates = body.get("rates")
        if not isinstance(rates, list) or not rates:
            raise _invalid("rates", "rates must list at least one delivery method.")
        methods = self._ref["delivery_method"]
        out: list[Doc] = []
        for i, rate in enumerate(rates):
            method_id = (_object(rate, f"rates[{i}]").get("deliveryMethod") or {}).get("id")
            checked = _rate(rate, methods.get(str(method_id)), f"rates[{i}]")
            if any(r["deliveryMethod"] == checked["deliveryMethod"] for r in out):
                raise _invalid(f"rates[{i}].deliveryMethod.id",
                               "A delivery method may appear only once in a set.")
            out.append(checked)
        return {"name": name, "rates": out}

    # ----------------------------------------------------------------- batch commands

    def put_command(self, seller: str, kind: str, command_id: str, body: Any) -> Doc:
        """Register a command; tasks are NEW and settle after the processing delay (R15, R16)."""
        with self._session() as now:
            _command_id(command_id)
            used = self._db.execute(
                "SELECT 1 FROM commands WHERE kind = ? AND id = ?", (kind, command_id)
            ).fetchone()
            if used:
                raise ApiError(409, "CONFLICT", "Command id was already used")
            body = _object(body, "")
            offer_ids = _criteria_offers(body.get("offerCriteria"))
            payload = _COMMAND_VALIDATORS[kind](body, now)
            self.limiter.offer_changes(seller, kind, len(offer_ids))
            due = _iso(now + self._delay())
            self._db.execute(
                "INSERT INTO commands (kind, id, seller, created_at, due_at, payload)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (kind, command_id, seller, _iso(now), due, json.dumps(payload)),
            )
            field = payload.get("_field") or _TASK_FIELDS.get(kind)
            self._db.executemany(
                "INSERT INTO tasks (kind, command_id, idx, offer_id, status, due_at, doc)"
                " VALUES (?, ?, ?, ?, 'NEW', ?, ?)",
                [(kind, command_id, i, offer_id, due, json.dumps(
                    self._task(offer_id, "NEW", field, "", [])))
                 for i, offer_id in enumerate(offer_ids)],
            )
            # R15: the answer has zero counts; results come from .../tasks.
            return {"id": command_id, "createdAt": _iso(now), "completedAt": None,
                    "taskCount": {"total": 0, "success": 0, "failed": 0}}

    @staticmethod
    def _task(offer_id: str, status: str, field: str | None, message: str, errors: list[Doc]
              ) -> Doc:
        task: Doc = {"offer": {"id": offer_id}, "status": status}
        if field:
            task["field"] = field
        task.update({"message": message, "errors": errors})
        return task

    def _command(self, seller: str, kind: str, command_id: str) -> tuple[str, str]:
        row = self._db.execute(
            "SELECT seller, created_at, due_at FROM commands WHERE kind = ? AND id = ?",
            (kind, command_id),
        ).fetchone()
        if row is None or row[0] != seller:
            raise _not_found("Command not found")
        return row[1], row[2]

    def command_report(self, seller: str, kind: str, command_id: str) -> Doc:
        """`GeneralReport`: counts so far; `completedAt` once no task is NEW."""
        with self._session():
            created, due = self._command(seller, kind, command_id)
            counts = dict(self._db.execute(
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

    def command_tasks(self, seller: str, kind: str, command_id: str, limit: int = 100,
                      offset: int = 0) -> Doc:
        with self._session():
            self._command(seller, kind, command_id)
            if not 1 <= limit <= 1000:
                raise _invalid("limit", "limit must be between 1 and 1000.")
            if not 0 <= offset <= 999:
                raise _invalid("offset", "offset must be between 0 and 999.")
            rows = self._db.execute(
                "SELECT doc FROM tasks WHERE kind = ? AND command_id = ? ORDER BY idx"
                " LIMIT ? OFFSET ?", (kind, command_id, limit, offset),
            ).fetchall()
            return {"tasks": [json.loads(row[0]) for row in rows]}

    # ----------------------------------------------------------------- settling due work

    def _tick(self, now: datetime) -> None:
        self._process_tasks(now)
        self._settle_offers(now)
        self._housekeeping(now)

    def _process_tasks(self, now: datetime) -> None:
        rows = self._db.execute(
            "SELECT rowid, kind, command_id, offer_id, due_at FROM tasks"
            " WHERE status = 'NEW' AND due_at <= ? ORDER BY due_at, rowid",
            (_iso(now),),
        ).fetchall()
        commands: dict[tuple[str, str], tuple[str, Doc]] = {}
        for rowid, kind, command_id, offer_id, due in rows:
            if (kind, command_id) not in commands:
                seller, payload = self._db.execute(
                    "SELECT seller, payload FROM commands WHERE kind = ? AND id = ?",
                    (kind, command_id),
                ).fetchone()
                commands[kind, command_id] = (seller, json.loads(payload))
            seller, payload = commands[kind, command_id]
            task = self._run_task(kind, seller, payload, offer_id, _parse_time(due, ""))
            self._db.execute("UPDATE tasks SET status = ?, doc = ? WHERE rowid = ?",
                             (task["status"], json.dumps(task), rowid))

    def _run_task(self, kind: str, seller: str, payload: Doc, offer_id: str, at: datetime
                  ) -> Doc:
        field = payload.get("_field") or _TASK_FIELDS.get(kind)
        offer = self._load_offer(offer_id)
        try:
            if offer is None or offer.seller != seller:
                raise _not_found_task(offer_id)
            self._apply_task(kind, offer, payload, at)
        except _TaskFailure as failure:
            return self._task(offer_id, "FAIL", field, failure.message, failure.errors)
        offer.doc["updatedAt"] = _iso(at)
        self._revalidate(offer, at)
        self._save_offer(offer, at)
        return self._task(offer_id, "SUCCESS", field, "", [])

    def _apply_task(self, kind: str, offer: StoredOffer, payload: Doc, at: datetime) -> None:
        if kind == "offer-publication-commands":
            self._task_publication(offer, payload, at)
        elif kind == "offer-price-change-commands":
            self._task_price(offer, payload)
        elif kind == "offer-quantity-change-commands":
            self._task_quantity(offer, payload, at)
        else:
            self._task_modification(offer, payload)

    def _task_publication(self, offer: StoredOffer, payload: Doc, at: datetime) -> None:
        if payload["action"] == "END":
            if offer.status == "INACTIVE":
                raise _TaskFailure("The offer cannot be ended because it was never activated.")
            if offer.status in LIVE:
                self._end(offer, at, "USER")
            return
        if offer.status in LIVE:
            return
        problems = self._activation_problems(offer.doc)
        if problems:
            raise _TaskFailure("The offer cannot be activated.", *problems)
        settle = at + self._delay()
        if payload["scheduledFor"]:
            settle = max(settle, _parse_time(payload["scheduledFor"], ""))
            offer.doc["publication"]["startingAt"] = payload["scheduledFor"]
        self._begin_activation(offer, settle)

    @staticmethod
    def _task_price(offer: StoredOffer, payload: Doc) -> None:
        price = (offer.doc.get("sellingMode") or {}).get("price")
        if payload["marketplaceId"] not in (None, MARKETPLACE):
            raise _TaskFailure(f"The offer is not listed on {payload['marketplaceId']}.")
        if not price:
            raise _TaskFailure("The offer has no price to change.")
        amount, kind = Decimal(price["amount"]), payload["type"]
        if "money" in payload and payload["money"]["currency"] != price["currency"]:
            raise _TaskFailure(f"The offer's price is in {price['currency']}.")
        if kind == "FIXED_PRICE":
            amount = Decimal(payload["money"]["amount"])
        elif kind.endswith("_PRICE"):
            change = Decimal(payload["money"]["amount"])
            amount += change if kind.startswith("INCREASE") else -change
        else:
            factor = Decimal(payload["percentage"]) / 100
            amount *= (1 + factor) if kind.startswith("INCREASE") else (1 - factor)
        amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
        if amount <= 0:
            raise _TaskFailure("The new price must be greater than 0.")
        offer.doc["sellingMode"]["price"] = {"amount": str(amount), "currency": price["currency"]}

    def _task_quantity(self, offer: StoredOffer, payload: Doc, at: datetime) -> None:
        stock = offer.doc.get("stock") or {"available": 0, "unit": "UNIT"}
        value = payload["value"]
        available = value if payload["changeType"] == "FIXED" else stock["available"] + value
        if available < 0:
            raise _TaskFailure("The stock cannot be lower than 0.")
        offer.doc["stock"] = {**stock, "available": available}
        if available == 0 and offer.status in LIVE:
            self._end(offer, at, "EMPTY_STOCK")

    def _task_modification(self, offer: StoredOffer, payload: Doc) -> None:
        delivery = dict(payload.get("delivery") or {})
        if "shippingRates" in delivery:
            table_id = delivery["shippingRates"]["id"]
            table = self._table_row(table_id)
            if table is None or table[0] != offer.seller:
                raise _TaskFailure(
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

    def _settle_offers(self, now: datetime) -> None:
        """ACTIVATING -> ACTIVE and pending ends, once their time has come."""
        rows = self._db.execute(
            "SELECT id FROM offers WHERE settle_at IS NOT NULL AND settle_at <= ?", (_iso(now),)
        ).fetchall()
        for (offer_id,) in rows:
            offer = self._load_offer(offer_id)
            if offer is None or offer.settle_at is None:
                continue
            at = _parse_time(offer.settle_at, "")
            if offer.target == "ENDED":
                self._end(offer, at, "USER")
            else:
                offer.status, offer.target, offer.settle_at = "ACTIVE", None, None
                offer.doc["_listing"]["startedAt"] = _iso(at)
                offer.doc["publication"]["startingAt"] = (
                    offer.doc["publication"].get("startingAt") or _iso(at)
                )
            self._revalidate(offer, at)
            self._save_offer(offer, at)

    def _housekeeping(self, now: datetime) -> None:
        """R20: drafts untouched for 60 days are deleted; offers ended 60 days ago archived."""
        last = self._last_housekeeping
        if last is not None and now - last < HOUSEKEEPING_EVERY:
            return
        self._last_housekeeping = now
        self._draft_counts.clear()
        cutoff = _iso(now - ARCHIVE_AFTER)
        self._db.execute(
            "DELETE FROM offers WHERE status = 'INACTIVE' AND json_extract(doc, '$.updatedAt') < ?",
            (cutoff,),
        )
        archived = self._db.execute(
            "UPDATE offers SET archived = 1 WHERE status = 'ENDED' AND archived = 0"
            " AND json_extract(doc, '$._listing.endedAt') < ? RETURNING seller, doc",
            (cutoff,),
        ).fetchall()
        for seller, doc in archived:
            self.events.record(seller, [events.archived(json.loads(doc))], now)
        self.events.prune(now)
