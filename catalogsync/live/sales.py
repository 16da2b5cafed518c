"""Units sold on Allegro since the stock ledger's cursor, from `GET /order/events`.

The feed's facts (the seed FAQ): an order has at least one event and may have several of one
type, in any order, and a buyer who pays separate purchases together gets a new checkout form
that repeats their line items. One purchase act is one `lineItem.id`, so each line item is
counted once, whatever events carry it.

The feed is read before the offers: a purchase made between the two readings is then counted
as sold after the cursor although the stock already shows it, which makes a later plan think
fewer units are on sale than there are (never more).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.errors import AllegroError

PAGE = 1000


@dataclass(frozen=True)
class Sales:
    """What the order feed said after a cursor."""

    #: the last event read (the cursor a new ledger starts from)
    cursor: str | None
    #: offer id -> units bought after the starting cursor
    sold: Counter[str] = field(default_factory=Counter)


async def read_sales(client: AllegroClient, after: str | None) -> Sales | str:
    """Sales after `after` (None: the whole feed), or why they could not be read."""
    cursor = after
    seen: set[str] = set()
    sold: Counter[str] = Counter()
    try:
        while True:
            params: dict[str, Any] = {"limit": PAGE}
            if cursor:
                params["from"] = cursor
            events = (await client.get("/order/events", params=params)).get("events") or []
            for event in events:
                for item in (event.get("order") or {}).get("lineItems") or []:
                    if item.get("id") in seen:
                        continue
                    seen.add(item.get("id"))
                    offer_id = str((item.get("offer") or {}).get("id"))
                    sold[offer_id] += int(item.get("quantity") or 0)
            if events:
                cursor = str(events[-1]["id"])
            if len(events) < PAGE:
                return Sales(cursor=cursor, sold=sold)
    except AllegroError as exc:
        return f"order events could not be read ({exc})"
