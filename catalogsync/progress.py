"""Progress of apply's phases: bars on a terminal, one concise line per phase elsewhere (CI)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import click


class Phase(Protocol):
    def advance(self, count: int = 1) -> None: ...


class Progress:
    """Plain lines: what a CI log should show."""

    @contextmanager
    def phase(self, name: str, total: int) -> Iterator[Phase]:
        counter = _Counter()
        started = time.perf_counter()
        try:
            yield counter
        finally:
            seconds = time.perf_counter() - started
            rate = f", {counter.done / seconds:.0f}/s" if seconds > 0.5 and counter.done else ""
            click.echo(f"{name}: {counter.done}/{total} in {seconds:.1f} s{rate}", err=True)

    def failure(self, line: str) -> None:
        click.echo(f"failed: {line}", err=True)


class _Counter:
    def __init__(self) -> None:
        self.done = 0

    def advance(self, count: int = 1) -> None:
        self.done += count


class TerminalProgress(Progress):
    """A live bar per phase (rich), for people watching a terminal."""

    def __init__(self, color: bool = True) -> None:
        self.color = color  # rich honours NO_COLOR itself; this is --no-color

    @contextmanager
    def phase(self, name: str, total: int) -> Iterator[Phase]:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as Bars

        columns = (
            TextColumn("{task.description:<32}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        console = None if self.color else Console(no_color=True)
        with Bars(*columns, transient=False, console=console) as bars:
            task = bars.add_task(name, total=total)
            yield _RichPhase(bars, task)


class _RichPhase:
    def __init__(self, bars: object, task: object) -> None:
        self._bars = bars
        self._task = task

    def advance(self, count: int = 1) -> None:
        self._bars.advance(self._task, count)  # type: ignore[attr-defined]


def for_output(color: bool = True) -> Progress:
    return TerminalProgress(color) if sys.stderr.isatty() else Progress()
