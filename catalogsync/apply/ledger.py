"""What apply saw Allegro confirm, written into the live cache at the end of a run.

The offer a POST or PATCH answered with, and the fields a command task reported SUCCESS for,
replace what the plan read; anything whose outcome is unknown is dropped from the cache and
read again. Each confirmed change lists the offer events it causes, so the feed's echo of our
own work is not taken for someone else's, and the feed's cursor moves past it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.wire import offer_fields
from catalogsync.gcpause import gc_paused
from catalogsync.live.cache import LIVE_STATUSES, CachedOffer, LiveCache, save_cache
from catalogsync.live.events import FeedFollower
from catalogsync.live.schedule import note_strangers
from catalogsync.plan.model import Action, Plan, Resource

#: Fields with an event of their own; a change to any other content field is OFFER_CHANGED.
_FIELD_EVENTS = {"price": "OFFER_PRICE_CHANGED", "stock": "OFFER_STOCK_CHANGED"}
_NOT_CONTENT = frozenset({"status", *_FIELD_EVENTS})


@dataclass
class Ledger:
    #: offer id -> confirmed steps in order: an answered document (JSON as Allegro sent it:
    #: one object for the collector to skip, not hundreds per offer), or fields a command set
    steps: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    doubtful: set[str] = field(default_factory=set)
    #: offers in a command that has not reported their task yet
    unsettled: set[str] = field(default_factory=set)
    #: how many confirmed steps may have put an event in the feed (one each, or none)
    confirmations: int = 0
    #: offers whose entry here changed since `touched_since` was last asked
    touched: set[str] = field(default_factory=set)

    def answered(self, offer_id: str, doc: bytes, *, created: bool = False) -> None:
        """Allegro answered a POST or PATCH with the offer as it now is (its JSON body). A
        created offer is a draft, and drafts cause no events."""
        self.steps.setdefault(offer_id, []).append(("doc", doc))
        self.confirmations += not created
        self.touched.add(offer_id)

    def confirmed(self, offer_id: str, fields: dict[str, Any]) -> None:
        """A command task for the offer ended in SUCCESS: it now has these canonical fields."""
        self.steps.setdefault(offer_id, []).append(("set", fields))
        self.unsettled.discard(offer_id)
        self.confirmations += 1
        self.touched.add(offer_id)

    def restocked(self, offer_id: str, change: dict[str, Any]) -> None:
        """A quantity command's task ended in SUCCESS with `change` (`{"change": "GAIN" |
        "FIXED", "value": n}`); what it left depends on what buyers bought meanwhile, which
        the feed tells of (`_restocked`)."""
        self.steps.setdefault(offer_id, []).append(("stock", dict(change)))
        self.unsettled.discard(offer_id)
        self.confirmations += 1
        self.touched.add(offer_id)

    def sent(self, offer_ids: list[str]) -> None:
        """A command for these offers is on its way; unknown until their tasks settle."""
        self.unsettled.update(offer_ids)
        self.touched.update(offer_ids)

    def doubt(self, offer_id: str) -> None:
        """Whatever happened to the offer is not known: the next plan reads it."""
        self.doubtful.add(offer_id)
        self.touched.add(offer_id)

    def touched_since(self) -> set[str]:
        """The offers whose entry changed since the last call."""
        touched, self.touched = self.touched, set()
        return touched


def table_names(plan: Plan, table_ids: dict[str, str]) -> dict[str, str] | None:
    """Table id -> name after a run of `plan`; None if a table may have been renamed."""
    for change in plan.changes:
        if change.resource is Resource.SHIPPING_RATES and change.action is not Action.CREATE:
            return None
    return {table_id: name for name, table_id in table_ids.items()}


def settle(cache: LiveCache, ledger: Ledger, table_names: dict[str, str] | None,
           replayed: dict[str, int] | None = None) -> None:
    """Replay the ledger onto the cache. `table_names` (id -> name) is None when a table may
    have been renamed: offers name their table, so none of them is known any more.
    `replayed`: offer id -> steps replayed onto this cache already (`settle_early`)."""
    if table_names is None:
        cache.offers.clear()
        return
    cache.tables = dict(table_names)
    for offer_id, steps in ledger.steps.items():
        _replay(cache, offer_id, steps, table_names, replayed)
    for offer_id in ledger.doubtful | ledger.unsettled:
        cache.offers.pop(offer_id, None)


def settle_early(cache: LiveCache, ledger: Ledger, table_names: dict[str, str],
                 replayed: dict[str, int]) -> int:
    """Replay, while apply still runs, what it confirmed of the offers no command is pending
    for (an offer in flight keeps what was read until the end's `settle`); how many offers
    changed. An interrupted run that saved these leaves each with the events it expects: the
    next read's feed explains them (`LiveCache.unexplained`)."""
    changed = 0
    for offer_id, steps in ledger.steps.items():
        if offer_id not in ledger.unsettled and replayed.get(offer_id, 0) < len(steps):
            _replay(cache, offer_id, steps, table_names, replayed)
            changed += 1
    for offer_id in ledger.doubtful - ledger.unsettled:
        changed += cache.offers.pop(offer_id, None) is not None
    return changed


def _replay(cache: LiveCache, offer_id: str, steps: list[tuple[str, Any]],
            table_names: dict[str, str], replayed: dict[str, int] | None) -> None:
    done = 0 if replayed is None else replayed.get(offer_id, 0)
    if done == len(steps):
        return
    entry = cache.offers.get(offer_id)
    for kind, data in steps[done:]:
        if kind == "doc":
            doc = _json_object(data)
            entry = None if doc is None else _answered(entry, doc, table_names)
        elif kind == "stock":
            entry = _restocked(entry, data)
        else:
            entry = _confirmed(entry, data)
    if entry is None:
        cache.offers.pop(offer_id, None)
    else:
        cache.offers[offer_id] = entry
    if replayed is not None:
        replayed[offer_id] = len(steps)


def _json_object(data: bytes) -> dict[str, Any] | None:
    """An answer's body as the offer it shows; None (not known: read again) if it is not one."""
    try:
        doc = json.loads(data)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


def _answered(
    entry: CachedOffer | None, doc: dict[str, Any], table_names: dict[str, str]
) -> CachedOffer:
    status = str((doc.get("publication") or {}).get("status") or "INACTIVE")
    new = CachedOffer(status=status, fields=offer_fields(doc, table_names))
    new.expect = _events(entry, new)
    return new


def _confirmed(entry: CachedOffer | None, values: dict[str, Any]) -> CachedOffer | None:
    if entry is None:
        return None  # what the rest of the offer looks like is not known
    values = {k: v for k, v in values.items() if k != "scheduled_for"}
    status = entry.status
    if values.get("status") == "active" and status not in LIVE_STATUSES:
        status = "ACTIVATING"  # ACTIVE once Allegro has published it
    elif values.get("status") == "ended":
        status = "ENDED"
    new = CachedOffer(status=status, fields={**entry.fields, **values}, unsure=entry.unsure)
    new.expect = _events(entry, new, values)
    return new


def _restocked(entry: CachedOffer | None, change: dict[str, Any]) -> CachedOffer | None:
    """The stock a quantity command left: the value it set (FIXED), or the cached stock plus
    the change (GAIN). Exact unless another change came between the cached read and the
    command, or after it: a purchase or another's edit puts an OFFER_STOCK_CHANGED of its own
    in the feed (Allegro: "stock ... changed either via purchase or by seller"), beyond the
    one this change causes, and the offer is read again (`LiveCache.unexplained`). A draft
    sends no events, and cannot be bought. Not known (`unsure`: the list shows it) when the
    cached stock was not known either."""
    if entry is None:
        return None
    expect = [*entry.expect, *(["OFFER_STOCK_CHANGED"] if entry.status in LIVE_STATUSES else [])]
    value, stock = change.get("value"), entry.fields.get("stock")
    if not isinstance(value, int):
        stock = None
    elif change.get("change") == "FIXED":
        stock = value
    elif change.get("change") == "GAIN" and isinstance(stock, int) and "stock" not in entry.unsure:
        stock = stock + value
    else:
        stock = None
    if stock is None:
        unsure = tuple(sorted({*entry.unsure, "stock"}))
        return CachedOffer(entry.status, entry.fields, expect, None, unsure)
    return CachedOffer(entry.status, {**entry.fields, "stock": stock}, expect, None, entry.unsure)


def _events(
    old: CachedOffer | None, new: CachedOffer, touched: Iterable[str] | None = None
) -> list[str]:
    """The events Allegro emits for the change from `old` to `new`, on top of those `old`
    still waits for; `touched` names the only fields that may differ, when known. Only
    offers that are live emit events (drafts and ended ones do not)."""
    expect = list(old.expect) if old else []
    was = old.status if old else "INACTIVE"
    if was not in LIVE_STATUSES:
        if new.status in LIVE_STATUSES:
            expect.append("OFFER_ACTIVATED")
        return expect
    before = old.fields if old else {}
    expect += [e for f, e in _FIELD_EVENTS.items() if before.get(f) != new.fields.get(f)]
    content = set(before) | set(new.fields) if touched is None else set(touched)
    if any(before.get(f) != new.fields.get(f) for f in content - _NOT_CONTENT):
        expect.append("OFFER_CHANGED")
    if new.status == "ENDED":
        expect.append("OFFER_ENDED")
    return expect


def follow(client: AllegroClient, cache: LiveCache, ledger: Ledger) -> FeedFollower | None:
    """The feed read from the cache's cursor while apply runs (None: the next plan reads
    everything anyway)."""
    if not cache.usable(datetime.now(UTC)):
        return None
    return FeedFollower(client, cache.event_cursor, lambda: ledger.confirmations)


async def record(
    path: Path,
    ledger: Ledger,
    table_names: dict[str, str] | None,
    responsible_names: dict[str, str],
    cache: LiveCache,
    feed: FeedFollower | None,
    replayed: dict[str, int] | None = None,
) -> None:
    """Write what apply confirmed into the cache and save it at `path`, the event cursor moved
    past our own events (`feed` read them); another's change to an offer drops that offer
    from the cache. `replayed`: what was replayed onto the cache already (`settle_early`)."""
    now = datetime.now(UTC)
    if feed is None or not cache.usable(now):
        if feed is not None:
            feed.cancel()
        save_cache(path, cache)  # the next plan reads everything anyway
        return
    with gc_paused():  # a cached offer each, built from acyclic parts
        settle(cache, ledger, table_names, replayed)
    cache.responsible = dict(responsible_names)  # GPSR entries apply made are named too
    found = await feed.finish()
    if found is not None:  # else the next plan reads the feed and finds the rest expected
        events, cursor = found
        changed = cache.unexplained(events)
        note_strangers(path, {i for i in changed if i not in cache.offers})
        for offer_id in changed:
            cache.offers.pop(offer_id, None)
        cache.event_cursor, cache.read_at = cursor, now
    save_cache(path, cache)
