"""`GET /sale/offers`: the documented filters and sort orders, as SQL over the offers table.

Every query parameter the spec documents is applied (API_NOTES §4 lists them); one the emulator
cannot hold a value for matches as Allegro would for a seller without that feature: the demo
seller has no fundraising campaigns, business-only offers or fulfilment, and
no offer has sold anything (`stock.sold` is 0). Guesses where the spec is silent:

* `name` matches a case-insensitive substring of the title (the spec: "the text to search in
  the offer title");
* `productizationRequired=true` matches offers in categories whose every offer needs a product
  (`productizationRequired` in the category options of the demo tree), false the others;
* ties in `sort` keep the default order, newest first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from catalogsync.emulator.core.errors import ApiError, invalid

STATUSES = ("INACTIVE", "ACTIVATING", "ACTIVE", "ENDED")
FORMATS = ("BUY_NOW", "ADVERTISEMENT", "AUCTION")
SORTS = {
    "sellingMode.price.amount": "price",
    "stock.sold": "sold",
    "stock.available": "available",
}
#: Query parameters for features the demo seller never has: (name, value that matches all).
ABSENT_FEATURES = {
    "fundraisingCampaign.id": None,
    "fundraisingCampaign.id.empty": "true",
    "b2b.buyableOnlyByBusiness": "false",
    "isFulfillment": "false",
}
MAX_EXTERNAL_IDS = 100

Query = Mapping[str, Sequence[str]]


def _one(query: Query, name: str) -> str | None:
    values = query.get(name) or ()
    return values[-1] if values else None


def _bad(name: str, value: str) -> ApiError:
    return invalid(name, f"Invalid value of {name}: {value}", status=400)


def _flag(query: Query, name: str) -> bool | None:
    value = _one(query, name)
    if value is None:
        return None
    if value not in ("true", "false"):
        raise _bad(name, value)
    return value == "true"


def _amount(query: Query, name: str) -> float | None:
    value = _one(query, name)
    if value is None:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise _bad(name, value) from exc
    if not amount.is_finite() or amount < 0:
        raise _bad(name, value)
    return float(amount)


def paging(query: Query) -> tuple[int, int]:
    """`limit` (1..1000, default 20) and `offset` (offset + limit <= 10 000 000)."""
    numbers = []
    for name, default in (("limit", 20), ("offset", 0)):
        value = _one(query, name)
        try:
            numbers.append(default if value is None else int(value))
        except ValueError as exc:
            raise _bad(name, str(value)) from exc
    limit, offset = numbers
    if not 1 <= limit <= 1000:
        raise invalid("limit", "limit must be between 1 and 1000.", status=400)
    if offset < 0 or offset + limit > 10_000_000:
        raise invalid("offset", "offset must be >= 0 and offset + limit <= 10000000.",
                      status=400)
    return limit, offset


def _json_key(marketplace: str) -> str:
    if not marketplace.replace("-", "").isalnum():
        raise _bad("publication.marketplace", marketplace)
    return f'"{marketplace}"'


def _price_expression(marketplace: str | None) -> str:
    """The offer's price on the base marketplace, or on `marketplace` if it is an additional one
    (the spec: "searches using the price on the given marketplace")."""
    base = "CAST(json_extract(doc, '$.sellingMode.price.amount') AS REAL)"
    if marketplace is None or marketplace == "allegro-pl":
        return base
    extra = f"$.additionalMarketplaces.{_json_key(marketplace)}.sellingMode.price.amount"
    return f"CAST(json_extract(doc, '{extra}') AS REAL)"


def filters(query: Query, productization_categories: Sequence[str]
            ) -> tuple[list[str], list[Any], str]:
    """SQL conditions, their arguments and the ORDER BY clause for a `GET /sale/offers` query."""
    where: list[str] = []
    args: list[Any] = []

    def any_of(expression: str, values: Sequence[str]) -> None:
        if values:
            where.append(f"{expression} IN ({', '.join('?' * len(values))})")
            args.extend(values)

    external_ids = list(query.get("external.id") or ())
    if len(external_ids) > MAX_EXTERNAL_IDS or any(len(e) > 100 for e in external_ids):
        raise invalid("external.id", "At most 100 external ids of at most 100 characters.",
                      status=400)
    statuses = list(query.get("publication.status") or ())
    formats = list(query.get("sellingMode.format") or ())
    for name, values, allowed in (("publication.status", statuses, STATUSES),
                                  ("sellingMode.format", formats, FORMATS)):
        for value in values:
            if value not in allowed:
                raise _bad(name, value)
    any_of("external_id", external_ids)
    any_of("id", list(query.get("offer.id") or ()))
    any_of("status", statuses)
    any_of("COALESCE(json_extract(doc, '$.sellingMode.format'), 'BUY_NOW')", formats)

    title = _one(query, "name")
    if title:
        where.append("instr(lower(COALESCE(json_extract(doc, '$.name'), '')), lower(?)) > 0")
        args.append(title)
    marketplace = _one(query, "publication.marketplace")
    if marketplace is not None and marketplace != "allegro-pl":
        where.append("EXISTS (SELECT 1 FROM json_each(doc, '$.publication.marketplaces.additional')"
                     " WHERE json_extract(value, '$.id') = ?)")
        args.append(marketplace)
    price = _price_expression(marketplace)
    for suffix, operator in (("gte", ">="), ("lte", "<=")):
        bound = _amount(query, f"sellingMode.price.amount.{suffix}")
        if bound is not None:
            where.append(f"{price} {operator} ?")
            args.append(bound)

    for name in ("delivery.shippingRates.id", "afterSalesServices.returnPolicy.id", "category.id"):
        wanted = _one(query, name)
        if wanted is not None:
            where.append(f"json_extract(doc, '$.{name}') = ?")
            args.append(wanted)
    no_rates = _flag(query, "delivery.shippingRates.id.empty")
    if no_rates is not None:
        where.append("json_extract(doc, '$.delivery.shippingRates.id') IS "
                     + ("NULL" if no_rates else "NOT NULL"))
    no_product = _flag(query, "product.id.empty")
    if no_product is not None:
        where.append(f"json_array_length(doc, '$.productSet') {'=' if no_product else '>'} 0")
    productization = _flag(query, "productizationRequired")
    if productization is not None:
        listed = ", ".join("?" * len(productization_categories)) or "NULL"
        negation = "" if productization else "NOT "
        where.append(f"COALESCE(json_extract(doc, '$.category.id'), '') {negation}IN ({listed})")
        args.extend(productization_categories)
    _price_rule(query, marketplace, where, args)
    for feature, matching in ABSENT_FEATURES.items():
        given = _one(query, feature)
        if given is None:
            continue
        if feature.endswith((".empty", "Business", "isFulfillment")) and given not in (
                "true", "false"):
            raise _bad(feature, given)
        if given != matching:
            where.append("0")
    return where, args, _order(_one(query, "sort"), price)


def _price_rule(query: Query, marketplace: str | None, where: list[str], args: list[Any]
                ) -> None:
    """`sellingMode.priceAutomation.rule.id[.empty]`: the rule an offer follows on
    `publication.marketplace`, or on any marketplace without one (services/price_rules.py)."""
    on = "" if marketplace is None else " AND key = ?"
    followed = f"SELECT 1 FROM json_each(doc, '$._priceAutomation') WHERE 1{on}"
    rule = _one(query, "sellingMode.priceAutomation.rule.id")
    if rule is not None:
        where.append(f"EXISTS ({followed} AND json_extract(value, '$.rule.id') = ?)")
        args.extend([*([marketplace] if marketplace else []), rule])
    empty = _flag(query, "sellingMode.priceAutomation.rule.id.empty")
    if empty is not None:
        where.append(f"{'NOT ' if empty else ''}EXISTS ({followed})")
        args.extend([marketplace] if marketplace else [])


def _order(sort: str | None, price: str) -> str:
    if sort is None:
        return "seq DESC"
    key = sort.removeprefix("-")
    if key not in SORTS:
        raise _bad("sort", sort)
    if SORTS[key] == "sold":
        return "seq DESC"  # nothing sold: every offer ties
    direction = "DESC" if sort.startswith("-") else "ASC"
    column = {
        "price": price,
        "available": "CAST(COALESCE(json_extract(doc, '$.stock.available'), 0) AS INTEGER)",
    }[SORTS[key]]
    return f"{column} {direction}, seq DESC"
