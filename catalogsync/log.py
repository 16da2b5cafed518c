"""Our log on stderr: warnings always (a token file made private again), every API request
with -v. Only the `catalogsync` loggers: httpx's log has whole URLs, and OAuth puts tokens in
them."""

from __future__ import annotations

import logging

import click

from catalogsync.safe_text import visible


class _ToStderr(logging.Handler):
    """Writes to whatever stderr is at the time (`name: message`; warnings as such)."""

    def emit(self, record: logging.LogRecord) -> None:
        prefix = "Warning" if record.levelno >= logging.WARNING else record.name
        click.echo(f"{prefix}: {visible(record.getMessage(), newlines=True)}", err=True)


def _handler() -> _ToStderr:
    ours = logging.getLogger("catalogsync")
    handler = next((h for h in ours.handlers if isinstance(h, _ToStderr)), None)
    if handler is None:
        handler = _ToStderr(logging.WARNING)
        ours.addHandler(handler)
    return handler


def show_warnings() -> None:
    """Warnings reach stderr (installed once; -v, given before, keeps its level)."""
    _handler()
    ours = logging.getLogger("catalogsync")
    if ours.level == logging.NOTSET or ours.level > logging.WARNING:
        ours.setLevel(logging.WARNING)


def show_requests() -> None:
    """-v: every API request (method, path, status, time) too."""
    _handler().setLevel(logging.DEBUG)
    logging.getLogger("catalogsync").setLevel(logging.DEBUG)
