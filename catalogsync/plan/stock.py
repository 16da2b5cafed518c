"""One offer's stock: sales are not drift, a restock is a delta, a sold-out offer comes back.

Allegro lowers `stock.available` by itself when buyers purchase. The stock ledger (the state)
remembers what catalogsync last made of each offer's stock: the catalog's number then
(`declared`) and the live stock it left (`expected`, at the ledger's order-event position). The
reading step counts the units bought since that position by the time the offer's stock was read
(`live.sales`). Then, for an offer:

- live = expected − sold: every difference is explained by sales; they are shown and left alone;
- anything else is drift (changed outside catalogsync), shown as such and corrected;
- stock mode `delta` (default): the target is expected − sold + (catalog − declared), reached
  with a `GAIN` of target − live, so a unit sold between plan and apply stays sold;
- stock mode `absolute`: the target is the catalog's number, set with `FIXED`, and the plan
  says which sales that puts back on sale;
- an offer Allegro ended for `EMPTY_STOCK` whose catalog says active is sold out, not drift;
  a restock re-activates it (the quantity command runs before the publication command).

Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from catalogsync.catalog.models import Catalog, StockMode
from catalogsync.live.state import LiveOffer, LiveState
from catalogsync.plan.model import Command, CommandKind, Diagnostic, FieldDiff, Mark, Severity
from catalogsync.plan.offers import Desired

EMPTY_STOCK = "EMPTY_STOCK"


@dataclass
class StockStep:
    """What the plan does about one offer's stock, and what the ledger remembers after."""

    #: the live stock shown going to its target (None: nothing to do)
    diff: FieldDiff | None = None
    #: the quantity command (None: nothing to send, or a PATCH carries stock 0)
    command: Command | None = None
    #: absolute mode down to 0: FIXED cannot carry 0, the offer's PATCH does
    in_patch: bool = False
    #: the ledger mark once the step succeeded, and the one kept if it is not done
    mark: Mark | None = None
    kept: Mark | None = None
    #: the offer stays ended: sold out and not restocked
    sold_out: bool = False
    notes: list[tuple[Severity, str]] = field(default_factory=list)


@lru_cache(maxsize=4096)
def mark(declared: int, expected: int) -> Mark:
    """One (frozen) mark for equal stocks: a plan keeps one for every offer, and most stocks
    repeat (100 000 marks of their own took 28 MB)."""
    return Mark(declared=declared, expected=expected)


def sold_out(current: LiveOffer) -> bool:
    return current.fields.get("ended_by") == EMPTY_STOCK


def plan_stock(
    declared: int | None,
    current: LiveOffer,
    recorded: Mark | None,
    sold: int | None,
    mode: StockMode,
    activate: bool = True,
    late: int = 0,
) -> StockStep:
    """The stock step of one offer whose catalog manages `stock` (`declared`) or not (None);
    `activate`: the catalog wants the offer active (a sold-out one comes back). `sold`: units
    bought since the mark's position by the time `current` was read; `late`: bought after
    that, up to the plan's position, where the marks it makes stand (see `live.sales`)."""
    live = int(current.fields.get("stock") or 0)
    if declared is None:
        notes = _sold_out_note(current, 0, False) if activate else []
        return StockStep(sold_out=sold_out(current), notes=notes)
    step = StockStep()
    if recorded is None:
        target = declared
        if live != declared:
            step.notes.append((Severity.NOTE, f"no record of the stock catalogsync last set; "
                               f"the catalog's {declared} is taken as the stock on sale"))
    else:
        # Without order events, a fall is taken as sales (never oversells); a rise is drift.
        units = sold if sold is not None else max(recorded.expected - live, 0)
        now_expected = recorded.expected - units
        target = now_expected + declared - recorded.declared
        if mode is StockMode.ABSOLUTE:
            target = declared
        step.kept = mark(recorded.declared, max(now_expected - late, 0))
        step.notes += _explain(live, now_expected, units, declared, recorded.declared, mode)
    target = max(target, 0)
    step.mark = mark(declared, max(target - late, 0))
    if sold_out(current) and target == 0:
        step.sold_out = True
    if activate:
        step.notes += _sold_out_note(current, target, True)
    if target == live:
        step.kept = step.mark  # nothing to send: the new mark holds as it is
        return step
    step.diff = FieldDiff(field="stock", old=live, new=target)
    if mode is StockMode.ABSOLUTE and target == 0:
        step.in_patch = True
    elif mode is StockMode.ABSOLUTE:
        step.command = Command(kind=CommandKind.QUANTITY, fields={"change": "FIXED",
                                                                   "value": target})
    else:
        step.command = Command(kind=CommandKind.QUANTITY, fields={"change": "GAIN",
                                                                   "value": target - live})
    return step


def _explain(live: int, expected: int, sold: int, declared: int, before: int,
             mode: StockMode) -> list[tuple[Severity, str]]:
    """Sales, a restock and drift, in words; `before` is the catalog's stock last applied."""
    notes: list[tuple[Severity, str]] = []
    sales = f"sold {sold} since the last apply"
    if mode is StockMode.ABSOLUTE:
        if sold and live != declared:
            notes.append((Severity.NOTE, f"{sales}; FIXED {declared} puts them on sale again "
                          "(stock_mode: absolute)"))
        elif sold:
            notes.append((Severity.NOTE, sales))
    elif declared != before:
        kept = f", so the {sold} sold since the last apply stay sold" if sold else ""
        notes.append((Severity.NOTE, f"catalog stock {before} → {declared}: "
                      f"{declared - before:+d} is added (GAIN) to the {expected} on sale{kept}"))
    elif sold:
        notes.append((Severity.NOTE, f"{sales}; left alone"))
    drift = live - expected
    if drift:
        notes.append((Severity.WARNING, f"stock is {live} on Allegro where {expected} was "
                      f"expected after sales: {drift:+d} unexplained (changed outside "
                      "catalogsync); the catalog's stock is restored"))
    return notes


def _sold_out_note(current: LiveOffer, target: int, managed: bool
                   ) -> list[tuple[Severity, str]]:
    if not sold_out(current):
        return []
    if target > 0:
        return [(Severity.NOTE, f"sold out (ended by EMPTY_STOCK); restocked to {target} and "
                 "activated again")]
    until = "the catalog's stock rises" if managed else "stock is added on Allegro"
    return [(Severity.NOTE, f"sold out (ended by EMPTY_STOCK); stays ended until {until}")]


def offer_stock(
    desired: Desired, current: LiveOffer, live: LiveState, mode: StockMode
) -> StockStep:
    """The offer's stock step; its notes join the offer's diagnostics."""
    managed = "stock" in desired.fields and "stock" not in desired.ignored
    step = plan_stock(
        desired.fields["stock"] if managed else None,
        current,
        _recorded(live, desired.sku),
        None if live.sold is None else live.sold.get(desired.sku, 0),
        mode,
        activate=desired.fields["status"] == "active" and "status" not in desired.ignored,
        late=live.sold_late.get(desired.sku, 0),
    )
    desired.diagnostics += [
        Diagnostic(severity=severity, subject=f"offer {desired.sku}", message=message)
        for severity, message in step.notes
    ]
    return step


def _recorded(live: LiveState, sku: str) -> Mark | None:
    found = live.stock_marks.get(sku)
    return None if found is None else mark(found.declared, found.expected)


def carried_marks(live: LiveState, catalog: Catalog) -> dict[str, Mark]:
    """Marks of offers this run does not plan, moved on to the new position unchanged."""
    if live.sold is None:
        return {}
    return {
        sku: mark(old.declared, old.expected - live.sold.get(sku, 0) - live.sold_late.get(sku, 0))
        for sku, old in live.stock_marks.items()
        if sku not in catalog.offers and sku in live.offers
    }
