"""Bulk price and stock modification (`POST /sale/offer-bulk-modification-commands`, beta, [SL]).

Unlike the other batch commands, each of its 1-25 modifications carries its own values: an
offer's prices per marketplace (`FIXED`, `GAIN` by an amount, `PERCENTAGE`) and its stock
(`FIXED`, `GAIN`). The command id is in the body. Every offer and field (`prices`, `stock`)
gets a task of its own, reported with its `subject` (`TaskWithSubjectReport`); its effects are
those of the price and quantity commands (the offer is saved the same way: events, R26).

Per-offer refusals are task failures: a price on a marketplace the offer is not listed on,
a price that is not above 0 or in another currency, a stock `FIXED` below 1 (the spec:
"stock > 0"), and a stock below 1 for an active offer (end it instead) or below 0 for any.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import partial
from typing import Any

from catalogsync.emulator.core import checks
from catalogsync.emulator.core.errors import Doc, invalid
from catalogsync.emulator.services import marketplaces
from catalogsync.emulator.services.offers.documents import LIVE, MARKETPLACE, StoredOffer

KIND = "offer-bulk-modification-commands"
MAX_MODIFICATIONS = 25  # [SL OfferBulkChangeCommand.modifications maxItems]
FIELDS = ("prices", "stock")
#: a task's part of the command: (offer id, field, what it changes)
Task = tuple[str, str, Doc]


class Refused(Exception):
    """The task fails with this message."""


def tasks(body: Any) -> tuple[str, list[Task]]:
    """The command id and its tasks, in the order of the modifications (422 when the body
    asks for something the command cannot do; its shape the spec check has already passed)."""
    body = checks.json_object(body, "")
    uid = checks.text(body.get("commandId"), "commandId")
    modifications = body.get("modifications")
    if not isinstance(modifications, list) or not 1 <= len(modifications) <= MAX_MODIFICATIONS:
        raise invalid("modifications",
                      f"A command must contain from 1 to {MAX_MODIFICATIONS} modifications.")
    found: list[Task] = []
    seen: set[tuple[str, str]] = set()
    for i, modification in enumerate(modifications):
        path = f"modifications[{i}]"
        modification = checks.json_object(modification, path)
        offer = checks.text(modification.get("offerId"), f"{path}.offerId")
        present = [f for f in FIELDS if modification.get(f) is not None]
        if not present:
            raise invalid(path, "A modification must change prices or stock.")
        for field in present:
            if (offer, field) in seen:
                raise invalid(path, "Multiple modifications of the same type for the same "
                              f"offerId are not allowed ({field} of offer {offer}).")
            seen.add((offer, field))
            value = modification[field]
            change = (_prices(value, f"{path}.prices") if field == "prices"
                      else _stock(value, f"{path}.stock"))
            found.append((offer, field, change))
    return uid, found


def _prices(value: Any, path: str) -> Doc:
    prices = checks.json_object(value, path)
    if not prices:
        raise invalid(path, "prices must name at least one marketplace.")
    out: Doc = {}
    for marketplace, change in prices.items():
        where = f"{path}.{marketplace}"
        change = checks.json_object(change, where)
        kind = checks.text(change.get("changeType"), f"{where}.changeType",
                           allowed=("FIXED", "GAIN", "PERCENTAGE"))
        if kind == "PERCENTAGE":
            out[marketplace] = {"changeType": kind,
                                "percentage": str(percentage(change.get("percentage"), where))}
        else:
            out[marketplace] = {"changeType": kind, "value": _money(change.get("value"),
                                                                    f"{where}.value", kind)}
    return out


def _money(value: Any, path: str, kind: str) -> Doc:
    """A FIXED price (above 0), or a GAIN: an amount that may be negative (a decrease)."""
    given = checks.json_object(value, path)
    amount = checks.number(given.get("amount"), f"{path}.amount")
    if kind == "FIXED" or amount >= 0:
        return checks.money(given, path, positive=kind == "FIXED")
    money = checks.money({**given, "amount": str(-amount)}, path)
    return {**money, "amount": f"-{money['amount']}"}


def percentage(value: Any, path: str) -> Decimal:
    """`10%`, `+15.5%`, `33.3`, `-3`: `+` and `%` are redundant [SL]."""
    text = checks.text(value, f"{path}.percentage").strip().removesuffix("%").removeprefix("+")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise invalid(f"{path}.percentage", f"Invalid percentage: {value}") from exc
    if not number.is_finite():
        raise invalid(f"{path}.percentage", f"Invalid percentage: {value}")
    return number


def _stock(value: Any, path: str) -> Doc:
    stock = checks.json_object(value, path)
    kind = checks.text(stock.get("changeType"), f"{path}.changeType", allowed=("FIXED", "GAIN"))
    return {"changeType": kind, "value": checks.integer(stock.get("value"), f"{path}.value")}


# --------------------------------------------------------------------------- running a task


def run(offer: StoredOffer, field: str, change: Doc) -> None:
    """Apply one task's change to the offer's document (Refused: the task fails, the offer
    is left as it was)."""
    if field == "prices":
        _change_prices(offer.doc, change)
    else:
        _change_stock(offer, change)


def _change_prices(doc: Doc, changes: Doc) -> None:
    trial = dict(doc)  # every marketplace's price changes, or none
    base = (doc.get("sellingMode") or {}).get("price")
    for marketplace, change in sorted(changes.items()):
        if marketplace == MARKETPLACE:
            if not base:
                raise Refused("The offer has no price to change.")
            base = new_price(base, change)
            continue
        try:
            marketplaces.change_price(trial, marketplace, partial(_changed, change))
        except ValueError as exc:
            raise Refused(str(exc)) from exc
    if MARKETPLACE in changes:
        doc["sellingMode"] = {**doc["sellingMode"], "price": base}
    if marketplaces.PRICES in trial:
        doc[marketplaces.PRICES] = trial[marketplaces.PRICES]


def _changed(change: Doc, price: Doc) -> Doc:
    return new_price(price, change)


def new_price(price: Doc, change: Doc) -> Doc:
    amount = Decimal(price["amount"])
    if change["changeType"] == "PERCENTAGE":
        amount *= 1 + Decimal(change["percentage"]) / 100
    else:
        if change["value"]["currency"] != price["currency"]:
            raise Refused(f"The offer's price is in {price['currency']}.")
        given = Decimal(change["value"]["amount"])
        amount = given if change["changeType"] == "FIXED" else amount + given
    amount = amount.quantize(checks.CENT, rounding=ROUND_HALF_UP)
    if amount <= 0:
        raise Refused("The new price must be greater than 0.")
    return {"amount": str(amount), "currency": price["currency"]}


def _change_stock(offer: StoredOffer, change: Doc) -> None:
    stock = offer.doc.get("stock") or {"available": 0, "unit": "UNIT"}
    value = change["value"]
    if change["changeType"] == "FIXED" and value < 1:
        raise Refused("The new stock must be greater than 0.")
    available = value if change["changeType"] == "FIXED" else stock["available"] + value
    if available < 0:
        raise Refused("The stock cannot be lower than 0.")
    if available < 1 and offer.status in LIVE:
        raise Refused("The stock of an active offer cannot be lower than 1; end the offer "
                      "instead.")
    offer.doc["stock"] = {**stock, "available": available}
