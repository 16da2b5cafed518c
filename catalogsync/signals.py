"""Ctrl-C and SIGTERM stop a run the same way: at once, with the same word, state resumable.

Inside `asyncio.run` Ctrl-C cancels the running task at its next step (so apply stops between
requests, with its journal written); a blocking prompt gives the loop no next step, so
`confirm()` makes Ctrl-C raise there at once. SIGTERM (a CI runner cancelling a job, `kill`)
is turned into that same interrupt; the CLI then exits 143 instead of 130, so a runner still
sees which signal it was.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import click

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
def _interrupting() -> Iterator[int | None]:
    """Ctrl-C and SIGTERM raise KeyboardInterrupt; yields a descriptor that becomes readable
    when one arrives, whichever thread the system delivered it to (a read of the main thread
    is interrupted only when the signal lands on the main thread)."""
    if not _main_thread():
        yield None
        return
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    old_wakeup = signal.set_wakeup_fd(wake_write)
    old = {s: signal.signal(s, _interrupt) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield wake_read
    finally:
        for number, handler in old.items():
            signal.signal(number, handler)
        signal.set_wakeup_fd(old_wakeup)
        os.close(wake_read)
        os.close(wake_write)


def confirm(question: str) -> bool:
    """`question [y/N]` on the terminal; Ctrl-C or SIGTERM while it waits raise
    KeyboardInterrupt at once; end of input is a no."""
    with _interrupting() as wake:
        while True:
            click.echo(f"{question} [y/N]: ", nl=False)
            waiting = [sys.stdin] if wake is None else [sys.stdin, wake]
            while sys.stdin not in select.select(waiting, [], [])[0]:
                pass  # the signal's handler raises as soon as select returns
            answer = sys.stdin.readline()
            if not answer:
                click.echo()
                return False
            answer = answer.strip().lower()
            if answer in ("y", "yes", "n", "no", ""):
                return answer in ("y", "yes")
            click.echo("Answer y or n.")


def terminated() -> bool:
    return signal.SIGTERM in received
