"""The stock ledger `import` leaves: every imported offer's stock as a mark, so that units sold
right after the import are sales, not drift the next plan puts back on sale."""

from __future__ import annotations

from catalogsync.adopt.entries import Entry
from catalogsync.live.sales import Window
from catalogsync.state.index import StateIndex, StockLedger, StockMark


def imported_ledger(index: StateIndex, window: Window | str, found: list[Entry]) -> None:
    """Move the ledger to `window`'s position (read around the import's reading of offers)
    and mark each imported offer's stock. A unit bought while the offers were read is taken
    as bought after its offer's read: a mark may be low (a later plan takes a unit off sale),
    never high. Without the order feed the ledger is left as it was."""
    if isinstance(window, str):
        return
    offers: dict[str, StockMark] = {}
    for sku, mark in index.stock.offers.items():
        offer_id = index.offers.get(sku)
        sold = window.late(offer_id, 0) if offer_id else 0
        offers[sku] = StockMark(declared=mark.declared, expected=max(mark.expected - sold, 0))
    for entry in found:
        stock = entry.fields.get("stock")
        if isinstance(stock, int):
            late = window.during.sold[entry.offer_id]
            offers[entry.key] = StockMark(declared=stock, expected=max(stock - late, 0))
    index.stock = StockLedger(position=window.position, offers=offers)
