"""The async HTTP client for Allegro's REST API: media types, auth header, errors, retries.

This package is the only place that imports httpx (besides the emulator, which is a server).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from typing import Any

import httpx

from catalogsync.allegro.errors import (
    AllegroError,
    AuthError,
    RateLimited,
    TransportError,
    parse_error_body,
)

MEDIA_TYPE = "application/vnd.allegro.public.v1+json"
#: R3: Allegro allows at most 20 open sessions per client.
MAX_CONNECTIONS = 20
_TRANSIENT_RETRIES = 3

log = logging.getLogger("catalogsync.http")


class AllegroClient:
    """Talks to one Allegro environment as one seller.

    `http` carries the base URL and the transport (real network, or the in-process emulator);
    `token` is a user access token. Only idempotent requests are retried on transient failures.
    """

    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self._http = http
        self._headers = {"Accept": MEDIA_TYPE, "Authorization": f"Bearer {token}"}
        self.requests: Counter[str] = Counter()

    async def get(self, path: str, params: Any = None) -> Any:
        return (await self.request("GET", path, params=params)).json()

    async def post(self, path: str, body: Any) -> httpx.Response:
        return await self.request("POST", path, json=body)

    async def put(self, path: str, body: Any) -> httpx.Response:
        return await self.request("PUT", path, json=body)

    async def patch(self, path: str, body: Any) -> httpx.Response:
        return await self.request("PATCH", path, json=body)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        ok: tuple[int, ...] = (200, 201, 202, 204, 303),
    ) -> httpx.Response:
        """Send one request; raise an `AllegroError` subclass for any status not in `ok`.

        PUTs to batch commands carry a client-made id and GETs change nothing, so both are
        safe to repeat after a transient failure; POST and PATCH are sent once.
        """
        retry = method in ("GET", "PUT")
        for attempt in range(_TRANSIENT_RETRIES + 1 if retry else 1):
            try:
                response = await self._send(method, path, params=params, json=json)
            except TransportError:
                if attempt == _TRANSIENT_RETRIES or not retry:
                    raise
            else:
                if response.status_code < 500 or not retry or attempt == _TRANSIENT_RETRIES:
                    break
            await asyncio.sleep(0.2 * 2**attempt)
        if response.status_code not in ok:
            raise _error_for(method, path, response)
        return response

    async def _send(self, method: str, path: str, *, params: Any, json: Any) -> httpx.Response:
        headers = dict(self._headers)
        if json is not None:
            headers["Content-Type"] = MEDIA_TYPE
        started = time.perf_counter()
        try:
            response = await self._http.request(
                method, path, params=params, json=json, headers=headers, follow_redirects=False
            )
        except httpx.TimeoutException as exc:
            raise TransportError(f"{method} {path}: Allegro did not answer in time") from exc
        except httpx.TransportError as exc:
            raise TransportError(f"{method} {path}: connection failed ({exc})") from exc
        self.requests[f"{method} {_template(path)}"] += 1
        log.debug(
            "%s %s -> %s (%.0f ms)",
            method,
            path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response


def _template(path: str) -> str:
    """`/sale/product-offers/123` -> `/sale/product-offers/{id}`, for request counts."""
    parts = [
        "{id}" if any(c.isdigit() for c in part) and part not in ("v1",) else part
        for part in path.split("/")
    ]
    return "/".join(parts)


def _error_for(method: str, path: str, response: httpx.Response) -> AllegroError:
    try:
        body = response.json()
    except ValueError:
        body = None
    details = parse_error_body(body)
    status = response.status_code
    if status in (401, 403):
        return AuthError(status, method, path, details)
    if status == 429:
        return RateLimited(status, method, path, details)
    return AllegroError(status, method, path, details)
