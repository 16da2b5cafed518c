"""The rate budget shared through a real redis-server (ratestore.py): two pacers on one store
never exceed a window together, limits count per client id or per seller, and a store that
goes away or stalls leaves the run going on alone on its share, said once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable
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


async def _sent_within(floods: list[Awaitable[None]], stamps: list[float], seconds: float
                       ) -> int:
    """How many requests `floods` got through in `seconds` (the rest are cancelled)."""
    tasks = [asyncio.ensure_future(flood) for flood in floods]
    await asyncio.sleep(seconds)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return len(stamps)


async def test_two_pacers_on_one_store_never_exceed_the_window_together(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushall()
    stamps: list[float] = []
    windows = lambda: _windows(count=10, seconds=60)  # noqa: E731 - each pacer its own
    async with _pacer(redis_url, windows=windows()) as one, \
            _pacer(redis_url, windows=windows()) as two:
        sent = await _sent_within([_flood(one, 10, stamps), _flood(two, 10, stamps)], stamps, 3)
    # 20 requests, 10 a minute between them: alone, each would have sent its 10 at once
    assert sent == 10


async def test_a_take_counts_from_its_answer(redis_url: str) -> None:
    """Allegro counts a request when it arrives, which may be well after its take."""
    redis.Redis.from_url(redis_url).flushall()
    async with _pacer(redis_url, windows=_windows(count=1, seconds=1.0)) as one, \
            _pacer(redis_url, windows=_windows(count=1, seconds=1.0)) as two:
        started = time.monotonic()
        slots = await one.acquire("POST", "/x")
        await asyncio.sleep(0.7)  # the request on its way, then its answer
        one.answered(slots)
        await two.acquire("POST", "/x")
    assert time.monotonic() - started >= 1.6


async def test_r1_counts_per_client_id_and_the_other_limits_per_seller(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushall()
    windows = [Window("client id (R1)", 8, 60, lambda m, p: True),
               Window("product-offer reads", 5, 60, lambda m, p: True)]
    async with AsyncExitStack() as stack:
        a = await stack.enter_async_context(_pacer(redis_url, "A", windows=windows))
        b = await stack.enter_async_context(_pacer(redis_url, "B", windows=windows))
        budget_a, budget_b = a.shared, b.shared
        assert isinstance(budget_a, RedisBudget) and isinstance(budget_b, RedisBudget)
        waits_a = [(await budget_a.take(windows, [1, 1]))[0] for _ in range(6)]
        waits_b = [(await budget_b.take(windows, [1, 1]))[0] for _ in range(4)]
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
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(_flood(pacer, 2, []), 2)
            # this runner's third of 30 a minute, the share taken once; what the others took
            # of the client id lately is unknown: a window passes before it sends again
            assert [w.count for w in pacer.windows] == [10, 10]
            assert pacer.windows[0].wait_for(time.time(), 1) > 50
            assert pacer.windows[1].wait_for(time.time(), 5) == 0
    err = capsys.readouterr().err
    assert err.count("rate store") == 1, err
    assert "goes on alone on 1/3 of every rate limit" in err
    assert "s3cret-pass" not in err and url.split("@")[1].split("/")[0] in err


async def test_a_store_down_from_the_start_leaves_the_run_on_its_share_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CATALOGSYNC_RUNNERS", "3")
    with redis_server(tmp_path) as url:
        pass
    async with _pacer(url, windows=_windows(count=30, seconds=60)) as pacer:
        await asyncio.wait_for(_flood(pacer, 10, []), 5)
        assert pacer.windows[0].wait_for(time.time(), 1) > 50  # 10 of 30 a minute
    assert capsys.readouterr().err.count("rate store") == 1


async def test_a_runner_on_alone_keeps_its_share_from_those_on_the_store(
    redis_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store too slow for one runner may still answer the others: they leave its share."""
    redis.Redis.from_url(redis_url).flushall()
    monkeypatch.setenv("CATALOGSYNC_RUNNERS", "2")
    stamps: list[float] = []
    async with _pacer(redis_url, "A", windows=_windows(count=10, seconds=60)) as alone, \
            _pacer(redis_url, "B", windows=_windows(count=10, seconds=60)) as on_store:
        budget = alone.shared
        assert isinstance(budget, RedisBudget)
        budget._go_alone(TimeoutError())
        await asyncio.sleep(0.5)  # told in the background
        sent = await _sent_within([_flood(on_store, 10, stamps)], stamps, 2)
    assert sent == 5
    assert capsys.readouterr().err.count("did not answer in time") == 1


async def test_a_slow_store_is_treated_as_down(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with redis_server(tmp_path) as url:
        async with _pacer(url) as pacer:
            await pacer.acquire("GET", "/x")
            redis.Redis.from_url(url).client_pause(5000)
            started = time.monotonic()
            await pacer.acquire("GET", "/x")
            assert time.monotonic() - started < 4.0  # silent for SILENT_FOR, not 5 s
            await asyncio.wait_for(pacer.acquire("GET", "/x"), 1)
    err = capsys.readouterr().err
    assert err.count("did not answer in time") == 1, err


def test_the_store_is_shown_without_its_password() -> None:
    assert shown("redis://user:pw@host:6380/2") == "redis://host:6380/2"
    assert shown("rediss://:pw@cache.example") == "rediss://cache.example"
