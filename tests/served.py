"""`catalogsync emulator serve` as a subprocess on a free loopback port, and a recording proxy
in front of it: what a third party sees of catalogsync and its emulator over real HTTP."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from socket import socket

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

ROOT = Path(__file__).resolve().parents[1]
#: hop-by-hop headers a proxy does not pass on (plus what httpx sets itself)
_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


def free_port() -> int:
    with socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served_emulator(log: Path) -> Iterator[str]:
    """`catalogsync emulator serve`; its base URL once it answers."""
    port = free_port()
    with log.open("w") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "catalogsync", "emulator", "serve", "--port", str(port)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 15
            while True:
                try:
                    httpx.get(f"{base}/_emulator/stats", timeout=1)
                    break
                except httpx.TransportError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=10)


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
