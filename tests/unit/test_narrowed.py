"""The pure parts of a narrowed plan (runs/narrowed.py, runs/narrowing.py)."""

from __future__ import annotations

from catalogsync.plan.model import Diagnostic, Severity
from catalogsync.runs.narrowed import in_catalog_order
from catalogsync.runs.narrowing import index_digest
from catalogsync.state.index import StateIndex, StockMark


def note(subject: str, message: str = "x") -> Diagnostic:
    return Diagnostic(severity=Severity.WARNING, subject=subject, message=message)


def test_fresh_diagnostics_go_where_a_whole_plan_puts_them() -> None:
    order = {"A": 0, "B": 1, "C": 2, "D": 3}
    kept = [note("offer A"), note("offer C"), note("allegro-cz", "1 offer approved there"),
            note("catalog", "2 offers removed")]
    fresh = [note("offer B", "new"), note("offer_translation D/cs", "new"), note("offer D")]
    assert [d.subject for d in in_catalog_order(kept, fresh, order)] == [
        "offer A", "offer B", "offer C", "offer_translation D/cs", "offer D", "allegro-cz",
        "catalog"]


def test_nothing_fresh_keeps_the_last_plans_order() -> None:
    kept = [note("catalog"), note("offer A")]
    assert list(in_catalog_order(kept, [], {"A": 0})) == kept


def test_the_state_digest_of_offers_sees_each_of_their_records() -> None:
    index = StateIndex(offers={"A": "1", "B": "2"})
    before = index_digest(index, ["A"])
    assert index_digest(index, ["A"]) == before
    index.stock.offers["A"] = StockMark(declared=3, expected=3)
    assert index_digest(index, ["A"]) != before
    index.stock.offers.pop("A")
    index.applied["A"] = {"price": "x"}
    assert index_digest(index, ["A"]) != before
    index.applied.pop("A")
    index.offers["B"] = "3"  # another offer's record: not this one's
    assert index_digest(index, ["A"]) == before


def test_the_state_digest_of_no_offer_sees_the_rest_of_the_index() -> None:
    index = StateIndex(offers={"A": "1"})
    before = index_digest(index, [])
    index.offers["A"] = "2"
    assert index_digest(index, []) == before
    index.shipping_rates["Standard"] = "t1"
    assert index_digest(index, []) != before
