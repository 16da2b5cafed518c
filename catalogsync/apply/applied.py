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
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from catalogsync.apply.applier import Applier
from catalogsync.apply.ledger import Ledger, settle
from catalogsync.catalog.models import Catalog
from catalogsync.live.cache import CachedOffer, LiveCache
from catalogsync.live.committed import feed_line
from catalogsync.live.gpsr import named, names_by_id
from catalogsync.live.state import LiveOffer, LiveState
from catalogsync.plan.drift import applied_digests, desire, settled, wanted_digests
from catalogsync.plan.model import Resource
from catalogsync.plan.offers import Desired, Lookups
from catalogsync.state.index import StateIndex, save_index


def fields_after(live: LiveState, index: StateIndex, applier: Applier | None
                 ) -> dict[str, Mapping[str, Any]]:
    """External id -> the offer's fields once apply is done, where known."""
    cache = LiveCache(
        offers={o.id: CachedOffer(o.status, o.fields) for o in live.offers.values()}
    )
    names = names_by_id(live.responsible)
    if applier is not None:
        settle(cache, applier.ledger, {i: name for name, i in applier.table_ids.items()})
        names.update(_references(applier))
    found = {}
    for sku, offer_id in {**index.offers, **{s: o.id for s, o in live.offers.items()}}.items():
        entry = cache.offers.get(offer_id)
        if entry is not None:
            found[sku] = LiveOffer(offer_id, entry.status, entry.fields)
    return {sku: offer.fields for sku, offer in named(found, names).items()}


def _references(applier: Applier) -> dict[str, str]:
    """GPSR entry id -> name, of those apply knows (made ones too)."""
    return {i: n for ids in applier.references.values() for n, i in ids.items()}


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
    if preparing is not None and preparing.live is live and preparing.outcomes is not None:
        digests = preparing.digests(now)
    else:
        after = fields_after(live, index, applier)
        prepared = preparing.done if preparing is not None and preparing.live is live else None
        digests = applied_digests(catalog, live, after, index.applied, now, prepared)
    managed = {sku: offer_id for sku, offer_id in index.offers.items() if sku in catalog.offers}
    feed = feed_line(cache, now, managed, index.feed if applier is None else None)
    if index._partial is not None and feed != index.feed:
        feed = _of_some(feed, index.feed, cache, index._partial.keys)
    if (digests, feed) != (index.applied, index.feed):
        index.applied, index.feed = digests, feed
        if index.has_state():  # digests alone are no state: they must not hide its absence
            save_index(index_path, index)


def _of_some(new: str | None, old: str | None, cache: LiveCache, keys: frozenset[str]
             ) -> str | None:
    """The feed line of an apply of the offers `keys` (`new`, worked out of them alone):
    the other offers the last line was unsure of stay so, for their rows did not change. None
    (the next fresh clone reads every offer) when that line is not known, or when the feed
    named another offer changed while apply ran: its row went, so it too is unsure now."""
    saved = cache.saved
    if new is None or old is None or saved is None or saved.outside:
        return None
    try:
        unsure = set(json.loads(old)["unsure"]) - keys
        line = json.loads(new)
    except (ValueError, TypeError, KeyError):
        return None
    line["unsure"] = sorted(unsure | set(line["unsure"]))
    return json.dumps(line, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Outcomes:
    """Each offer's fields once apply is done, one offer at a time: `fields_after`'s replay of
    the applier's ledger, for an offer alone. `key` is what the result stands on (the offer's
    id, its confirmed steps so far, whether it is in doubt or pending, its last digests): the
    ledger only grows, so an equal key is an equal result."""

    def __init__(self, live: LiveState, index: StateIndex, applier: Applier) -> None:
        self.index, self.applier = index, applier
        self.live_ids = {sku: offer.id for sku, offer in live.offers.items()}
        self.by_id = {offer.id: offer for offer in live.offers.values()}
        self.names = names_by_id(live.responsible)
        self.sku_of = {offer_id: sku for sku, offer_id in {**index.offers, **self.live_ids}.items()}
        #: offers the plan changes: nothing to work out before apply has done something
        self.planned = {c.key for c in applier.plan.changes if c.resource is Resource.OFFER}

    def epoch(self) -> tuple[int, int]:
        """What every offer's result stands on: the tables and GPSR entries apply knows."""
        return len(self.applier.table_ids), sum(map(len, self.applier.references.values()))

    def key(self, sku: str) -> tuple[Any, ...]:
        offer_id = self.live_ids.get(sku) or self.index.offers.get(sku)
        ledger = self.applier.ledger
        return (offer_id, len(ledger.steps.get(offer_id or "", ())), offer_id in ledger.doubtful,
                offer_id in ledger.unsettled, self.index.applied.get(sku))

    def waiting(self, sku: str, key: tuple[Any, ...]) -> bool:
        """A command for the offer has not reported its task yet, or apply has done nothing
        yet of what the plan changes in it."""
        return bool(key[3]) or (sku in self.planned and not key[1] and not key[2])

    def touched(self) -> list[str]:
        """The offers whose outcome changed since the last call (those apply knows the id
        of; the end looks at every offer)."""
        ids = self.applier.ledger.touched_since()
        return [self.sku_of[i] for i in ids if i in self.sku_of]

    def fields(self, sku: str, offer_id: str | None) -> Mapping[str, Any] | None:
        if offer_id is None:
            return None
        ledger = self.applier.ledger
        own = Ledger(steps={offer_id: ledger.steps[offer_id]} if offer_id in ledger.steps else {},
                     doubtful={offer_id} & ledger.doubtful,
                     unsettled={offer_id} & ledger.unsettled)
        read = self.by_id.get(offer_id)
        cache = LiveCache(offers={} if read is None else {
            offer_id: CachedOffer(read.status, read.fields)})
        settle(cache, own, {i: name for name, i in self.applier.table_ids.items()})
        entry = cache.offers.get(offer_id)
        if entry is None:
            return None
        names = {**self.names, **_references(self.applier)} if self.applier.references \
            else self.names
        return named({sku: LiveOffer(offer_id, entry.status, entry.fields)}, names)[sku].fields


class Preparing:
    """Each managed offer's desired fields and digests, worked out a few offers at a time once
    apply waits for Allegro's rate windows (`paced`), in the event loop's idle turns (none
    depends on what apply does). Before that, requests go out as fast as they can: the first
    commands' answers date the slots the ones after the window take.

    With the applier's `Outcomes`, it then works out the digests to remember of every offer
    once apply has done what the plan asks of it (`applied_digests`' per offer), again as
    its outcome changes: once the last command settles, only the offers of the last
    commands are left to do (in a run of 100 000, where 75 000 were worked out at the end)."""

    #: offers worked out between two turns of the event loop (a few milliseconds)
    STEP = 20
    #: offers whose desired fields are kept at most (about 2.7 KB each, till the end); the
    #: rest are worked out again when their commands report
    AT_MOST = 25_000
    #: how often it looks whether apply is paced yet
    LOOK = 0.1
    #: how often it looks for offers whose outcome changed
    AGAIN = 0.5
    #: offers looked at between two turns of the event loop
    LOOKED = 1000

    def __init__(self, catalog: Catalog, live: LiveState, outcomes: Outcomes | None = None
                 ) -> None:
        self.catalog, self.live, self.outcomes = catalog, live, outcomes
        self.now = datetime.now(UTC)
        self.done: dict[str, tuple[Desired, dict[str, str]]] = {}
        #: external id -> (its outcome's key, the digests to remember: None, none)
        self.remembered: dict[str, tuple[tuple[Any, ...], dict[str, str] | None]] = {}
        self._epoch = outcomes.epoch() if outcomes is not None else None
        self._lookups: Lookups | None = None

    async def work(self, paced: Callable[[], bool]) -> None:
        while not paced():
            await asyncio.sleep(self.LOOK)
        self.now, lookups = datetime.now(UTC), self.lookups()
        for n, (sku, offer) in enumerate(islice(self.catalog.offers.items(), self.AT_MOST), 1):
            desired = desire(sku, offer, self.catalog, self.live, self.now, lookups)
            self.done[sku] = desired, wanted_digests(desired)
            if n % self.STEP == 0:
                await asyncio.sleep(0)  # the requests in flight come first
        if self.outcomes is None:
            return
        self.outcomes.touched()
        skus: list[str] = list(self.catalog.offers)  # every offer once, then those touched
        while True:
            await self._settled(self.outcomes, skus)
            await asyncio.sleep(self.AGAIN)
            skus = self.outcomes.touched()

    async def _settled(self, outcomes: Outcomes, skus: list[str]) -> None:
        """Work out the digests of these offers where their outcome is known and changed."""
        worked = 0
        for n, sku in enumerate(skus, 1):
            if n % self.LOOKED == 0:
                await asyncio.sleep(0)
            if sku not in self.catalog.offers:
                continue
            key = outcomes.key(sku)
            known = self.remembered.get(sku)
            if outcomes.waiting(sku, key) or (known is not None and known[0] == key):
                continue
            self.remembered[sku] = key, self._digests(outcomes, sku, key, self.now)
            worked += 1
            if worked % self.STEP == 0:
                await asyncio.sleep(0)

    def lookups(self) -> Lookups:
        if self._lookups is None:
            self._lookups = Lookups(self.live)
        return self._lookups

    def _digests(self, outcomes: Outcomes, sku: str, key: tuple[Any, ...], now: datetime
                 ) -> dict[str, str] | None:
        """What `applied_digests` remembers of the offer (None: nothing)."""
        last = key[4]
        fields = outcomes.fields(sku, key[0])
        if fields is None:  # not known: it keeps its own
            return last  # type: ignore[no-any-return]
        offer = self.catalog.offers[sku]
        desired, wanted = self.done.get(sku) or (
            desire(sku, offer, self.catalog, self.live, now, self.lookups()), None)
        found = settled(desired, fields, last, wanted) or None
        return last if found == last else found  # one copy, not two (65 MB at 100 000 offers)

    def digests(self, now: datetime) -> dict[str, dict[str, str]]:
        """Every managed offer's digests to remember, as `applied_digests` works them out
        (with `outcomes`; once apply is done)."""
        outcomes = self.outcomes
        assert outcomes is not None
        if outcomes.epoch() != self._epoch:  # a table or GPSR entry made: names may differ
            self.remembered.clear()
        out = {}
        for sku in self.catalog.offers:
            key = outcomes.key(sku)
            known = self.remembered.get(sku)
            found = known[1] if known is not None and known[0] == key \
                else self._digests(outcomes, sku, key, now)
            if found is not None:
                out[sku] = found
        return out

    @classmethod
    @contextmanager
    def meanwhile(cls, catalog: Catalog, live: LiveState, paced: Callable[[], bool],
                  outcomes: Outcomes | None = None) -> Iterator[Preparing]:
        """Work while the block runs, from when `paced()` says apply waits for Allegro."""
        preparing = cls(catalog, live, outcomes)
        task = asyncio.ensure_future(preparing.work(paced))
        try:
            yield preparing
        finally:
            task.cancel()
