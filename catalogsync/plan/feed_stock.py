"""An offer's stock from a feed: the warehouse's count at the feed's time, less what Allegro
sold after it (see README "Stock and sales").

The target is count − sold since; it is reached with a `GAIN` of target − live stock, whatever
the catalog's `stock_mode`: a unit bought after the plan read the offer (before or during
apply) lowers the live stock and is not put back by the gain. The plan says
`stock 40 (feed at 10:00) − 3 sold since → 37` beside the change.

Pure: no I/O.
"""

from __future__ import annotations

from catalogsync.live.state import FeedStock, LiveOffer, LiveState
from catalogsync.plan.model import Command, CommandKind, Diagnostic, FieldDiff, Mark, Severity
from catalogsync.plan.offers import Desired
from catalogsync.plan.stock import StockStep, sold_out


def feed_offer_stock(desired: Desired, current: LiveOffer, live: LiveState) -> StockStep | None:
    """The stock step of an offer whose stock a feed gives (None: no feed gives it)."""
    feed = live.feed_stock.get(desired.sku)
    if feed is None or "stock" in desired.ignored:
        return None
    activate = desired.fields["status"] == "active" and "status" not in desired.ignored
    step = feed_stock_step(feed, current, activate)
    desired.diagnostics += [
        Diagnostic(severity=severity, subject=f"offer {desired.sku}", message=message)
        for severity, message in step.notes
    ]
    return step


def feed_stock_step(feed: FeedStock, current: LiveOffer, activate: bool = True) -> StockStep:
    live = int(current.fields.get("stock") or 0)
    target = max(feed.count - (feed.sold or 0), 0)
    step = StockStep(mark=Mark(declared=feed.count, expected=target))
    if feed.sold is None:
        why = "no feed time" if feed.at is None else "the order events could not be read"
        step.notes.append((Severity.WARNING, f"stock {feed.count} from {feed.source} is set "
                           f"as counted ({why}): units sold since may be put on sale again"))
    if sold_out(current):
        if target == 0:
            step.sold_out = True
        elif activate:
            step.notes.append((Severity.NOTE, f"sold out (ended by EMPTY_STOCK); restocked to "
                               f"{target} from {feed.source} and activated again"))
    if target == live:
        step.kept = step.mark
        return step
    step.diff = FieldDiff(field="stock", old=live, new=target, source=explained(feed, target))
    step.command = Command(kind=CommandKind.QUANTITY, fields={"change": "GAIN",
                                                               "value": target - live})
    return step


def explained(feed: FeedStock, target: int) -> str:
    """`feeds/erp.csv:12: stock 40 (feed at 10:00) − 3 sold since → 37`."""
    at = f" (feed at {_clock(feed.at)})" if feed.at else ""
    sold = f" − {feed.sold} sold since → {target}" if feed.sold else ""
    return f"{feed.source}: stock {feed.count}{at}{sold}"


def _clock(at: str) -> str:
    """`2026-12-07T10:00:00Z` as `2026-12-07 10:00 UTC`."""
    day, _, time = at.partition("T")
    return f"{day} {time[:5]} UTC" if time.endswith("Z") else at
