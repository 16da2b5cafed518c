"""Units sold on Allegro since a feed counted its stock (see README "Stock and sales").

A warehouse's count is a snapshot: purchases made on Allegro after it are not in it. They are
read from the order-event feed with `live.sales.read_sales`, from the feed's time instead of
the ledger's position: every line item bought at or after that time counts. Reading starts at
the ledger's event when everything up to it was bought before the feed's time, else at the
start of the order events.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from catalogsync.allegro.client import AllegroClient
from catalogsync.feeds.load import FeedValues
from catalogsync.live.sales import read_sales
from catalogsync.live.state import FeedStock, LiveState
from catalogsync.state.index import OrderPosition


async def with_feed_stock(client: AllegroClient, live: LiveState, values: FeedValues,
                          ledger: OrderPosition) -> LiveState:
    """`live` with the stock of every offer a feed counts, and the units sold since."""
    stocks: dict[str, FeedStock] = {}
    sold_since: dict[str | None, dict[str, int] | None] = {}
    for sku in values.values:
        found = values.stock(sku)
        if found is None:
            continue
        count, read, line = found
        current = live.offers.get(sku)
        sold: int | None = None
        if read.at is not None and current is not None:
            if read.at not in sold_since:
                sold_since[read.at] = await _sold(client, read.at, ledger)
            by_offer = sold_since[read.at]
            sold = None if by_offer is None else by_offer.get(current.id, 0)
        stocks[sku] = FeedStock(count=count, at=read.at, source=f"{read.spec.name}:{line}",
                                sold=sold)
    if not stocks:
        return live
    notes = live.notes
    if any(v is None for v in sold_since.values()):
        notes += ("order events could not be read: a feed's stock is set as counted, sales "
                  "since its time are not taken off",)
    return replace(live, feed_stock=stocks, notes=notes)


async def _sold(client: AllegroClient, at: str, ledger: OrderPosition) -> dict[str, int] | None:
    moment = _moment(at)
    until = _moment(ledger.bought_until)
    start = ledger.event if moment and until and until < moment else None
    sales = await read_sales(client, OrderPosition(event=start, bought_until=at))
    return None if isinstance(sales, str) else dict(sales.sold)


def _moment(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
