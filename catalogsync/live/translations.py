"""The seller's own translations of the offers whose catalog entry has `translations`: one
`GET /sale/offers/{offerId}/translations` per such offer (no other offer is read), and the
languages Allegro's additional marketplaces display offers in (`GET /marketplaces`)."""

from __future__ import annotations

from dataclasses import replace

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.translations_wire import manual_translations
from catalogsync.catalog.models import Catalog
from catalogsync.live.fetch import gather_map
from catalogsync.live.state import LiveState


def translated(catalog: Catalog) -> list[str]:
    """The catalog's offers that manage translations."""
    return [sku for sku, offer in catalog.offers.items() if offer.translations is not None]


async def read_translations(client: AllegroClient, catalog: Catalog, live: LiveState
                            ) -> LiveState:
    skus = translated(catalog)
    if not skus:
        return live
    marketplaces = (await client.get("/marketplaces")).get("marketplaces") or []
    base = catalog.settings.marketplace
    languages = sorted({
        str(language.get("code"))
        for m in marketplaces if m.get("id") != base
        for language in ((m.get("languages") or {}).get("offerDisplay") or [])
    })
    ids = {sku: live.offers[sku].id for sku in skus if sku in live.offers}
    found = await gather_map(
        sorted(ids), lambda sku: client.get(f"/sale/offers/{ids[sku]}/translations"))
    return replace(live, translation_languages=tuple(languages),
                   translations={sku: manual_translations(doc) for sku, doc in found.items()})
