"""The stock ledger while apply runs (see `catalogsync.plan.stock` for what it means); each
change of a mark is journalled at once (`state.record_stock_mark`).

A `GAIN` moves an offer's mark by the gain the moment the command is sent (a gain does not
depend on when it lands, so the ledger's position stays right), and back if Allegro refuses it:
an apply interrupted after Allegro ran the command does not mistake the gain for drift. Once
apply has run, the ledger moves on to the plan's order-event position: offers whose stock step
succeeded take the plan's new mark, every other offer the mark the plan kept for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from catalogsync.plan.model import Change, CommandKind, Plan
from catalogsync.state.index import (
    OrderPosition,
    StateIndex,
    StockLedger,
    StockMark,
    record_stock_mark,
)


class StockMarks:
    def __init__(self, plan: Plan, index: StateIndex, index_path: Path) -> None:
        self.plan = plan
        self.index = index
        self.index_path = index_path
        #: external ids whose stock step succeeded
        self.done: set[str] = set()
        self._before: dict[str, StockMark | None] = {}

    def requested(self, change: Change, body: dict[str, Any] | None) -> None:
        """A POST or PATCH that carried the offer's stock succeeded."""
        if change.stock is not None and "stock" in (body or {}):
            self.finished(change, True)

    def sending(self, kind: CommandKind, values: dict[str, Any], changes: list[Change]) -> None:
        """A batch command is about to be sent: a GAIN moves its offers' marks."""
        if kind is CommandKind.QUANTITY and values["change"] == "GAIN":
            self.sending_gain(changes, values["value"])

    def task(self, kind: CommandKind, change: Change, ok: bool) -> None:
        """A command's task for the change settled."""
        if kind is CommandKind.QUANTITY:
            self.finished(change, ok)

    def sending_gain(self, changes: list[Change], gain: int) -> None:
        for change in changes:
            old = self.index.stock.offers.get(change.key)
            self._before.setdefault(change.key, old)
            if old is not None and change.stock is not None:
                mark = StockMark(declared=change.stock.declared, expected=old.expected + gain)
                record_stock_mark(self.index_path, self.index, change.key, mark)

    def finished(self, change: Change, ok: bool) -> None:
        if ok:
            self.done.add(change.key)
            return
        if change.key not in self._before:
            return
        record_stock_mark(self.index_path, self.index, change.key, self._before.pop(change.key))

    def settle(self) -> None:
        book = self.plan.stock
        if book is None:  # the plan could not read order events: only the gains were noted
            return
        kept = self.index.stock.offers
        offers = {sku: _mark(kept.get(sku), mark.declared, mark.expected)
                  for sku, mark in book.marks.items()}
        for change in self.plan.changes:
            if change.stock is not None and change.key in self.done:
                offers[change.key] = _mark(None, change.stock.declared, change.stock.expected)
        position = OrderPosition(**book.position.model_dump())
        self.index.stock = StockLedger(position=position, offers=offers)


def _mark(kept: StockMark | None, declared: int, expected: int) -> StockMark:
    """The mark, the one the ledger holds when it is the same (most are, in a run of prices)."""
    if kept is not None and kept.declared == declared and kept.expected == expected:
        return kept
    return StockMark(declared=declared, expected=expected)
