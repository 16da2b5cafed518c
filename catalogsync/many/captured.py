"""What each of several concurrent runs prints, kept apart.

`plan DIR…` runs its catalogs as tasks of one event loop; each says what it does on stdout and
stderr as a single run does (`click.echo`, the log). While `streams_per_task()` is on,
sys.stdout and sys.stderr write into the buffers of the task that writes (`capture()`), so
that each catalog's words end up in its own section of the combined report; a write outside
any capture goes to the real stream.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class Captured:
    """One run's stdout and stderr."""

    out: io.StringIO = field(default_factory=io.StringIO)
    err: io.StringIO = field(default_factory=io.StringIO)


_CURRENT: ContextVar[Captured | None] = ContextVar("catalogsync_captured", default=None)


class _PerTask(io.TextIOBase):
    """A text stream that writes into the current task's capture, else into `real`."""

    def __init__(self, real: io.TextIOBase, stderr: bool) -> None:
        self._real, self._stderr = real, stderr

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def _target(self) -> io.TextIOBase:
        captured = _CURRENT.get()
        if captured is None:
            return self._real
        return captured.err if self._stderr else captured.out

    def write(self, text: str) -> int:
        return self._target().write(text)

    def flush(self) -> None:
        self._target().flush()

    def isatty(self) -> bool:
        return _CURRENT.get() is None and self._real.isatty()

    def writable(self) -> bool:
        return True


@contextmanager
def streams_per_task() -> Iterator[None]:
    """sys.stdout and sys.stderr follow the task that writes, for the block."""
    out, err = sys.stdout, sys.stderr
    sys.stdout = _PerTask(out, stderr=False)  # type: ignore[arg-type]
    sys.stderr = _PerTask(err, stderr=True)  # type: ignore[arg-type]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


@contextmanager
def capture() -> Iterator[Captured]:
    """What this task (and the tasks it starts) prints, from here on."""
    captured = Captured()
    token = _CURRENT.set(captured)
    try:
        yield captured
    finally:
        _CURRENT.reset(token)
