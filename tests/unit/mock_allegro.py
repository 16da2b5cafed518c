"""An `AllegroClient` answered by a function (httpx's MockTransport), for unit tests of the
reading and polling steps."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine

import httpx

from catalogsync.allegro.client import AllegroClient

Answer = (Callable[[httpx.Request], httpx.Response]
          | Callable[[httpx.Request], Coroutine[None, None, httpx.Response]])


def mock_client(answer: Answer) -> AllegroClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(answer), base_url="https://api.test")
    return AllegroClient(http, "token")


def json_answer(body: object, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body).encode(),
                          headers={"content-type": "application/json"})
