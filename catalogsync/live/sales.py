"""Units sold on Allegro since the stock ledger's position, from `GET /order/events`.

The feed's facts (the seed FAQ): an order has at least one event and may have several of one
type, in any order, and a buyer who pays separate purchases together gets a new checkout form
that repeats their line items. One purchase act is one `lineItem.id`, so each line item counts
once, whatever events carry it. And since a purchase made before the last apply may send its
events after it (bought, then paid a day later), a line item counts only when it was bought
after every purchase the ledger already counted (`boughtAt`; see `state.OrderPosition`).

The offers' stock is read while buyers buy, so the feed is read twice: before the offers and
again after them, from where the first reading stopped (`around`). A purchase the first reading
counted is in every stock read; one only the second counted landed while the offers were read,
before or after its offer's own read: `at_read` attributes it by the stock read, the one
explanation with no drift, so no purchase falls between the readings unseen. The new ledger
position is the second reading's, and a unit bought after its offer's read is counted from
there (`Window.late`). The offers' own `stock.sold` cannot stand in: it counts the last 30 days.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.errors import AllegroError
from catalogsync.live.state import LiveOffer
from catalogsync.state.index import OrderPosition, StockMark

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


@dataclass(frozen=True)
class Window:
    """The feed read around the offers: `before` them, and what arrived `during` their read."""

    before: Sales
    during: Sales

    @property
    def position(self) -> OrderPosition:
        return self.during.position

    def at_read(self, offer_id: str, live: int, expected: int | None) -> int:
        """Units sold after the starting position by the time the offer's stock (`live`) was
        read. With the stock the ledger expects, the purchases of `during` the read shows
        count; without it, none do: they count as bought after the read, so a mark made from
        this read may expect fewer units on sale than there are (one held back), never more."""
        low = self.before.sold[offer_id]
        if expected is None:
            return low
        return min(max(expected - live, low), low + self.during.sold[offer_id])

    def late(self, offer_id: str, at_read: int) -> int:
        """Units sold after the offer's read, up to the new position."""
        return self.before.sold[offer_id] + self.during.sold[offer_id] - at_read


def attribute(
    window: Window | str, offers: Mapping[str, LiveOffer], marks: Mapping[str, StockMark]
) -> tuple[dict[str, int] | None, dict[str, int]]:
    """External id -> units sold by the time its stock was read (None: no feed), and -> units
    sold after that, up to the window's position."""
    if isinstance(window, str):
        return None, {}
    sold: dict[str, int] = {}
    late: dict[str, int] = {}
    for sku, offer in offers.items():
        mark = marks.get(sku)
        live = int(offer.fields.get("stock") or 0)
        sold[sku] = window.at_read(offer.id, live, None if mark is None else mark.expected)
        late[sku] = window.late(offer.id, sold[sku])
    return sold, late


async def around(client: AllegroClient, before: Sales | str) -> Window | str:
    """The second reading, after the offers: `before` and what arrived since it."""
    if isinstance(before, str):
        return before
    during = await read_sales(client, before.position)
    return during if isinstance(during, str) else Window(before, during)


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
