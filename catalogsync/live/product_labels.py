"""Names and EANs of the products an offer moves between, so that a plan says "Kubek biały
330 ml (EAN 5901234123457) → Kubek czarny 330 ml (EAN 5901234123464)" rather than two product
ids. Read only for offers whose live product is not one the catalog's EAN or id finds: a
product change is rare, and each costs a `GET /sale/products/{id}` per product."""

from __future__ import annotations

from typing import Any

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.errors import AllegroError
from catalogsync.catalog.models import Catalog
from catalogsync.live.fetch import gather_map
from catalogsync.live.state import LiveState, ProductLabel


async def read_product_labels(
    client: AllegroClient, catalog: Catalog, live: LiveState
) -> dict[str, ProductLabel]:
    """product id -> label, for both sides of every product change the plan will show."""
    wanted: set[str] = set()
    for sku, offer in catalog.offers.items():
        current = live.offers.get(sku)
        if offer.product is None or current is None or not current.fields.get("product"):
            continue
        candidates = live.products.get(offer.product.id or offer.product.ean or "") or ()
        if str(current.fields["product"]) not in {c.id for c in candidates}:
            wanted |= {str(current.fields["product"]), *(c.id for c in candidates)}
    found = await gather_map(sorted(wanted), lambda p: _label(client, p))
    return {p: label for p, label in found.items() if label is not None}


async def _label(client: AllegroClient, product: str) -> ProductLabel | None:
    try:
        doc = await client.get(f"/sale/products/{product}")
    except AllegroError as exc:
        if exc.status == 404:
            return None  # shown by its id
        raise
    return label(doc)


def label(doc: dict[str, Any]) -> ProductLabel:
    """A `GET /sale/products/{id}` document's name, single GTIN and category."""
    gtins = {str(v) for p in doc.get("parameters") or []
             if (p.get("options") or {}).get("isGTIN") for v in p.get("values") or []}
    return ProductLabel(
        name=str(doc.get("name") or doc.get("id")),
        ean=gtins.pop() if len(gtins) == 1 else "",
        category=str((doc.get("category") or {}).get("id") or ""),
    )
