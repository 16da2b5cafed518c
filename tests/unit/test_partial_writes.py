"""What a narrowed apply writes of the state it loaded for a few offers: their records, their
lock lines and their cache rows, never another offer's (state/partial.py, live/cache.py)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from catalogsync.apply.applied import _of_some
from catalogsync.live.cache import CachedOffer, LiveCache, load_cache, load_some, save_cache
from catalogsync.state import recordstore
from catalogsync.state.index import (
    StateIndex,
    StockMark,
    load_index,
    lock_written_once,
    save_index,
    store_path,
)
from catalogsync.state.lockfile import LockFile
from catalogsync.state.partial import PartialWriteError, load_partial


def a_state(tmp_path: Path) -> tuple[Path, LockFile]:
    """A state index of three offers, saved with its lock file (beside another env's line)."""
    path, lock = tmp_path / "state.json", LockFile(tmp_path / "catalogsync.lock", "local")
    lock.path.write_text('sandbox offer "A" "9"\n')
    index = load_index(path, lock)
    index.offers = {"A": "1", "B": "2", "C \"quoted\"": "3"}
    index.applied = {"A": {"price": "a"}, "B": {"price": "b"}}
    index.stock.offers = {"A": StockMark(1, 1), "B": StockMark(2, 2)}
    index.account = {"1000001": "seller"}
    save_index(path, index)
    return path, lock


def test_a_partial_index_writes_its_offers_records_alone(tmp_path: Path) -> None:
    path, lock = a_state(tmp_path)
    store_before = list(recordstore.read(store_path(path)))
    lines_before = lock.path.read_text().splitlines()
    index = load_partial(path, ["B"], lock)
    assert index is not None and index.offers == {"B": "2"}

    with lock_written_once(path, index):
        index.applied["B"] = {"price": "b2"}
        index.stock.offers["B"] = StockMark(2, 5)
        save_index(path, index)

    whole = load_index(path, lock)
    assert whole.offers == {"A": "1", "B": "2", "C \"quoted\"": "3"}
    assert whole.applied == {"A": {"price": "a"}, "B": {"price": "b2"}}
    assert whole.stock.offers == {"A": StockMark(1, 1), "B": StockMark(2, 5)}
    changed = {(s, k) for s, k, v in recordstore.read(store_path(path))} ^ {
        (s, k) for s, k, v in store_before}
    assert not changed  # the same records, two of them with new values
    lines = lock.path.read_text().splitlines()
    assert [x for x in lines if x not in lines_before] == [
        'local applied "B" "{\\"price\\":\\"b2\\"}"', 'local stock "B" "[2, 5]"']
    assert [x for x in lines_before if x not in lines] == [
        'local applied "B" "{\\"price\\":\\"b\\"}"', 'local stock "B" "[2, 2]"']
    assert lines[3:] == sorted(lines[3:]) and 'sandbox offer "A" "9"' in lines


def test_a_partial_index_cannot_write_a_record_of_an_offer_it_did_not_load(
    tmp_path: Path
) -> None:
    path, lock = a_state(tmp_path)
    store_before = list(recordstore.read(store_path(path)))
    index = load_partial(path, ["B"], lock)
    assert index is not None
    index.offers["A"] = "7"
    with pytest.raises(PartialWriteError, match="offer 'A'"):
        save_index(path, index)
    assert list(recordstore.read(store_path(path))) == store_before


def test_a_partial_index_with_its_offers_gone_deletes_only_theirs(tmp_path: Path) -> None:
    path, lock = a_state(tmp_path)
    index = load_partial(path, ["C \"quoted\""], lock)
    assert isinstance(index, StateIndex)
    index.offers.clear()  # a record it loaded, and none other, may go
    save_index(path, index)
    assert load_index(path, lock).offers == {"A": "1", "B": "2"}
    assert 'local offer "C \\"quoted\\"" "3"' not in lock.path.read_text()


def test_a_lock_write_of_some_lines_keeps_every_other_line_as_it_was(tmp_path: Path) -> None:
    lock = LockFile(tmp_path / "catalogsync.lock", "local")
    others = ['local offer "A" "1"', 'local offer "Ą" "5"', 'other offer "B" "2"',
              'local offer "Z" "3"']
    lock.path.write_text("# old header\n" + "\n".join(others) + "\n")
    lock.write_some({("offer", "B"): "4", ("offer", "Z"): None, ("offer", "Ą"): "6"})
    lines = lock.path.read_text().splitlines()
    assert [x for x in lines if not x.startswith("#")] == [
        'local offer "A" "1"', 'local offer "B" "4"', 'local offer "Ą" "6"',
        'other offer "B" "2"']


def test_a_sorted_lock_has_the_lines_of_some_records_replaced_by_bisection(
    tmp_path: Path
) -> None:
    lock = LockFile(tmp_path / "catalogsync.lock", "local")
    lock.write([("offer", "A", "1"), ("offer", "AB", "2"), ("offer", "A B", "3"),
                ("applied", "A", "{}"), ("stock", "A", "[1, 1]")])
    with lock.path.open("a") as lines:  # the same record twice (a merge kept both)
        lines.write('local offer "B" "4"\nlocal offer "B" "5"\n')
    text = lock.path.read_text().splitlines()
    lock.path.write_text("\n".join([*text[:3], *sorted(text[3:])]) + "\n")
    lock.write_some({("offer", "A"): "7", ("offer", "B"): None, ("stock", "A"): None})
    assert lock.path.read_text().splitlines()[3:] == [
        'local applied "A" "{}"', 'local offer "A B" "3"', 'local offer "A" "7"',
        'local offer "AB" "2"']


@pytest.mark.parametrize("seed", range(3))
def test_a_lock_write_of_some_lines_is_the_whole_write_of_the_same_records(
    tmp_path: Path, seed: int
) -> None:
    """Over a megabyte (looked at in pieces), with keys that sort around each other."""
    rng = random.Random(seed)
    some, whole = (LockFile(tmp_path / name, "local") for name in ("some.lock", "whole.lock"))
    ends = ["", " x", "-", "\\", "ą", '"']
    records = {(kind, f"K{n}{rng.choice(ends)}"): f"v{n}" * 9
               for n in range(12_000) for kind in ("offer", "applied")}
    some.write([(kind, key, value) for (kind, key), value in records.items()])
    assert some.path.stat().st_size > 1 << 20
    changed: dict[tuple[str, str], str | None] = {}
    for pair in rng.sample(sorted(records), 300):
        changed[pair] = rng.choice([None, "new"])
    changed.update({("offer", f"K{n}"): "added" for n in range(12_000, 12_050)})
    some.write_some(changed)
    records.update(changed)  # type: ignore[arg-type]
    whole.write([(kind, key, v) for (kind, key), v in records.items() if v is not None])
    assert some.path.read_bytes() == whole.path.read_bytes()


def test_a_lock_write_of_some_lines_never_makes_a_lock_of_those_lines_alone(
    tmp_path: Path
) -> None:
    lock = LockFile(tmp_path / "catalogsync.lock", "local")
    lock.write_some({("offer", "B"): "4"})
    assert not lock.path.exists()  # the next whole apply writes the whole lock


def a_cache_store(tmp_path: Path) -> Path:
    path = tmp_path / "live-local.json"
    save_cache(path, LiveCache(
        fed=True, event_cursor="MTA=", read_at=datetime(2026, 11, 1, tzinfo=UTC),
        offers={i: CachedOffer("ACTIVE", {"price": f"{i}.00 PLN"}) for i in "123"}))
    return path


def test_a_partial_cache_saves_its_changed_rows_and_drops_those_the_feed_named(
    tmp_path: Path
) -> None:
    path = a_cache_store(tmp_path)
    cache = load_some(path, ["2"])
    assert cache is not None and list(cache.offers) == ["2"]
    cache.offers["2"] = CachedOffer("ACTIVE", {"price": "9.00 PLN"}, ["OFFER_PRICE_CHANGED"])
    assert cache.unexplained([("3", "OFFER_CHANGED")]) == {"3"}  # another offer changed
    cache.event_cursor = "MTE="
    save_cache(path, cache)
    whole = load_cache(path)
    assert whole.offers["1"] == CachedOffer("ACTIVE", {"price": "1.00 PLN"})
    assert whole.offers["2"].fields == {"price": "9.00 PLN"} and "3" not in whole.offers
    assert whole.event_cursor == "MTE="


def test_a_partial_cache_never_replaces_a_store_another_run_saved_since(
    tmp_path: Path
) -> None:
    path = a_cache_store(tmp_path)
    cache = load_some(path, ["2"])
    assert cache is not None
    theirs = load_cache(path)
    theirs.event_cursor = "THEIRS"
    save_cache(path, theirs)
    before = list(recordstore.read(path.with_suffix(".sqlite3")))
    cache.offers["2"] = CachedOffer("ACTIVE", {"price": "9.00 PLN"})
    save_cache(path, cache)
    assert list(recordstore.read(path.with_suffix(".sqlite3"))) == before


def test_the_feed_line_of_some_offers_keeps_the_others_doubts(tmp_path: Path) -> None:
    old = json.dumps({"cursor": "A", "unsure": ["X", "B"]})
    new = json.dumps({"cursor": "C", "unsure": ["D"]})
    cache = load_some(a_cache_store(tmp_path), ["2"])
    assert cache is not None
    line = _of_some(new, old, cache, frozenset({"B", "D"}))
    assert line is not None and json.loads(line) == {"cursor": "C", "unsure": ["D", "X"]}
    assert _of_some(new, None, cache, frozenset({"B"})) is None  # the others' not known
    cache.unexplained([("3", "OFFER_CHANGED")])
    assert _of_some(new, old, cache, frozenset({"B"})) is None  # an offer's row went
