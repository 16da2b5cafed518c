"""The offer list is read page by page and stops at its totalCount (live/reader.py)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from catalogsync.allegro.client import AllegroClient
from catalogsync.live.offer_list import list_offers as _list_offers
from tests.unit.mock_allegro import json_answer, mock_client

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def listing(total: int | None, offers: int, seen: list[int]) -> AllegroClient:
    def answer(request: httpx.Request) -> httpx.Response:
        offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
        seen.append(offset)
        rows = [{"id": str(n)} for n in range(offset, min(offers, offset + limit))]
        body: dict[str, object] = {"offers": rows, "count": len(rows)}
        if total is not None:
            body["totalCount"] = total
        return json_answer(body)

    return mock_client(answer)


async def test_a_full_last_page_is_the_last_when_the_total_says_so() -> None:
    seen: list[int] = []
    assert len(await _list_offers(listing(2000, 2000, seen))) == 2000
    assert seen == [0, 1000]


async def test_without_a_total_an_empty_page_ends_the_list() -> None:
    seen: list[int] = []
    assert len(await _list_offers(listing(None, 2000, seen))) == 2000
    assert seen == [0, 1000, 2000]


async def test_the_pages_after_the_first_are_read_at_once_and_kept_in_order() -> None:
    """A list of 100 000 offers is 100 round trips to Allegro: after the first page says how
    many there are, the rest are in flight together."""
    seen: list[int] = []
    in_flight, most = 0, 0

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        offset = int(request.url.params["offset"])
        seen.append(offset)
        rows = [{"id": str(n)} for n in range(offset, min(4500, offset + 1000))]
        return json_answer({"offers": rows, "count": len(rows), "totalCount": 4500})

    offers = await _list_offers(mock_client(answer))
    assert [o.id for o in offers] == [str(n) for n in range(4500)]
    assert sorted(seen) == [0, 1000, 2000, 3000, 4000]
    assert most > 1
