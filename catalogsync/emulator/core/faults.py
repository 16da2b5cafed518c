"""Injected faults for tests and demos: 5xx errors (or Allegro's errors on a 200), command
tasks that fail on Allegro's side ("OfferRepository error"), added
latency, slow answers (past a client's timeout, the work done before), dropped connections and
a 429 storm, steered with `POST /_emulator/faults` and deterministic for a given seed.

Every REST request draws exactly one number from the seeded generator, so the same seed and the
same sequence of requests give the same faults. A dropped connection starts the response and
then raises `ConnectionDropped`: uvicorn closes the socket mid-response (the client sees the peer
close the connection) and `httpx.ASGITransport` re-raises it, and because it is an
`httpx.RemoteProtocolError` an httpx client sees a transport error either way.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from catalogsync.emulator.core.errors import ApiError, too_many_requests


@dataclass
class FaultPlan:
    """What `POST /_emulator/faults` sets; every field left out is off."""

    error_rate: float = 0.0  # share of requests answered with `error_status`
    error_status: int = 503  # a 5xx, or 200: Allegro's error body delivered as a success
    latency_seconds: float = 0.0  # added to every request
    drop_rate: float = 0.0  # share of requests whose connection is dropped
    slow_rate: float = 0.0  # share of requests answered only after `slow_seconds`
    slow_seconds: float = 0.0  # done at once, answered this late: past a client's timeout
    storm_seconds: float = 0.0  # every request gets 429 for this long from now
    task_error_rate: float = 0.0  # share of command tasks that end FAIL with Allegro's own error
    seed: int = 0


class Fault(Enum):
    DROP = "drops"
    ERROR = "errors"
    STORM = "storm"
    SLOW = "slow"


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised mid-response by an injected fault: the connection goes away."""


class DropConnection(Exception):
    """Raised by the request gate; the app's exception handler `drop_connection` answers it.
    Going through a handler keeps the dropped exchange out of anything that wraps endpoints."""


async def drop_connection(request: Request, exc: Exception) -> Response:
    return DroppedConnection()


class DroppedConnection(Response):
    """A response that promises a body and never sends it."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", b"1024")]})
        raise ConnectionDropped("the emulator dropped the connection (injected fault)")


class Faults:
    """The current plan, the generator it draws from and counts of what it injected."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.reset()

    def reset(self) -> None:
        self.plan = FaultPlan()
        self._random = random.Random(0)
        self._storm_until = 0.0
        self.stats: Counter[str] = Counter()

    def configure(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Replace the plan; `{}` switches every fault off."""
        plan = _plan(body)
        self.plan = plan
        self._random = random.Random(plan.seed)
        self._storm_until = self._clock() + plan.storm_seconds
        return self.describe()

    def describe(self) -> dict[str, Any]:
        storm = max(0.0, self._storm_until - self._clock())
        return {**asdict(self.plan), "storm_seconds": storm}

    @property
    def latency(self) -> float:
        return self.plan.latency_seconds

    def draw(self) -> Fault | None:
        """The fault for one request, if any."""
        roll = self._random.random()
        plan = self.plan
        fault = None
        if self._clock() < self._storm_until:
            fault = Fault.STORM
        elif roll < plan.drop_rate:
            fault = Fault.DROP
        elif roll < plan.drop_rate + plan.error_rate:
            fault = Fault.ERROR
        elif roll < plan.drop_rate + plan.error_rate + plan.slow_rate:
            fault = Fault.SLOW
        if fault is not None:
            self.stats[fault.value] += 1
        return fault

    def task_fails(self) -> bool:
        """Whether a command task fails on Allegro's side ("OfferRepository error"), which the
        next run may send again and succeed."""
        if not self.plan.task_error_rate or self._random.random() >= self.plan.task_error_rate:
            return False
        self.stats["task_errors"] += 1
        return True

    def error(self, fault: Fault) -> ApiError:
        if fault is Fault.STORM:
            return too_many_requests()
        return ApiError(self.plan.error_status, "InternalServerError", "An error occurred",
                        user_message="Server error (injected by the emulator).")


def _plan(body: Mapping[str, Any]) -> FaultPlan:
    known = set(asdict(FaultPlan()))
    unknown = set(body) - known
    if unknown:
        raise ValueError(f"unknown faults: {', '.join(sorted(unknown))}")
    for key in ("error_rate", "drop_rate", "slow_rate", "task_error_rate"):
        value = body.get(key, 0.0)
        if not _number(value) or not 0 <= value <= 1:
            raise ValueError(f"{key} must be a number from 0 to 1")
    for key in ("latency_seconds", "storm_seconds", "slow_seconds"):
        if not _number(body.get(key, 0.0)) or body.get(key, 0.0) < 0:
            raise ValueError(f"{key} must be a number >= 0")
    status, seed = body.get("error_status", 503), body.get("seed", 0)
    if not isinstance(status, int) or isinstance(status, bool) or not (
            500 <= status <= 599 or status == 200):
        raise ValueError("error_status must be a 5xx status, or 200 (errors on a success)")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError("seed must be an integer")
    rates = ("error_rate", "drop_rate", "slow_rate")
    if sum(body.get(key, 0.0) for key in rates) > 1:
        raise ValueError("error_rate + drop_rate + slow_rate must not exceed 1")
    return FaultPlan(
        error_rate=float(body.get("error_rate", 0.0)),
        error_status=status,
        latency_seconds=float(body.get("latency_seconds", 0.0)),
        drop_rate=float(body.get("drop_rate", 0.0)),
        storm_seconds=float(body.get("storm_seconds", 0.0)),
        slow_rate=float(body.get("slow_rate", 0.0)),
        slow_seconds=float(body.get("slow_seconds", 0.0)),
        task_error_rate=float(body.get("task_error_rate", 0.0)),
        seed=seed,
    )


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
