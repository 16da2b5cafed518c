"""Renamed offers (`moved_from`) as the reading step sees them.

Until Allegro confirms a rename, the state index keeps the offer under its old key. The
reading step is given a view of the index in which the new key holds the old key's id, stock
mark and drift digests, so the offer is read by id (its external id still the old one: the
plan PATCHes `external.id`), and the old key is no offer removed from the catalog (never
pruned, even once `moved_from` is gone from the catalog). `apply/moves.py` moves the state
itself once Allegro has the new key."""

from __future__ import annotations

from typing import Any

from catalogsync.catalog.models import Catalog
from catalogsync.catalog.moves import old_name
from catalogsync.state.index import StateIndex


def moved_index(catalog: Catalog, index: StateIndex) -> StateIndex:
    """`index` as the reading step should see it (itself when no rename is pending)."""
    offers, applied = dict(index.offers), dict(index.applied)
    marks = dict(index.stock.offers)
    for sku, offer in catalog.offers.items():
        for old in offer.moved_from:
            if old not in offers or offers.get(sku, offers[old]) != offers[old]:
                continue  # nothing to move, or the new key has an offer of its own
            offers[sku] = offers.pop(old)  # not yet moved (or moved, the old key not dropped)
            if old in applied:
                applied.setdefault(sku, applied.pop(old))
            if old in marks:
                marks.setdefault(sku, marks.pop(old))
    held = {offers[s] for s in catalog.offers if s in offers}
    for old in [k for k, i in offers.items() if i in held and k not in catalog.offers]:
        del offers[old]  # an old key a working copy kept after the rename: never pruned
    if offers == index.offers:
        return index
    stock = index.stock.model_copy(update={"offers": marks})
    return index.model_copy(update={"offers": offers, "applied": applied, "stock": stock})


def tables_to_read(catalog: Catalog) -> set[str | None]:
    """The tables whose rates are read: the catalog's, under their names and the names they
    have on Allegro until a rename is applied."""
    return {*catalog.shipping_rates, *map(old_name, catalog.shipping_rates.values())}


def as_renamed(names: dict[str, str], catalog: Catalog, kind: str) -> dict[str, str]:
    """Id -> name of the account's tables (`kind` "tables") or GPSR producers and persons
    ("gpsr"), a name the catalog renames (`moved_from`) given as the new one: an offer that
    refers to the table (by id) is the same whichever name the table has, so the rename
    alone changes no offer."""
    entries: dict[str, Any] = (
        dict(catalog.shipping_rates) if kind == "tables"
        else {**catalog.responsible_producers, **catalog.responsible_persons}
    )
    renames = {old: new for new, entry in entries.items() if (old := old_name(entry))}
    if not renames:
        return names
    return {i: renames.get(name, name) for i, name in names.items()}
