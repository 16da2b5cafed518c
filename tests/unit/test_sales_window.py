"""Which purchases a stock read already shows, when some landed while the offers were read."""

from __future__ import annotations

from collections import Counter

from catalogsync.live.sales import Sales, Window
from catalogsync.state.index import OrderPosition

END = OrderPosition(event="9")


def window(before: int, during: int) -> Window:
    return Window(Sales(OrderPosition(event="5"), Counter({"1": before})),
                  Sales(END, Counter({"1": during})))


def test_a_purchase_during_the_read_counts_as_the_stock_read_shows_it() -> None:
    # expected 10 at the ledger's position; 2 bought before the read began, 1 while it ran
    seen = window(2, 1)
    assert seen.at_read("1", 7, 10) == 3 and seen.late("1", 3) == 0  # the read shows it
    assert seen.at_read("1", 8, 10) == 2 and seen.late("1", 2) == 1  # bought after the read
    assert seen.position == END


def test_what_no_purchase_explains_is_left_to_drift() -> None:
    seen = window(2, 1)
    assert seen.at_read("1", 9, 10) == 2  # one more on sale than sales explain: +1 drift
    assert seen.at_read("1", 4, 10) == 3  # three fewer: −3 drift
    assert seen.at_read("1", 4, None) == 2  # no mark: only what is sure was read
    assert seen.at_read("2", 10, 10) == 0
