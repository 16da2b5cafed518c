"""The bodies of the four batch commands (API_NOTES §5), checked when the command is PUT.

Each kind's check returns the payload its tasks apply to every offer later; at most
`COMMAND_OFFER_LIMIT` offers a command (R14), a publication is never scheduled in the past (R11).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from catalogsync.catalog.limits import OFFERS_PER_COMMAND
from catalogsync.emulator.core import checks
from catalogsync.emulator.core.errors import Doc, invalid, iso, parse_time
from catalogsync.emulator.services.offers import fields

COMMAND_OFFER_LIMIT = OFFERS_PER_COMMAND  # R14
COMMAND_KINDS = (
    "offer-publication-commands",
    "offer-price-change-commands",
    "offer-quantity-change-commands",
    "offer-modification-commands",
)
#: offer-modification-commands accept these as well [S ModificationDelivery]
COMMAND_HANDLING_TIMES = (
    *fields.HANDLING_TIMES, "PT48H", "PT72H", "PT96H", "PT120H", "PT168H", "PT240H", "PT336H",
    "PT504H", "PT720H", "PT1440H",
)

def command_id(value: str) -> None:
    try:
        uuid.UUID(value)
    except ValueError as exc:
        raise invalid(None, f"Command id must be a UUID: {value}", status=400) from exc


def criteria_offers(value: Any) -> list[str]:
    """Offer ids of `offerCriteria`, in order, without repeats; at most 1000 (R14)."""
    if not isinstance(value, list) or not value:
        raise invalid("offerCriteria", "offerCriteria must name at least one offer.")
    ids: dict[str, None] = {}
    for i, criterion in enumerate(value):
        criterion = checks.json_object(criterion, f"offerCriteria[{i}]")
        checks.text(criterion.get("type"), f"offerCriteria[{i}].type", allowed=("CONTAINS_OFFERS",))
        offers = criterion.get("offers")
        if not isinstance(offers, list):
            raise invalid(f"offerCriteria[{i}].offers", "offers must be a list.")
        for j, offer in enumerate(offers):
            path = f"offerCriteria[{i}].offers[{j}]"
            offer_id = checks.json_object(offer, path).get("id")
            ids[checks.text(str(offer_id) if offer_id else None, f"{path}.id")] = None
    if not ids:
        raise invalid("offerCriteria", "offerCriteria must name at least one offer.")
    if len(ids) > COMMAND_OFFER_LIMIT:  # R14
        raise invalid(
            "offerCriteria", f"A command may contain at most {COMMAND_OFFER_LIMIT} offers."
        )
    return list(ids)


def _price_modification(body: Doc, now: datetime) -> Doc:
    modification = checks.json_object(body.get("modification"), "modification")
    kind = modification.get("type")
    fields = {k for k in ("price", "value", "percentage") if modification.get(k) is not None}
    expected = {"FIXED_PRICE": {"price"}, "INCREASE_PRICE": {"value"}, "DECREASE_PRICE": {"value"},
                "INCREASE_PERCENTAGE": {"percentage"}, "DECREASE_PERCENTAGE": {"percentage"}}
    if kind not in expected or fields != expected[kind]:
        raise invalid("modification", "type is not given or price, value and percentage conflict")
    out: Doc = {"type": kind, "marketplaceId": modification.get("marketplaceId")}
    if "percentage" in fields:
        percentage = checks.number(modification["percentage"], "modification.percentage")
        if percentage <= 0:
            raise invalid("modification.percentage", "percentage must be greater than 0.")
        out["percentage"] = str(percentage)
    else:
        key = fields.pop()
        out["money"] = checks.money(modification[key], f"modification.{key}")
    return out


def _quantity_modification(body: Doc, now: datetime) -> Doc:
    modification = checks.json_object(body.get("modification"), "modification")
    change = checks.text(modification.get("changeType"), "modification.changeType",
                         allowed=("FIXED", "GAIN"))
    value = checks.integer(modification.get("value"), "modification.value")
    if change == "FIXED" and value <= 0:
        raise invalid("modification.value", "For changeType FIXED the value must be > 0.")
    return {"changeType": change, "value": value}


def _publication_modification(body: Doc, now: datetime) -> Doc:
    publication = checks.json_object(body.get("publication"), "publication")
    action = checks.text(publication.get("action"), "publication.action",
                         allowed=("ACTIVATE", "END"))
    scheduled = None
    if action == "ACTIVATE" and publication.get("scheduledFor") is not None:
        moment = parse_time(publication["scheduledFor"], "publication.scheduledFor")
        if moment < now:  # R11
            raise invalid(
                "publication.scheduledFor", "You cannot schedule activating an offer in the past"
            )
        scheduled = iso(moment)
    return {"action": action, "scheduledFor": scheduled}


#: offer-modification-commands fields the spec allows but the emulator does not model.
_UNMODELLED = ("additionalServicesGroup", "discounts", "publication")
#: GPSR fields a modification sets on the offer's first product [SL Modification*]
GPSR_FIELDS = ("responsibleProducer", "responsiblePerson", "safetyInformation")


def _offer_modification(body: Doc, now: datetime) -> Doc:
    """Only the fields API_NOTES §5 allows: no price, stock, name, description, images…"""
    modification = checks.json_object(body.get("modification"), "modification")
    out: Doc = {}
    for key, value in modification.items():
        path = f"modification.{key}"
        if key in _UNMODELLED:
            raise invalid(path, f"{path} is not supported by the emulator.")
        if key == "delivery":
            out["delivery"] = _modified_delivery(value)
        elif key == "location":
            out["location"] = fields.location(value, path)
        elif key in GPSR_FIELDS:
            out[key] = _gpsr_modification(key, value, path)
        elif key == "sizeTable":  # whose it is, and the category, are the task's business
            out[key] = {"id": checks.text(checks.json_object(value, path).get("id"), f"{path}.id")}
        elif key == "payments":
            payments = checks.json_object(value, path)
            if set(payments) != {"invoice"}:
                raise invalid(path, "Only payments.invoice can be modified by the emulator.")
            out["payments"] = {"invoice": checks.text(payments["invoice"], f"{path}.invoice",
                                                      allowed=fields.INVOICES)}
        else:
            raise invalid(path, f'Unrecognized field "{key}"')
    if not out:
        raise invalid("modification", "modification must change at least one field.")
    changed: list[str] = []
    for key, value in out.items():
        if key in ("location", "sizeTable"):
            changed.append(key)
        elif key in GPSR_FIELDS:
            changed.append(f"productSet.{key}")
        else:
            changed += [f"{key}.{sub}" for sub in value]
    out["_field"] = ",".join(changed)  # the task's `field`: what the command changes
    return out


def _gpsr_modification(key: str, value: Any, path: str) -> Doc:
    """`{"id"}` for a producer or person (a null id unassigns), TEXT or ATTACHMENTS safety
    information; whether they exist is the task's business."""
    given = checks.json_object(value, path)
    if key != "safetyInformation":
        entry_id = given.get("id")
        return {"id": None if entry_id is None else checks.text(entry_id, f"{path}.id")}
    kind = checks.text(given.get("type"), f"{path}.type", allowed=("TEXT", "ATTACHMENTS"))
    return dict(given) | {"type": kind}


def _modified_delivery(value: Any) -> Doc:
    delivery = checks.json_object(value, "modification.delivery")
    out: Doc = {}
    for key, item in delivery.items():
        path = f"modification.delivery.{key}"
        if key == "handlingTime":
            out[key] = checks.text(item, path, allowed=COMMAND_HANDLING_TIMES)
        elif key == "shippingRates":
            out[key] = {"id": checks.text(checks.json_object(item, path).get("id"), f"{path}.id")}
        else:
            raise invalid(path, f'Unrecognized field "{key}"')
    if not out:
        raise invalid("modification.delivery", "delivery must change at least one field.")
    return out


VALIDATORS: dict[str, Callable[[Doc, datetime], Doc]] = {
    "offer-publication-commands": _publication_modification,
    "offer-price-change-commands": _price_modification,
    "offer-quantity-change-commands": _quantity_modification,
    "offer-modification-commands": _offer_modification,
}
TASK_FIELDS = {
    "offer-price-change-commands": "sellingMode.price",
    "offer-quantity-change-commands": "stock.available",
}
