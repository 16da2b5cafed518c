"""Shipping-rate tables (`/sale/shipping-rates`) and the delivery methods they price (R4).

A table is checked against its delivery methods' `shippingRatesConstraints`; an account has at
most `shipping_rates_limit` tables, and there is no DELETE: tables can be renamed, never removed.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from catalogsync.catalog.limits import table_name_problem
from catalogsync.emulator.core import checks
from catalogsync.emulator.core.errors import ApiError, Doc, forbidden, invalid, iso, not_found
from catalogsync.emulator.core.reference import Reference
from catalogsync.emulator.core.store import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS shipping_rates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE, seller TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS shipping_rates_by_seller ON shipping_rates (seller, name);
"""
FEATURES = {"managedByAllegro": False, "isFulfillment": False}


def _table_name(value: Any) -> str:
    problem = table_name_problem(value) if isinstance(value, str) else "must be a string"
    if problem:
        raise invalid("name", f"The name {problem}.")
    return str(value)


def _rate_amount(value: Any, limits: Doc, path: str) -> Doc:
    money = checks.money(value, path, positive=False)
    amount = Decimal(money["amount"])
    if not Decimal(limits["min"]) <= amount <= Decimal(limits["max"]):
        raise invalid(
            f"{path}.amount",
            f"The rate must be between {limits['min']} and {limits['max']} {limits['currency']}.",
        )
    if money["currency"] != limits["currency"]:
        raise invalid(f"{path}.currency", f"The rate must be given in {limits['currency']}.")
    return money


def _rate(value: Any, method: Doc | None, path: str) -> Doc:
    """One rate, checked against its delivery method's `shippingRatesConstraints`."""
    rate = checks.json_object(value, path)
    if method is None:
        raise invalid(f"{path}.deliveryMethod.id", "Delivery method not found.")
    rules = method["shippingRatesConstraints"]
    if not rules["allowed"]:
        raise invalid(f"{path}.deliveryMethod.id", "This delivery method cannot be used.")
    quantity = checks.integer(rate.get("maxQuantityPerPackage"), f"{path}.maxQuantityPerPackage", 1)
    if quantity > rules["maxQuantityPerPackage"]["max"]:
        raise invalid(
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
            raise invalid(f"{path}.shippingTime", "Shipping time of this method is fixed.")
        out["shippingTime"] = checks.json_object(rate["shippingTime"], f"{path}.shippingTime")
    return out


def _weight(value: Any, rules: Doc, path: str) -> Doc:
    if not rules["supported"]:
        raise invalid(path, "This delivery method does not support a maximum package weight.")
    weight = checks.number(checks.json_object(value, path).get("value"), f"{path}.value")
    if not Decimal(rules["min"]) <= weight <= Decimal(rules["max"]):
        raise invalid(f"{path}.value", f"Weight must be {rules['min']} to {rules['max']} kg.")
    return {"value": str(weight.quantize(Decimal("0.001"))), "unit": "KILOGRAM"}


class ShippingRates:
    """The sellers' shipping-rate tables, kept in the `shipping_rates` table."""

    def __init__(self, store: Store, reference: Reference) -> None:
        self._store = store
        self._reference = reference
        store.create(SCHEMA, ("shipping_rates",))

    def delivery_methods(self, marketplace: str | None = None) -> Doc:
        methods = [m for m in self._reference.delivery_methods.values()
                   if marketplace is None or marketplace in m["marketplaces"]]
        return {"deliveryMethods": methods}

    def table(self, table_id: str) -> tuple[str, str, Doc] | None:
        row = self._store.db.execute(
            "SELECT seller, name, doc FROM shipping_rates WHERE id = ?", (table_id,)
        ).fetchone()
        return None if row is None else (row[0], row[1], json.loads(row[2]))

    def _owned_table(self, seller: str, table_id: str) -> Doc:
        row = self.table(table_id)
        if row is None:
            raise not_found("Shipping rates set with given ID not found")
        if row[0] != seller:
            raise forbidden("You can only access your own shipping rates.")
        return row[2]

    def delivers_to(self, table_id: str | None) -> set[str]:
        """The marketplaces a shipping-rates table delivers to (none without a table)."""
        row = self.table(table_id) if table_id else None
        return {m["id"] for m in self._marketplaces(row[2])} if row else set()

    def _marketplaces(self, table: Doc) -> list[Doc]:
        ids: dict[str, None] = {}
        for rate in table["rates"]:
            method = self._reference.delivery_methods[rate["deliveryMethod"]["id"]]
            ids.update(dict.fromkeys(method["marketplaces"]))
        return [{"id": i} for i in ids]

    def tables(self, seller: str, marketplace: str | None = None) -> Doc:
        with self._store.session():
            rows = self._store.db.execute(
                "SELECT doc FROM shipping_rates WHERE seller = ? ORDER BY seq", (seller,)
            ).fetchall()
            out = []
            for row in rows:
                table = json.loads(row[0])
                markets = self._marketplaces(table)
                if marketplace is None or {"id": marketplace} in markets:
                    out.append({"id": table["id"], "name": table["name"],
                                "features": dict(FEATURES),
                                "marketplaces": markets})
            return {"shippingRates": out}

    def get(self, seller: str, table_id: str) -> Doc:
        with self._store.session():
            table = self._owned_table(seller, table_id)
            return {**table, "features": dict(FEATURES)}

    def create(self, seller: str, body: Any) -> Doc:
        """`POST /sale/shipping-rates`; at most 250 tables per account, never deleted (R4)."""
        with self._store.session() as now:
            table = self._checked_table(seller, checks.json_object(body, ""), None)
            count = self._store.db.execute(
                "SELECT COUNT(*) FROM shipping_rates WHERE seller = ?", (seller,)
            ).fetchone()[0]
            limit = self._store.settings.shipping_rates_limit
            if count >= limit:  # R4
                raise ApiError(422, "VALIDATION_ERROR",
                               "The user has reached the limit of shipping rates sets",
                               metadata={"limit": str(limit)})
            table = {"id": str(uuid.uuid4()), **table, "lastModified": iso(now)}
            self._store.db.execute(
                "INSERT INTO shipping_rates (id, seller, name, doc) VALUES (?, ?, ?, ?)",
                (table["id"], seller, table["name"], json.dumps(table)),
            )
            return table

    def update(self, seller: str, table_id: str, body: Any) -> Doc:
        with self._store.session() as now:
            self._owned_table(seller, table_id)
            body = checks.json_object(body, "")
            if body.get("id") is None:
                raise invalid("id", "The shipping rates set id is required when updating.")
            if body["id"] != table_id:
                raise invalid("id", "The id in the body differs from the id in the path.")
            table = {"id": table_id, **self._checked_table(seller, body, table_id),
                     "lastModified": iso(now)}
            self._store.db.execute(
                "UPDATE shipping_rates SET name = ?, doc = ? WHERE id = ?",
                (table["name"], json.dumps(table), table_id),
            )
            return table

    def _checked_table(self, seller: str, body: Doc, table_id: str | None) -> Doc:
        name = _table_name(body.get("name"))
        clash = self._store.db.execute(
            "SELECT id FROM shipping_rates WHERE seller = ? AND name = ?", (seller, name)
        ).fetchone()
        if clash is not None and clash[0] != table_id:
            raise invalid("name", f"A shipping rates set named '{name}' already exists.")
        rates = body.get("rates")
        if not isinstance(rates, list) or not rates:
            raise invalid("rates", "rates must list at least one delivery method.")
        methods = self._reference.delivery_methods
        out: list[Doc] = []
        for i, rate in enumerate(rates):
            given = checks.json_object(rate, f"rates[{i}]")
            method_id = (given.get("deliveryMethod") or {}).get("id")
            checked = _rate(rate, methods.get(str(method_id)), f"rates[{i}]")
            if any(r["deliveryMethod"] == checked["deliveryMethod"] for r in out):
                raise invalid(f"rates[{i}].deliveryMethod.id",
                              "A delivery method may appear only once in a set.")
            out.append(checked)
        return {"name": name, "rates": out}

    # ----------------------------------------------------------------- offers refer to tables

    def offer_reference(self, seller: str, ref: Any) -> Doc:
        """`delivery.shippingRates` by id or by name -> `{"id", "name"}`."""
        ref = checks.json_object(ref, "delivery.shippingRates")
        if ref.get("id") is not None:
            table = self.table(str(ref["id"]))
            if table is None or table[0] != seller:
                raise ApiError(422, "ShippingRatesNotFoundException",
                               f"Shipping rates {ref['id']} not found.", "delivery.shippingRates",
                               metadata={"requestedName": ""})
            return {"id": str(ref["id"]), "name": table[1]}
        name = checks.text(ref.get("name"), "delivery.shippingRates.name")
        row = self._store.db.execute(
            "SELECT id FROM shipping_rates WHERE seller = ? AND name = ?", (seller, name)
        ).fetchone()
        if row is None:
            raise ApiError(422, "ShippingRatesNotFoundException",
                           f"Shipping rates '{name}' not found.", "delivery.shippingRates",
                           metadata={"defaultName": "", "requestedName": name})
        return {"id": row[0], "name": name}
