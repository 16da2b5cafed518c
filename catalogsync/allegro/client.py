"""The async HTTP client for Allegro's REST API: media types, auth header, errors, retries.

This package is the only place that imports httpx (besides the emulator, which is a server).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import random
import time
from collections import Counter
from typing import Any

import httpx

from catalogsync.allegro.errors import (
    AllegroError,
    AnswerTimedOut,
    AuthError,
    ErrorsOnSuccess,
    RateLimited,
    TransportError,
    error_details,
    errors_in_success,
)
from catalogsync.allegro.pacing import Pacer

MEDIA_TYPE = "application/vnd.allegro.public.v1+json"
#: R3: Allegro allows at most 20 open sessions per client.
MAX_CONNECTIONS = 20
#: R2: requests of one user in flight at once (Allegro does not say how many it allows; the
#: emulator refuses more than 10). Apply's creates, commands and polls share this.
MAX_IN_FLIGHT = 10
TRANSIENT_RETRIES = 4
THROTTLE_RETRIES = 3

log = logging.getLogger("catalogsync.http")
#: An answer as `request` returns it, for modules that keep one (httpx stays in this package).
Answer = httpx.Response


class AllegroClient:
    """Talks to one Allegro environment as one seller.

    `http` carries the base URL and the transport (real network, or the in-process emulator);
    `token` is a user access token, or None when `http` authenticates itself (an `httpx.Auth`
    that refreshes, allegro/session.py). Only idempotent requests are retried on transient failures.
    """

    def __init__(
        self, http: httpx.AsyncClient, token: str | None, pacer: Pacer | None = None
    ) -> None:
        self._http = http
        self._headers = {"Accept": MEDIA_TYPE}
        if token is not None:
            self._headers["Authorization"] = f"Bearer {token}"
        self.pacer = pacer or Pacer()
        self.requests: Counter[str] = Counter()
        self.throttled = 0  # 429 answers received
        #: when a dict: each GET answered, as `address(path, params)` -> the answer's digest
        #: (what a plan read, so that the next can tell whether it would read the same)
        self.heard: dict[str, str] | None = None
        #: GET address -> an answer this run already holds, given once instead of sent (a
        #: settled plan's checks confirmed these unchanged a moment ago: runs/settled.py)
        self.answers: dict[str, Answer] = {}
        self.reused = 0  # GETs answered from `answers`
        self._in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)

    @property
    def base_url(self) -> str:
        return str(self._http.base_url)

    async def get(self, path: str, params: Any = None) -> Any:
        return (await self.request("GET", path, params=params)).json()

    async def post(self, path: str, body: Any) -> httpx.Response:
        return await self.request("POST", path, json=body)

    async def put(self, path: str, body: Any) -> httpx.Response:
        return await self.request("PUT", path, json=body)

    async def patch(self, path: str, body: Any) -> httpx.Response:
        return await self.request("PATCH", path, json=body)

    async def upload_image(self, url: str, data: bytes, media_type: str) -> str:
        """`POST /sale/images` with the file's bytes (on the upload host); returns the
        `location` to use in offers. It expires unless an offer uses it."""
        response = await self._send_file("POST", url, "/sale/images", data, media_type, 201)
        try:
            return str(response.json()["location"])
        except (ValueError, KeyError, TypeError):
            raise _error_for("POST", "/sale/images", response) from None

    async def upload_image_link(self, url: str, source: str) -> str:
        """`POST /sale/images` with `{"url": source}`: Allegro copies the image from the
        outside URL `source`; returns the copy's `location`, as `upload_image` does."""
        return await self.upload_image(url, json.dumps({"url": source}).encode(), MEDIA_TYPE)

    async def upload_attachment(self, kind: str, name: str, data: bytes, media_type: str) -> str:
        """`POST /sale/offer-attachments`, then the file's bytes to the one-time URL in its
        `Location` (on the upload host); returns the attachment id offers name."""
        created = await self.request("POST", "/sale/offer-attachments",
                                     json={"type": kind, "file": {"name": name}}, ok=(201,))
        attachment_id = str(created.json()["id"])
        location = created.headers.get("Location") or f"/sale/offer-attachments/{attachment_id}"
        await self._send_file("PUT", location, "/sale/offer-attachments/{id}", data, media_type,
                              200)
        return attachment_id

    async def _send_file(
        self, method: str, url: str, route: str, data: bytes, media_type: str, ok: int
    ) -> httpx.Response:
        """A file's bytes to the upload host; `route` names the request in counts and errors."""
        slots = await self.pacer.acquire(method, route)
        headers = {**self._headers, "Content-Type": media_type}
        try:
            response = await self._http.request(method, url, content=data, headers=headers)
        except httpx.TransportError as exc:
            raise TransportError(f"{method} {route}: upload failed ({exc})") from exc
        finally:
            self.pacer.answered(slots)
        self.requests[f"{method} {route}"] += 1
        if response.status_code != ok:
            raise _error_for(method, route, response)
        return response

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        ok: tuple[int, ...] = (200, 201, 202, 204, 303),
        idempotent: bool | None = None,
        media_type: str = MEDIA_TYPE,
    ) -> httpx.Response:
        """Send one request; raise an `AllegroError` subclass for any status not in `ok`.

        A 429 means Allegro did not process the request, so any request is sent again once
        the pacer has waited the block out. After a transient failure (5xx, timeout, dropped
        connection) only requests that are safe to repeat are retried: GETs, and PUTs of
        batch commands, whose client-made id makes a repeat a no-op (409) — and requests the
        caller marks `idempotent`, such as queries sent as POST. `media_type` is what the
        request sends and accepts (beta resources take their own).
        """
        if method == "GET" and self.answers:
            known = self.answers.pop(address(path, params), None)  # once: later, ask
            if known is not None:
                self.reused += 1
                return known
        if idempotent is None:
            idempotent = method in ("GET", "PUT")
        failures = throttles = 0
        while True:
            try:
                response = await self._send(method, path, params=params, json=json,
                                            media_type=media_type)
            except TransportError:
                failures += 1
                if not idempotent or failures > TRANSIENT_RETRIES:
                    raise
                await asyncio.sleep(_backoff(failures))
                continue
            if response.status_code == 429 and throttles < THROTTLE_RETRIES:
                throttles += 1
                self.throttled += 1
                self.pacer.blocked(_retry_after(response))
                continue
            # Allegro's errors on a 2xx: the request did not do what was asked (like a 5xx)
            in_success = errors_in_success(response.content) if response.is_success else []
            transient = response.status_code >= 500 or bool(in_success)
            if transient and idempotent and failures < TRANSIENT_RETRIES:
                failures += 1
                await asyncio.sleep(_backoff(failures))
                continue
            break
        if response.status_code not in ok:
            raise _error_for(method, path, response)
        if in_success:
            raise ErrorsOnSuccess(response.status_code, method, path, in_success)
        if self.heard is not None and method == "GET":
            self.heard[address(path, params)] = hashlib.sha256(response.content).hexdigest()
        return response

    async def _send(self, method: str, path: str, *, params: Any, json: Any,
                    media_type: str = MEDIA_TYPE) -> httpx.Response:
        headers = dict(self._headers)
        if media_type != MEDIA_TYPE:
            headers["Accept"] = media_type
        if json is not None:
            headers["Content-Type"] = media_type
        try:
            # In flight first, then the pacer: a slot is taken only when the request can go
            # at once, so Allegro counts it when the pacer does.
            async with self._in_flight, self.pacer.flight:
                slots = await self.pacer.acquire(method, path, offers=_offers_in(json))
                started = time.perf_counter()
                try:
                    response = await self._http.request(
                        method,
                        _absolute(self._http.base_url, path),
                        params=params,
                        json=json,
                        headers=headers,
                        follow_redirects=False,
                    )
                finally:
                    self.pacer.answered(slots)
        except httpx.TimeoutException as exc:
            raise AnswerTimedOut(f"{method} {path}: Allegro did not answer in time") from exc
        except httpx.TransportError as exc:
            raise TransportError(f"{method} {path}: connection failed ({exc})") from exc
        self.requests[f"{method} {route_template(path)}"] += 1
        log.debug(
            "%s %s -> %s (%.0f ms)",
            method,
            path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response


def address(path: str, params: Any = None) -> str:
    """A GET's path and query as one string, which `get` takes back as its path."""
    query = str(httpx.QueryParams(params)) if params else ""
    return f"{path}?{query}" if query else path


@functools.lru_cache(maxsize=256)
def _absolute(base: httpx.URL, path: str) -> httpx.URL:
    """The URL httpx would make of `path` on a client at `base`, parsed once per path: parsing
    cost more than the rest of building a request, and apply sends one path thousands of times."""
    url = httpx.URL(path)
    if not url.is_relative_url:
        return url
    return base.copy_with(raw_path=base.raw_path + url.raw_path.lstrip(b"/"))


def _backoff(failures: int) -> float:
    """Jittered exponential backoff: 0.25 s, 0.5 s, 1 s … capped at 8 s."""
    return float(min(8.0, 0.25 * 2 ** (failures - 1)) * random.uniform(0.5, 1.0))


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None


def _offers_in(body: Any) -> int:
    """How many offers a batch command changes: Allegro counts those, not requests (a bulk
    modification: its modifications)."""
    if isinstance(body, dict) and isinstance(body.get("modifications"), list):
        return max(1, len(body["modifications"]))
    if not isinstance(body, dict) or "offerCriteria" not in body:
        return 1
    return max(1, sum(len(c.get("offers") or []) for c in body["offerCriteria"]))


@functools.lru_cache(maxsize=256)  # apply sends one path thousands of times
def route_template(path: str) -> str:
    """`/sale/product-offers/123` -> `/sale/product-offers/{id}`, for request counts."""
    parts = [
        "{id}" if any(c.isdigit() for c in part) and part not in ("v1",) else part
        for part in path.split("/")
    ]
    return "/".join(parts)


def _error_for(method: str, path: str, response: httpx.Response) -> AllegroError:
    details = error_details(response.headers.get("content-type", ""), response.text)
    status = response.status_code
    if status in (401, 403):
        return AuthError(status, method, path, details)
    if status == 429:
        return RateLimited(status, method, path, details)
    return AllegroError(status, method, path, details)
