"""After-sales conditions' JSON shapes <-> canonical data. Pure: no I/O.

Canonical data is the catalog's entry as `catalog/after_sales.py` models it, without its name
and `moved_from`, with defaults filled in (a FULL or RESTRICTED policy's options all present),
so that the catalog's entry and Allegro's answer compare as equal dicts:
    return_policy: availability, restriction, withdrawal_period, return_cost, address
        {name, street, post_code, city, country_code}, contact {email, phone}, options
        {cash_on_delivery_not_allowed …}, fulfillment
    implied_warranty: individual, corporate ("P2Y"), address, description
    warranty: type, individual, corporate ("P24M" or "lifetime"), description
"""

from __future__ import annotations

from typing import Any

from catalogsync.catalog.after_sales import (
    LIFETIME,
    ImpliedWarranty,
    ReturnOptions,
    ReturnPolicy,
    Warranty,
)

Data = dict[str, Any]
Condition = ReturnPolicy | ImpliedWarranty | Warranty
ROOT = "/after-sales-service-conditions"
#: kind -> (path, the list's key, whether the list holds whole documents)
KINDS = {
    "return_policy": (f"{ROOT}/return-policies", "returnPolicies", True),
    "implied_warranty": (f"{ROOT}/implied-warranties", "impliedWarranties", False),
    "warranty": (f"{ROOT}/warranties", "warranties", False),
}
#: the catalog section of each kind
SECTIONS = {"return_policy": "return_policies", "implied_warranty": "implied_warranties",
            "warranty": "warranties"}
_ADDRESS = {"name": "name", "street": "street", "post_code": "postCode", "city": "city",
            "country_code": "countryCode"}
_OPTIONS = {"cash_on_delivery_not_allowed": "cashOnDeliveryNotAllowed",
            "free_accessories_return_required": "freeAccessoriesReturnRequired",
            "refund_lowered_by_received_discount": "refundLoweredByReceivedDiscount",
            "business_return_allowed": "businessReturnAllowed",
            "collect_by_seller_only": "collectBySellerOnly"}


def declared(catalog: Any) -> dict[str, dict[str, Condition]]:
    """kind -> name -> the catalog's entry (`catalog`: a catalog.models.Catalog)."""
    return {kind: dict(getattr(catalog, section, {})) for kind, section in SECTIONS.items()}


def canonical(entry: Condition) -> Data:
    """A catalog entry as canonical data."""
    data = entry.model_dump(exclude={"moved_from"})
    if isinstance(entry, ReturnPolicy) and entry.availability != "DISABLED":
        data["options"] = data["options"] or ReturnOptions().model_dump()
    if isinstance(entry, ReturnPolicy) and data["contact"] == {"email": None, "phone": None}:
        data["contact"] = None
    return data


def _address(doc: Any) -> Data | None:
    if not isinstance(doc, dict):
        return None
    return {ours: doc.get(theirs) for ours, theirs in _ADDRESS.items()}


def _warranty_period(doc: Any) -> str | None:
    if not isinstance(doc, dict):
        return None
    return LIFETIME if doc.get("lifetime") else doc.get("period")


def condition_data(kind: str, doc: Data) -> Data:
    """Allegro's document of one condition as canonical data."""
    if kind == "return_policy":
        availability = doc.get("availability") or {}
        contact = doc.get("contact") or {}
        options = doc.get("options")
        return {
            "availability": availability.get("range"),
            "restriction": (availability.get("restrictionCause") or {}).get("name"),
            "withdrawal_period": doc.get("withdrawalPeriod"),
            "return_cost": (doc.get("returnCost") or {}).get("coveredBy"),
            "address": _address(doc.get("address")),
            "contact": {"email": contact.get("email"), "phone": contact.get("phoneNumber")}
            if contact.get("email") or contact.get("phoneNumber") else None,
            "options": {ours: bool(options.get(theirs)) for ours, theirs in _OPTIONS.items()}
            if isinstance(options, dict) else None,
            "fulfillment": bool(doc.get("isFulfillment")),
        }
    if kind == "implied_warranty":
        return {
            "individual": (doc.get("individual") or {}).get("period"),
            "corporate": (doc.get("corporate") or {}).get("period"),
            "address": _address(doc.get("address")),
            "description": doc.get("description"),
        }
    return {
        "type": doc.get("type"),
        "individual": _warranty_period(doc.get("individual")),
        "corporate": _warranty_period(doc.get("corporate")),
        "description": doc.get("description"),
    }


def _address_body(data: Data) -> Data:
    return {theirs: data[ours] for ours, theirs in _ADDRESS.items()}


def _period_body(period: str) -> Data:
    return {"lifetime": True} if period == LIFETIME else {"period": period, "lifetime": False}


def condition_body(kind: str, name: str, data: Data, *, create: bool,
                   kept: Data | None = None) -> Data:
    """The POST (`create`) or PUT body; `kept`: what Allegro holds that the catalog does not
    manage and a PUT must carry over (a warranty's attachment)."""
    body: Data = {"name": name}
    if kind == "return_policy":
        if create:
            body["isFulfillment"] = data["fulfillment"]
        availability: Data = {"range": data["availability"]}
        if data["restriction"]:
            availability["restrictionCause"] = {"name": data["restriction"]}
        body["availability"] = availability
        if data["withdrawal_period"]:
            body["withdrawalPeriod"] = data["withdrawal_period"]
        if data["return_cost"]:
            body["returnCost"] = {"coveredBy": data["return_cost"]}
        if data["address"]:
            body["address"] = _address_body(data["address"])
        if data["contact"]:
            contact = {"email": data["contact"]["email"], "phoneNumber": data["contact"]["phone"]}
            body["contact"] = {k: v for k, v in contact.items() if v}
        if data["options"]:
            body["options"] = {theirs: data["options"][ours] for ours, theirs in _OPTIONS.items()}
        return body
    if kind == "implied_warranty":
        body["individual"] = {"period": data["individual"]}
        if data["corporate"]:
            body["corporate"] = {"period": data["corporate"]}
        body["address"] = _address_body(data["address"])
    else:
        body["type"] = data["type"]
        body["individual"] = _period_body(data["individual"])
        if data["corporate"]:
            body["corporate"] = _period_body(data["corporate"])
    if data["description"]:
        body["description"] = data["description"]
    return {**body, **(kept or {})}
