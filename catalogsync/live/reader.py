"""The reading step: everything the planner needs from Allegro, fetched concurrently.

Offers come from the list endpoint (1000 a page), then one detail read per managed offer;
offers the state index knows but the list lacks (hidden, R22) are read by id.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.errors import AllegroError
from catalogsync.allegro.wire import STATUS_FROM_API, CategoryParameter, table_rates
from catalogsync.catalog.models import Catalog
from catalogsync.gcpause import gc_paused
from catalogsync.live.after_sales import read_after_sales
from catalogsync.live.cache import CachedOffer, LiveCache
from catalogsync.live.events import offer_events
from catalogsync.live.fetch import gather_map as _gather_map
from catalogsync.live.fetch import read_offer as _read_offer
from catalogsync.live.gpsr import named, names_by_id, read_responsible
from catalogsync.live.listings import read_other_listings
from catalogsync.live.marketplaces import read_marketplace_programmes, read_marketplaces
from catalogsync.live.moves import as_renamed, tables_to_read
from catalogsync.live.offer_list import Row, list_offers
from catalogsync.live.programmes import read_campaigns
from catalogsync.live.quiet import (
    QuietRead,
    list_counts,
    marketplace_candidates,
    plan_quiet,
    price_candidates,
    read_in_detail,
    read_quietly,
)
from catalogsync.live.quiet import summary as read_summary
from catalogsync.live.reuse import LISTED, from_cache, pending, still_matches
from catalogsync.live.sales import around, attribute, read_sales
from catalogsync.live.schedule import ReadSchedule
from catalogsync.live.state import DeliveryMethod, LiveOffer, LiveState, LiveTable, ProductCandidate
from catalogsync.live.variants import read_variant_sets
from catalogsync.state.index import StateIndex


async def read_live(
    client: AllegroClient,
    catalog: Catalog,
    index: StateIndex,
    cache: LiveCache | None = None,
    now: datetime | None = None,
    schedule: ReadSchedule | None = None,
    *,
    rotate: bool = True,
) -> LiveState:
    """Read what the planner needs. With a `cache` from an earlier read, offers the event
    feed does not name are taken from it instead of read again; `cache` is updated. With a
    `schedule`, a quiet account's offer list is not paged (live/quiet.py); it is updated."""
    with gc_paused():  # pages and cache entries, all acyclic: collecting costs more than reading
        return await _read_live(client, catalog, index, cache, now, schedule, rotate)


async def _read_live(
    client: AllegroClient,
    catalog: Catalog,
    index: StateIndex,
    cache: LiveCache | None,
    now: datetime | None,
    schedule: ReadSchedule | None,
    rotate: bool,
) -> LiveState:
    cache = cache if cache is not None else LiveCache()
    now = now or datetime.now(UTC)
    since = cache.read_at
    sales = await read_sales(client, index.stock.position)  # before the offers, and after
    changed, fed, cursor = await _changed_since(client, cache, now)
    methods = await _delivery_methods(client)
    tables, responsible = await asyncio.gather(
        _tables(client, catalog, index, methods), read_responsible(client, catalog)
    )
    table_names = as_renamed({t.id: t.name for t in tables.values()}, catalog, "tables")
    names = as_renamed(names_by_id(responsible), catalog, "gpsr")
    current = cache.tables == table_names and cache.responsible == names
    quiet: QuietRead | str = "no usable live cache" if changed is None else "names changed"
    if schedule is not None and changed is not None and current:
        quiet = plan_quiet(catalog, index, cache, changed, schedule, now, rotate=rotate)
    found = None
    if isinstance(quiet, QuietRead):
        found = await read_quietly(client, catalog, cache, quiet, table_names)
        quiet = quiet if found else "an offer the feed names has a catalog key"
    listing: list[Row] = []
    duplicates: dict[str, tuple[LiveOffer, ...]] = {}
    if found is not None:
        offers, gone = found
    else:
        reuse = (
            {i: c for i, c in cache.offers.items() if i not in changed and not pending(c.fields)}
            if changed is not None and current
            else {}
        )
        listing = await list_offers(client)
        offers, gone, duplicates = await _managed_offers(
            client, catalog, index, listing, table_names, reuse
        )
    offers = named(offers, names)
    if schedule is not None:
        schedule.strangers = []  # read now, or the list was
    counts = list_counts(listing, catalog, index, schedule, duplicates, now, found is not None)
    window = await around(client, sales)  # after the offers: see live.sales
    sold, late = attribute(window, offers, index.stock.offers)
    cache.fed, cache.event_cursor, cache.read_at = fed, cursor, now
    cache.tables, cache.responsible = table_names, names
    cache.offers = {
        o.id: CachedOffer(
            status=o.status,
            fields=o.fields,
            expect=["OFFER_ACTIVATED"] if o.status == "ACTIVATING" else [],
            digest=o.digest,
            unsure=LISTED if o.vouched else (),
            vouched=o.vouched,
        )
        for o in offers.values()
        if not o.rekey  # its external id is not its key yet: read it again
    }
    products = await _products(client, catalog)
    creates = set(catalog.offers) - set(offers) - gone
    other_listings = await read_other_listings(client, catalog, creates, products, listing)
    categories = {o.category for o in catalog.offers.values() if o.category}
    categories |= {c.category for found in products.values() for c in found}
    category_parameters = await _gather_map(
        sorted(categories), lambda c: _category_parameters(client, c)
    )
    removed = await _removed_offers(client, catalog, index, listing)
    after_sales, conditions = await read_after_sales(client, catalog)
    variant_api, variant_sets = (
        await read_variant_sets(client) if catalog.variant_sets else (False, {})
    )
    campaigns, notes = await read_campaigns(
        client, catalog.settings.marketplace,
        price_candidates(catalog, offers) if found else [o.id for o in offers.values()],
    )
    marketplaces = await read_marketplaces(client, catalog)
    marketplace_campaigns, marketplace_notes = await read_marketplace_programmes(
        client, catalog,
        [] if not marketplaces else marketplace_candidates(catalog, offers, marketplaces)
        if found else [o.id for o in offers.values()],
    )
    return LiveState(
        marketplaces=marketplaces,
        marketplace_campaigns=marketplace_campaigns,
        offers=offers,
        responsible=responsible,
        tables=tables,
        delivery_methods=methods,
        products=products,
        category_parameters={c: p for c, p in category_parameters.items() if p is not None},
        gone=frozenset(gone),
        duplicates=duplicates,
        unmanaged_offers=counts.unmanaged,
        other_listings=other_listings,
        has_state=index.has_state(),
        unconfirmed=frozenset(index.unconfirmed),
        listed_offers=counts.listed,
        removed=removed,
        removed_tables=tuple(
            sorted(
                n for n in index.shipping_rates if n not in catalog.shipping_rates and n in tables
            )
        ),
        campaigns=campaigns,
        after_sales=after_sales, conditions=conditions,
        variant_api=variant_api,
        variant_sets=variant_sets,
        variant_membership={o: s.name for s in variant_sets.values() for o in s.offer_ids},
        notes=notes + marketplace_notes + ((window,) if isinstance(window, str) else ()),
        stock_marks=index.stock.offers,
        sold=sold,
        sold_late=late,
        order_position=None if isinstance(window, str) else window.position,
        draft_count=counts.drafts,
        read=read_summary(quiet, since, counts, now),
    )


async def _delivery_methods(client: AllegroClient) -> tuple[DeliveryMethod, ...]:
    body = await client.get("/sale/delivery-methods")
    return tuple(
        DeliveryMethod(
            id=m["id"],
            name=m["name"],
            constraints=m.get("shippingRatesConstraints") or {},
            marketplaces=tuple(str(x) for x in m.get("marketplaces") or ()),
        )
        for m in body.get("deliveryMethods") or []
    )


async def _tables(
    client: AllegroClient,
    catalog: Catalog,
    index: StateIndex,
    delivery_methods: tuple[DeliveryMethod, ...],
) -> dict[str, LiveTable]:
    """All tables by name; rates are read only for tables the catalog manages or renames."""
    summary = (await client.get("/sale/shipping-rates")).get("shippingRates") or []
    methods = {m.id: m.name for m in delivery_methods}
    wanted_ids = set(index.shipping_rates.values())
    named = tables_to_read(catalog)
    wanted = [t for t in summary if t["name"] in named or t["id"] in wanted_ids]
    details = await _gather_map(
        [t["id"] for t in wanted], lambda i: client.get(f"/sale/shipping-rates/{i}")
    )
    tables = {t["name"]: LiveTable(id=t["id"], name=t["name"], rates=()) for t in summary}
    for doc in details.values():
        tables[doc["name"]] = LiveTable(
            id=doc["id"], name=doc["name"], rates=table_rates(doc, methods)
        )
    return tables


async def _managed_offers(
    client: AllegroClient,
    catalog: Catalog,
    index: StateIndex,
    listing: list[Row],
    table_names: dict[str, str],
    reuse: dict[str, CachedOffer],
) -> tuple[dict[str, LiveOffer], set[str], dict[str, tuple[LiveOffer, ...]]]:
    """The managed offers, read in detail unless `reuse` (offer id -> what the cache holds,
    minus what the event feed says changed) still holds for them."""
    by_sku: dict[str, list[Row]] = {}
    for offer in listing:
        if offer.external_id in catalog.offers:
            by_sku.setdefault(offer.external_id, []).append(offer)
    chosen: dict[str, str] = {}
    duplicates: dict[str, tuple[LiveOffer, ...]] = {}
    # offers the state gives another key (adopted duplicates whose new key apply writes)
    keyed = {i for s, i in index.offers.items() if s in catalog.offers}
    for sku, found in by_sku.items():
        mine = index.offers.get(sku)
        found = [o for o in found if o.id == mine or o.id not in keyed] or found
        offer_id = chosen[sku] = _choose(found, mine)
        others = tuple(  # an ended duplicate sells nothing: only live ones matter
            _status_only(o.id, o.status) for o in found if o.id != offer_id and o.status != "ENDED"
        )
        if others:
            duplicates[sku] = others
    # R22: a hidden offer is missing from the list but readable by id.
    unlisted = {s: i for s, i in index.offers.items() if s in catalog.offers and s not in chosen}
    offers: dict[str, LiveOffer] = {}
    listed = {o.id: o for o in listing}
    for sku, offer_id in list(chosen.items()):
        cached = reuse.get(offer_id)
        row = listed.get(offer_id)
        if cached is not None and row and row.has_status and still_matches(cached, row, row.status):
            offers[sku] = from_cache(offer_id, cached, row, row.status)
            del chosen[sku]
    chosen.update(unlisted)  # never from the cache: their external id is checked below
    read, gone = await read_in_detail(client, chosen.items(), table_names)
    return offers | read, gone, duplicates


async def _changed_since(
    client: AllegroClient, cache: LiveCache, now: datetime
) -> tuple[set[str] | None, bool, str | None]:
    """Offer ids the event feed names since the cache's cursor beyond the changes we expect
    (None: read everything), whether the feed answered, and the cursor to keep. The cursor
    is taken before the offers are read, so a change made while reading is seen again."""
    usable = cache.usable(now)
    found = await offer_events(client, cache.event_cursor if usable else None)
    if found is None:
        return None, False, None  # no feed (or the cursor fell out of it): read everything
    events, cursor = found
    return (cache.unexplained(events) if usable else None), True, cursor


def _choose(found: list[Row], known_id: str | None) -> str:
    """Several offers may share an external id. Of several live ones, the oldest (the list
    is newest first) whatever the state says, so that every machine keeps the same one and
    ends the others; else the indexed one, else the live one."""
    live = [o.id for o in found if o.status != "ENDED"]
    if len(live) > 1 or (live and known_id not in [o.id for o in found]):
        return live[-1]
    return known_id if known_id in [o.id for o in found] else found[0].id


async def _products(
    client: AllegroClient, catalog: Catalog
) -> dict[str, tuple[ProductCandidate, ...]]:
    keys = sorted(
        {o.product.id or o.product.ean or "" for o in catalog.offers.values() if o.product}
    )
    pinned = {o.product.id for o in catalog.offers.values() if o.product and o.product.id}
    return await _gather_map(keys, lambda k: _find_products(client, k, by_id=k in pinned))


async def _find_products(
    client: AllegroClient, key: str, *, by_id: bool
) -> tuple[ProductCandidate, ...]:
    if by_id:
        try:
            return (_candidate(await client.get(f"/sale/products/{key}")),)
        except AllegroError as exc:
            if exc.status == 404:
                return ()
            raise
    body = await client.get("/sale/products", params={"phrase": key, "mode": "GTIN"})
    return tuple(_candidate(p) for p in body.get("products") or [])


def _candidate(doc: dict[str, Any]) -> ProductCandidate:
    return ProductCandidate(
        id=str(doc["id"]),
        name=str(doc.get("name") or ""),
        category=str((doc.get("category") or {}).get("id") or ""),
        parameters={
            str(p.get("name")): tuple(p.get("values") or p.get("valuesLabels") or [])
            for p in doc.get("parameters") or []
        },
    )


async def _category_parameters(
    client: AllegroClient, category: str
) -> tuple[CategoryParameter, ...] | None:
    try:
        body = await client.get(f"/sale/categories/{category}/parameters")
    except AllegroError as exc:
        if exc.status == 404:
            return None
        raise
    return tuple(
        CategoryParameter(
            id=str(p["id"]),
            name=str(p["name"]),
            type=str(p.get("type")),
            required=bool(p.get("required")),
            dictionary={str(d["value"]): str(d["id"]) for d in p.get("dictionary") or []},
            restrictions=dict(p.get("restrictions") or {}),
        )
        for p in body.get("parameters") or []
    )


async def _removed_offers(
    client: AllegroClient, catalog: Catalog, index: StateIndex, listing: list[Row]
) -> dict[str, LiveOffer]:
    """Offers apply made whose external id left the catalog: their status, for pruning."""
    listed = {o.id: o for o in listing}
    removed: dict[str, LiveOffer] = {}
    unlisted = {}
    for sku, offer_id in index.offers.items():
        if sku in catalog.offers:
            continue
        if offer_id in listed:
            removed[sku] = _status_only(offer_id, listed[offer_id].status)
        else:
            unlisted[sku] = offer_id
    docs = await _gather_map(unlisted.items(), lambda item: _read_offer(client, item[1]))
    for (sku, offer_id), doc in docs.items():
        if doc is not None:
            removed[sku] = _status_only(offer_id, str(doc["publication"]["status"]))
    return removed


def _status_only(offer_id: str, status: str) -> LiveOffer:
    return LiveOffer(
        id=offer_id,
        status=status,
        fields={"status": STATUS_FROM_API.get(status, status.lower())},
        ever_activated=status != "INACTIVE",
    )
