"""The offer list is read page by page and stops at its totalCount (live/reader.py)."""

from __future__ import annotations

import json

import httpx
import pytest

from catalogsync.allegro.client import AllegroClient
from catalogsync.live.reader import _list_offers

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
        return httpx.Response(200, content=json.dumps(body).encode(),
                              headers={"content-type": "application/json"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer), base_url="https://api.test")
    return AllegroClient(http, "token")


async def test_a_full_last_page_is_the_last_when_the_total_says_so() -> None:
    seen: list[int] = []
    assert len(await _list_offers(listing(2000, 2000, seen))) == 2000
    assert seen == [0, 1000]


async def test_without_a_total_an_empty_page_ends_the_list() -> None:
    seen: list[int] = []
    assert len(await _list_offers(listing(None, 2000, seen))) == 2000
    assert seen == [0, 1000, 2000]
