"""One apply at a time per Allegro account on this machine.

Two applies at once each see the other's new offers missing and create them again. So apply
holds a lock per account (environment, API host, seller) in `$XDG_STATE_HOME/catalogsync/
locks/` (default `~/.local/state/…`): shared by every catalog directory and clone on the
machine. The lock is an `flock` on that file, held by the kernel for exactly as long as the
process lives: a crashed or killed holder's lock is free at once (no lease to wait out), and
the next run takes it over, saying whose it was. The file names the holder (host, pid,
user, command, since) so that a second run can say who is in the way.

It does not reach other machines: CI must serialise runs against one account itself (e.g.
GitHub Actions `concurrency:`), or set a store, whose key state/storelock.py holds around this lock.
"""

from __future__ import annotations

import fcntl
import getpass
import hashlib
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from catalogsync.errors import ConfigError

POLL_SECONDS = 0.2


class LockHeld(ConfigError):
    """Another run holds the account's lock (and we did not, or could no longer, wait)."""


@dataclass(frozen=True)
class Holder:
    host: str
    pid: int
    user: str
    command: str
    since: str  # ISO 8601, UTC

    def describe(self) -> str:
        return (
            f"`{self.command}` by {self.user} on {self.host} (pid {self.pid}) since {self.since}"
        )


def lock_path(environment: str, api_url: str, seller: str, catalog_dir: Path) -> Path:
    """The lock file of one account, as seen from this machine (for `local`, each catalog
    directory has an emulator, so an account, of its own)."""
    if environment == "local":
        api_url += f"#{catalog_dir.resolve()}"
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    account = hashlib.sha256(f"{environment}\n{api_url}\n{seller}".encode()).hexdigest()[:16]
    return Path(base) / "catalogsync" / "locks" / f"{environment}-{seller}-{account}.lock"


@contextmanager
def account_lock(
    path: Path,
    command: str,
    timeout: float,
    on_wait: Callable[[Holder], None],
    on_takeover: Callable[[Holder], None],
) -> Iterator[None]:
    """Hold the lock at `path` for the block. Waits up to `timeout` seconds for another
    holder (telling `on_wait` once who it is), then raises `LockHeld` naming it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _wait_for(fd, path, timeout, on_wait)
        left = _holder(fd)
        if left is not None:  # the file still names a run: it ended without releasing
            on_takeover(left)
        _write(fd, json.dumps(asdict(me(command))))
        try:
            yield
        finally:
            _write(fd, "")  # a clean release leaves no holder behind
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def current_holder(path: Path) -> Holder | None:
    """Who holds the lock right now (None: nobody), without taking it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(fd)
        os.close(fd)
        return holder
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)
    return None


def _wait_for(fd: int, path: Path, timeout: float, on_wait: Callable[[Holder], None]) -> None:
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            holder = _holder(fd)
            if time.monotonic() >= deadline:
                raise LockHeld(held_message(holder, str(path))) from None
            if holder is not None and not told:
                on_wait(holder)
                told = True
            time.sleep(POLL_SECONDS)


def held_message(holder: Holder | None, where: str) -> str:
    who = holder.describe() if holder else "another catalogsync run"
    return (
        f"another run holds this account: {who}. Nothing was changed. Run again when it has "
        f"finished, or pass --lock-timeout SECONDS to wait for it (lock: {where})"
    )


def me(command: str) -> Holder:
    """This process as a holder."""
    return Holder(
        host=socket.gethostname(),
        pid=os.getpid(),
        user=getpass.getuser(),
        command=command,
        since=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _holder(fd: int) -> Holder | None:
    text = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
    if not text:
        return None
    try:
        return Holder(**json.loads(text))
    except (ValueError, TypeError):
        return None  # written halfway, or by something else: nobody to name


def _write(fd: int, text: str) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, text.encode(), 0)
    os.fsync(fd)
