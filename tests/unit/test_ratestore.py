"""The rate budget shared through a real redis-server (ratestore.py): two pacers on one store
never exceed a window together, limits count per client id or per seller, and a store that
goes away or stalls leaves the run going on alone on its share, said once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager
from pathlib import Path

import pytest
import redis

from catalogsync.allegro.pacing import Pacer, Window
from catalogsync.allegro.ratestore import RedisBudget, shared_budget, shown
from tests.redis_server import redis_server

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _windows(count: int = 30, seconds: float = 1.0) -> list[Window]:
    return [Window("client id (R1)", count, seconds, lambda m, p: True),
            Window("product-offer reads", count, seconds, lambda m, p: m == "GET")]


@asynccontextmanager
async def _pacer(url: str, seller: str = "1001", client_id: str = "app",
                 windows: list[Window] | None = None) -> AsyncIterator[Pacer]:
    pacer = Pacer(windows or _windows())
    async with shared_budget(pacer, "http://api", client_id, seller, url):
        yield pacer


async def _flood(pacer: Pacer, requests: int, stamps: list[float]) -> None:
    async def one() -> None:
        await pacer.acquire("POST", "/x")
        stamps.append(time.monotonic())

    await asyncio.gather(*(one() for _ in range(requests)))


def _most_in_any(stamps: list[float], span: float) -> int:
    stamps = sorted(stamps)
    return max(sum(1 for s in stamps[i:] if s < first + span) for i, first in enumerate(stamps))


async def test_two_pacers_on_one_store_never_exceed_the_window_together(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushall()
    stamps: list[float] = []
    started = time.monotonic()
    async with _pacer(redis_url) as one, _pacer(redis_url) as two:
        await asyncio.gather(_flood(one, 45, stamps), _flood(two, 45, stamps))
    # 90 requests, 30 a second between them: alone, each would have sent 30 at once
    assert time.monotonic() - started >= 2.0
    assert _most_in_any(stamps, 0.9) <= 30  # (a margin for stamps taken late on a busy machine)


async def test_r1_counts_per_client_id_and_the_other_limits_per_seller(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushall()
    windows = [Window("client id (R1)", 8, 60, lambda m, p: True),
               Window("product-offer reads", 5, 60, lambda m, p: True)]
    async with AsyncExitStack() as stack:
        a = await stack.enter_async_context(_pacer(redis_url, "A", windows=windows))
        b = await stack.enter_async_context(_pacer(redis_url, "B", windows=windows))
        budget_a, budget_b = a.shared, b.shared
        assert isinstance(budget_a, RedisBudget) and isinstance(budget_b, RedisBudget)
        waits_a = [await budget_a.take(windows, [1, 1]) for _ in range(6)]
        waits_b = [await budget_b.take(windows, [1, 1]) for _ in range(4)]
    assert waits_a[:5] == [0.0] * 5 and waits_a[5] > 0  # A's own reads: 5 a minute
    assert waits_b[:3] == [0.0] * 3  # B's reads are B's, but the client id is shared:
    assert waits_b[3] > 50  # 5 + 3 = 8 of the client id's minute are gone


async def test_a_429_holds_off_every_pacer_on_the_client_id(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushall()
    async with _pacer(redis_url, "A") as one, _pacer(redis_url, "B") as two:
        await two.acquire("GET", "/x")
        one.blocked(1.0)  # Allegro answered one of them 429
        one.blocked(0.1)  # a shorter block does not cut it short
        await asyncio.sleep(0.05)
        started = time.monotonic()
        await two.acquire("GET", "/x")
    assert time.monotonic() - started >= 0.8


async def test_a_store_that_goes_away_mid_run_leaves_the_run_on_its_share_said_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CATALOGSYNC_RUNNERS", "3")
    with ExitStack() as server:
        url = server.enter_context(redis_server(tmp_path, password="s3cret-pass"))
        async with _pacer(url, windows=_windows(count=30, seconds=60)) as pacer:
            for _ in range(5):
                await pacer.acquire("GET", "/x")
            assert capsys.readouterr().err == ""
            server.close()  # the store stops mid-run
            # 5 + 5 at once: this runner's third of 30 a minute, the share taken once
            await asyncio.wait_for(_flood(pacer, 5, []), 5)
            assert [w.count for w in pacer.windows] == [10, 10]
            assert pacer.windows[0].wait_for(time.time(), 1) > 50
    err = capsys.readouterr().err
    assert err.count("rate store") == 1, err
    assert "goes on alone on 1/3 of every rate limit" in err
    assert "s3cret-pass" not in err and url.split("@")[1].split("/")[0] in err


async def test_a_slow_store_is_treated_as_down(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with redis_server(tmp_path) as url:
        async with _pacer(url) as pacer:
            await pacer.acquire("GET", "/x")
            redis.Redis.from_url(url).client_pause(2000)
            started = time.monotonic()
            await pacer.acquire("GET", "/x")
            assert time.monotonic() - started < 1.0
            await pacer.acquire("GET", "/x")
    err = capsys.readouterr().err
    assert err.count("did not answer in time") == 1, err


def test_the_store_is_shown_without_its_password() -> None:
    assert shown("redis://user:pw@host:6380/2") == "redis://host:6380/2"
    assert shown("rediss://:pw@cache.example") == "rediss://cache.example"
