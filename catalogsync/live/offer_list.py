"""The account's offer list (`GET /sale/offers`, 1000 a page), kept as lean rows.

A page of the list is about 7 KB of JSON per offer; the reading step needs seven values of each.
Each page is turned into `Row`s as it arrives and dropped, so reading 100 000 offers holds
about 43 MB for the run instead of the whole raw listing (750 MB).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalogsync.allegro.client import AllegroClient
from catalogsync.live.fetch import PAGE, gather_map


@dataclass(frozen=True, slots=True)
class Row:
    """What the offer list (or a detail read standing in for it) shows of one offer."""

    id: str
    external_id: str | None
    status: str  # Allegro's publication status, INACTIVE when the row has none
    name: str | None
    #: `sellingMode.price` as (amount, currency); None when the row has no price
    price: tuple[str, str] | None
    stock: int | None
    category: str | None
    #: the row showed a publication status (a row without one is not cross-checked)
    has_status: bool = True


def row_of(doc: dict[str, Any]) -> Row:
    """The lean row of an offer-list entry or an offer's detail document."""
    status = (doc.get("publication") or {}).get("status")
    price = (doc.get("sellingMode") or {}).get("price") or {}
    category = (doc.get("category") or {}).get("id")
    return Row(
        id=str(doc["id"]),
        external_id=(doc.get("external") or {}).get("id"),
        status=str(status or "INACTIVE"),
        name=doc.get("name"),
        price=(str(price["amount"]), str(price.get("currency") or "PLN")) if price else None,
        stock=(doc.get("stock") or {}).get("available"),
        category=None if category is None else str(category),
        has_status=bool(status),
    )


async def list_offers(client: AllegroClient) -> list[Row]:
    """Every offer the list shows. The first page's `totalCount` says how many pages follow;
    they are read at once (a list of 100 000 offers is 100 pages, each a round trip to
    Allegro). Without a total, pages are read one by one until a short one."""

    async def page(offset: int) -> list[Row]:
        body = await client.get("/sale/offers", params={"limit": PAGE, "offset": offset})
        return [row_of(o) for o in body.get("offers") or []]

    first = await client.get("/sale/offers", params={"limit": PAGE, "offset": 0})
    offers = [row_of(o) for o in first.get("offers") or []]
    total = first.get("totalCount")
    del first
    if len(offers) < PAGE:
        return offers
    if isinstance(total, int):
        for batch in (await gather_map(range(PAGE, total, PAGE), page)).values():
            offers.extend(batch)
        return offers
    while True:
        batch = await page(len(offers))
        offers.extend(batch)
        if len(batch) < PAGE:
            return offers
