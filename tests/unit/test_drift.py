"""Drift digests and what a plan makes of them, with plain values."""

from __future__ import annotations

from typing import Any

from catalogsync.plan.drift import Remembered, describe, digest, find_drift, settled
from catalogsync.plan.model import Drift
from catalogsync.plan.offers import Desired
from catalogsync.state.records import committed_digests


def desired(**fields: Any) -> Desired:
    return Desired(sku="MUG", fields=fields, ignored=frozenset({"invoice"}))


WANT = {"name": "Kubek", "price": "27.99 PLN", "stock": 5, "status": "active",
        "parameters": {"Kolor": ["biały"]}, "invoice": "VAT"}


def test_settled_remembers_what_holds_the_catalogs_value_and_keeps_the_rest() -> None:
    live = {**WANT, "price": "33.00 PLN", "stock": 2, "parameters": {"Kolor": ["biały"], "X": 1}}
    digests = settled(desired(**WANT), live, {"price": "old"})
    assert digests == {"name": digest("Kubek"), "price": "old", "status": digest("active"),
                       "parameters.Kolor": digest(["biały"])}  # no stock, nor ignored invoice


def test_a_field_that_moved_since_the_last_apply_is_drift_with_what_was_set() -> None:
    last = settled(desired(**WANT), WANT, None)
    live = {**WANT, "price": "33.00 PLN", "stock": 1, "parameters": {"Kolor": ["czarny"]}}
    found = find_drift(desired(**WANT), live, last, {})
    assert found == (
        Drift(field="price", was="27.99 PLN", now="33.00 PLN"),
        Drift(field="parameters.Kolor", was=["biały"], now=["czarny"]),
    )
    assert describe(found[0]) == (
        "changed on Allegro since the last apply: price 27.99 PLN → 33.00 PLN")


def test_no_digests_no_drift_and_a_catalog_change_alone_is_not_drift() -> None:
    live = {**WANT, "price": "33.00 PLN"}
    assert find_drift(desired(**WANT), live, None, {}) == ()
    last = settled(desired(**WANT), WANT, None)
    assert find_drift(desired(**{**WANT, "price": "30.00 PLN"}), WANT, last, {}) == ()


def test_both_changed_the_old_value_is_not_known() -> None:
    last = settled(desired(**WANT), WANT, None)
    live = {**WANT, "price": "33.00 PLN"}
    found = find_drift(desired(**{**WANT, "price": "30.00 PLN"}), live, last, {})
    assert found == (Drift(field="price", was=None, now="33.00 PLN"),)


def test_where_allegro_wins_the_live_value_becomes_desired_with_a_warning() -> None:
    last = settled(desired(**WANT), WANT, None)
    wanted = desired(**WANT)
    live = {**WANT, "price": "33.00 PLN", "parameters": {}}
    found = find_drift(wanted, live, last, {"price": "allegro", "parameters": "allegro"})
    assert found == ()
    assert wanted.fields["price"] == "33.00 PLN" and wanted.fields["parameters"] == {}
    assert [d.message.split(";")[0] for d in wanted.diagnostics] == [
        "changed on Allegro since the last apply: price 27.99 PLN → 33.00 PLN",
        'changed on Allegro since the last apply: parameters.Kolor ["biały"] → (not set)',
    ]


def test_a_sold_out_offer_is_not_status_drift() -> None:
    last = settled(desired(**WANT), WANT, None)
    live = {**WANT, "stock": 0, "status": "ended", "ended_by": "EMPTY_STOCK"}
    assert find_drift(desired(**WANT), live, last, {}) == ()
    ended = find_drift(desired(**WANT), {**WANT, "status": "ended"}, last, {})
    assert ended == (Drift(field="status", was="active", now="ended"),)


def test_lock_lines_that_disagree_after_a_merge_or_cannot_be_read_are_left_out() -> None:
    entries = [("applied", "A", '{"price":"1"}'), ("applied", "B", '{"price":"2"}'),
               ("applied", "B", '{"price":"3"}'), ("applied", "C", "not json"),
               ("applied", "A", '{"price":"1"}'), ("offer", "A", "111")]
    assert committed_digests(entries) == {"A": {"price": "1"}}
    assert committed_digests([("offer", "A", "111")]) is None


def test_a_drifted_value_is_shown_short_and_without_terminal_codes() -> None:
    shown = describe(Drift(field="name", was=None, now="Kubek\x1b[31m" + "x" * 100))
    assert "\x1b" not in shown and "Kubek\\x1b[31m" in shown and shown.endswith("…")


def test_digests_an_apply_remembers_are_each_worked_out_once_and_are_the_same() -> None:
    hashed = Remembered()
    location = {"city": "Warszawa"}
    values: list[object] = ["29.99 PLN", "29.99 PLN", location, location, 1, True, "1", None,
                            [1], [1], {"city": "Kraków"}]
    assert [hashed(v) for v in values] == [digest(v) for v in values]
    assert len({hashed(v) for v in (1, True, "1")}) == 3  # equal in Python, not in JSON
    # the equal strings once, the one location once, the two equal lists each (by identity)
    assert len(hashed.found) == 9


def test_remembered_digests_never_keep_more_than_their_bound() -> None:
    hashed = Remembered()
    for n in range(3 * Remembered.KEPT):
        assert hashed([n]) == digest([n])
        assert len(hashed.found) <= Remembered.KEPT
