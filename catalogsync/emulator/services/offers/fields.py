"""The fields of a product-offer body, checked and normalised one by one (API_NOTES §2).

Each function takes the value as sent and returns what the offer document keeps, or raises
Allegro's 422 naming the field; nothing here reads the store.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from catalogsync.catalog import limits as L
from catalogsync.catalog.description_html import html_problem
from catalogsync.emulator.core import checks
from catalogsync.emulator.core.errors import ApiError, Doc, invalid, iso, parse_time
from catalogsync.emulator.services.images import copied

HANDLING_TIMES = (
    "PT0S", "PT24H", "P2D", "P3D", "P4D", "P5D", "P7D", "P10D", "P14D", "P21D", "P30D", "P60D",
)
PROVINCES = (
    "DOLNOSLASKIE", "KUJAWSKO_POMORSKIE", "LUBELSKIE", "LUBUSKIE", "LODZKIE", "MALOPOLSKIE",
    "MAZOWIECKIE", "OPOLSKIE", "PODKARPACKIE", "PODLASKIE", "POMORSKIE", "SLASKIE",
    "SWIETOKRZYSKIE", "WARMINSKO_MAZURSKIE", "WIELKOPOLSKIE", "ZACHODNIOPOMORSKIE",
)
INVOICES = ("VAT", "VAT_MARGIN", "WITHOUT_VAT", "NO_INVOICE")
STOCK_UNITS = ("UNIT", "PAIR", "SET")
SELLING_FORMATS = ("BUY_NOW", "AUCTION", "ADVERTISEMENT")
READ_ONLY_FIELDS = ("id", "createdAt", "updatedAt", "validatedAt")  # R12


def offer_id(value: str) -> str:
    if not value.isdigit():
        raise invalid(None, f"Invalid offer id format: {value}", status=400)
    return value


def check_html(content: str, path: str) -> None:
    """Allegro's description HTML subset (catalog/description_html.py, shared with validate)."""
    problem = html_problem(content)
    if problem:
        error = ApiError(422, "VALIDATION_ERROR", problem.message, path)
        error.errors[0]["details"] = f"Invalid value: {content[:200]}"
        raise error


# --------------------------------------------------------------------------- offer fields


def description(value: Any) -> Doc | None:
    if value is None:
        return None
    sections = checks.json_object(value, "description").get("sections")
    if not isinstance(sections, list):
        raise invalid("description.sections", "description.sections must be a list.")
    out = []
    for i, section in enumerate(sections):
        items = checks.json_object(section, f"description.sections[{i}]").get("items")
        if not isinstance(items, list) or not (
            L.SECTION_MIN_ITEMS <= len(items) <= L.SECTION_MAX_ITEMS
        ):
            raise invalid(
                f"description.sections[{i}].items", "A section must have one or two items."
            )
        out.append({"items": [item(it, f"description.sections[{i}].items[{j}]")
                              for j, it in enumerate(items)]})
    if L.description_bytes([s["items"] for s in out]) > L.DESCRIPTION_MAX_BYTES:
        raise invalid("description",
                      f"The description may have at most {L.DESCRIPTION_MAX_BYTES} bytes.")
    return {"sections": out}


def item(value: Any, path: str) -> Doc:
    item = checks.json_object(value, path)
    kind = checks.text(item.get("type"), f"{path}.type", allowed=("TEXT", "IMAGE"))
    if kind == "IMAGE":
        return {"type": "IMAGE", "url": copied(checks.text(item.get("url"), f"{path}.url"))}
    content = checks.text(item.get("content"), f"{path}.content")
    check_html(content, f"{path}.content")
    return {"type": "TEXT", "content": content}


def images(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise invalid("images", "images must be a list of image URLs.")
    if len(value) > L.GALLERY_MAX_IMAGES:
        limit = L.GALLERY_MAX_IMAGES
        raise ApiError(422, "GallerySizeException", f"An offer may have at most {limit} images.",
                       "images", metadata={"gallerySizeLimit": str(limit)})
    for i, url in enumerate(value):
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise invalid(f"images[{i}]", "Image URL must be an http(s) address with a domain.")
    return [copied(url) for url in value]


def image_urls(doc: Doc) -> list[tuple[str, str]]:
    """(path, url) of every image an offer uses: its gallery and its description's."""
    urls = [(f"images[{i}]", url) for i, url in enumerate(doc.get("images") or [])]
    for i, section in enumerate((doc.get("description") or {}).get("sections") or []):
        urls += [(f"description.sections[{i}].items[{j}].url", item["url"])
                 for j, item in enumerate(section["items"]) if item["type"] == "IMAGE"]
    return urls


def check_description_images(doc: Doc) -> None:
    """R18: every image used in the description must also be listed in `images`."""
    listed = set(doc.get("images") or [])
    for i, section in enumerate((doc.get("description") or {}).get("sections") or []):
        for j, item in enumerate(section["items"]):
            if item["type"] == "IMAGE" and item["url"] not in listed:
                raise ApiError(
                    422, "VALIDATION_ERROR", "Description images are not valid.",
                    f"description.sections[{i}].items[{j}].url",
                )


def name(value: Any) -> str:
    low, high = L.OFFER_NAME_MIN_CHARS, L.OFFER_NAME_MAX_CHARS
    if not isinstance(value, str) or not low <= len(value) <= high:
        raise invalid("name", f"The offer name must have between {low} and {high} characters.")
    if L.name_words(value) < L.OFFER_NAME_MIN_WORDS:
        raise invalid("name", f"The offer name must consist of at least {L.OFFER_NAME_MIN_WORDS} "
                              "words.")
    return value


def selling_mode(value: Any) -> Doc | None:
    if value is None:
        return None
    given = checks.json_object(value, "sellingMode")
    selling_format = checks.text(given.get("format") or "BUY_NOW", "sellingMode.format",
                                 allowed=SELLING_FORMATS)
    mode = {"format": selling_format, **{k: v for k, v in given.items() if k != "format"}}
    for key in ("price", "minimalPrice", "startingPrice"):
        if mode.get(key) is not None:
            mode[key] = checks.money(mode[key], f"sellingMode.{key}")
            if mode[key]["currency"] != "PLN":
                raise invalid(f"sellingMode.{key}.currency", "allegro-pl sells in PLN.")
    return mode


def stock(value: Any) -> Doc:
    stock = checks.json_object(value, "stock")
    return {
        "available": checks.integer(stock.get("available"), "stock.available", minimum=0,
                                    maximum=L.INT32_MAX),
        "unit": checks.text(stock.get("unit") or "UNIT", "stock.unit", allowed=STOCK_UNITS),
    }


def location(value: Any, path: str = "location") -> Doc | None:
    if value is None:
        return None
    location = checks.json_object(value, path)
    country = checks.text(location.get("countryCode"), f"{path}.countryCode")
    if len(country) != 2:
        raise invalid(f"{path}.countryCode", "countryCode must be an ISO 3166 2-letter code.")
    province = location.get("province")
    post_code = location.get("postCode")
    if country == "PL":
        checks.text(province, f"{path}.province", allowed=PROVINCES)
        if not (isinstance(post_code, str) and len(post_code) == 6 and post_code[2] == "-"
                and (post_code[:2] + post_code[3:]).isdigit()):
            raise invalid(f"{path}.postCode", "A Polish post code looks like XX-XXX.")
    city = location.get("city")
    if city is not None and (not isinstance(city, str) or len(city) > L.CITY_MAX_CHARS):
        raise invalid(f"{path}.city",
                      f"city must be a string of at most {L.CITY_MAX_CHARS} characters.")
    return {"countryCode": country, "province": province, "city": city, "postCode": post_code}


def keeps_location(body: Doc) -> bool:
    """R17: `location` is kept only with `delivery.shippingRates` and `sellingMode` alongside."""
    delivery = body.get("delivery")
    return (
        isinstance(delivery, dict)
        and delivery.get("shippingRates") is not None
        and body.get("sellingMode") is not None
    )


def payments(value: Any) -> Doc | None:
    if value is None:
        return None
    payments = dict(checks.json_object(value, "payments"))
    if payments.get("invoice") is not None:
        checks.text(payments["invoice"], "payments.invoice", allowed=INVOICES)
    return payments


def external(value: Any) -> Doc | None:
    if value is None:
        return None
    external_id = checks.json_object(value, "external").get("id")
    if not isinstance(external_id, str) or not external_id.strip():
        raise invalid("external.id", "Offer external identifier may not be blank")
    if len(external_id) > L.EXTERNAL_ID_MAX_CHARS:
        raise invalid("external.id", "Offer external identifier may have at most "
                                     f"{L.EXTERNAL_ID_MAX_CHARS} characters.")
    return {"id": external_id}


def publication_fields(doc: Doc, value: Any) -> None:
    publication = checks.json_object(value, "publication")
    for key in ("duration", "republish"):
        if key in publication:
            doc["publication"][key] = publication[key]
    if publication.get("startingAt") is not None:
        starting = parse_time(publication["startingAt"], "publication.startingAt")
        doc["publication"]["startingAt"] = iso(starting)


def requested_status(body: Doc, allowed: tuple[str, ...]) -> str | None:
    publication = body.get("publication")
    if not isinstance(publication, dict) or publication.get("status") is None:
        return None
    return checks.text(publication["status"], "publication.status", allowed=allowed)


def reject_read_only(body: Doc) -> None:
    for key in READ_ONLY_FIELDS:  # R12
        if key in body:
            raise invalid(key, f"The field '{key}' is read-only and cannot be sent.")
