"""Stock and sales, as pure functions: the planner's stock step, the stale-plan check with
sales in between, and the ledger apply writes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from catalogsync.apply.stock import StockMarks
from catalogsync.catalog.models import StockMode
from catalogsync.live.state import LiveOffer
from catalogsync.plan.model import Command, CommandKind, Mark, Severity
from catalogsync.plan.planner import plan, stale_changes
from catalogsync.plan.stock import mark, plan_stock
from catalogsync.state.index import (
    OrderPosition,
    StateIndex,
    StockLedger,
    StockMark,
    load_index,
    save_index,
)
from catalogsync.state.lockfile import LockFile
from tests.unit.test_planner import NOW, catalog, live, live_mug, mug

SET_TO_40 = Mark(declared=40, expected=40)
AT_E9 = OrderPosition(event="E9", bought_until="2026-11-26T11:00:00.000Z", bought_then=("li-9",))


def offer(stock: int, status: str = "ACTIVE", ended_by: str | None = None) -> LiveOffer:
    fields: dict[str, object] = {"stock": stock, "status": status.lower()}
    if ended_by:
        fields["ended_by"] = ended_by
    return LiveOffer(id="777", status=status, fields=fields)


def gain(value: int) -> Command:
    return Command(kind=CommandKind.QUANTITY, fields={"change": "GAIN", "value": value})


def test_sales_explain_a_lower_stock_and_are_left_alone() -> None:
    step = plan_stock(40, offer(35), SET_TO_40, sold=5, mode=StockMode.DELTA)
    assert step.diff is None and step.command is None
    assert step.notes == [(Severity.NOTE, "sold 5 since the last apply; left alone")]
    assert step.kept == step.mark == Mark(declared=40, expected=35)


def test_a_restock_adds_the_difference_so_sold_units_stay_sold() -> None:
    step = plan_stock(100, offer(35), SET_TO_40, sold=5, mode=StockMode.DELTA)
    assert step.command == gain(60)
    assert step.diff is not None and (step.diff.old, step.diff.new) == (35, 95)
    assert step.mark == Mark(declared=100, expected=95)
    assert step.kept == Mark(declared=40, expected=35)  # if the command fails


def test_an_unexplained_difference_is_drift_and_is_restored() -> None:
    step = plan_stock(40, offer(50), SET_TO_40, sold=4, mode=StockMode.DELTA)
    assert step.command == gain(-14)
    [message] = [text for severity, text in step.notes if severity is Severity.WARNING]
    assert "stock is 50 on Allegro where 36 was expected after sales: +14 unexplained" in message
    assert step.kept == Mark(declared=40, expected=36)  # the drift stays visible if not fixed


def test_without_order_events_a_fall_is_taken_as_sales_and_a_rise_as_drift() -> None:
    fell = plan_stock(40, offer(33), SET_TO_40, sold=None, mode=StockMode.DELTA)
    assert fell.command is None
    assert fell.notes == [(Severity.NOTE, "sold 7 since the last apply; left alone")]
    rose = plan_stock(40, offer(45), SET_TO_40, sold=None, mode=StockMode.DELTA)
    assert rose.command == gain(-5)


def test_with_no_record_the_catalog_stock_is_taken_as_the_stock_on_sale() -> None:
    step = plan_stock(40, offer(12), None, sold=0, mode=StockMode.DELTA)
    assert step.command == gain(28)
    assert step.kept is None  # nothing to remember unless the gain is done
    assert step.mark == Mark(declared=40, expected=40)


def test_absolute_mode_sets_fixed_and_says_which_sales_it_overrides() -> None:
    step = plan_stock(40, offer(37), SET_TO_40, sold=3, mode=StockMode.ABSOLUTE)
    assert step.command == Command(kind=CommandKind.QUANTITY,
                                   fields={"change": "FIXED", "value": 40})
    assert step.notes == [(Severity.NOTE, "sold 3 since the last apply; FIXED 40 puts them on "
                           "sale again (stock_mode: absolute)")]
    zero = plan_stock(0, offer(37), SET_TO_40, sold=3, mode=StockMode.ABSOLUTE)
    assert zero.command is None and zero.in_patch  # FIXED must be > 0


def test_a_sold_out_offer_stays_ended_until_restocked() -> None:
    sold_out = offer(0, "ENDED", "EMPTY_STOCK")
    waiting = plan_stock(40, sold_out, SET_TO_40, sold=40, mode=StockMode.DELTA)
    assert waiting.sold_out and waiting.command is None
    restocked = plan_stock(45, sold_out, SET_TO_40, sold=40, mode=StockMode.DELTA)
    assert not restocked.sold_out and restocked.command == gain(5)
    meant_to_end = plan_stock(40, sold_out, SET_TO_40, sold=40, mode=StockMode.DELTA,
                              activate=False)
    assert meant_to_end.notes == [(Severity.NOTE, "sold 40 since the last apply; left alone")]
    unmanaged = plan_stock(None, sold_out, None, sold=None, mode=StockMode.DELTA)
    assert unmanaged.sold_out
    assert unmanaged.notes == [(Severity.NOTE, "sold out (ended by EMPTY_STOCK); stays ended "
                                "until stock is added on Allegro")]


def test_planner_restocks_a_sold_out_offer_before_activating_it() -> None:
    ended = replace(live_mug(stock=0, status="ended", ended_by="EMPTY_STOCK"), status="ENDED")
    state = live(offers={"MUG-1": ended}, stock_marks={"MUG-1": StockMark(declared=5, expected=5)},
                 sold={"MUG-1": 5})
    assert plan(catalog({"MUG-1": mug(stock=5)}), state, NOW).changes == ()
    (change,) = plan(catalog({"MUG-1": mug(stock=8)}), state, NOW).changes
    assert [c.kind for c in change.commands] == [CommandKind.QUANTITY, CommandKind.PUBLICATION]
    assert change.commands[0] == gain(3)


def test_stale_check_tolerates_sales_and_refuses_drift() -> None:
    marks = {"MUG-1": StockMark(declared=5, expected=5)}
    at_plan = live(offers={"MUG-1": live_mug(stock=5)}, stock_marks=marks, sold={"MUG-1": 0})
    saved = plan(catalog({"MUG-1": mug(stock=9)}), at_plan, NOW)
    sold_two = replace(at_plan, offers={"MUG-1": live_mug(stock=3)}, sold={"MUG-1": 2})
    assert stale_changes(saved, sold_two) == []
    drifted = replace(at_plan, offers={"MUG-1": live_mug(stock=3)}, sold={"MUG-1": 0})
    assert stale_changes(saved, drifted) == ["offer MUG-1: changed on Allegro since the plan"]


def test_ledger_moves_on_to_the_plans_cursor_with_what_succeeded(tmp_path: Path) -> None:
    marks = {"MUG-1": StockMark(declared=5, expected=5), "MUG-2": StockMark(declared=5,
                                                                            expected=5)}
    state = live(offers={"MUG-1": live_mug(stock=4), "MUG-2": replace(live_mug(stock=5),
                                                                      id="778")},
                 stock_marks=marks, sold={"MUG-1": 1, "MUG-2": 0}, order_position=AT_E9)
    saved = plan(catalog({"MUG-1": mug(stock=9), "MUG-2": mug(stock=7)}), state, NOW)
    first, second = saved.changes
    index = StateIndex(stock=StockLedger(position=OrderPosition(event="E1"), offers=dict(marks)))
    path = tmp_path / "state.json"
    writer = StockMarks(saved, index, path)

    writer.sending_gain([first, second], 4)  # before the command is sent
    assert index.stock.offers["MUG-1"] == StockMark(declared=9, expected=9)
    assert load_index(path).stock.offers["MUG-1"] == StockMark(declared=9, expected=9)
    writer.finished(first, True)
    writer.finished(second, False)  # Allegro refused: its mark goes back
    assert index.stock.offers["MUG-2"] == StockMark(declared=5, expected=5)

    writer.settle()
    assert index.stock == StockLedger(position=AT_E9, offers={
        "MUG-1": StockMark(declared=9, expected=8),
        "MUG-2": StockMark(declared=5, expected=5),
    })


def test_the_ledger_travels_in_the_lock_file_to_a_fresh_clone(tmp_path: Path) -> None:
    lock = LockFile(tmp_path / "catalogsync.lock", "production")
    index = load_index(tmp_path / "here" / "state.json", lock)
    index.stock = StockLedger(position=AT_E9, offers={"MUG-1": StockMark(declared=9, expected=8)})
    save_index(tmp_path / "here" / "state.json", index)

    fresh = load_index(tmp_path / "clone" / "state.json", lock)  # no working copy there
    assert fresh.stock == index.stock


def test_equal_stock_marks_are_one_frozen_object() -> None:
    assert mark(5, 3) is mark(5, 3) and mark(5, 3) == Mark(declared=5, expected=3)
    assert mark(5, 3) != mark(5, 2)
