"""What an apply leaves each managed offer with, remembered as drift digests (plan/drift.py).

Every apply, one with nothing to change included, records them for every managed offer: the
offers as the plan read them, with what Allegro confirmed during the run on top (the same
replay as the live cache's, `apply/ledger.py`). An offer whose outcome is not known keeps the
digests it had.

What they are compared with, each offer's desired fields and their digests, depends on the
catalog and the read alone: `Preparing` works it out while apply waits for Allegro (its rate
windows, its commands' processing), so that little is left once the last command settles.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from catalogsync.allegro.wire import Fields
from catalogsync.apply.applier import Applier
from catalogsync.apply.ledger import settle
from catalogsync.catalog.models import Catalog
from catalogsync.live.cache import CachedOffer, LiveCache
from catalogsync.live.committed import feed_line
from catalogsync.live.gpsr import named, names_by_id
from catalogsync.live.state import LiveOffer, LiveState
from catalogsync.plan.drift import applied_digests, desire, wanted_digests
from catalogsync.plan.offers import Desired, Lookups
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
    preparing: Preparing | None = None,
) -> None:
    """Record the digests of every managed offer, and where the live cache left the event
    feed (live/committed.py), in the state and `catalogsync.lock`."""
    now = datetime.now(UTC)
    after = fields_after(live, index, applier)
    prepared = preparing.done if preparing is not None and preparing.live is live else None
    digests = applied_digests(catalog, live, after, index.applied, now, prepared)
    managed = {sku: offer_id for sku, offer_id in index.offers.items() if sku in catalog.offers}
    feed = feed_line(cache, now, managed, index.feed if applier is None else None)
    if (digests, feed) != (index.applied, index.feed):
        index.applied, index.feed = digests, feed
        if index.has_state():  # digests alone are no state: they must not hide its absence
            save_index(index_path, index)


class Preparing:
    """Each managed offer's desired fields and digests, worked out a few offers at a time once
    apply waits for Allegro's rate windows (`paced`), in the event loop's idle turns (none
    depends on what apply does). Before that, requests go out as fast as they can: the first
    commands' answers date the slots the ones after the window take."""

    #: offers worked out between two turns of the event loop (a few milliseconds)
    STEP = 20
    #: offers worked out at most (about 2.7 KB each kept till the end; the rest are worked
    #: out then, a few seconds in a run of 100 000 that waits ten minutes for the windows)
    AT_MOST = 25_000
    #: how often it looks whether apply is paced yet
    LOOK = 0.1

    def __init__(self, catalog: Catalog, live: LiveState) -> None:
        self.catalog, self.live = catalog, live
        self.done: dict[str, tuple[Desired, dict[str, str]]] = {}

    async def work(self, paced: Callable[[], bool]) -> None:
        while not paced():
            await asyncio.sleep(self.LOOK)
        now, lookups = datetime.now(UTC), Lookups(self.live)
        for n, (sku, offer) in enumerate(islice(self.catalog.offers.items(), self.AT_MOST), 1):
            desired = desire(sku, offer, self.catalog, self.live, now, lookups)
            self.done[sku] = desired, wanted_digests(desired)
            if n % self.STEP == 0:
                await asyncio.sleep(0)  # the requests in flight come first

    @classmethod
    @contextmanager
    def meanwhile(cls, catalog: Catalog, live: LiveState, paced: Callable[[], bool]
                  ) -> Iterator[Preparing]:
        """Work while the block runs, from when `paced()` says apply waits for Allegro."""
        preparing = cls(catalog, live)
        task = asyncio.ensure_future(preparing.work(paced))
        try:
            yield preparing
        finally:
            task.cancel()
