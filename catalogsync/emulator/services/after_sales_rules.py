"""The request bodies of `/after-sales-service-conditions/*` checked as Allegro documents them,
and turned into what Allegro keeps and answers.

Documented ([SL] schemas ReturnPolicyRequestV1, ImpliedWarrantyRequest, WarrantyRequest):
names at most 200 characters; a return policy's `availability.range` FULL, RESTRICTED or
DISABLED, with a `restrictionCause` required for RESTRICTED and DISABLED and empty for FULL;
`withdrawalPeriod` in full days; its address's field lengths and post-code format per
country; `options` in full ([I#5112]: "sending the full options structure is mandatory");
ALCOHOL, FULLY_IMPLEMENTED_SERVICE and BOOKED_SERVICE no longer accepted ([I#5112]);
`isFulfillment` cannot be changed (the update body has no such field); an implied warranty's
periods in full years; descriptions at most 10 240 characters; a warranty's type MANUFACTURER
or SELLER.

Inferred (the docs are silent): the withdrawal period is at least 14 days (the EU consumer
right); FULL and RESTRICTED policies need a period, return cost, address and options, and a
DISABLED one answers them as null; an implied warranty needs the consumer (`individual`)
period and an address; a warranty period is either a period or `lifetime: true`, and a
warranty needs the consumer one.
"""

from __future__ import annotations

import re
from typing import Any

from catalogsync.catalog import limits as L
from catalogsync.emulator.core import checks
from catalogsync.emulator.core.errors import Doc, invalid

RANGES = ("FULL", "RESTRICTED", "DISABLED")
CAUSES = (
    "SEALED_MEDIA", "SEALED_ITEM_NO_RETURN_DUE_HEALTH_OR_HYGIENE", "CUSTOM_ITEM",
    "SHORT_SHELF_LIFE", "INSEPARABLY_LINKED", "PRESS", "MEDICINAL_PRODUCT",
    "NOT_RECORDED_DIGITAL_CONTENT", "VALUE_DEPENDENT_ON_FINANCIAL_MARKET",
)
RETIRED_CAUSES = ("ALCOHOL", "FULLY_IMPLEMENTED_SERVICE", "BOOKED_SERVICE")
COVERED_BY = ("SELLER", "BUYER")
OPTIONS = ("cashOnDeliveryNotAllowed", "freeAccessoriesReturnRequired",
           "refundLoweredByReceivedDiscount", "businessReturnAllowed", "collectBySellerOnly")
WARRANTY_TYPES = ("MANUFACTURER", "SELLER")
NAME_MAX = L.AFTER_SALES_NAME_MAX_CHARS
DESCRIPTION_MAX = L.AFTER_SALES_DESCRIPTION_MAX_CHARS
MIN_WITHDRAWAL_DAYS = L.WITHDRAWAL_MIN_DAYS
_POST_CODES = {"PL": r"\d{2}-\d{3}", "CZ": r"\d{3} \d{2}", "SK": r"\d{3} \d{2}"}


def _text(value: Any, path: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid(path, f"{path} is required.")
    if len(value) > limit:
        raise invalid(path, f"{path} may have at most {limit} characters.")
    return value


def _optional_text(value: Any, path: str, limit: int) -> str | None:
    return None if value is None else _text(value, path, limit)


def _flag(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise invalid(path, f"{path} must be true or false.")
    return value


def _country(value: Any, path: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{2}", value):
        raise invalid(path, f"{path} must be an ISO 3166 country code.")
    return value


def return_address(value: Any, path: str) -> Doc:
    """A return address, its lengths and post code as the spec gives them per country."""
    given = checks.json_object(value, path)
    country = _country(given.get("countryCode"), f"{path}.countryCode")
    short = country in ("PL", "CZ", "SK")
    post_code = given.get("postCode")
    pattern = _POST_CODES.get(country, r"[A-Za-z0-9 -]{1,16}")
    if not isinstance(post_code, str) or not re.fullmatch(pattern, post_code):
        raise invalid(f"{path}.postCode", f"{path}.postCode has a wrong format for {country}.")
    return {
        "name": _text(given.get("name"), f"{path}.name", 50 if country in ("CZ", "SK") else 200),
        "street": _text(given.get("street"), f"{path}.street", 35 if short else 200),
        "postCode": post_code,
        "city": _text(given.get("city"), f"{path}.city", 30 if short else 200),
        "countryCode": country,
    }


def plain_address(value: Any, path: str) -> Doc:
    """An `AfterSalesServicesAddress` (implied warranties)."""
    given = checks.json_object(value, path)
    return {
        "name": _text(given.get("name"), f"{path}.name", 200),
        "street": _text(given.get("street"), f"{path}.street", 200),
        "postCode": _text(given.get("postCode"), f"{path}.postCode", 16),
        "city": _text(given.get("city"), f"{path}.city", 200),
        "countryCode": _country(given.get("countryCode"), f"{path}.countryCode"),
    }


def return_policy(body: Any, *, create: bool) -> Doc:
    """A return policy's request body checked; what Allegro keeps (without id and seller)."""
    body = checks.json_object(body, "")
    out: Doc = {"name": _text(body.get("name"), "name", NAME_MAX)}
    if create:
        out["isFulfillment"] = _flag(body.get("isFulfillment"), "isFulfillment")
    availability = checks.json_object(body.get("availability"), "availability")
    range_ = checks.text(availability.get("range"), "availability.range", allowed=RANGES)
    cause = availability.get("restrictionCause")
    cause_name = cause.get("name") if isinstance(cause, dict) else None
    if range_ == "FULL":
        if cause_name:
            raise invalid("availability.restrictionCause", "restrictionCause must be empty "
                          "when availability.range is FULL.")
        out["availability"] = {"range": range_}
    else:
        if cause_name in RETIRED_CAUSES:
            raise invalid("availability.restrictionCause.name",
                          f"{cause_name} can no longer be used.")
        checks.text(cause_name, "availability.restrictionCause.name", allowed=CAUSES)
        out["availability"] = {"range": range_, "restrictionCause": {"name": cause_name}}
    if range_ == "DISABLED":
        return {**out, "withdrawalPeriod": None, "returnCost": None, "address": None,
                "contact": _contact(body.get("contact")), "options": None}
    period = body.get("withdrawalPeriod")
    days = re.fullmatch(r"P(\d+)D", period) if isinstance(period, str) else None
    if days is None:
        raise invalid("withdrawalPeriod", "withdrawalPeriod must be a period in full days, "
                      "e.g. P14D.")
    if int(days[1]) < MIN_WITHDRAWAL_DAYS:
        raise invalid("withdrawalPeriod", "withdrawalPeriod must be at least 14 days.")
    cost = checks.json_object(body.get("returnCost"), "returnCost")
    options = checks.json_object(body.get("options"), "options")
    return {
        **out,
        "withdrawalPeriod": period,
        "returnCost": {"coveredBy": checks.text(cost.get("coveredBy"), "returnCost.coveredBy",
                                                allowed=COVERED_BY)},
        "address": return_address(body.get("address"), "address"),
        "contact": _contact(body.get("contact")),
        "options": {key: _flag(options.get(key), f"options.{key}") for key in OPTIONS},
    }


def _contact(value: Any) -> Doc | None:
    if value is None:
        return None
    given = checks.json_object(value, "contact")
    email = _optional_text(given.get("email"), "contact.email", 200)
    if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise invalid("contact.email", "contact.email is not a valid e-mail address.")
    phone = _optional_text(given.get("phoneNumber"), "contact.phoneNumber", 30)
    return {"phoneNumber": phone, "email": email}


def _years(value: Any, path: str, required: bool) -> Doc | None:
    if value is None and not required:
        return None
    given = checks.json_object(value, path)
    period = given.get("period")
    if not isinstance(period, str) or not re.fullmatch(r"P[1-9]\d*Y", period):
        raise invalid(f"{path}.period", f"{path}.period must be a period in full years, "
                      "e.g. P2Y.")
    return {"period": period}


def _set(doc: Doc) -> Doc:
    """The spec types these answers' fields as non-nullable: unset ones are left out."""
    return {key: value for key, value in doc.items() if value is not None}


def implied_warranty(body: Any) -> Doc:
    body = checks.json_object(body, "")
    return _set({
        "name": _text(body.get("name"), "name", NAME_MAX),
        "individual": _years(body.get("individual"), "individual", True),
        "corporate": _years(body.get("corporate"), "corporate", False),
        "address": plain_address(body.get("address"), "address"),
        "description": _optional_text(body.get("description"), "description",
                                      DESCRIPTION_MAX),
    })


def _warranty_period(value: Any, path: str, required: bool) -> Doc | None:
    if value is None and not required:
        return None
    given = checks.json_object(value, path)
    lifetime = given.get("lifetime", False)
    _flag(lifetime, f"{path}.lifetime")
    period = given.get("period")
    if lifetime:
        if period is not None:
            raise invalid(f"{path}.period", f"{path}.period must be empty for a lifetime "
                          "warranty.")
        return {"lifetime": True}
    if not isinstance(period, str) or not re.fullmatch(r"P(?=\d)(\d+Y)?(\d+M)?(\d+D)?", period):
        raise invalid(f"{path}.period", f"{path}.period must be an ISO 8601 period, e.g. "
                      "P12M, or lifetime true.")
    return {"period": period, "lifetime": False}


def warranty(body: Any) -> Doc:
    body = checks.json_object(body, "")
    return _set({
        "name": _text(body.get("name"), "name", NAME_MAX),
        "type": checks.text(body.get("type"), "type", allowed=WARRANTY_TYPES),
        "individual": _warranty_period(body.get("individual"), "individual", True),
        "corporate": _warranty_period(body.get("corporate"), "corporate", False),
        "attachment": body.get("attachment"),
        "description": _optional_text(body.get("description"), "description",
                                      DESCRIPTION_MAX),
    })
