"""Ctrl-C and SIGTERM stop a run the same way: at once, with the same word, state resumable.

Inside `asyncio.run` Ctrl-C cancels the running task at its next step (so apply stops between
requests, with its journal written); a blocking prompt gives the loop no next step, so
`prompting()` makes Ctrl-C raise there at once. SIGTERM (a CI runner cancelling a job, `kill`)
is turned into that same interrupt; the CLI then exits 143 instead of 130, so a runner still
sees which signal it was.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

#: the signal that stopped the run, if one did
received: list[int] = []


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _term(signum: int, frame: FrameType | None) -> None:
    received.append(signum)
    handler = signal.getsignal(signal.SIGINT)  # asyncio's while a loop runs, Python's otherwise
    if callable(handler):
        handler(signal.SIGINT, frame)
    else:
        raise KeyboardInterrupt


def stop_on_sigterm() -> None:
    """From now on SIGTERM interrupts like Ctrl-C (only the main thread may set handlers)."""
    if _main_thread():
        signal.signal(signal.SIGTERM, _term)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    received.append(signum)
    raise KeyboardInterrupt


@contextmanager
def prompting() -> Iterator[None]:
    """Ctrl-C and SIGTERM raise KeyboardInterrupt at once while a prompt waits for input."""
    if not _main_thread():
        yield
        return
    old = {s: signal.signal(s, _interrupt) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in old.items():
            signal.signal(number, handler)


def interrupted() -> bool:
    return bool(received)


def terminated() -> bool:
    return signal.SIGTERM in received
