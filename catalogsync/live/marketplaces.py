"""Additional marketplaces on the account: which there are and in which currency they sell
(`GET /marketplaces`), and which managed offers take part in Allegro Prices on each of those
the catalog names, whose price there a change would take out of the programme (R26)."""

from __future__ import annotations

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.errors import AllegroError
from catalogsync.catalog.models import Catalog

PAGE = 1000


def named_marketplaces(catalog: Catalog) -> list[str]:
    """The additional marketplaces the catalog's offers (or defaults) name."""
    named = [o.marketplaces for o in catalog.offers.values()]
    named.append(catalog.settings.defaults.marketplaces)
    return sorted({m for value in named if value for m in value})


async def read_marketplaces(client: AllegroClient, catalog: Catalog) -> dict[str, str]:
    """marketplace id -> its base currency (nothing is read if the catalog names none)."""
    if not named_marketplaces(catalog):
        return {}
    body = await client.get("/marketplaces")
    return {
        str(m["id"]): str(((m.get("currencies") or {}).get("base") or {}).get("code"))
        for m in body.get("marketplaces") or []
    }


async def read_marketplace_programmes(
    client: AllegroClient, catalog: Catalog, offer_ids: list[str]
) -> tuple[dict[str, dict[str, tuple[str, ...]]], tuple[str, ...]]:
    """offer id -> marketplace -> programmes that hold its price there (R26), and notes."""
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    notes: list[str] = []
    for marketplace in named_marketplaces(catalog):
        try:
            for start in range(0, len(offer_ids), PAGE):
                body = {"marketplace": {"id": marketplace},
                        "offer": {"ids": offer_ids[start : start + PAGE]}, "limit": PAGE}
                response = await client.request(
                    "POST", "/sale/allegro-prices/offers-queries", json=body, ok=(200,),
                    idempotent=True)
                for offer in response.json().get("offers") or []:
                    if offer.get("discountedAt") and not offer.get("excludedAt"):
                        found.setdefault(str(offer["id"]), {})[marketplace] = ("Allegro Prices",)
        except AllegroError as exc:
            notes.append(f"could not read Allegro Prices on {marketplace} ({exc.status}); prices "
                         "there are not protected in this plan (R26)")
    return found, tuple(notes)
