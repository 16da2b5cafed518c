"""A recording proxy in front of a served emulator: every exchange as a third party sees it
over real HTTP (what the served contract check validates)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.e2e.served import free_port

#: hop-by-hop headers a proxy does not pass on (plus what httpx sets itself)
_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    query: str
    request_headers: dict[str, str]
    request_body: bytes
    status: int
    response_headers: dict[str, str]
    response_body: bytes


@dataclass
class Recording:
    exchanges: list[Exchange] = field(default_factory=list)


@contextmanager
def recording_proxy(upstream: str) -> Iterator[tuple[str, Recording]]:
    """A proxy that forwards everything to `upstream` and records each exchange as sent and
    answered. The client's Host is passed on, so absolute URLs in answers lead back here."""
    recording = Recording()
    client = httpx.AsyncClient(base_url=upstream, timeout=30)

    async def forward(request: Request) -> Response:
        body = await request.body()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
        answer = await client.request(request.method, request.url.path,
                                      params=request.url.query, headers=headers, content=body)
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP}
        recording.exchanges.append(Exchange(
            request.method, request.url.path, request.url.query, dict(request.headers), body,
            answer.status_code, kept, answer.content))
        return Response(answer.content, status_code=answer.status_code, headers=kept)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    app = Starlette(routes=[Route("/{path:path}", forward, methods=methods)])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the recording proxy did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", recording
    finally:
        server.should_exit = True
        thread.join(timeout=10)
