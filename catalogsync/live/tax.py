"""Which tax settings each category allows (`GET /sale/tax-settings?category.id=…`): read only
when an offer or `defaults` sets `tax`, once per category the catalog's offers are in."""

from __future__ import annotations

from typing import Any

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.errors import AllegroError
from catalogsync.allegro.tax_wire import rate_text
from catalogsync.catalog.models import Catalog
from catalogsync.live.fetch import gather_map
from catalogsync.live.state import CategoryTax


def uses_tax(catalog: Catalog) -> bool:
    return catalog.settings.defaults.tax is not None or any(
        o.tax is not None for o in catalog.offers.values())


def category_tax(doc: dict[str, Any]) -> CategoryTax:
    rates: dict[str, dict[str, bool]] = {}
    for entry in doc.get("rates") or []:
        country = str(entry.get("countryCode"))
        rates[country] = {rate_text(v["value"]): bool(v.get("exemptionRequired"))
                          for v in entry.get("values") or [] if v.get("value") is not None}
    return CategoryTax(
        rates=rates,
        subjects=tuple(str(s["value"]) for s in doc.get("subjects") or [] if s.get("value")),
        exemptions=tuple(str(e["value"]) for e in doc.get("exemptions") or [] if e.get("value")),
    )


async def read_tax_settings(
    client: AllegroClient, catalog: Catalog, categories: list[str]
) -> dict[str, CategoryTax]:
    """category id -> its tax settings (a category Allegro has none for is left out)."""
    if not uses_tax(catalog):
        return {}

    async def one(category: str) -> CategoryTax | None:
        try:
            return category_tax(await client.get("/sale/tax-settings",
                                                 params={"category.id": category}))
        except AllegroError as exc:
            if exc.status in (400, 404):
                return None
            raise

    found = await gather_map(sorted(categories), one)
    return {c: t for c, t in found.items() if t is not None}
