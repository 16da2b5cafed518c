"""One apply per account at a time across machines, when a store is set
(`CATALOGSYNC_RATE_STORE=redis://…`, the same Redis or Valkey that shares the rate budget).

state/runlock.py's `flock` reaches one machine. With a store, the account's lock is also a key
there, named like the local lock file (environment, API host, seller), whose value names the
holder as the lock file does. It is a lease: `SET NX` with an expiry that a live holder renews
from a thread every third of it, so a killed holder's lock frees itself after at most
`LEASE_SECONDS`; renewal and release check the holder's token first (a Lua script), so a run
never extends or frees a lock it no longer holds. The local `flock` is held inside it as
before. A store that cannot be reached leaves the run with the local lock only, said once.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from catalogsync.errors import ConfigError
from catalogsync.state.runlock import (
    POLL_SECONDS,
    Holder,
    LockHeld,
    account_lock,
    current_holder,
    held_message,
    me,
)

if TYPE_CHECKING:  # redis itself is imported where a store is used: it costs every start-up 0.15 s
    from redis import Redis

STORE_ENV = "CATALOGSYNC_RATE_STORE"
LEASE_SECONDS = 30.0
#: A store slower than this (seconds) counts as unreachable for the lock.
TIMEOUT = 2.0

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def shown(url: str) -> str:
    """A store's address for messages: never its user name or password."""
    parts = urlsplit(url)
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ":?"
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}"


def check_url(url: str) -> None:
    """Refuse a store URL redis-py cannot use, before any run starts (never showing its
    password)."""
    problem = urlsplit(url).scheme not in ("redis", "rediss", "unix")
    if not problem:
        from redis import Redis

        try:
            Redis.from_url(url).close()
        except ValueError:
            problem = True
    if problem:
        raise ConfigError(f"{STORE_ENV}: {shown(url)} is not a usable redis:// (or rediss://, "
                          "unix://) URL")


def store_url() -> str:
    return os.environ.get(STORE_ENV, "")


def _key(local: Path) -> str:
    return f"catalogsync:runlock:{local.stem}"


def _connect(url: str) -> Redis:
    from redis import Redis

    return Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)


@contextmanager
def store_lock(
    url: str,
    local: Path,
    command: str,
    timeout: float,
    on_wait: Callable[[Holder], None],
    lease: float = LEASE_SECONDS,
) -> Iterator[None]:
    """Hold the account's key in the store at `url` for the block (see the module's doc)."""
    from redis.exceptions import RedisError

    redis = _connect(url)
    key, token = _key(local), uuid.uuid4().hex
    value = json.dumps({**asdict(me(command)), "token": token})
    try:
        _take(redis, key, value, url, timeout, on_wait, lease)
    except (RedisError, OSError) as exc:
        _unreachable(url, exc)
        yield
        return
    stop = threading.Event()
    renewer = threading.Thread(
        target=_renew, args=(redis, key, value, lease, stop), daemon=True, name="store-lock"
    )
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()
        with suppress(RedisError, OSError):  # else the lease frees it
            redis.eval(_RELEASE, 1, key, value)
        redis.close()


def _take(redis: Redis, key: str, value: str, url: str, timeout: float,
          on_wait: Callable[[Holder], None], lease: float) -> None:
    deadline = time.monotonic() + timeout
    told = False
    while not redis.set(key, value, nx=True, px=round(lease * 1000)):
        holder = _parse(redis.get(key))
        if time.monotonic() >= deadline:
            raise LockHeld(held_message(holder, f"{shown(url)} {key}"))
        if holder is not None and not told:
            on_wait(holder)
            told = True
        time.sleep(POLL_SECONDS)


def _renew(redis: Redis, key: str, value: str, lease: float, stop: threading.Event) -> None:
    from redis.exceptions import RedisError

    while not stop.wait(lease / 3):
        try:
            redis.eval(_RENEW, 1, key, value, str(round(lease * 1000)))
        except (RedisError, OSError):
            continue  # tried again a third of a lease later, before it runs out


def store_holder(url: str, local: Path) -> Holder | None:
    """Who holds the account's key right now (None: nobody, or the store is unreachable)."""
    from redis.exceptions import RedisError

    redis = _connect(url)
    try:
        return _parse(redis.get(_key(local)))
    except (RedisError, OSError):
        return None
    finally:
        redis.close()


def _parse(raw: object) -> Holder | None:
    if not isinstance(raw, bytes | str):
        return None
    try:
        fields = json.loads(raw)
        fields.pop("token", None)
        return Holder(**fields)
    except (ValueError, TypeError, AttributeError):
        return None


def _unreachable(url: str, exc: BaseException) -> None:
    print(f"catalogsync: the store {shown(url)} cannot be reached "
          f"({exc.__class__.__name__}); this run holds the account's lock on this machine only.",
          file=sys.stderr, flush=True)


@contextmanager
def account_lock_everywhere(
    local: Path,
    command: str,
    timeout: float,
    on_wait: Callable[[Holder], None],
    on_takeover: Callable[[Holder], None],
) -> Iterator[None]:
    """runlock's `account_lock`, inside the store's lock when a store is set."""
    url = store_url()
    if not url:
        with account_lock(local, command, timeout, on_wait, on_takeover):
            yield
        return
    with store_lock(url, local, command, timeout, on_wait), account_lock(
        local, command, timeout, on_wait, on_takeover
    ):
        yield


def holder_anywhere(local: Path) -> Holder | None:
    """Who holds the account's lock, on this machine or (with a store) on any."""
    url = store_url()
    return current_holder(local) or (store_holder(url, local) if url else None)
