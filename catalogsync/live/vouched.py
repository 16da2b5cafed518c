"""Offers taken on `catalogsync.lock`'s word that the plan needs read after all (plan/vouched.py
says which): read in detail, in the live state and the cache alike."""

from __future__ import annotations

from dataclasses import replace

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.wire import offer_fields
from catalogsync.live.cache import CachedOffer, LiveCache
from catalogsync.live.fetch import gather_map, read_offer
from catalogsync.live.gpsr import named
from catalogsync.live.state import LiveOffer, LiveState


async def read_vouched(
    client: AllegroClient, live: LiveState, cache: LiveCache, skus: frozenset[str]
) -> LiveState:
    ids = {sku: live.offers[sku].id for sku in sorted(skus)}
    docs = await gather_map(ids.items(), lambda item: read_offer(client, item[1]))
    offers = dict(live.offers)
    read = {}
    gone = set(live.gone)
    for (sku, offer_id), doc in docs.items():
        cache.offers.pop(offer_id, None)
        if doc is None:  # R20: gone since the list was read
            del offers[sku]
            gone.add(sku)
            continue
        status = str((doc.get("publication") or {}).get("status") or "INACTIVE")
        read[sku] = LiveOffer(id=offer_id, status=status,
                              fields=offer_fields(doc, cache.tables),
                              ever_activated=status != "INACTIVE")
    for sku, offer in named(read, cache.responsible).items():
        offers[sku] = offer
        cache.offers[offer.id] = CachedOffer(offer.status, offer.fields, digest=offer.digest)
    return replace(live, offers=offers, gone=frozenset(gone))
