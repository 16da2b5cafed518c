"""Keep under Allegro's rate limits instead of tripping them (R1, R2 and API_NOTES §3).

Each limit is a sliding window (at most `count` units in any `seconds`), like Allegro's own
counting. Requests wait for a free slot in every limit that applies to them; a batch command
weighs as many units as the offers it changes. A 429 pauses every request until the block
should be over, so a block is never extended by hammering (R1).

The safety margin is in time, not in count: the whole count may be used, but a slot frees
only `PAD` of a window after Allegro's own window would free it. A slot is taken when its
request is sent and dated again when the answer comes (`Pacer.answered`): Allegro counted the
request on arrival, before it answered, so a window counted from our answers frees no sooner
than Allegro's, over any network delay, and the pad is left only the clocks' rates and
Allegro's rounding. A margin in count cost a whole extra window whenever a run needed just
under a whole number of windows (benchmarks/rate_limits.py: a no-op plan of 10 000 offers
waited 3 read windows instead of 2); a pad of 2 % counted from the send cost 1.2 s a minute
(benchmarks/repricing.py). A budget shared by processes (ratestore.py) dates its slots
again on answer too, with the same pad.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Protocol

#: A slot frees this share of a window late, counted from the answer (0.3 s of a minute).
PAD = 0.005

#: R1: an over-limit client id is blocked for a minute, its window's length.
BLOCK_SECONDS = 60.0


class Slots(list[list[float]]):
    """The entries one request took in its windows ([time, units] each), dated again on
    answer; `shared`, if set, dates its take in a shared budget again (ratestore.py)."""

    shared: Callable[[], None] | None = None

_PRODUCT_OFFER = re.compile(r"^/sale/product-offers/[^/]+$")
_COMMAND = re.compile(r"^/sale/offer-[a-z-]+-commands/[^/]+$")


@dataclass
class Window:
    """At most `count` units in any `seconds`-long window."""

    name: str
    count: int
    seconds: float
    applies: Callable[[str, str], bool]
    weighted: bool = False  # counts offers changed (batch commands) rather than requests
    _log: deque[list[float]] = field(default_factory=deque)  # [time, units], oldest first
    _used: int = 0
    _full: int = 0  # the count before `share` shrank it

    @property
    def shrunk(self) -> bool:
        return self._full > 0

    def share(self, runners: int, now: float | None = None) -> None:
        """Shrink to one of `runners`' share of the full count: once, however many of the
        runs that share this window (process_budget.py) ask. With `now`, what the others took
        lately is unknown (up to the full count): the window counts as full for one more
        window from `now`, then holds only this runner's share."""
        if self._full:
            return
        self._full = self.count
        self.count = max(1, self._full // runners)
        if now is not None:
            self.wait_for(now, 0)  # forget what has expired
            if self._used < self._full:
                self.take(now, self._full - self._used)

    def wait_for(self, now: float, units: int) -> float:
        """Seconds until `units` fit; 0 when they fit now."""
        span = self.seconds * (1 + PAD)
        while self._log and self._log[0][0] <= now - span:
            self._used -= int(self._log.popleft()[1])
        if self._used + units <= self.count or not self._log:
            return 0.0
        freed, used = 0.0, self._used
        for stamp, amount in self._log:  # oldest first; an answer may date one later
            used -= int(amount)
            freed = max(freed, stamp + span - now)
            if used + units <= self.count:
                break
        return freed

    def take(self, now: float, units: int) -> list[float]:
        entry = [now, units]
        self._log.append(entry)
        self._used += units
        return entry

    def recent(self, now: float) -> list[list[float]]:
        """What still counts, summed per second (stamps rounded up: never too early)."""
        seconds: dict[float, int] = {}
        for stamp, units in self._log:
            if stamp > now - self.seconds * (1 + PAD):
                key = float(math.ceil(stamp))
                seconds[key] = seconds.get(key, 0) + int(units)
        return [[stamp, units] for stamp, units in sorted(seconds.items())]

    def load(self, entries: list[list[float]], now: float) -> None:
        for stamp, units in sorted(entries):
            if stamp > now - self.seconds * (1 + PAD):
                self.take(stamp, int(units))


def _product_offer_read(method: str, path: str) -> bool:
    return method == "GET" and bool(_PRODUCT_OFFER.match(path))


def _product_offer_write(method: str, path: str) -> bool:
    return (method == "POST" and path == "/sale/product-offers") or (
        method == "PATCH" and bool(_PRODUCT_OFFER.match(path))
    )


def _command_submit(method: str, path: str) -> bool:
    return method == "PUT" and bool(_COMMAND.match(path))


def _bulk_submit(method: str, path: str) -> bool:
    return method == "POST" and path == "/sale/offer-bulk-modification-commands"


def _per_second(method: str, path: str) -> bool:
    return path.startswith(("/sale/price-automation/", "/sale/matching-categories"))


def allegro_windows(time_scale: float = 1.0, count_scale: float = 1.0) -> list[Window]:
    """Allegro's documented limits. The scales match an emulator whose limits were scaled
    the same way (its `time_scale` and `limits_scale` settings)."""
    minute, hour = 60.0 * time_scale, 3600.0 * time_scale

    def count(n: int) -> int:
        return max(1, round(n * count_scale))

    return [
        Window("client id (R1)", count(9000), minute, lambda m, p: True),
        Window("product-offer reads", count(3500), minute, _product_offer_read),
        Window("product-offer writes", count(2490), minute, _product_offer_write),
        Window("product-offer writes per hour", count(74_700), hour, _product_offer_write),
        Window("offer changes in commands", count(9000), minute, _command_submit, weighted=True),
        Window("offer changes in bulk commands", count(9000), minute, _bulk_submit,
               weighted=True),
        Window("offer changes in bulk commands per hour", count(150_000), hour, _bulk_submit,
               weighted=True),
        Window("price automation and category matching", count(5), time_scale, _per_second),
    ]


class SharedBudget(Protocol):
    """Windows other processes draw on too (ratestore.py): `take` takes `units` in each of
    `windows` at once and returns 0 and what dates the take again on answer, or takes nothing
    and says how many seconds to wait."""

    async def take(self, windows: list[Window], units: list[int]
                   ) -> tuple[float, Callable[[], None] | None]: ...

    def blocked(self, seconds: float) -> None:
        """Allegro answered 429: every process sharing the budget holds off for `seconds`."""


class Pacer:
    def __init__(
        self,
        windows: list[Window] | None = None,
        block_seconds: float | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.windows = allegro_windows() if windows is None else windows
        #: a 429's hold without Retry-After: R1's block, as long as its window (API_NOTES §3)
        self.block_seconds = block_seconds if block_seconds is not None else next(
            (w.seconds for w in self.windows if w.name.startswith("client id")), BLOCK_SECONDS)
        self._clock = clock
        self._sleep = sleep
        self._blocked_until = 0.0
        self.waited = 0.0  # seconds spent waiting, for reports
        self.shared: SharedBudget | None = None  # set when a rate store is configured
        #: the pacers of the same client id in this process (process_budget.py), self among them
        self.peers: list[Pacer] = [self]
        #: R3: held by each request in flight; shared by the catalogs of one client id that
        #: one process runs at once (process_budget.py), a no-op otherwise
        self.flight: AbstractAsyncContextManager[Any] = nullcontext()

    def now(self) -> float:
        return self._clock()

    async def acquire(self, method: str, path: str, offers: int = 1) -> Slots:
        """Wait until one request (changing `offers` offers) fits every applicable limit; the
        slots it took, for `answered`."""
        applicable = [w for w in self.windows if w.applies(method, path)]
        while True:
            now = self._clock()
            delay = max(
                [self._blocked_until - now]
                + [w.wait_for(now, offers if w.weighted else 1) for w in applicable]
            )
            redate = None
            if delay <= 0 and self.shared is not None:
                units = [offers if w.weighted else 1 for w in applicable]
                delay, redate = await self.shared.take(applicable, units)
            if delay <= 0:
                slots = Slots(window.take(now, offers if window.weighted else 1)
                              for window in applicable)
                slots.shared = redate
                return slots
            self.waited += delay
            await self._sleep(delay)

    def answered(self, slots: Slots) -> None:
        """The request's answer came (or its failure): its slots count from now. A slot dated
        later than one after it only keeps that one counted longer (the windows stay exact
        about what has expired)."""
        now = self._clock()
        for entry in slots:
            entry[0] = max(entry[0], now)
        if slots.shared is not None:
            slots.shared()

    def export(self) -> dict[str, Any]:
        """Recent usage, for the next run: Allegro counts across our processes, so a plan
        followed at once by an apply must not start from an empty window."""
        now = self._clock()
        return {
            "blocked_until": self._blocked_until,
            "windows": {w.name: w.recent(now) for w in self.windows},
        }

    def restore(self, state: dict[str, Any]) -> None:
        now = self._clock()
        self._blocked_until = max(self._blocked_until, float(state.get("blocked_until", 0.0)))
        for window in self.windows:
            window.load(state.get("windows", {}).get(window.name, []), now)

    def blocked(self, retry_after: float | None) -> None:
        """A 429 came back: hold every request until the block should be over."""
        wait = retry_after if retry_after is not None else self.block_seconds
        for pacer in self.peers:
            pacer._blocked_until = max(pacer._blocked_until, self._clock() + wait)
        if self.shared is not None:
            self.shared.blocked(wait)
