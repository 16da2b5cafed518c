"""What an apply leaves each managed offer with, remembered as drift digests (plan/drift.py).

Every apply, one with nothing to change included, records them for every managed offer: the
offers as the plan read them, with what Allegro confirmed during the run on top (the same
replay as the live cache's, `apply/ledger.py`). An offer whose outcome is not known keeps the
digests it had.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from catalogsync.allegro.wire import Fields
from catalogsync.apply.applier import Applier
from catalogsync.apply.ledger import settle
from catalogsync.catalog.models import Catalog
from catalogsync.live.cache import CachedOffer, LiveCache
from catalogsync.live.committed import feed_line
from catalogsync.live.gpsr import named, names_by_id
from catalogsync.live.state import LiveOffer, LiveState
from catalogsync.plan.drift import applied_digests
from catalogsync.state.index import StateIndex, save_index


def fields_after(live: LiveState, index: StateIndex, applier: Applier | None) -> dict[str, Fields]:
    """External id -> the offer's fields once apply is done, where known."""
    cache = LiveCache(
        offers={o.id: CachedOffer(o.status, dict(o.fields)) for o in live.offers.values()}
    )
    names = names_by_id(live.responsible)
    if applier is not None:
        settle(cache, applier.ledger, {i: name for name, i in applier.table_ids.items()})
        names.update({i: n for ids in applier.references.values() for n, i in ids.items()})
    found = {}
    for sku, offer_id in {**index.offers, **{s: o.id for s, o in live.offers.items()}}.items():
        entry = cache.offers.get(offer_id)
        if entry is not None:
            found[sku] = LiveOffer(offer_id, entry.status, entry.fields)
    return {sku: offer.fields for sku, offer in named(found, names).items()}


def remember_applied(
    catalog: Catalog,
    live: LiveState,
    index: StateIndex,
    index_path: Path,
    cache: LiveCache,
    applier: Applier | None = None,
) -> None:
    """Record the digests of every managed offer, and where the live cache left the event
    feed (live/committed.py), in the state and `catalogsync.lock`."""
    now = datetime.now(UTC)
    after = fields_after(live, index, applier)
    digests = applied_digests(catalog, live, after, index.applied, now)
    managed = {sku: offer_id for sku, offer_id in index.offers.items() if sku in catalog.offers}
    feed = feed_line(cache, now, managed, index.feed if applier is None else None)
    if (digests, feed) != (index.applied, index.feed):
        index.applied, index.feed = digests, feed
        if index.has_state():  # digests alone are no state: they must not hide its absence
            save_index(index_path, index)
