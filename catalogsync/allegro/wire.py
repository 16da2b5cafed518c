"""Allegro's JSON shapes <-> catalogsync's canonical fields. Pure: no I/O.

Canonical offer fields (the planner diffs these):
    name str · product str (product id) · category str · parameters {name: [labels] or
    {from, to} for a range}
    price "29.99 PLN" · stock int · images [url] · description [[{type, content|url}]]
    shipping_rates str (table name) · handling_time str · location {countryCode, province,
    city, postCode} · invoice str · after_sales {return_policy|implied_warranty|warranty: id,
    or {"name"} for one apply creates first}
    · status active|inactive|ended · ended_by (read only: who ended an ENDED offer)
    · GPSR fields: see `gpsr_wire` · marketplaces, marketplace_states: see `marketplaces_wire`
    · size_table, contact (names): see `size_tables_wire`
    · tax: see `tax_wire`
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from catalogsync.allegro import gpsr_wire, size_tables_wire
from catalogsync.allegro.marketplaces_wire import marketplace_body, marketplace_fields
from catalogsync.allegro.tax_wire import tax_body, tax_fields

#: Canonical offer fields: name -> JSON-able value (see `offer_fields`).
Fields = dict[str, Any]

#: R14: one batch command carries at most 1000 offers.
MAX_OFFERS_PER_COMMAND = 1000


@dataclass(frozen=True)
class CategoryParameter:
    """A parameter of a category as Allegro describes it (`offer_body` sends its id)."""

    id: str
    name: str
    type: str
    required: bool
    #: dictionary parameters: value label -> value id
    dictionary: dict[str, str] = field(default_factory=dict)
    #: Allegro's `restrictions` (min, max, multipleChoices, minLength, maxLength …)
    restrictions: dict[str, Any] = field(default_factory=dict)

#: catalog key -> Allegro's key in `afterSalesServices`
AFTER_SALES_KEYS = {
    "return_policy": "returnPolicy",
    "implied_warranty": "impliedWarranty",
    "warranty": "warranty",
}
STATUS_FROM_API = {
    "INACTIVE": "inactive",
    "ACTIVATING": "active",
    "ACTIVE": "active",
    "ENDED": "ended",
}


def money(amount: Decimal | str, currency: str) -> str:
    return f"{Decimal(amount).quantize(Decimal('0.01'))} {currency}"


def split_money(value: str) -> dict[str, str]:
    amount, currency = value.split(" ")
    return {"amount": amount, "currency": currency}


def offer_fields(
    doc: dict[str, Any],
    table_names: dict[str, str],
    names: dict[str, dict[str, str]] | None = None,
) -> Fields:
    """A `SaleProductOfferResponseV1` as canonical fields (absent or null fields are left out);
    `names` maps GPSR kind -> id -> name.

    Read liberally: the real server sends nulls where the spec promises objects (§11).
    """
    out: Fields = {}
    if doc.get("name"):
        out["name"] = doc["name"]
    first = (doc.get("productSet") or [{}])[0] or {}
    product = first.get("product") or {}
    if product.get("id"):
        out["product"] = str(product["id"])
    out.update(gpsr_wire.gpsr_fields(first, names or {}))
    if (doc.get("category") or {}).get("id"):
        out["category"] = str(doc["category"]["id"])
    out["parameters"] = {
        str(p.get("name") or p.get("id")): _parameter_values(p) for p in doc.get("parameters") or []
    }
    price = ((doc.get("sellingMode") or {}).get("price")) or {}
    if price.get("amount") is not None:
        out["price"] = money(price["amount"], price.get("currency") or "PLN")
    stock = doc.get("stock") or {}
    if stock.get("available") is not None:
        out["stock"] = int(stock["available"])
    out["images"] = list(doc.get("images") or [])
    out["description"] = description_sections(doc.get("description"))
    delivery = doc.get("delivery") or {}
    table = delivery.get("shippingRates") or {}
    if table.get("id") or table.get("name"):
        out["shipping_rates"] = table_names.get(str(table.get("id")), table.get("name"))
    if delivery.get("handlingTime"):
        out["handling_time"] = delivery["handlingTime"]
    if doc.get("location"):
        out["location"] = {k: v for k, v in doc["location"].items() if v is not None}
    invoice = (doc.get("payments") or {}).get("invoice")
    if invoice:
        out["invoice"] = invoice
    services = doc.get("afterSalesServices") or {}
    chosen = {
        key: str(services[api]["id"])
        for key, api in AFTER_SALES_KEYS.items()
        if (services.get(api) or {}).get("id")
    }
    if chosen:
        out["after_sales"] = chosen
    status = (doc.get("publication") or {}).get("status")
    if status:
        out["status"] = STATUS_FROM_API.get(status, status.lower())
    out.update(marketplace_fields(doc))
    out.update(size_tables_wire.reference_fields(doc))
    out.update(tax_fields(doc))
    ended_by = (doc.get("publication") or {}).get("endedBy")
    if status == "ENDED" and ended_by:
        out["ended_by"] = ended_by  # EMPTY_STOCK: sold out, not ended by the seller
    return out


def description_sections(description: dict[str, Any] | None) -> list[list[dict[str, str]]]:
    """A `StandardizedDescription` as canonical sections of items."""
    return [
        [_item(i) for i in section.get("items") or []]
        for section in (description or {}).get("sections") or []
    ]


def _parameter_values(parameter: dict[str, Any]) -> list[str] | dict[str, str]:
    """Labels (or ids) of a parameter, or `{from, to}` of a range parameter."""
    found = parameter.get("rangeValue")
    if found:
        return {"from": str(found.get("from")), "to": str(found.get("to"))}
    return list(parameter.get("values") or parameter.get("valuesIds") or [])


def _item(item: dict[str, Any]) -> dict[str, str]:
    if item.get("type") == "IMAGE":
        return {"type": "IMAGE", "url": str(item.get("url"))}
    return {"type": "TEXT", "content": str(item.get("content"))}


def offer_body(
    fields: Fields,
    parameters: dict[str, CategoryParameter],
    table_ids: dict[str, str],
) -> dict[str, Any]:
    """Canonical fields -> a `SaleProductOfferRequestV1` / PATCH body with just those fields.

    R17: Allegro drops `location` unless `delivery.shippingRates` and `sellingMode` come in
    the same request, so callers that send a location pass all three.
    """
    body: dict[str, Any] = {}
    if "name" in fields:
        body["name"] = fields["name"]
    if "product" in fields:
        entry = {"product": {"id": fields["product"]}, **gpsr_wire.product_set_entry(fields)}
        body["productSet"] = [entry]
    if "category" in fields:
        body["category"] = {"id": fields["category"]}
    if "parameters" in fields:
        body["parameters"] = [
            _parameter(name, values, parameters.get(name))
            for name, values in sorted(fields["parameters"].items())
        ]
    if "price" in fields:
        body["sellingMode"] = {"format": "BUY_NOW", "price": split_money(fields["price"])}
    if "stock" in fields:
        body["stock"] = {"available": fields["stock"], "unit": "UNIT"}
    if "images" in fields:
        body["images"] = list(fields["images"])
    if "description" in fields:
        body["description"] = {
            "sections": [{"items": list(section)} for section in fields["description"]]
        }
    delivery: dict[str, Any] = {}
    if "shipping_rates" in fields:
        name = fields["shipping_rates"]
        delivery["shippingRates"] = {"id": table_ids[name]} if name in table_ids else {"name": name}
    if "handling_time" in fields:
        delivery["handlingTime"] = fields["handling_time"]
    if delivery:
        body["delivery"] = delivery
    if "location" in fields:
        body["location"] = dict(fields["location"])
    if "invoice" in fields:
        body["payments"] = {"invoice": fields["invoice"]}
    if "after_sales" in fields:
        body["afterSalesServices"] = {
            AFTER_SALES_KEYS[key]: {"id": value} if isinstance(value, str) else dict(value)
            for key, value in fields["after_sales"].items()
        }
    if "marketplaces" in fields:
        body.update(marketplace_body(fields["marketplaces"]))
    body.update(size_tables_wire.reference_body(fields))
    if "tax" in fields:
        body["taxSettings"] = tax_body(fields["tax"])
    return body


def _parameter(
    name: str, values: list[str] | dict[str, str], known: CategoryParameter | None
) -> dict[str, Any]:
    if isinstance(values, dict):  # a range
        return {"name": name, "rangeValue": dict(values)} if known is None else {
            "id": known.id, "rangeValue": dict(values)}
    if known is None:
        return {"name": name, "values": list(values)}
    if known.dictionary:
        return {"id": known.id, "valuesIds": [known.dictionary[v] for v in values]}
    return {"id": known.id, "values": list(values)}


def table_rates(doc: dict[str, Any], method_names: dict[str, str]) -> tuple[Fields, ...]:
    """A `ShippingRatesSet`'s rates as canonical rows, sorted by delivery method name."""
    rows = []
    for rate in doc.get("rates") or []:
        method_id = str((rate.get("deliveryMethod") or {}).get("id"))
        first = rate.get("firstItemRate") or {}
        following = rate.get("nextItemRate") or {}
        rows.append(
            {
                "delivery_method": method_names.get(method_id, method_id),
                "first_item": money(first.get("amount", "0"), first.get("currency", "PLN")),
                "next_item": money(following.get("amount", "0"), following.get("currency", "PLN")),
                "max_quantity_per_package": int(rate.get("maxQuantityPerPackage") or 1),
            }
        )
    return tuple(sorted(rows, key=lambda r: str(r["delivery_method"])))


def table_body(
    name: str, rates: tuple[Fields, ...], method_ids: dict[str, str], table_id: str | None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "rates": [
            {
                "deliveryMethod": {"id": method_ids[str(rate["delivery_method"])]},
                "maxQuantityPerPackage": rate["max_quantity_per_package"],
                "firstItemRate": split_money(rate["first_item"]),
                "nextItemRate": split_money(rate["next_item"]),
            }
            for rate in rates
        ],
    }
    if table_id:
        body["id"] = table_id  # required by PUT
    return body


def command_body(
    kind: str,
    fields: Fields,
    offer_ids: list[str],
    table_ids: dict[str, str],
    references: dict[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The body of a batch command (`PUT /sale/{kind}/{commandId}`) setting `fields`;
    `references` maps GPSR kind -> name -> id.

    `kind` is the command's path segment; R14 limits `offer_ids` to 1000.
    """
    body: dict[str, Any] = {
        "offerCriteria": [{"type": "CONTAINS_OFFERS", "offers": [{"id": i} for i in offer_ids]}]
    }
    if kind == "offer-publication-commands":
        publication = {"action": "ACTIVATE" if fields["status"] == "active" else "END"}
        if fields.get("scheduled_for"):
            publication["scheduledFor"] = fields["scheduled_for"]
        body["publication"] = publication
    elif kind == "offer-price-change-commands":
        body["modification"] = {"type": "FIXED_PRICE", "price": split_money(fields["price"])}
        if fields.get("marketplace"):  # a price on an additional marketplace
            body["modification"]["marketplaceId"] = fields["marketplace"]
    elif kind == "offer-quantity-change-commands":
        body["modification"] = {"changeType": fields["change"], "value": fields["value"]}
    else:
        plain = {k: v for k, v in fields.items() if k not in gpsr_wire.GPSR_FIELDS}
        modification = offer_body(plain, {}, table_ids)
        if "shippingRates" in modification.get("delivery", {}):
            name = fields["shipping_rates"]
            modification["delivery"]["shippingRates"] = {"id": table_ids[name]}
        modification.update(gpsr_wire.modification(fields, references or {}))
        modification.update(size_tables_wire.modification(fields, references or {}))
        body["modification"] = modification
    return body
