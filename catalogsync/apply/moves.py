"""Renames (`moved_from`) made permanent: once Allegro holds an offer under its new external
id, the state index, the stock ledger and the drift digests move from the old key to the new
one, and so do their lines in `catalogsync.lock` (when the index is next saved)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from catalogsync.apply.report import ApplyReport
from catalogsync.catalog.models import Catalog
from catalogsync.catalog.moves import old_name
from catalogsync.live.state import LiveState
from catalogsync.plan.model import Plan, Resource
from catalogsync.state.index import StateIndex, forget_id, record_id, record_stock_mark

TABLE = Resource.SHIPPING_RATES.value


def move_confirmed(
    index_path: Path, index: StateIndex, catalog: Catalog, confirmed: Mapping[str, str]
) -> list[str]:
    """Move each renamed offer's state whose new key Allegro `confirmed` (new key -> offer
    id; `shipping_rates NAME` -> table id for tables) from its old key; the new keys moved."""
    moved = _move_tables(index_path, index, catalog, confirmed)
    for sku, offer in catalog.offers.items():
        for old in offer.moved_from:
            offer_id = index.offers.get(old)
            if offer_id is None or confirmed.get(sku) != offer_id:
                continue
            if index.offers.get(sku) != offer_id:
                record_id(index_path, index, "offer", sku, offer_id)
            forget_id(index_path, index, "offer", old)
            mark = index.stock.offers.get(old)
            if mark is not None:
                if sku not in index.stock.offers:
                    record_stock_mark(index_path, index, sku, mark)
                record_stock_mark(index_path, index, old, None)
            digests = index.applied.pop(old, None)
            if digests is not None:
                index.applied.setdefault(sku, digests)
            moved.append(sku)
    return moved


def _move_tables(
    index_path: Path, index: StateIndex, catalog: Catalog, confirmed: Mapping[str, str]
) -> list[str]:
    """A table renamed in place keeps its id: the index (and the lock) move it to the new
    name once Allegro holds the table under it."""
    moved = []
    for name, table in catalog.shipping_rates.items():
        old = old_name(table)
        table_id = index.shipping_rates.get(old) if old else None
        if old is None or table_id is None or confirmed.get(f"{TABLE} {name}") != table_id:
            continue
        if index.shipping_rates.get(name) != table_id:
            record_id(index_path, index, "shipping_rates", name, table_id)
        forget_id(index_path, index, "shipping_rates", old)
        moved.append(name)
    return moved


def already_moved(live: LiveState) -> dict[str, str]:
    """New key -> offer id of the offers Allegro already holds under their catalog key (a
    rename a stopped run made, whose state did not move yet), and `shipping_rates NAME` ->
    table id of the tables it holds."""
    return {**{f"{TABLE} {name}": table.id for name, table in live.tables.items()},
            **{sku: offer.id for sku, offer in live.offers.items() if not offer.rekey}}


def renamed_now(plan: Plan, report: ApplyReport) -> dict[str, str]:
    """New key -> offer id of the renames this apply made: their PATCH succeeded (and
    `shipping_rates NAME` -> table id of the tables a PUT renamed)."""
    done = {o.address for o in report.outcomes if o.ok and o.step.startswith(("PATCH ", "PUT "))}
    return {c.address if c.resource is Resource.SHIPPING_RATES else c.key: c.id
            for c in plan.changes if c.renamed_from and c.id and c.address in done}

