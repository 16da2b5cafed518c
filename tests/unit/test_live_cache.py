"""The live cache file (live/cache.py): versioned, renamed into place, dropped when foreign."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from catalogsync.live.cache import FORMAT, CachedOffer, LiveCache, load_cache, save_cache


def a_cache() -> LiveCache:
    offer = CachedOffer("ACTIVE", {"price": "29.99 PLN", "stock": 5}, ["OFFER_PRICE_CHANGED"],
                        "abc", ("stock",))
    return LiveCache(fed=True, event_cursor="MTA=", read_at=datetime(2026, 11, 1, tzinfo=UTC),
                     offers={"7": offer}, tables={"t-1": "Standard"})


def test_a_saved_cache_loads_as_it_was_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "work" / "live-local.json"
    save_cache(path, a_cache())
    assert load_cache(path) == a_cache()
    assert [p.name for p in path.parent.iterdir()] == ["live-local.json"]
    assert json.loads(path.read_text())["format"] == FORMAT


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
    data = json.loads(path.read_text())
    data["offers"]["7"] = ["ACTIVE", None, "not a list", {}, []]
    path.write_text(json.dumps(data))
    assert load_cache(path) == LiveCache()
    path.write_text(path.read_text()[:40])  # cut short
    assert load_cache(path) == LiveCache()
    assert load_cache(tmp_path / "missing.json") == LiveCache()
