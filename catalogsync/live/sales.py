"""Units sold on Allegro since the stock ledger's position, from `GET /order/events`.

The feed's facts (the seed FAQ): an order has at least one event and may have several of one
type, in any order, and a buyer who pays separate purchases together gets a new checkout form
that repeats their line items. One purchase act is one `lineItem.id`, so each line item counts
once, whatever events carry it. And since a purchase made before the last apply may send its
events after it (bought, then paid a day later), a line item counts only when it was bought
after every purchase the ledger already counted (`boughtAt`; see `state.OrderPosition`).

The feed is read before the offers: a purchase made between the two readings is then counted
as sold although the stock read already shows it, which makes a later plan think fewer units
are on sale than there are (never more).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.errors import AllegroError
from catalogsync.state import OrderPosition

PAGE = 1000


@dataclass(frozen=True)
class Sales:
    """What the order feed said after a position."""

    #: how far it was read
    position: OrderPosition
    #: offer id -> units bought after the starting position
    sold: Counter[str] = field(default_factory=Counter)


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


class _Tally:
    """Counts line items once each, and only those bought after `since`."""

    def __init__(self, since: OrderPosition) -> None:
        self.since = since
        self.until = _moment(since.bought_until)
        self.latest: tuple[datetime | None, str | None, set[str]] = (
            self.until, since.bought_until, set(since.bought_then))
        self.seen: set[str] = set()
        self.sold: Counter[str] = Counter()

    def add(self, item: dict[str, Any]) -> None:
        item_id = str(item.get("id"))
        if item_id in self.seen:
            return
        self.seen.add(item_id)
        bought = _moment(item.get("boughtAt"))
        if bought is not None and self.until is not None and (
            bought < self.until or (bought == self.until and item_id in self.since.bought_then)
        ):
            return  # counted before: the ledger's stock already shows it
        self.sold[str((item.get("offer") or {}).get("id"))] += int(item.get("quantity") or 0)
        latest, _, ids = self.latest
        if bought is not None and (latest is None or bought > latest):
            self.latest = (bought, str(item["boughtAt"]), {item_id})
        elif bought is not None and bought == latest:
            ids.add(item_id)

    def position(self, event: str | None) -> OrderPosition:
        _, text, ids = self.latest
        return OrderPosition(event=event, bought_until=text, bought_then=tuple(sorted(ids)))


async def read_sales(client: AllegroClient, since: OrderPosition) -> Sales | str:
    """Sales after `since` (from the feed's start when it names no event), or why they could
    not be read."""
    event = since.event
    tally = _Tally(since)
    try:
        while True:
            params: dict[str, Any] = {"limit": PAGE}
            if event:
                params["from"] = event
            events = (await client.get("/order/events", params=params)).get("events") or []
            for entry in events:
                for item in (entry.get("order") or {}).get("lineItems") or []:
                    tally.add(item)
            if events:
                event = str(events[-1]["id"])
            if len(events) < PAGE:
                return Sales(position=tally.position(event), sold=tally.sold)
    except AllegroError as exc:
        return f"order events could not be read ({exc})"
