"""One rate budget for every process and machine that uses the same client id (R1), in Redis
or Valkey: `CATALOGSYNC_RATE_STORE=redis://…`.

Allegro counts 9 000 requests a minute per client id, whoever sends them, and the other
limits per seller (API_NOTES §3). Each pacer (pacing.py) still keeps its own windows; with a
store, a request also needs a slot in the shared windows, which one Lua script checks and
takes atomically for all the windows a request counts in, on Redis's clock (`TIME` inside
the script), so machines whose clocks differ still count one window. A 429 is told to every
process on the client id (a key that expires when the block should be over), since a request
sent during a block extends it.

A slot is taken when its request goes and dated again, on Redis's clock, when its answer comes
(`pacing.Slots.shared`): Allegro counted the request on arrival, which a busy event loop or
machine may delay past any pad counted from the send.

When the store fails, or answers nothing for `SILENT_FOR` (a single late answer may be our
own busy event loop: several catalogs run in one), the process goes on alone: every window
of its pacers shrinks to its share (count ÷ `CATALOGSYNC_RUNNERS`), the client id's counting
as full for one more window if the store had answered (what the others on it took lately is
unknown); it says so once on stderr (the store's address without its password), and 429s are
honoured as ever. While it is alone it tells the store, if it still can, so that the runners
still on it leave its share of R1 free.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress

from redis.asyncio import Redis
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeout

from catalogsync.allegro.pacing import PAD, Pacer, Window
from catalogsync.errors import ConfigError
from catalogsync.state.storelock import check_url, shown, store_url

RUNNERS_ENV = "CATALOGSYNC_RUNNERS"
#: Without a store, how many runners may share the client id: each takes this share.
DEFAULT_RUNNERS = 4
#: A call to the store that takes longer is given up (seconds) ...
TIMEOUT = 0.3
#: ... and a store that answers none for this long is treated as down.
SILENT_FOR = 1.5
#: This process, as the runners on alone know it.
RUNNER = f"{socket.gethostname()}:{os.getpid()}"

#: KEYS: per window a sorted set of takes (score: microseconds, member: "token:units") and
#: the sum of their units; then the client id's block (a key that expires with it) and the
#: runners on alone (member: runner, score: until when, µs). ARGV: the token, then per window
#: count, span (µs), units and what each runner on alone takes off the count. Returns 0 when
#: every window took its units, else the µs until all would fit (or the block is over).
_TAKE = """
local blocked = redis.call('PTTL', KEYS[#KEYS - 1])
if blocked > 0 then return blocked * 1000 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZREMRANGEBYSCORE', KEYS[#KEYS], '-inf', now)
local alone = redis.call('ZCARD', KEYS[#KEYS])
local wait = 0
for i = 1, (#KEYS - 2) / 2 do
  local log, sum = KEYS[2 * i - 1], KEYS[2 * i]
  local count, span = tonumber(ARGV[4 * i - 2]), tonumber(ARGV[4 * i - 1])
  local units = tonumber(ARGV[4 * i])
  count = math.max(1, count - alone * tonumber(ARGV[4 * i + 1]))
  local old = redis.call('ZRANGEBYSCORE', log, '-inf', now - span)
  if #old > 0 then
    local gone = 0
    for _, m in ipairs(old) do gone = gone + tonumber(string.match(m, ':(%d+)$')) end
    redis.call('ZREMRANGEBYSCORE', log, '-inf', now - span)
    redis.call('DECRBY', sum, gone)
  end
  local used = tonumber(redis.call('GET', sum) or '0')
  if used > 0 and used + units > count then
    local taken = redis.call('ZRANGE', log, 0, -1, 'WITHSCORES')
    for j = 1, #taken, 2 do
      used = used - tonumber(string.match(taken[j], ':(%d+)$'))
      if used + units <= count then
        wait = math.max(wait, tonumber(taken[j + 1]) + span - now, 1)
        break
      end
    end
  end
end
if wait > 0 then return math.ceil(wait) end
for i = 1, (#KEYS - 2) / 2 do
  local log, sum = KEYS[2 * i - 1], KEYS[2 * i]
  local span, units = tonumber(ARGV[4 * i - 1]), ARGV[4 * i]
  redis.call('ZADD', log, now, ARGV[1] .. ':' .. units)
  redis.call('INCRBY', sum, units)
  local ttl = math.ceil(span / 1000) + 1000
  redis.call('PEXPIRE', log, ttl)
  redis.call('PEXPIRE', sum, ttl)
end
return 0
"""

#: A take counts from now in the windows that still hold it. KEYS: per window its log and
#: sum; ARGV: per window the take's member there and the keys' lifetime (ms).
_REDATE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
for i = 1, #KEYS / 2 do
  if redis.call('ZADD', KEYS[2 * i - 1], 'XX', 'CH', now, ARGV[2 * i - 1]) > 0 then
    redis.call('PEXPIRE', KEYS[2 * i - 1], ARGV[2 * i])
    redis.call('PEXPIRE', KEYS[2 * i], ARGV[2 * i])
  end
end
return 0
"""

#: The runner ARGV[1] is on alone for ARGV[2] µs more (KEYS[1]: the runners on alone).
_ALONE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2]) / 1000))
return 0
"""

#: The client id's block lasts at least ARGV[1] ms more (a shorter one never cuts it short).
_BLOCK = """
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 0
"""


def runners() -> int:
    raw = os.environ.get(RUNNERS_ENV, "")
    if not raw:
        return DEFAULT_RUNNERS
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{RUNNERS_ENV}={raw!r}: give how many runners share the client id, "
                          "a whole number of at least 1")
    return int(raw)


def _client_wide(window: Window) -> bool:
    """R1 counts per client id, every other limit per seller (API_NOTES §3)."""
    return window.name.startswith("client id")


class RedisBudget:
    """The shared windows of one seller of one client id (`pacing.SharedBudget`)."""

    def __init__(self, redis: Redis, url: str, scope: str, seller: str, pacer: Pacer,
                 share: int, timeout: float = TIMEOUT) -> None:
        self._redis, self._url, self._pacer = redis, url, pacer
        self._client_prefix = f"catalogsync:rate:{{{scope}}}:"
        self._seller_prefix = f"{self._client_prefix}seller:{seller}:"
        self._share, self._timeout = share, timeout
        self._script = redis.register_script(_TAKE)
        self._redate = redis.register_script(_REDATE)
        self._extend = redis.register_script(_BLOCK)
        self._alone = redis.register_script(_ALONE)
        self._block_key = f"{self._client_prefix}blocked"
        self._alone_key = f"{self._client_prefix}alone"
        self._pending: set[asyncio.Task[None]] = set()
        self._silent_since: float | None = None
        self._telling: asyncio.Task[None] | None = None
        self._answered = False  # the store took or refused a take of this run
        self.fell_back = False

    def key(self, window: Window) -> str:
        return (self._client_prefix if _client_wide(window) else self._seller_prefix) + window.name

    async def take(self, windows: list[Window], units: list[int]
                   ) -> tuple[float, Callable[[], None] | None]:
        if not self.fell_back and any(w.shrunk for w in self._pacer.windows):
            self._go_alone()  # another catalog of this process lost the store
        if self.fell_back:
            return 0.0, None
        keys: list[str] = []
        token = uuid.uuid4().hex
        args: list[str | int] = [token]
        redate: list[str | int] = []
        for window, amount in zip(windows, units, strict=True):
            key, span = self.key(window), round(window.seconds * (1 + PAD) * 1e6)
            keys += [f"{key}:log", f"{key}:sum"]
            cut = window.count // self._share if _client_wide(window) else 0
            args += [window.count, span, amount, cut]
            redate += [f"{token}:{amount}", span // 1000 + 1000]
        try:
            wait = await asyncio.wait_for(
                self._script(keys=[*keys, self._block_key, self._alone_key], args=args),
                self._timeout)
        except (TimeoutError, RedisTimeout) as exc:  # may be our own busy event loop
            now = time.monotonic()
            self._silent_since = self._silent_since or now
            if now - self._silent_since < SILENT_FOR:
                return 0.01, None  # ask again
            self._go_alone(exc)
            return 0.001, None  # the pacer's windows have shrunk: ask them again
        except (RedisError, OSError) as exc:
            self._go_alone(exc)
            return 0.001, None
        self._silent_since, self._answered = None, True
        if int(wait):
            return int(wait) / 1e6, None
        return 0.0, lambda: self._background(self._redate(keys=keys, args=redate))

    def blocked(self, seconds: float) -> None:
        """Tell every process on the client id to hold off (a request sent during a block
        extends it: API_NOTES §3). A store that fails is left for `take` to notice."""
        if not self.fell_back:
            self._background(self._extend(keys=[self._block_key],
                                          args=[max(1, round(seconds * 1000))]))

    def _background(self, call: Awaitable[object]) -> None:
        async def run() -> None:
            with suppress(RedisError, OSError, TimeoutError):
                await asyncio.wait_for(call, self._timeout)

        task = asyncio.get_running_loop().create_task(run())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def _go_alone(self, exc: BaseException | None = None) -> None:
        """Go on alone, on this runner's share of every limit, for the rest of the run (once:
        the requests in flight when the store went away all fail), and tell the store so
        while it lasts, if it can. Said once a process, for `exc`, what made it go alone."""
        if self.fell_back:
            return
        self.fell_back = True
        said = any(w.shrunk for w in self._pacer.windows)  # by another catalog of the process
        # what the others took lately is unknown only if they were on the store with us
        now = self._pacer.now() if self._answered else None
        for window in self._pacer.windows:
            window.share(self._share, now if _client_wide(window) else None)
        self._telling = asyncio.get_running_loop().create_task(self._tell_alone())
        if exc is None or said:
            return
        why = "did not answer in time" if isinstance(exc, TimeoutError | RedisTimeout) else (
            f"failed ({exc.__class__.__name__})")
        print(f"catalogsync: the rate store {shown(self._url)} {why}; this run goes on alone "
              f"on 1/{self._share} of every rate limit ({RUNNERS_ENV}={self._share}), still "
              "pausing on Allegro's 429s.", file=sys.stderr, flush=True)

    async def close(self) -> None:
        """Let the calls in the background end (a block being told to the others, answers
        dated), briefly; stop telling the store this runner is alone (that lapses by itself)."""
        tasks = set(self._pending)
        if self._telling is not None:
            self._telling.cancel()
            tasks.add(self._telling)
        if tasks:
            await asyncio.wait(tasks, timeout=self._timeout)

    async def _tell_alone(self) -> None:
        """While this runner is alone, the runners still on the store leave its share of R1
        free (until a window after its last word: its last requests count that long)."""
        seconds = next((w.seconds for w in self._pacer.windows if _client_wide(w)), 60.0)
        every = seconds / 3
        lasts = round((seconds * (1 + PAD) + every) * 1e6)
        while True:
            with suppress(RedisError, OSError, TimeoutError):
                await asyncio.wait_for(
                    self._alone(keys=[self._alone_key], args=[RUNNER, lasts]), self._timeout)
            await asyncio.sleep(every)


@asynccontextmanager
async def shared_budget(
    pacer: Pacer, api_url: str, client_id: str, seller: str, url: str | None = None
) -> AsyncIterator[RedisBudget | None]:
    """Plug the store named by `CATALOGSYNC_RATE_STORE` (or `url`) into `pacer` for the
    block; without one, the pacer stays on its own (None)."""
    url = url if url is not None else store_url()
    if not url:
        yield None
        return
    check_url(url)
    scope = hashlib.sha256(f"{api_url}\n{client_id}".encode()).hexdigest()[:16]
    redis = Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
    budget = RedisBudget(redis, url, scope, seller, pacer, runners())
    pacer.shared = budget
    try:
        yield budget
    finally:
        pacer.shared = None
        await budget.close()
        with suppress(RedisError, OSError, TimeoutError):
            await asyncio.wait_for(redis.aclose(), TIMEOUT)
