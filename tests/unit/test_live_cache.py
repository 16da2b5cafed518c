"""The live cache (live/cache.py): a store of a row per offer, saved by the row, whole after a
crash, never a mix of two runs' reads, dropped when foreign or damaged."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from catalogsync.live.cache import (
    FORMAT,
    CachedOffer,
    LiveCache,
    load_cache,
    save_cache,
    store_path,
)
from catalogsync.live.packed import PackedFields
from catalogsync.state import recordstore


def a_cache(offers: int = 1) -> LiveCache:
    rows = {str(7 + n): CachedOffer("ACTIVE", {"price": "29.99 PLN", "stock": 5},
                                    ["OFFER_PRICE_CHANGED"], "abc", ("stock",))
            for n in range(offers)}
    return LiveCache(fed=True, event_cursor="MTA=", read_at=datetime(2026, 11, 1, tzinfo=UTC),
                     offers=rows, tables={"t-1": "Standard"})


def written(monkeypatch: pytest.MonkeyPatch) -> list[recordstore.Change]:
    changes: list[recordstore.Change] = []
    real = recordstore.write

    def write(path: Path, given: Any, **kwargs: Any) -> bool:
        given = list(given)
        changes.extend(given)
        return real(path, given, **kwargs)

    monkeypatch.setattr(recordstore, "write", write)
    return changes


def test_a_saved_cache_loads_as_it_was_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "work" / "live-local.json"
    save_cache(path, a_cache())
    assert load_cache(path) == a_cache()
    assert {p.name for p in path.parent.iterdir()} <= {
        "live-local.sqlite3", "live-local.sqlite3-wal", "live-local.sqlite3-shm"}


def test_a_save_writes_only_the_offers_that_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "live-local.json"
    save_cache(path, a_cache(1000))
    cache = load_cache(path)
    changes = written(monkeypatch)

    cache.offers["7"].expect.remove("OFFER_PRICE_CHANGED")  # the feed showed our own change
    cache.offers["8"] = CachedOffer("ENDED", {"price": "1.00 PLN"})
    del cache.offers["9"]
    cache.event_cursor = "MTE="
    save_cache(path, cache)

    assert sorted((s, k, v is None) for s, k, v in changes if k != "generation") == [
        ("meta", "event_cursor", False),
        ("offer", "7", False), ("offer", "8", False), ("offer", "9", True)]
    assert load_cache(path) == cache
    changes.clear()
    save_cache(path, cache)
    assert [k for _, k, _ in changes] == ["generation"]


def test_a_save_after_another_runs_save_writes_the_whole_cache_never_a_mix(
    tmp_path: Path
) -> None:
    path = tmp_path / "live-local.json"
    save_cache(path, a_cache(3))
    mine, theirs = load_cache(path), load_cache(path)
    theirs.offers["7"] = CachedOffer("ACTIVE", {"price": "5.00 PLN"})
    theirs.event_cursor = "THEIRS"
    save_cache(path, theirs)
    mine.offers["8"] = CachedOffer("ACTIVE", {"price": "6.00 PLN"})

    save_cache(path, mine)

    assert load_cache(path) == mine  # the last save wins whole: offer 7 as this run read it


def test_the_json_cache_of_older_versions_is_read_once_and_replaced_by_the_store(
    tmp_path: Path
) -> None:
    path = tmp_path / "live-local.json"
    row = ["ACTIVE", "abc", ["OFFER_PRICE_CHANGED"], {"price": "29.99 PLN", "stock": 5},
           ["stock"], False]
    path.write_text(json.dumps({"format": FORMAT, "fed": True, "event_cursor": "MTA=",
                                "read_at": "2026-11-01T00:00:00+00:00",
                                "tables": {"t-1": "Standard"}, "responsible": {},
                                "offers": {"7": row}}))
    cache = load_cache(path)
    assert cache == a_cache()
    save_cache(path, cache)
    assert not path.exists() and store_path(path).exists()
    assert load_cache(path) == a_cache()


def test_a_cache_of_an_older_format_is_dropped_for_a_full_read(tmp_path: Path) -> None:
    path = tmp_path / "live-local.json"
    older = {"fed": True, "event_cursor": "MTA=", "read_at": "2026-11-01T00:00:00Z",
             "offers": {"7": {"status": "ACTIVE", "fields": {}, "expect": [], "digest": None}},
             "tables": {}}
    path.write_text(json.dumps(older))
    assert load_cache(path) == LiveCache()


def test_a_damaged_cache_is_dropped_for_a_full_read(tmp_path: Path) -> None:
    path = tmp_path / "live-local.json"
    save_cache(path, a_cache())
    recordstore.write(store_path(path), [("offer", "7", '["ACTIVE", null, "not a list", {}]')])
    assert load_cache(path) == LiveCache()
    save_cache(path, a_cache())  # a cache made anew replaces the store whole
    assert load_cache(path) == a_cache()

    recordstore.close(store_path(path))
    store_path(path).write_bytes(b"not a database" * 100)
    assert load_cache(path) == LiveCache()
    assert not store_path(path).exists()  # dropped: the next save starts a new one
    assert load_cache(tmp_path / "missing.json") == LiveCache()


def test_a_loaded_cache_keeps_each_offers_fields_as_the_text_it_stored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "live-local.json"
    cache = a_cache(3)
    for n, cached in enumerate(cache.offers.values()):
        cached.fields = {**cached.fields, "name": f"Kubek {n} \u0142", "location": {"city": "W"},
                         "description": [[{"type": "TEXT", "content": "<p>{x}</p>"}]]}
    save_cache(path, cache)
    loaded = load_cache(path)
    assert loaded == cache
    first = loaded.offers["7"].fields
    assert isinstance(first, PackedFields)
    assert first["name"] == "Kubek 0 \u0142" and first == cache.offers["7"].fields
    assert json.loads(first.text) == cache.offers["7"].fields
    changes = written(monkeypatch)
    loaded.offers["8"] = replace(loaded.offers["8"], status="ENDED")
    save_cache(path, loaded)  # a packed row is written again only when its offer changed
    assert [key for section, key, _ in changes if section == "offer"] == ["8"]
    again = load_cache(path).offers
    assert again == {**cache.offers, "8": replace(cache.offers["8"], status="ENDED")}
    assert isinstance(again["8"].fields, PackedFields)


def test_a_row_whose_other_elements_hold_a_brace_keeps_its_fields_decoded(
        tmp_path: Path) -> None:
    path = tmp_path / "live-local.json"
    cache = a_cache(1)
    cache.offers["7"].expect.append("ODD}")
    save_cache(path, cache)
    loaded = load_cache(path)
    assert loaded == cache
    assert type(loaded.offers["7"].fields) is dict
