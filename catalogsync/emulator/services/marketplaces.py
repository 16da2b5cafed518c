"""Allegro's marketplaces: `GET /marketplaces`, and offers of Polish sellers on allegro.cz,
allegro.sk and allegro.hu ([SL] AdditionalMarketplaces*, AllegroMarketplaces; API_NOTES §4).

An offer asks for visibility with `publication.marketplaces.additional: [{"id"}]` and may set
its price there in that marketplace's currency with `additionalMarketplaces.{id}.sellingMode
.price` ([I#7072]); only offers linked to a product may do so ([I#7193]:
`ConstraintViolationException.ForeignMarketplacesWithProductOnly`). Answers list every
additional marketplace with its `publication.state` and `refusalReasons`, even those not asked
for (NOT_REQUESTED). Price-change commands with `marketplaceId` change the price there.

Guesses, where the docs are silent:
* a price in another currency than the marketplace's is a 422 VALIDATION_ERROR on its path;
* the state is PENDING until the offer is published, then APPROVED unless refused at once
  (no IN_PROGRESS phase), for these reasons as Allegro words them ([I#9084], [I#8176]):
  VQR001_CURRENCY_NOT_AVAILABLE (no price in the marketplace's currency: the seller has not
  switched on Allegro's conversion), VQR003_DELIVERY_TO_OPERATIONAL_COUNTRY_NOT_AVAILABLE (the
  offer's shipping rates have no delivery method for that marketplace, [I#13275]) and
  VQR009_PRICE_IN_ADDITIONAL_MARKETPLACE_MISMATCH (more than 20 % below the base price at the
  emulator's fixed exchange rates below);
* the other seller of the demo data sells on allegro-pl only.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from catalogsync.emulator.core import checks
from catalogsync.emulator.core.errors import ApiError, Doc, invalid

BASE = "allegro-pl"
#: marketplace -> (currency, language, delivery country)
MARKETPLACES = {
    "allegro-pl": ("PLN", "pl-PL", "PL"),
    "allegro-cz": ("CZK", "cs-CZ", "CZ"),
    "allegro-sk": ("EUR", "sk-SK", "SK"),
    "allegro-hu": ("HUF", "hu-HU", "HU"),
}
ADDITIONAL = tuple(m for m in MARKETPLACES if m != BASE)
#: PLN for one unit of each currency (the emulator's fixed rates, for VQR009 only)
PLN_PER_UNIT = {"PLN": Decimal(1), "CZK": Decimal("0.17"), "EUR": Decimal("4.30"),
                "HUF": Decimal("0.011")}
MAX_DECREASE_PERCENT = 20
PRICES = "_marketplacePrices"  # the offer document's private key: marketplace -> price
#: the offer document's private key: marketplace -> the price rule it follows there
#: (services/price_rules.py)
RULES = "_priceAutomation"


def marketplaces() -> Doc:
    """`GET /marketplaces`."""
    return {"marketplaces": [
        {
            "id": marketplace,
            "languages": {"offerCreation": [{"code": "pl-PL"}, {"code": "en-US"}],
                          "offerDisplay": [{"code": language}]},
            "currencies": {"base": {"code": currency}, "additional": []},
            "shippingCountries": [{"code": country}],
        }
        for marketplace, (currency, language, country) in MARKETPLACES.items()
    ]}


def requested(doc: Doc) -> list[str]:
    additional = ((doc.get("publication") or {}).get("marketplaces") or {}).get("additional")
    return [str(m["id"]) for m in additional or []]


def write(doc: Doc, body: Doc) -> None:
    """The additional marketplaces and prices a product-offer body sets."""
    publication = body.get("publication")
    if isinstance(publication, dict) and isinstance(publication.get("marketplaces"), dict):
        given = publication["marketplaces"].get("additional") or []
        if not isinstance(given, list):
            raise invalid("publication.marketplaces.additional", "additional must be a list.")
        ids = []
        for i, item in enumerate(given):
            path = f"publication.marketplaces.additional[{i}].id"
            ids.append(checks.text(checks.json_object(item, path).get("id"), path,
                                   allowed=ADDITIONAL))
        doc["publication"]["marketplaces"] = {"base": {"id": BASE},
                                              "additional": [{"id": m} for m in ids]}
    prices = dict(doc.get(PRICES) or {})
    for marketplace, entry in checks.json_object(body.get("additionalMarketplaces") or {},
                                                 "additionalMarketplaces").items():
        path = f"additionalMarketplaces.{marketplace}"
        if marketplace not in ADDITIONAL:
            raise invalid(path, f"Unknown additional marketplace {marketplace}.")
        price = (checks.json_object(entry or {}, path).get("sellingMode") or {}).get("price")
        if price is None:
            prices.pop(marketplace, None)
        else:
            prices[marketplace] = _price(marketplace, price, f"{path}.sellingMode.price")
    doc[PRICES] = prices
    if requested(doc) and not doc.get("productSet"):
        raise ApiError(422, "ConstraintViolationException.ForeignMarketplacesWithProductOnly",
                       "Platforms other than allegro.pl only support offers with a product "
                       "linked.", "publication.marketplaces.additional")


def _price(marketplace: str, value: Any, path: str) -> Doc:
    price = checks.money(value, path)
    currency = MARKETPLACES[marketplace][0]
    if price["currency"] != currency:
        raise invalid(f"{path}.currency", f"{marketplace} sells in {currency}.")
    return price


def states(doc: Doc, status: str, delivers_to: set[str]) -> Doc:
    """`additionalMarketplaces` of an answer: each additional marketplace's price and state."""
    wanted = requested(doc)
    prices = doc.get(PRICES) or {}
    out: Doc = {}
    for marketplace in ADDITIONAL:
        reasons: list[Doc] = []
        if marketplace not in wanted:
            state = "NOT_REQUESTED"
        elif status not in ("ACTIVE", "ACTIVATING"):
            state = "PENDING"
        else:
            reasons = _refusals(doc, marketplace, priced(doc, marketplace,
                                                         prices.get(marketplace)), delivers_to)
            state = "REFUSED" if reasons else "APPROVED"
        price = priced(doc, marketplace, prices.get(marketplace))
        out[marketplace] = {
            "sellingMode": {"format": "BUY_NOW", "price": price} if price else None,
            "publication": {"state": state, "refusalReasons": reasons},
        }
    return out


def converted(base: Doc, currency: str, config: Doc | None) -> Doc:
    """A base-marketplace price at the emulator's rates in `currency`, the rule's change on it."""
    amount = Decimal(base["amount"]) * PLN_PER_UNIT[base["currency"]] / PLN_PER_UNIT[currency]
    if config and "changeByPercentage" in config:
        change = config["changeByPercentage"]
        factor = Decimal(change["value"]) / 100
        amount *= 1 + factor if change["operation"] == "ADD" else 1 - factor
    elif config:
        change = config["changeByAmount"]
        extra = [Decimal(v["amount"]) for v in change["values"] if v["currency"] == currency]
        if extra:
            amount += extra[0] if change["operation"] == "ADD" else -extra[0]
    amount = max(amount.quantize(checks.CENT, rounding=ROUND_HALF_UP), checks.CENT)
    return {"amount": str(amount), "currency": currency}


def priced(doc: Doc, marketplace: str, price: Doc | None) -> Doc | None:
    """The price a buyer on `marketplace` sees: the rule's when one is set there."""
    followed = (doc.get(RULES) or {}).get(marketplace)
    base = (doc.get("sellingMode") or {}).get("price")
    if not followed or not base:
        return price
    if followed["type"] == "EXCHANGE_RATE" or price is None:
        return converted(base, MARKETPLACES[marketplace][0], followed.get("ruleConfiguration"))
    return price


def _refusals(doc: Doc, marketplace: str, price: Doc | None, delivers_to: set[str]
              ) -> list[Doc]:
    reasons = []
    if price is None:
        reasons.append(_reason("VQR001_CURRENCY_NOT_AVAILABLE",
                               "missing price in the market's currency"))
    if marketplace not in delivers_to:
        reasons.append(_reason("VQR003_DELIVERY_TO_OPERATIONAL_COUNTRY_NOT_AVAILABLE",
                               "missing delivery option on the additional market"))
    base = (doc.get("sellingMode") or {}).get("price")
    if price and base:
        converted = Decimal(price["amount"]) * PLN_PER_UNIT[price["currency"]]
        floor = Decimal(base["amount"]) * (100 - MAX_DECREASE_PERCENT) / 100
        if converted < floor:
            reasons.append(_reason("VQR009_PRICE_IN_ADDITIONAL_MARKETPLACE_MISMATCH",
                                   "price difference too big",
                                   {"maxAllowedPriceDecreasePercent": [str(MAX_DECREASE_PERCENT)]}))
    return reasons


def _reason(code: str, message: str, parameters: dict[str, list[str]] | None = None) -> Doc:
    return {"code": code, "userMessage": message, "parameters": parameters or {}}


def change_price(doc: Doc, marketplace: str, new_price: Callable[[Doc], Doc]) -> None:
    """A price-change command's task for an additional marketplace (ValueError: refused)."""
    if marketplace not in requested(doc):
        raise ValueError(f"The offer is not listed on {marketplace}.")
    prices = dict(doc.get(PRICES) or {})
    current = prices.get(marketplace)
    if current is None:
        raise ValueError(f"The offer has no price on {marketplace} to change.")
    prices[marketplace] = new_price(current)
    doc[PRICES] = prices


def prices_of(doc: Doc | None) -> Doc:
    return dict((doc or {}).get(PRICES) or {})
