"""Live offers as the catalog entries a person would write (pure).

Each entry holds exactly the fields the catalog will manage, in the shapes the loader reads
back into the same canonical fields the planner compares (`allegro/wire.py`), so a plan
right after an import has nothing to do. Names stand in for ids wherever the catalog takes
names (tables, after-sales conditions, dictionary values); a product is named by its EAN
where that EAN finds this product alone, by its pinned id otherwise. GPSR and additional
marketplaces: `adopt/gpsr.py`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from catalogsync.adopt.account import Account
from catalogsync.adopt.gpsr import as_written, gpsr_and_marketplaces
from catalogsync.adopt.size_tables import named_references
from catalogsync.adopt.translations import written_translations
from catalogsync.allegro.wire import offer_fields
from catalogsync.catalog.models import OFFER_FIELDS, OfferSpec, ProductSpec
from catalogsync.live.fetch import external_id

MAX_KEY = 100
#: Fields `defaults:` can carry, in the order an offer entry lists them.
DEFAULTABLE = ("shipping_rates", "handling_time", "location", "invoice", "after_sales",
               "responsible_producer", "responsible_person", "safety_information",
               "marketed_before_gpsr", "marketplaces", "contact", "tax", "status")


@dataclass
class Entry:
    key: str
    offer_id: str
    category: str
    fields: dict[str, Any]
    #: the offer's external id on Allegro is not `key` (none, or shared with another offer)
    rekey: bool = False
    ignore: list[str] = field(default_factory=list)
    #: why a field Allegro has is left unmanaged (one line each, for the person importing)
    notes: list[str] = field(default_factory=list)

    def yaml(self) -> dict[str, Any]:
        out = as_written(self.fields)
        if self.ignore:
            out["ignore_fields"] = sorted(self.ignore)
        return out


def entries(
    account: Account, without: frozenset[str], taken: dict[str, str | None],
    claimed: set[str],
) -> list[Entry]:
    """One entry per offer of `account` not already managed (`claimed` offer ids), keyed by
    its external id unless `taken` (key -> the offer id it stands for, None: unknown) gives
    that key to another offer; offers without an external id get `ALLEGRO-<id>`."""
    table_names = {t.id: name for name, t in account.tables.items()}
    names = account.responsible_names()
    known = {kind: set(by_name) for kind, by_name in account.responsible.items()}
    found: list[Entry] = []
    keys = dict(taken)
    # Of offers sharing an external id, a live one keeps it, the oldest first (the list is
    # newest first); the others get keys of their own.
    listed = list(account.offers.items())
    order = sorted(range(len(listed)), key=lambda i: (_ended(listed[i][1]), -i))
    for offer_id, doc in (listed[i] for i in order):
        if offer_id in claimed:
            continue
        sku = external_id(doc)
        free = sku and keys.get(sku, offer_id) == offer_id
        key = sku if sku and free else f"{sku or 'ALLEGRO'}-{offer_id}"
        if len(key) > MAX_KEY:  # Allegro's limit for external ids
            key = f"ALLEGRO-{offer_id}"
        keys[key] = offer_id
        live = offer_fields(doc, table_names, names)
        fields = _fields(live, account, without)
        category = str((doc.get("category") or {}).get("id") or "")
        entry = Entry(key, offer_id, category, fields, rekey=key != sku)
        _add_gpsr_and_marketplaces(entry, live, known, without)
        entry.fields.update(named_references(live, account.responsible, without))
        if account.translations.get(offer_id) and "translations" not in without:
            entry.fields["translations"] = written_translations(account.translations[offer_id])
        found.append(entry)
    return found


def _add_gpsr_and_marketplaces(
    entry: Entry, live: dict[str, Any], known: dict[str, set[str]], without: frozenset[str]
) -> None:
    """What `adopt/gpsr.py` makes of the offer; a field it cannot write stays unmanaged even
    where `defaults` sets it, with a note."""
    written, unmanaged = gpsr_and_marketplaces(live, known)
    entry.fields.update({k: v for k, v in written.items() if k not in without})
    for name, why in sorted(unmanaged.items()):
        if name not in without:
            entry.ignore.append(name)
            entry.notes.append(f"offer {entry.key}: {name} left unmanaged: {why}")
    if "status" in entry.fields:  # last, as a person writes it
        entry.fields["status"] = entry.fields.pop("status")


def _ended(doc: dict[str, Any]) -> bool:
    return (doc.get("publication") or {}).get("status") == "ENDED"


def _fields(live: dict[str, Any], account: Account, without: frozenset[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in live:
        out["name"] = live["name"]
    product = live.get("product")
    if product:
        ean = account.eans.get(product)
        out["product"] = {"ean": ean} if ean and _valid_ean(ean) else {"id": product}
    elif "category" in live:
        out["category"] = live["category"]
    category = live.get("category", "")
    parameters = {
        name: _labelled(values, account.labels.get(category, {}).get(name, {}))
        for name, values in sorted((live.get("parameters") or {}).items())
    }
    if parameters:
        out["parameters"] = parameters
    if "price" in live:
        amount, currency = live["price"].split(" ")
        out["price"] = Decimal(amount)
        out["currency"] = currency
    for name in ("stock", "images", "description"):
        if live.get(name) is not None and (name == "stock" or live[name]):
            out[name] = _description(live[name]) if name == "description" else live[name]
    for name in ("shipping_rates", "handling_time", "invoice"):
        if live.get(name):
            out[name] = live[name]
    if live.get("location"):
        out["location"] = _location(live["location"])
    if live.get("after_sales"):
        out["after_sales"] = {
            kind: _name(value, account.after_sales.get(kind, {}))
            for kind, value in live["after_sales"].items()
        }
    if live.get("tax"):
        out["tax"] = live["tax"]
    out["status"] = live.get("status", "inactive")
    return {k: v for k, v in out.items() if k not in without}


def _valid_ean(ean: str) -> bool:
    try:
        ProductSpec(ean=ean)
    except ValidationError:
        return False  # a wrong check digit on Allegro's side: pin the id instead
    return True


def _labelled(values: Any, labels: dict[str, str]) -> Any:
    if isinstance(values, dict):
        return dict(values)  # a range: {from, to}
    shown = [labels.get(v, v) for v in values]
    return shown[0] if len(shown) == 1 else shown


def _description(sections: list[list[dict[str, str]]]) -> list[Any]:
    written: list[Any] = []
    for section in sections:
        items = [
            {"image": item["url"]} if item["type"] == "IMAGE" else {"text": item["content"]}
            for item in section
        ]
        written.append(items[0] if len(items) == 1 else items)
    return written


def _location(live: dict[str, str]) -> dict[str, str]:
    keys = {"countryCode": "country_code", "province": "province", "city": "city",
            "postCode": "post_code"}
    return {keys[k]: v for k, v in live.items() if k in keys}


def _name(condition_id: str, known: dict[str, str]) -> str:
    """A condition by its name where the name is unambiguous, else by id."""
    name = known.get(condition_id)
    if name and list(known.values()).count(name) == 1:
        return name
    return condition_id


def factor_defaults(found: list[Entry], defaults: dict[str, Any] | None) -> dict[str, Any]:
    """Move values most offers share into `defaults` (or, given the catalog's existing
    `defaults`, drop what they already say). An offer lacking a defaulted field gets it in
    `ignore_fields`, so the default never imposes a value the offer does not have."""
    if defaults is None:
        defaults = {}
        currencies = Counter(e.fields.get("currency") for e in found if "currency" in e.fields)
        defaults["currency"] = currencies.most_common(1)[0][0] if currencies else "PLN"
        for name in DEFAULTABLE:
            counts = Counter(_frozen(e.fields.get(name)) for e in found if name in e.fields)
            if counts:
                value, count = counts.most_common(1)[0]
                if count >= 2 and 2 * count >= len(found):
                    defaults[name] = next(e.fields[name] for e in found
                                          if _frozen(e.fields.get(name)) == value)
    for entry in found:
        if entry.fields.get("currency") == defaults.get("currency", "PLN"):
            entry.fields.pop("currency", None)
        for name in DEFAULTABLE:
            if name not in entry.fields:
                # status always has a default
                if (name in defaults or name == "status") and name not in entry.ignore:
                    entry.ignore.append(name)
            elif name in defaults and _frozen(entry.fields[name]) == _frozen(defaults[name]):
                del entry.fields[name]
        if "status" not in defaults and entry.fields.get("status") == "active":
            del entry.fields["status"]  # the catalog's own default
    return defaults


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def unmanage_invalid(found: list[Entry]) -> list[str]:
    """Allegro holds values the catalog would refuse (a 10-character name from long ago, an
    EAN with a wrong check digit): such a field is left unmanaged (`ignore_fields`) rather
    than written into a catalog that does not load. Returns one note per field."""
    notes = []
    for entry in found:
        for _ in range(len(OFFER_FIELDS)):
            try:
                OfferSpec.model_validate(entry.yaml())
                break
            except ValidationError as exc:
                error = exc.errors(include_url=False)[0]
                name = str(error["loc"][0])
                entry.fields.pop(name, None)
                if name in OFFER_FIELDS and name not in entry.ignore:
                    entry.ignore.append(name)
                notes.append(f"offer {entry.key}: {name} left unmanaged: {error['msg']}")
    return notes
