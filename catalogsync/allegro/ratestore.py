"""One rate budget for every process and machine that uses the same client id (R1), in Redis
or Valkey: `CATALOGSYNC_RATE_STORE=redis://…`.

Allegro counts 9 000 requests a minute per client id, whoever sends them, and the other
limits per seller (API_NOTES §3). Each pacer (pacing.py) still keeps its own windows; with a
store, a request also needs a slot in the shared windows, which one Lua script checks and
takes atomically for all the windows a request counts in, on Redis's clock (`TIME` inside
the script), so machines whose clocks differ still count one window. A 429 is told to every
process on the client id (a key that expires when the block should be over), since a request
sent during a block extends it.

When the store fails or answers slower than `TIMEOUT` twice in a row (once may be a busy
event loop: several catalogs run in one), the run goes on alone: every window of
its pacer shrinks to its share (count ÷ `CATALOGSYNC_RUNNERS`), it says so once on stderr (the
store's address without its password), and 429s are honoured as ever.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from redis.asyncio import Redis
from redis.exceptions import RedisError

from catalogsync.allegro.pacing import SEND_PAD, Pacer, Window
from catalogsync.errors import ConfigError
from catalogsync.state.storelock import check_url, shown, store_url

RUNNERS_ENV = "CATALOGSYNC_RUNNERS"
#: Without a store, how many runners may share the client id: each takes this share.
DEFAULT_RUNNERS = 4
#: A store slower than this is treated as down (seconds).
TIMEOUT = 0.3

#: KEYS: per window a sorted set of takes (score: microseconds, member: "token:units") and
#: the sum of their units; last, the client id's block (a key that expires with it). ARGV: the
#: token, then per window count, span (µs) and units. Returns 0 when every window took its
#: units, else the µs until all would fit (or the block is over).
_TAKE = """
local blocked = redis.call('PTTL', KEYS[#KEYS])
if blocked > 0 then return blocked * 1000 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local wait = 0
for i = 1, #KEYS / 2 do
  local log, sum = KEYS[2 * i - 1], KEYS[2 * i]
  local count, span = tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i])
  local units = tonumber(ARGV[3 * i + 1])
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
for i = 1, #KEYS / 2 do
  local log, sum = KEYS[2 * i - 1], KEYS[2 * i]
  local span, units = tonumber(ARGV[3 * i]), ARGV[3 * i + 1]
  redis.call('ZADD', log, now, ARGV[1] .. ':' .. units)
  redis.call('INCRBY', sum, units)
  local ttl = math.ceil(span / 1000) + 1000
  redis.call('PEXPIRE', log, ttl)
  redis.call('PEXPIRE', sum, ttl)
end
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


class RedisBudget:
    """The shared windows of one seller of one client id (`pacing.SharedBudget`)."""

    def __init__(self, redis: Redis, url: str, scope: str, seller: str, pacer: Pacer,
                 share: int, timeout: float = TIMEOUT) -> None:
        self._redis, self._url, self._pacer = redis, url, pacer
        self._client_prefix = f"catalogsync:rate:{{{scope}}}:"
        self._seller_prefix = f"{self._client_prefix}seller:{seller}:"
        self._share, self._timeout = share, timeout
        self._script = redis.register_script(_TAKE)
        self._extend = redis.register_script(_BLOCK)
        self._block_key = f"{self._client_prefix}blocked"
        self._pending: set[asyncio.Task[None]] = set()
        self.fell_back = False

    def key(self, window: Window) -> str:
        """R1 counts per client id, every other limit per seller (API_NOTES §3)."""
        client_wide = window.name.startswith("client id")
        return (self._client_prefix if client_wide else self._seller_prefix) + window.name

    async def take(self, windows: list[Window], units: list[int]) -> float:
        if self.fell_back:
            return 0.0
        keys: list[str] = []
        args: list[str | int] = [uuid.uuid4().hex]
        for window, amount in zip(windows, units, strict=True):
            key = self.key(window)
            keys += [f"{key}:log", f"{key}:sum"]
            args += [window.count, round(window.seconds * (1 + SEND_PAD) * 1e6), amount]
        keys.append(self._block_key)
        for attempt in range(2):
            try:
                wait = await asyncio.wait_for(self._script(keys=keys, args=args), self._timeout)
                return int(wait) / 1e6
            except TimeoutError as exc:  # once may be our own busy event loop, not the store
                if attempt or self.fell_back:
                    self._fall_back(exc)
                    return 0.0
            except (RedisError, OSError) as exc:
                self._fall_back(exc)
                return 0.0
        return 0.0

    def blocked(self, seconds: float) -> None:
        """Tell every process on the client id to hold off (a request sent during a block
        extends it: API_NOTES §3). Sent in the background; a store that fails is left for
        `take` to notice."""
        if self.fell_back:
            return
        task = asyncio.get_running_loop().create_task(self._block(seconds))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _block(self, seconds: float) -> None:
        with suppress(RedisError, OSError, TimeoutError):
            await asyncio.wait_for(
                self._extend(keys=[self._block_key], args=[max(1, round(seconds * 1000))]),
                self._timeout,
            )

    def _fall_back(self, exc: BaseException) -> None:
        """Go on alone, on this runner's share of every limit, for the rest of the run (once:
        the requests in flight when the store went away all fail)."""
        if self.fell_back:
            return
        self.fell_back = True
        for window in self._pacer.windows:
            window.share(self._share)
        why = "did not answer in time" if isinstance(exc, TimeoutError) else (
            f"failed ({exc.__class__.__name__})")
        print(f"catalogsync: the rate store {shown(self._url)} {why}; this run goes on alone "
              f"on 1/{self._share} of every rate limit ({RUNNERS_ENV}={self._share}), still "
              "pausing on Allegro's 429s.", file=sys.stderr, flush=True)


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
        if budget._pending:  # a block being told to the others
            await asyncio.wait(budget._pending, timeout=TIMEOUT)
        with suppress(RedisError, OSError, TimeoutError):
            await asyncio.wait_for(redis.aclose(), TIMEOUT)
