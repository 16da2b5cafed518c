"""Price automation: `/sale/price-automation/rules`, the rules an offer follows per marketplace
(`/sale/price-automation/offers/{offerId}/rules`) and `POST /sale/offer-price-automation-
commands`, which sets or removes them ([SL] tag "Automatic pricing").

As documented: every seller has Allegro's default rules (`default: true`: EXCHANGE_RATE "Price
Converter", FOLLOW_BY_ALLEGRO_MIN_PRICE, FOLLOW_BY_MARKET_MIN_PRICE, FOLLOW_BY_TOP_OFFER_PRICE),
which can be used but not changed or deleted; a seller's own rule has a `name` of at most 33
characters, unique per seller (409 otherwise), a `type` and an optional `configuration`, one of
`changeByPercentage {operation ADD|SUBTRACT, value}` and `changeByAmount {operation, values
[{amount, currency}]}`; PUT changes the name and configuration, not the type. EXCHANGE_RATE is
not available on the base marketplace, and takes no per-offer configuration; the FOLLOW_* rules
need a per-offer `priceRange` to work. The offer list shows each marketplace's rule as
`sellingMode.priceAutomation.rule.id` and filters by it.

Guesses, where the docs are silent: another seller's rule is 404 (GET lists no 403); changing
or deleting a default rule is 403; a rule is set only on a marketplace the offer asks for;
deleting a rule takes it off the offers that used it; an offer's price on a marketplace under
EXCHANGE_RATE is its base price at the emulator's fixed rates (`marketplaces.PLN_PER_UNIT`)
with the rule's change applied, rounded to the cent; under a FOLLOW_* rule it stays as it was
(there are no competitors here), or converted if it had none; a percentage is above 0 and a
decrease below 100; at most one amount per currency.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from catalogsync.catalog import limits as L
from catalogsync.emulator.core import checks
from catalogsync.emulator.core.errors import ApiError, Doc, forbidden, invalid, iso, not_found
from catalogsync.emulator.core.store import Store
from catalogsync.emulator.services.marketplaces import BASE, MARKETPLACES, RULES

KIND = "offer-price-automation-commands"
TYPES = ("EXCHANGE_RATE", "FOLLOW_BY_ALLEGRO_MIN_PRICE", "FOLLOW_BY_MARKET_MIN_PRICE",
         "FOLLOW_BY_TOP_OFFER_PRICE")
DEFAULTS = (("FOLLOW_BY_ALLEGRO_MIN_PRICE", "Lowest price on Allegro"),
            ("FOLLOW_BY_MARKET_MIN_PRICE", "Lowest price on market"),
            ("EXCHANGE_RATE", "Price Converter"),
            ("FOLLOW_BY_TOP_OFFER_PRICE", "Top offer"))
MAX_NAME = L.PRICE_RULE_NAME_MAX_CHARS
OPERATIONS = ("ADD", "SUBTRACT")
_SINCE = "2023-03-23T15:45:02Z"  # the default rules' `updatedAt`, as the spec shows them


def default_rules(seller: str) -> list[Doc]:
    """The rules Allegro gives every seller (24 hex digits, like the spec's examples)."""
    return [{"id": hashlib.sha1(f"{seller}:{kind}".encode()).hexdigest()[:24], "type": kind,
             "name": name, "default": True, "updatedAt": _SINCE} for kind, name in DEFAULTS]


def configuration(value: Any, path: str = "configuration") -> Doc | None:
    """A rule's `configuration`, checked (None: none)."""
    if value is None:
        return None
    given = checks.json_object(value, path)
    if len(given) != 1 or next(iter(given)) not in ("changeByPercentage", "changeByAmount"):
        raise invalid(path, "Give exactly one of changeByPercentage and changeByAmount.")
    key, change = next(iter(given.items()))
    change = checks.json_object(change, f"{path}.{key}")
    operation = checks.text(change.get("operation"), f"{path}.{key}.operation",
                            allowed=OPERATIONS)
    if key == "changeByPercentage":
        value_path = f"{path}.{key}.value"
        percent = checks.number(change.get("value"), value_path)
        if percent <= 0 or (operation == "SUBTRACT" and percent >= 100):
            raise invalid(value_path, "The percentage must be above 0 (and below 100 to "
                          "subtract).")
        return {key: {"operation": operation, "value": str(change["value"])}}
    values = change.get("values")
    if not isinstance(values, list) or not values:
        raise invalid(f"{path}.{key}.values", "Give at least one amount.")
    amounts = [checks.money(v, f"{path}.{key}.values[{i}]") for i, v in enumerate(values)]
    currencies = [a["currency"] for a in amounts]
    if len(set(currencies)) != len(currencies):
        raise invalid(f"{path}.{key}.values", "At most one amount per currency.")
    return {key: {"operation": operation, "values": amounts}}


def _name(value: Any) -> str:
    name = checks.text(value, "name")
    if len(name) > MAX_NAME:
        raise invalid("name", f"name may have at most {MAX_NAME} characters.")
    return name


def _checked(body: Any, *, with_type: bool) -> tuple[str, str | None, Doc | None]:
    """Name, type and configuration of a rule's body; a bad one is a 400 VALIDATION_ERROR
    (these routes list 400, not 422)."""
    try:
        body = checks.json_object(body, "")
        kind = checks.text(body.get("type"), "type", allowed=TYPES) if with_type else None
        return _name(body.get("name")), kind, configuration(body.get("configuration"))
    except ApiError as error:
        error.status = 400
        raise


def listed_rule(doc: Doc, marketplace: str) -> Doc | None:
    """`priceAutomation` of the offer list for one marketplace."""
    followed = (doc.get(RULES) or {}).get(marketplace)
    return {"rule": {"id": followed["rule"]["id"]}} if followed else None


def command_payload(body: Doc) -> Doc:
    """`OfferAutomaticPricingCommand.modification`, checked: `{"set": [...]}` or
    `{"remove": [...]}` (the rules themselves are checked per offer, as tasks)."""
    modification = checks.json_object(body.get("modification"), "modification")
    if len(modification) != 1 or next(iter(modification)) not in ("set", "remove"):
        raise invalid("modification", "Give exactly one of set and remove.")
    action, entries = next(iter(modification.items()))
    if not isinstance(entries, list) or not entries:
        raise invalid(f"modification.{action}", f"{action} must be a non-empty list.")
    out = []
    for i, entry in enumerate(entries):
        path = f"modification.{action}[{i}]"
        entry = checks.json_object(entry, path)
        place = checks.json_object(entry.get("marketplace"), f"{path}.marketplace")
        marketplace = checks.text(place.get("id"), f"{path}.marketplace.id",
                                  allowed=tuple(MARKETPLACES))
        item: Doc = {"marketplace": marketplace}
        if action == "set":
            rule = checks.json_object(entry.get("rule"), f"{path}.rule")
            item["rule"] = checks.text(rule.get("id"), f"{path}.rule.id")
            if entry.get("configuration") is not None:
                item["configuration"] = checks.json_object(entry["configuration"],
                                                           f"{path}.configuration")
        out.append(item)
    return {"action": action, "entries": out}


class PriceRules:
    """The sellers' own rules, kept in the `price_rules` table, and what offers follow."""

    def __init__(self, store: Store) -> None:
        self._store = store
        store.create(
            "CREATE TABLE IF NOT EXISTS price_rules (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
            " id TEXT NOT NULL UNIQUE, seller TEXT NOT NULL, name TEXT NOT NULL,"
            " doc TEXT NOT NULL);", ("price_rules",))

    def listing(self, seller: str) -> Doc:
        with self._store.session():
            return {"rules": [*default_rules(seller), *self._own(seller)]}

    def get(self, seller: str, rule_id: str) -> Doc:
        with self._store.session():
            return self.rule(seller, rule_id)

    def create(self, seller: str, body: Any) -> Doc:
        name, kind, config = _checked(body, with_type=True)
        with self._store.session() as now:
            self._unique(seller, name, None)
            doc = {"id": uuid.uuid4().hex[:24], "type": kind, "name": name, "default": False,
                   "updatedAt": iso(now), **({"configuration": config} if config else {})}
            self._store.db.execute(
                "INSERT INTO price_rules (id, seller, name, doc) VALUES (?, ?, ?, ?)",
                (doc["id"], seller, name, json.dumps(doc)))
            return doc

    def update(self, seller: str, rule_id: str, body: Any) -> Doc:
        name, _, config = _checked(body, with_type=False)
        with self._store.session() as now:
            current = self._changeable(seller, rule_id)
            self._unique(seller, name, rule_id)
            doc = {k: v for k, v in current.items() if k != "configuration"}
            doc.update({"name": name, "updatedAt": iso(now),
                        **({"configuration": config} if config else {})})
            self._store.db.execute("UPDATE price_rules SET name = ?, doc = ? WHERE id = ?",
                                   (name, json.dumps(doc), rule_id))
            self._restamp(seller, rule_id, doc)
            return doc

    def delete(self, seller: str, rule_id: str) -> None:
        with self._store.session():
            self._changeable(seller, rule_id)
            self._store.db.execute("DELETE FROM price_rules WHERE id = ?", (rule_id,))
            self._restamp(seller, rule_id, None)

    def offer_rules(self, doc: Doc) -> Doc:
        """`OfferRules` of one offer."""
        followed = doc.get(RULES) or {}
        rules = [{"marketplace": {"id": m}, "rule": {"id": f["rule"]["id"]},
                  **({"configuration": f["configuration"]} if f.get("configuration") else {}),
                  "updatedAt": f["updatedAt"]} for m, f in sorted(followed.items())]
        stamps = [r["updatedAt"] for r in rules] or [doc.get("createdAt") or _SINCE]
        return {"rules": rules, "updatedAt": max(stamps)}

    # ----------------------------------------------------------------- command tasks

    def follow(self, seller: str, doc: Doc, payload: Doc, at: str) -> None:
        """One offer's task of a price automation command (ValueError: refused)."""
        followed = dict(doc.get(RULES) or {})
        wanted = [m["id"] for m in
                  ((doc.get("publication") or {}).get("marketplaces") or {}).get("additional")
                  or []]
        for entry in payload["entries"]:
            marketplace = entry["marketplace"]
            if payload["action"] == "remove":
                followed.pop(marketplace, None)
                continue
            try:
                rule = self.rule(seller, entry["rule"])
            except ApiError as exc:
                raise ValueError(f"Rule {entry['rule']} not found.") from exc
            if marketplace != BASE and marketplace not in wanted:
                raise ValueError(f"The offer is not listed on {marketplace}.")
            if rule["type"] == "EXCHANGE_RATE" and marketplace == BASE:
                raise ValueError("EXCHANGE_RATE is not available on the base marketplace.")
            if rule["type"] == "EXCHANGE_RATE" and entry.get("configuration"):
                raise ValueError("configuration is not allowed for EXCHANGE_RATE.")
            followed[marketplace] = {
                "rule": {"id": rule["id"]}, "type": rule["type"],
                "ruleConfiguration": rule.get("configuration"), "updatedAt": at,
                **({"configuration": entry["configuration"]} if entry.get("configuration")
                   else {})}
        doc[RULES] = followed

    # ----------------------------------------------------------------- helpers (in a session)

    def rule(self, seller: str, rule_id: str) -> Doc:
        for doc in default_rules(seller):
            if doc["id"] == rule_id:
                return doc
        row = self._store.db.execute("SELECT seller, doc FROM price_rules WHERE id = ?",
                                     (rule_id,)).fetchone()
        if row is None or row[0] != seller:
            raise not_found(f"Rule {rule_id} not found.")
        found: Doc = json.loads(row[1])
        return found

    def _changeable(self, seller: str, rule_id: str) -> Doc:
        rule = self.rule(seller, rule_id)
        if rule["default"]:
            raise forbidden("Default rules cannot be modified or deleted.")
        return rule

    def _own(self, seller: str) -> list[Doc]:
        rows = self._store.db.execute(
            "SELECT doc FROM price_rules WHERE seller = ? ORDER BY seq", (seller,)).fetchall()
        return [json.loads(row[0]) for row in rows]

    def _unique(self, seller: str, name: str, rule_id: str | None) -> None:
        taken = [r["id"] for r in [*default_rules(seller), *self._own(seller)]
                 if r["name"] == name and r["id"] != rule_id]
        if taken:
            raise ApiError(409, "CONFLICT", f"A rule named '{name}' already exists.", "name")

    def _restamp(self, seller: str, rule_id: str, rule: Doc | None) -> None:
        """Offers following a changed rule follow its new configuration (or none, deleted)."""
        rows = self._store.db.execute(
            "SELECT id, doc FROM offers WHERE seller = ? AND instr(doc, ?) > 0",
            (seller, rule_id)).fetchall()
        for offer_id, text in rows:
            doc = json.loads(text)
            followed = doc.get(RULES) or {}
            for marketplace, entry in list(followed.items()):
                if entry["rule"]["id"] != rule_id:
                    continue
                if rule is None:
                    del followed[marketplace]
                else:
                    entry["ruleConfiguration"] = rule.get("configuration")
            self._store.db.execute("UPDATE offers SET doc = ? WHERE id = ?",
                                   (json.dumps(doc), offer_id))
