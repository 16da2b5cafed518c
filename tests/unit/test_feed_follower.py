"""The offer-event feed is read while apply runs, so only its tail is left at the end
(live/events.py FeedFollower)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from catalogsync.allegro.client import AllegroClient
from catalogsync.live import events as feed
from catalogsync.live.events import FeedFollower
from tests.unit.mock_allegro import json_answer, mock_client

pytestmark = pytest.mark.anyio
PAGE = 3


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feed, "PAGE", PAGE)


async def until(condition: Callable[[], bool]) -> None:
    for _ in range(400):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the follower did not read in time")


class Feed:
    """An event feed that grows as the test confirms changes; `reads` are the cursors asked."""

    def __init__(self, *, failing: bool = False) -> None:
        self.events: list[dict[str, object]] = []
        self.reads: list[str | None] = []
        self.failing = failing

    def change(self, count: int) -> None:
        for _ in range(count):
            n = len(self.events) + 1
            self.events.append({"id": f"e{n}", "type": "OFFER_PRICE_CHANGED",
                                "offer": {"id": str(n)}})

    def answer(self, request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("from")
        self.reads.append(cursor)
        if self.failing:
            return httpx.Response(400, json={"errors": [{"code": "VALIDATION_ERROR"}]})
        start = 0 if cursor is None else int(cursor.removeprefix("e"))
        page = self.events[start:start + int(request.url.params["limit"])]
        return json_answer({"offerEvents": page})

    def client(self) -> AllegroClient:
        return mock_client(self.answer)


async def test_pages_are_read_while_changes_are_confirmed_and_only_the_tail_at_the_end() -> None:
    events = Feed()
    confirmed = 0
    follower = FeedFollower(events.client(), None, lambda: confirmed, interval=0.005)
    for pages in range(1, 4):  # three pages' worth of changes, confirmed over time
        events.change(PAGE)
        confirmed += PAGE
        await until(lambda n=pages: len(events.reads) == n)  # type: ignore[misc]
    assert events.reads == [None, "e3", "e6"]  # read during the run, a full page each
    events.change(2)
    confirmed += 2
    found = await follower.finish()
    assert found is not None
    seen, cursor = found
    assert [offer for offer, _ in seen] == [str(n) for n in range(1, 12)]
    assert cursor == "e11"
    assert events.reads == [None, "e3", "e6", "e9"]  # the tail only


async def test_fewer_confirmations_than_a_page_wait_for_the_end() -> None:
    events = Feed()
    events.change(2)
    follower = FeedFollower(events.client(), "e0", lambda: 2, interval=0.005)
    await asyncio.sleep(0.05)
    assert events.reads == []
    assert await follower.finish() == ([("1", "OFFER_PRICE_CHANGED"),
                                        ("2", "OFFER_PRICE_CHANGED")], "e2")


async def test_a_late_feed_is_read_again_at_the_end() -> None:
    """Confirmed changes whose events are not in the feed yet give a short page; the rest
    is read when apply ends."""
    events = Feed()
    confirmed = PAGE
    follower = FeedFollower(events.client(), None, lambda: confirmed, interval=0.005)
    events.change(1)
    await until(lambda: len(events.reads) == 1)
    await asyncio.sleep(0.05)
    assert events.reads == [None]  # one short page: no more reads until more is confirmed
    events.change(PAGE + 1)
    found = await follower.finish()
    assert found is not None and len(found[0]) == PAGE + 2
    assert found[1] == f"e{PAGE + 2}"


async def test_a_feed_that_fails_gives_nothing_and_the_next_plan_reads_everything() -> None:
    events = Feed(failing=True)
    follower = FeedFollower(events.client(), "e5", lambda: PAGE, interval=0.005)
    await until(lambda: follower.failed)
    assert await follower.finish() is None
    assert events.reads == ["e5"]  # no retry loop after a failure


async def test_cancelled_when_apply_stops() -> None:
    events = Feed()
    follower = FeedFollower(events.client(), None, lambda: 0, interval=0.005)
    follower.cancel()
    await asyncio.sleep(0.02)
    assert follower._task.cancelled()
