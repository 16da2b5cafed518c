"""The rotating check's slices and the list check's clock (live/schedule.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from catalogsync.live.quiet import list_cost
from catalogsync.live.schedule import (
    LIST_EVERY,
    ReadSchedule,
    load_schedule,
    note_strangers,
    rotating_slice,
    save_schedule,
    schedule_beside,
    slice_size,
)

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_a_slice_is_a_hundredth_of_the_offers_at_least_one_at_most_200() -> None:
    assert [slice_size(n) for n in (0, 1, 6, 100, 101, 10_000, 100_000)] == [
        0, 1, 1, 1, 2, 100, 200]


def test_the_rotating_check_reads_every_offer_once_per_turn_then_starts_again() -> None:
    ids = [f"{n:03d}" for n in range(200)]
    schedule = ReadSchedule()
    seen = [i for _ in range(100) for i in rotating_slice(ids, schedule)]  # 2 a plan
    assert sorted(seen) == ids  # one turn: 100 plans of 2
    assert rotating_slice(ids, schedule) == ["000", "001"]


def test_a_position_past_a_shrunken_catalog_wraps_around() -> None:
    schedule = ReadSchedule(position=7)
    assert rotating_slice(["a", "b", "c"], schedule) == ["b"]
    assert schedule.position == 2


def test_the_list_check_is_due_after_list_every_or_when_never_listed() -> None:
    assert ReadSchedule().list_due(NOW)
    listed = ReadSchedule(listed_at=NOW - LIST_EVERY + timedelta(minutes=1))
    assert not listed.list_due(NOW)
    assert listed.due_in(NOW) == timedelta(minutes=1)
    assert ReadSchedule(listed_at=NOW - LIST_EVERY).list_due(NOW)


def test_the_schedule_survives_a_save_and_a_damaged_one_means_a_list_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "reads-sandbox.json"
    kept = ReadSchedule(listed_at=NOW, position=3, listed=1200, drafts=4, unmanaged=9,
                        duplicates=True, strangers=["17"])
    save_schedule(path, kept)
    assert load_schedule(path) == kept
    path.write_text('{"listed_at": 3}')
    assert load_schedule(path) == ReadSchedule()
    assert load_schedule(tmp_path / "missing.json") == ReadSchedule()


def test_offers_another_machine_made_during_apply_are_kept_for_the_next_plan(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "live-sandbox.json"
    assert schedule_beside(cache) == tmp_path / "reads-sandbox.json"
    save_schedule(schedule_beside(cache), ReadSchedule(listed_at=NOW, strangers=["2"]))
    note_strangers(cache, {"3", "1"})
    assert load_schedule(schedule_beside(cache)).strangers == ["1", "2", "3"]


def test_a_list_read_costs_a_page_and_a_prices_query_per_thousand_offers_it_holds() -> None:
    """The account holds the managed offers at least, whatever the last list read counted
    (the first apply's found it empty): reading 50 stocks in detail is cheaper than the list
    of 100 000 offers, not dearer than a list of none."""
    assert list_cost(listed=0, managed=100_000) == 200
    assert list_cost(listed=100_500, managed=100_000) == 202
    assert list_cost(listed=0, managed=6) == 2
