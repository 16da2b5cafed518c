"""Drift: offer fields changed on Allegro since the last apply by someone else (a colleague in
the web page, another system, Allegro itself).

After every apply the state remembers, per managed offer, a short digest of each field as
catalogsync left it (`StateIndex.applied`, committed in `catalogsync.lock`). A field whose live
value no longer hashes to its digest was changed by someone else. The catalog says per field
who wins (`drift_wins`, in `defaults` and per offer): the catalog (the default: the plan sets it
back and says so) or Allegro (the field is left as it is, and the plan says to copy the value
into the catalog, which `catalogsync import --update` does). Stock is not here: sales move it,
and its ledger (`plan/stock.py`) tells sales from drift.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from catalogsync.catalog.models import Catalog, Offer
from catalogsync.live.state import LiveState
from catalogsync.plan.after_sales import desired_after_sales
from catalogsync.plan.gpsr import desired_gpsr
from catalogsync.plan.marketplaces import compared as compared_marketplaces
from catalogsync.plan.marketplaces import desired_marketplaces
from catalogsync.plan.model import Drift
from catalogsync.plan.offers import Desired, Lookups, desired_offer
from catalogsync.plan.size_tables import desired_references
from catalogsync.plan.tax import desired_tax

#: Not drift: stock (sales; its ledger), and what Allegro says of an offer by itself.
_UNTRACKED = frozenset({"stock", "ended_by", "marketplace_states"})
#: Where a drifted value is copied into the catalog.
UPDATE_COMMAND = "catalogsync import --update DIR"
#: One encoder for every digest (`json.dumps` builds one a call: half a digest's cost)
_CANONICAL = json.JSONEncoder(sort_keys=True, default=str, ensure_ascii=False)
#: External id -> the offer's desired fields and the digest of each tracked value
Prepared = Mapping[str, tuple[Desired, dict[str, str]]]


def digest(value: Any) -> str:
    """A short hash of one canonical field value (8 hex digits: a line per offer stays short)."""
    return hashlib.sha256(_CANONICAL.encode(value).encode()).hexdigest()[:8]


def desire(
    sku: str, offer: Offer, catalog: Catalog, live: LiveState, now: datetime, lookups: Lookups
) -> Desired:
    """An offer's desired fields, the way the planner works them out."""
    desired = desired_offer(sku, offer, catalog, live, now, lookups)
    desired_after_sales(desired, offer.after_sales or catalog.settings.defaults.after_sales,
                        catalog, live)
    desired_gpsr(desired, offer, catalog, live)
    desired_references(desired, offer, catalog, live)
    desired_marketplaces(desired, offer, catalog, live)
    desired_tax(desired, offer, catalog, live)
    return desired


def tracked(desired: Desired, live: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Each tracked key (a field, or `parameters.NAME`: only the parameters the catalog names
    are managed) -> (the catalog's value, the live value as the catalog sees it)."""
    out: dict[str, tuple[Any, Any]] = {}
    sold_out = live.get("ended_by") == "EMPTY_STOCK"  # ended by a sale, not by someone
    for name, want in desired.fields.items():
        if name in _UNTRACKED or name in desired.ignored or (name == "status" and sold_out):
            continue
        have = live.get(name)
        if name == "parameters":
            for parameter, values in want.items():
                out[f"parameters.{parameter}"] = (values, (have or {}).get(parameter))
            continue
        out[name] = (want, compared_marketplaces(want, have) if name == "marketplaces" else have)
    return out


def wanted_digests(desired: Desired) -> dict[str, str]:
    """The digest of each tracked key's desired value (none depends on the live offer)."""
    return {key: digest(want) for key, (want, _) in tracked(desired, {}).items()}


class Remembered:
    """`digest` of values an apply remembers for every offer, each worked out once while it
    recurs: most are the same object (a location, a table) or an equal string for thousands
    of offers. Keyed by a string's value or by any other value's identity (the value is kept
    alive with it, and none is changed in place); forgotten every `KEPT` values, so that the
    values of 100 000 offers are never all kept."""

    KEPT = 4096
    __slots__ = ("found",)

    def __init__(self) -> None:
        self.found: dict[object, tuple[Any, str]] = {}

    def __call__(self, value: Any) -> str:
        key = value if type(value) is str else id(value)
        hit = self.found.get(key)
        if hit is None:
            if len(self.found) >= self.KEPT:
                self.found.clear()
            hit = self.found[key] = (value, digest(value))
        return hit[1]


def settled(desired: Desired, live: Mapping[str, Any], last: dict[str, str] | None,
            wanted: dict[str, str] | None = None, hashed: Remembered | None = None
            ) -> dict[str, str]:
    """The digests to remember once apply is done: a key that now holds the catalog's value gets
    its digest (from `wanted`, `wanted_digests`, when known); any other keeps the one it had (a
    change that failed, a field Allegro wins), so its drift is still shown until the catalog
    takes the value."""
    last, wanted = last or {}, wanted or {}
    hash_of: Callable[[Any], str] = hashed or digest
    remembered = {}
    for key, (want, have) in tracked(desired, live).items():
        if want == have:
            remembered[key] = wanted.get(key) or hash_of(want)
        elif key in last:
            remembered[key] = last[key]
    return remembered


def find_drift(
    desired: Desired, live: Mapping[str, Any], last: dict[str, str] | None, wins: dict[str, str]
) -> tuple[Drift, ...]:
    """The drift of one offer the catalog sets back (it wins). Where Allegro wins, the live
    value is put into `desired` (nothing is sent) and a warning says to copy it."""
    if not last:
        return ()
    found = []
    for key, (want, have) in tracked(desired, live).items():
        known = last.get(key)
        if known is None or want == have or digest(have) == known:
            continue
        drift = Drift(field=key, was=want if digest(want) == known else None, now=have)
        if wins.get(key.split(".", 1)[0]) == "allegro":
            _keep(desired, key, have)
            desired.warn(
                f"{describe(drift)}; the catalog leaves {key} to Allegro (drift_wins), so it "
                f"stays: copy the value into the catalog (`{UPDATE_COMMAND}`)"
            )
        else:
            found.append(drift)
    return tuple(found)


def _keep(desired: Desired, key: str, value: Any) -> None:
    name, _, parameter = key.partition(".")
    if parameter:
        kept = {**desired.fields["parameters"], parameter: value}
        desired.fields["parameters"] = {k: v for k, v in kept.items() if v is not None}
    elif value is None:
        desired.fields.pop(name, None)
    else:
        desired.fields[name] = value


def describe(drift: Drift) -> str:
    """`changed on Allegro since the last apply: price 27.99 PLN → 33.00 PLN`"""
    was = "" if drift.was is None else f"{_short(drift.was)} → "
    return f"changed on Allegro since the last apply: {drift.field} {was}{_short(drift.now)}"


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if value is None:
        text = "(not set)"
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)  # no terminal codes
    return text if len(text) <= 60 else text[:59] + "…"


def wins(offer: Offer, catalog: Catalog) -> dict[str, str]:
    """Field -> who wins its drift, the offer's choice over the defaults'."""
    return {**catalog.settings.defaults.drift_wins, **offer.drift_wins}


def applied_digests(
    catalog: Catalog,
    live: LiveState,
    after: Mapping[str, Mapping[str, Any]],
    last: dict[str, dict[str, str]],
    now: datetime,
    prepared: Prepared | None = None,
) -> dict[str, dict[str, str]]:
    """External id -> digests to remember, for every managed offer whose fields after apply
    (`after`, by external id) are known; an offer whose outcome is unknown keeps its own.
    `prepared` holds what was worked out already of some offers (`live` must be the same)."""
    lookups = Lookups(live)
    prepared = prepared or {}
    remembered = {}
    hashed = Remembered()
    for sku, offer in catalog.offers.items():
        fields = after.get(sku)
        if fields is None:
            if sku in last:
                remembered[sku] = last[sku]
            continue
        desired, wanted = prepared.get(sku) or (desire(sku, offer, catalog, live, now, lookups),
                                                None)
        digests = settled(desired, fields, last.get(sku), wanted, hashed)
        if digests:  # the last apply's where the same: one copy, not two, of each
            remembered[sku] = last[sku] if digests == last.get(sku) else digests
    return remembered


def all_drift(catalog: Catalog, live: LiveState, now: datetime) -> dict[str, tuple[Drift, ...]]:
    """External id -> every drifted field of the offer, whoever wins it."""
    lookups = Lookups(live)
    found = {}
    for sku, offer in catalog.offers.items():
        current = live.offers.get(sku)
        if current is not None and live.applied.get(sku):
            desired = desire(sku, offer, catalog, live, now, lookups)
            drift = find_drift(desired, current.fields, live.applied[sku], {})
            if drift:
                found[sku] = drift
    return found
