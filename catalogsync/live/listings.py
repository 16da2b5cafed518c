"""Offers outside the catalog that already sell a product the catalog would list again.

Allegro forbids a seller to list one item twice, and a seller adopting an account often
writes a new SKU for a product an older offer already sells. Before the plan creates an
offer, the account's other offers of the same categories (the list carries no product) are
read in detail to learn which products they sell. Only runs with creates pay for this.
"""

from __future__ import annotations

from catalogsync.allegro.client import AllegroClient
from catalogsync.catalog.models import Catalog
from catalogsync.live.fetch import gather_map, product_id, read_offer
from catalogsync.live.offer_list import Row
from catalogsync.live.state import OtherListing, ProductCandidate


async def read_other_listings(
    client: AllegroClient,
    catalog: Catalog,
    creates: set[str],
    products: dict[str, tuple[ProductCandidate, ...]],
    listing: list[Row],
) -> dict[str, tuple[OtherListing, ...]]:
    """Product id -> offers outside the catalog (not ended) that sell it, for the products
    of the offers about to be created (`creates`: their external ids)."""
    wanted: dict[str, str] = {}  # product id -> category
    for sku in creates:
        offer = catalog.offers[sku]
        if offer.product is None or offer.allow_second_listing:
            continue
        for candidate in products.get(offer.product.id or offer.product.ean or "", ()):
            wanted[candidate.id] = candidate.category
    if not wanted:
        return {}
    categories = set(wanted.values())
    others = [
        row
        for row in listing
        if row.external_id not in catalog.offers
        and row.status != "ENDED"
        and str(row.category) in categories
    ]
    docs = await gather_map([r.id for r in others], lambda i: read_offer(client, i))
    found: dict[str, list[OtherListing]] = {}
    for row in others:
        doc = docs.get(row.id)
        sold = product_id(doc) if doc else None
        if sold in wanted:
            found.setdefault(sold, []).append(
                OtherListing(
                    id=row.id, external_id=row.external_id, status=row.status,
                    name=str(row.name or ""),
                )
            )
    return {p: tuple(o) for p, o in found.items()}
