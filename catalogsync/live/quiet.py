"""A quiet read: when the event feed names few changes since the live cache's cursor, the
offer list is not paged and Allegro Prices is asked only about offers whose price may change.

Read in detail instead: the offers the feed names, those the cache is unsure of (a quantity
command's change to a stock it did not know), those the state knows and the cache does not, and
the rotating check's slice (live/schedule.py). Everything else is the cache's. Any doubt
means a list read (the reading step as before): a catalog offer without an id yet (a create
must know the account's other offers), duplicates at the last list read, more to read in
detail than the list would cost, the list check due, or `--refresh`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.wire import money, offer_fields
from catalogsync.catalog.models import Catalog
from catalogsync.live.cache import CachedOffer, LiveCache
from catalogsync.live.fetch import PAGE, external_id, gather_map, read_offer, status_of
from catalogsync.live.offer_list import Row
from catalogsync.live.reuse import pending
from catalogsync.live.schedule import ReadSchedule, rotating_slice
from catalogsync.live.state import LiveOffer
from catalogsync.state.index import StateIndex

#: At most this many offers are read in detail in place of the list, beyond the rotating
#: slice: a detail read costs about as much as a page of the list.
DETAIL_MAX = 500


@dataclass
class QuietRead:
    """What a quiet read reads in detail (external id -> offer id) and why."""

    detail: dict[str, str]
    #: offers the feed names that the cache does not know (checked for a catalog key)
    strangers: list[str]
    #: every managed offer (external id -> offer id)
    managed: dict[str, str]
    #: how many the feed named, and how many the rotating check added (None: no check)
    changed: int
    rotated: int | None


def plan_quiet(
    catalog: Catalog, index: StateIndex, cache: LiveCache, changed: set[str],
    schedule: ReadSchedule, now: datetime, *, rotate: bool = True,
) -> QuietRead | str:
    """The quiet read to do, or why the list is read instead. Only plans (`rotate`) read the
    rotating slice: apply carries out a change, the plans around it look for drift."""
    if schedule.list_due(now):
        return "list check due" if schedule.listed_at else "first read of the list"
    if schedule.duplicates:
        return "offers shared an external id at the last list read"
    ids = {sku: index.offers.get(sku) for sku in catalog.offers}
    if any(i is None for i in ids.values()):
        return "the catalog has offers to create"
    managed = {sku: i for sku, i in ids.items() if i is not None}
    if any(cache.offers[i].vouched for i in managed.values() if i in cache.offers):
        return "offers taken on catalogsync.lock's word"  # the list shows their fields
    unsure = {sku: i for sku, i in managed.items() if i in cache.offers and cache.offers[i].unsure}
    if len(unsure) > list_cost(schedule.listed, len(managed)):
        return f"{len(unsure)} stocks set while buyers could buy"  # the list shows them
    detail = dict(unsure)
    for sku, offer_id in managed.items():
        cached = cache.offers.get(offer_id)
        if (cached is None or offer_id in changed or pending(cached.fields)
                or catalog.offers[sku].moved_from):  # a rename: is the key on Allegro yet?
            detail[sku] = offer_id
    by_id = {i: sku for sku, i in managed.items()}
    strangers = sorted({i for i in [*changed, *schedule.strangers] if i not in by_id})
    removed = {sku: i for sku, i in index.offers.items() if sku not in catalog.offers}
    if len(detail) + len(strangers) + len(removed) > DETAIL_MAX:
        return f"{len(detail) + len(strangers)} offers changed or unsure"
    named = sum(1 for i in changed if i in by_id)
    chosen = rotating_slice(sorted(by_id), schedule) if rotate else []
    rotated = [i for i in chosen if by_id[i] not in detail]
    detail.update({by_id[i]: i for i in rotated})
    return QuietRead(detail, strangers, managed, named, len(rotated) if rotate else None)


def list_cost(listed: int, managed: int) -> int:
    """The requests a list read costs: a page per thousand offers and as many Allegro Prices
    queries. The account holds the managed offers at least: the last list read may have
    counted it before they were made (the first apply's)."""
    return 2 * max(1, -(-max(listed, managed) // PAGE))


async def read_quietly(
    client: AllegroClient, catalog: Catalog, cache: LiveCache, read: QuietRead,
    table_names: dict[str, str],
) -> tuple[dict[str, LiveOffer], set[str]] | None:
    """The managed offers, read in detail or from the cache, and those gone (R20); None when
    an offer the feed names carries a catalog key (a duplicate made elsewhere): read the list."""
    strangers = await gather_map(read.strangers, lambda i: read_offer(client, i))
    if any(doc and external_id(doc) in catalog.offers for doc in strangers.values()):
        return None
    offers, gone = await read_in_detail(client, read.detail.items(), table_names)
    for sku, offer_id in read.managed.items():
        if sku not in read.detail:
            offers[sku] = _from_cache(offer_id, cache.offers[offer_id])
    return offers, gone


async def read_in_detail(client: AllegroClient, chosen: Iterable[tuple[str, str]],
                         table_names: dict[str, str]) -> tuple[dict[str, LiveOffer], set[str]]:
    """Each (external id, offer id) read in detail; those Allegro no longer has are gone (R20:
    archived or deleted since the last read)."""
    docs = await gather_map(chosen, lambda item: read_offer(client, item[1]))
    offers: dict[str, LiveOffer] = {}
    gone: set[str] = set()
    for (sku, offer_id), doc in docs.items():
        if doc is None:
            gone.add(sku)
        else:
            offers[sku] = detailed(sku, offer_id, doc, table_names)
    return offers, gone


def detailed(sku: str, offer_id: str, doc: dict[str, Any], table_names: dict[str, str]
             ) -> LiveOffer:
    """A managed offer from its detail read."""
    status, external = status_of(doc), external_id(doc)
    return LiveOffer(
        id=offer_id, status=status, fields=offer_fields(doc, table_names),
        ever_activated=status != "INACTIVE", rekey_from=external, rekey=external != sku,
    )


def _from_cache(offer_id: str, cached: CachedOffer) -> LiveOffer:
    return LiveOffer(
        id=offer_id, status=cached.status, fields=cached.fields,
        ever_activated=cached.status != "INACTIVE", known_digest=cached.digest,
    )


def price_candidates(catalog: Catalog, offers: dict[str, LiveOffer]) -> list[str]:
    """Ids of offers whose catalog price is not their price on Allegro: the only ones whose
    campaigns and Allegro Prices a plan needs (R26 holds back a price change)."""
    currency = catalog.settings.defaults.currency
    found = []
    for sku, offer in offers.items():
        spec = catalog.offers.get(sku)
        if (spec is not None and spec.price is not None
                and money(spec.price, spec.currency or currency) != offer.fields.get("price")):
            found.append(offer.id)
    return found


def marketplace_candidates(catalog: Catalog, offers: dict[str, LiveOffer],
                           currencies: dict[str, str]) -> list[str]:
    """Ids of offers with a price on an additional marketplace that the catalog would change
    (R26 there, plan/marketplaces.py)."""
    found = []
    default = catalog.settings.defaults.marketplaces
    for sku, offer in offers.items():
        spec = catalog.offers.get(sku)
        wanted = spec.marketplaces if spec is not None and spec.marketplaces is not None else None
        wanted = wanted if wanted is not None else (default if spec is not None else None)
        have = offer.fields.get("marketplaces") or {}
        if any(price is not None and m in currencies and money(price, currencies[m]) != have.get(m)
               for m, price in (wanted or {}).items()):
            found.append(offer.id)
    return found


def list_counts(
    listing: list[Row], catalog: Catalog, index: StateIndex, schedule: ReadSchedule | None,
    duplicates: dict[str, tuple[LiveOffer, ...]], now: datetime, quiet: bool,
) -> ReadSchedule:
    """The account's offer counts: the list's, kept in `schedule`; a quiet read's are those
    of the last list read."""
    if quiet and schedule is not None:
        return schedule
    counts = schedule if schedule is not None else ReadSchedule()
    # offers removed from the catalog are planned (pruned) or warned about, not "outside";
    # nor is an adopted offer whose key apply is yet to write into its external id
    managed = set(catalog.offers) | set(index.offers)
    keyed = set(index.offers.values())
    counts.listed_at, counts.listed, counts.duplicates = now, len(listing), bool(duplicates)
    counts.unmanaged = sum(1 for o in listing if o.external_id not in managed and o.id not in keyed)
    counts.drafts = sum(1 for o in listing if o.status == "INACTIVE" and o.has_status)
    return counts


def summary(read: QuietRead | str, since: datetime | None, schedule: ReadSchedule,
            now: datetime) -> str:
    """What the reading step read and why, for the plan (`read`: why the list was read)."""
    if isinstance(read, str):
        return f"Read the offer list ({_pages(schedule.listed)}; {read})."
    parts = [
        f"event feed: {read.changed} changed since {_when(since, now)}",
        f"rotating check {read.rotated}/{len(read.managed)}" if read.rotated is not None
        else "no rotating check in apply",
        f"list check due in {hours(schedule.due_in(now))}",
    ]
    total = len(read.detail)
    return f"Read {total} offer{'s' if total != 1 else ''} in detail ({'; '.join(parts)})."


def _pages(listed: int) -> str:
    pages = max(1, -(-listed // PAGE))
    return f"{pages} page{'s' if pages != 1 else ''}"


def _when(since: datetime | None, now: datetime) -> str:
    if since is None:
        return "the last read"
    return f"{hours(now - since)} ago"


def hours(delta: timedelta) -> str:
    minutes = max(0, round(delta.total_seconds() / 60))
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"

