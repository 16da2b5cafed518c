"""Every exchange with the emulator's REST routes, kept for the contract tests.

The gate (`conformance.api`) hands each exchange to the recorder installed as
`conformance.RECORDER`; none is installed outside tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response


@dataclass(frozen=True)
class Exchange:
    """One request to a REST route of the emulator and its answer, as sent on the wire."""

    method: str
    template: str
    path: str
    query: str
    request_body: bytes
    status: int
    response_headers: Mapping[str, str]
    response_body: bytes
    test: str  # the test that caused it (pytest node id), "" outside tests


class Recorder:
    """Keeps every exchange while installed as `RECORDER` (off by default; tests switch it on)."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self.test = ""

    def add(self, method: str, template: str, request: Request, body: bytes,
            response: Response) -> None:
        self.exchanges.append(Exchange(
            method, template, request.url.path, request.url.query, body,
            response.status_code, dict(response.headers), bytes(response.body), self.test,
        ))
