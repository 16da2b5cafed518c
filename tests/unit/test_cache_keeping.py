"""The live cache kept up to date while apply waits for Allegro (apply/cache_keeping.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from catalogsync.allegro.pacing import Pacer
from catalogsync.apply.cache_keeping import CacheKeeper
from catalogsync.apply.ledger import Ledger, settle
from catalogsync.live.cache import LiveCache, load_cache, save_cache
from tests.unit.test_ledger import TABLES, live


def test_what_reported_while_apply_waits_is_saved_then_and_the_end_saves_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CacheKeeper, "EVERY", 0.01)
    monkeypatch.setattr(CacheKeeper, "AT_LEAST", 1)
    path = tmp_path / "live.json"
    cache = LiveCache(fed=True, offers={"1": live(), "2": live()})
    save_cache(path, cache)
    ledger, pacer = Ledger(), Pacer()

    async def apply() -> CacheKeeper:
        keeper = CacheKeeper(path, cache, ledger, True, pacer, lambda: TABLES)
        ledger.sent(["1", "2"])
        ledger.confirmed("1", {"price": "31.99 PLN"})
        await asyncio.sleep(0.05)
        assert load_cache(path).offers["1"] == live()  # not before apply waits for windows
        pacer.waited = 1.0
        await asyncio.sleep(0.1)
        saved = load_cache(path).offers  # an interrupted run leaves this
        assert saved["1"].fields["price"] == "31.99 PLN"
        assert saved["1"].expect == ["OFFER_PRICE_CHANGED"]
        assert saved["2"] == live()  # its command has not reported: as it was read
        ledger.confirmed("2", {"price": "32.99 PLN"})
        await keeper.stop()
        return keeper

    keeper = asyncio.run(apply())
    settle(cache, ledger, TABLES, keeper.replayed)
    save_cache(path, cache)
    assert load_cache(path).offers["2"].fields["price"] == "32.99 PLN"
    assert load_cache(path).offers["1"].expect == ["OFFER_PRICE_CHANGED"]  # replayed once


def test_a_cache_the_next_plan_reads_anew_is_not_kept(tmp_path: Path) -> None:
    async def apply() -> None:
        keeper = CacheKeeper(tmp_path / "live.json", LiveCache(), Ledger(), False, Pacer(),
                             lambda: TABLES)
        await keeper.stop()
        keeper.cancel()

    asyncio.run(apply())
    assert not any(tmp_path.iterdir())
