"""Allegro's request limits (FAQ R1-R3, API_NOTES §3), on the emulator's injectable clock.

Every check sits on the hot path of every request, so each is O(1) amortised: sliding windows
are deques of timestamps that are trimmed from the left as time moves on. State lives in memory
only; `reset` forgets it. Anything over a limit gets Allegro's 429 `TooManyRequestsException`.

- R1: 9000 requests a minute per client id (all users of the app together), counted in a sliding
  minute. The request over the limit blocks the client id for 60 s; every request during a block
  is refused and extends it ([I#2657], [I#3454]).
- R2: a per-user leaky bucket on the offer and command resources: over its rate responses are
  slowed down; more than `user_parallel` requests of one user in flight at once get a 429.
  Allegro does not disclose these numbers; the defaults are the emulator's choice (see
  `LimitSettings`).
- R3: at most 20 requests of one client id in flight at once.
- Per seller: `GET /sale/product-offers/{id}` 3500 a minute; `POST /sale/product-offers` and
  `PATCH /sale/product-offers/{id}` together 2490 a minute and 74 700 an hour.
- Batch commands count offer changes, not requests, per user and kind of command: 9000 a minute
  and 250 000 an hour (price changes and bulk modifications: 150 000 an hour) [S, SL
  descriptions]; a bulk modification counts one change per offer and field (its tasks).

`limits_scale` multiplies every count limit (not the concurrency caps, the leaky bucket or the
block time), so a test can trip R1 with nine requests instead of 9000.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import anyio

from catalogsync.emulator.core.errors import ApiError, too_many_requests

MINUTE = 60.0
HOUR = 3600.0
#: R2: the longest a leaky bucket holds a response back; the bucket stops filling there.
MAX_DELAY_SECONDS = 10.0
#: Route prefixes with the per-user leaky bucket (R2): offers, products and the offer-* family
#: (commands, variant sets, events).
LEAKY_PREFIXES = ("/sale/offers", "/sale/product-offers", "/sale/products", "/sale/offer-")
SELLER_GET = "GET /sale/product-offers/{offerId}"
SELLER_WRITES = ("POST /sale/product-offers", "PATCH /sale/product-offers/{offerId}")
#: 5 requests a second per user [S]: price automation and category matching.
SECOND_LIMITED = ("/sale/price-automation/", "/sale/matching-categories")
#: Commands limited to 150 000 offer changes an hour (the others: 250 000) [S], [SL]
PRICE_COMMANDS = ("offer-price-change-commands", "offer-bulk-modification-commands",
                  "offer-price-automation-commands")


@dataclass
class LimitSettings:
    """Allegro's numbers by default; part of the emulator's `Settings`."""

    limits_scale: float = 1.0  # multiplies every count limit below
    #: multiplies every window (minute, hour) and the R1 block: 0.1 makes a minute 6 s, so
    #: benchmarks see Allegro's limits bind in seconds instead of minutes
    time_scale: float = 1.0
    client_rpm: int = 9000  # R1
    client_block_seconds: float = 60.0  # R1
    client_concurrency: int = 20  # R3
    # R2: Allegro discloses none of these. By default the bucket lets a user send a minute's
    # worth of R1 at once and slows it only when it keeps going faster than 9000 a minute, so
    # it never bites before R1 does; tests steer it tighter.
    user_rpm: int = 9000  # R2 leak rate
    user_burst: int = 9000  # R2 requests a user may send at once before slowing
    user_parallel: int = 10  # R2 requests of one user in flight
    seller_get_rpm: int = 3500
    seller_write_rpm: int = 2490
    seller_write_rph: int = 74_700
    command_changes_per_minute: int = 9000
    command_changes_per_hour: int = 250_000
    price_changes_per_hour: int = 150_000
    automation_rps: int = 5  # /sale/price-automation/* and /sale/matching-categories

    def scaled(self, limit: int) -> int:
        return max(1, round(limit * self.limits_scale))

    @property
    def minute(self) -> float:
        return MINUTE * self.time_scale

    @property
    def second(self) -> float:
        return self.time_scale

    @property
    def hour(self) -> float:
        return HOUR * self.time_scale

    @property
    def block_seconds(self) -> float:
        return self.client_block_seconds * self.time_scale


class SlidingWindow:
    """Weighted events of the last `span` seconds; amortised O(1) per call."""

    __slots__ = ("_events", "total")

    def __init__(self) -> None:
        self._events: deque[tuple[float, int]] = deque()
        self.total = 0

    def count(self, now: float, span: float) -> int:
        events, cutoff = self._events, now - span
        while events and events[0][0] <= cutoff:
            self.total -= events.popleft()[1]
        return self.total

    def add(self, now: float, weight: int = 1) -> None:
        self._events.append((now, weight))
        self.total += weight


@dataclass
class LeakyBucket:
    """R2: fills by one per request, leaks at the allowed rate; the excess is a delay."""

    level: float = 0.0
    updated: float = 0.0

    def pour(self, now: float, per_second: float, capacity: int) -> float:
        self.level = max(0.0, self.level - (now - self.updated) * per_second)
        self.updated = now
        self.level = min(self.level + 1, capacity + MAX_DELAY_SECONDS * per_second)
        excess = self.level - capacity
        return excess / per_second if excess > 0 else 0.0


@dataclass
class _Client:
    """R1 and R3 state of one client id."""

    window: SlidingWindow = field(default_factory=SlidingWindow)
    blocked_until: float = 0.0
    in_flight: int = 0


@dataclass
class _User:
    """R2 and per-seller state of one user."""

    bucket: LeakyBucket = field(default_factory=LeakyBucket)
    in_flight: int = 0
    gets: SlidingWindow = field(default_factory=SlidingWindow)
    writes_minute: SlidingWindow = field(default_factory=SlidingWindow)
    writes_hour: SlidingWindow = field(default_factory=SlidingWindow)
    per_second: SlidingWindow = field(default_factory=SlidingWindow)
    changes: dict[str, tuple[SlidingWindow, SlidingWindow]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Route:
    leaky: bool
    seller_get: bool
    seller_write: bool
    per_second: bool


class Limiter:
    """Admits or refuses requests. `settings` and `clock` are read on every call, so steering
    that replaces the settings or moves the clock takes effect at once."""

    def __init__(self, settings: Callable[[], LimitSettings], clock: Callable[[], float]) -> None:
        self._settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._routes: dict[str, _Route] = {}
        self.reset()

    def reset(self) -> None:
        self._clients: dict[str, _Client] = {}
        self._users: dict[str, _User] = {}
        self.stats: Counter[str] = Counter()

    def summary(self) -> dict[str, object]:
        """Counters for `GET /_emulator/stats`."""
        by_rule = {k.removeprefix("throttled:"): n for k, n in sorted(self.stats.items())
                   if k.startswith("throttled:")}
        return {"blocks": self.stats["blocks"], "throttled": self.stats["throttled"],
                "delayed": self.stats["delayed"], "throttled_by": by_rule}

    @asynccontextmanager
    async def admit(self, client_id: str, user_id: str | None, route: str) -> AsyncIterator[None]:
        """Hold a request's place while it runs; 429 (an `ApiError`) if a limit refuses it."""
        kind = self._route(route)
        delay = self._enter(client_id, user_id, kind)
        try:
            if delay:
                await anyio.sleep(delay)
            yield
        finally:
            self._leave(client_id, user_id, kind)

    def offer_changes(self, user_id: str, command_kind: str, changes: int) -> None:
        """Batch commands: count `changes` offer changes of one kind against the user's limits."""
        settings, now = self._settings(), self._clock()
        hourly = (settings.price_changes_per_hour if command_kind in PRICE_COMMANDS
                  else settings.command_changes_per_hour)
        with self._lock:
            user = self._user(user_id)
            minute, hour = user.changes.setdefault(command_kind, (SlidingWindow(), SlidingWindow()))
            limits = ((minute, settings.minute, settings.command_changes_per_minute),
                      (hour, settings.hour, hourly))
            if any(w.count(now, span) + changes > settings.scaled(n) for w, span, n in limits):
                raise self._refuse("commands")
            minute.add(now, changes)
            hour.add(now, changes)

    # ----------------------------------------------------------------- bookkeeping

    def _route(self, route: str) -> _Route:
        kind = self._routes.get(route)
        if kind is None:
            path = route.partition(" ")[2]
            kind = self._routes[route] = _Route(
                leaky=path.startswith(LEAKY_PREFIXES),
                seller_get=route == SELLER_GET,
                seller_write=route in SELLER_WRITES,
                per_second=path.startswith(SECOND_LIMITED),
            )
        return kind

    def _user(self, user_id: str) -> _User:
        user = self._users.get(user_id)
        if user is None:
            user = self._users[user_id] = _User()
        return user

    def _refuse(self, rule: str) -> ApiError:
        self.stats["throttled"] += 1
        self.stats[f"throttled:{rule}"] += 1
        return too_many_requests()

    def _enter(self, client_id: str, user_id: str | None, route: _Route) -> float:
        """Check every limit, then count the request in; the R2 delay to wait, in seconds."""
        settings, now = self._settings(), self._clock()
        with self._lock:
            client = self._clients.get(client_id)
            if client is None:
                client = self._clients[client_id] = _Client()
            self._check_client(client, settings, now)
            user = self._user(user_id) if user_id else None
            delay = 0.0
            if user is not None:
                delay = self._check_user(user, route, settings, now)
            client.in_flight += 1
            if user is not None and route.leaky:
                user.in_flight += 1
            return delay

    def _check_client(self, client: _Client, settings: LimitSettings, now: float) -> None:
        if now < client.blocked_until:  # R1: a request during a block extends it
            client.blocked_until = now + settings.block_seconds
            raise self._refuse("R1")
        if client.window.count(now, settings.minute) >= settings.scaled(settings.client_rpm):
            client.blocked_until = now + settings.block_seconds
            self.stats["blocks"] += 1
            raise self._refuse("R1")
        client.window.add(now)
        if client.in_flight >= settings.client_concurrency:
            raise self._refuse("R3")

    def _check_user(self, user: _User, route: _Route, settings: LimitSettings, now: float
                    ) -> float:
        if route.leaky and user.in_flight >= settings.user_parallel:
            raise self._refuse("R2")
        if route.seller_get:
            self._count(((user.gets, settings.minute, settings.seller_get_rpm),), settings, now,
                        "seller_get")
        elif route.seller_write:
            writes = ((user.writes_minute, settings.minute, settings.seller_write_rpm),
                      (user.writes_hour, settings.hour, settings.seller_write_rph))
            self._count(writes, settings, now, "seller_write")
        elif route.per_second:
            self._count(((user.per_second, settings.second, settings.automation_rps),), settings,
                        now, "per_second")
        if not route.leaky:
            return 0.0
        rate = max(settings.user_rpm, 1) / settings.minute
        delay = user.bucket.pour(now, rate, settings.user_burst)
        if delay:
            self.stats["delayed"] += 1
        return delay

    def _count(self, windows: tuple[tuple[SlidingWindow, float, int], ...],
               settings: LimitSettings, now: float, rule: str) -> None:
        """Refuse if any window is full; otherwise count the request in all of them."""
        if any(w.count(now, span) >= settings.scaled(n) for w, span, n in windows):
            raise self._refuse(rule)
        for window, _, _ in windows:
            window.add(now)

    def _leave(self, client_id: str, user_id: str | None, route: _Route) -> None:
        with self._lock:
            client = self._clients.get(client_id)
            if client is not None:
                client.in_flight = max(0, client.in_flight - 1)
            user = self._users.get(user_id or "")
            if user is not None and route.leaky:
                user.in_flight = max(0, user.in_flight - 1)
