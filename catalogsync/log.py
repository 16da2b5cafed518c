"""Our log on stderr: warnings always (a token file made private again), every API request
with -v. Only the `catalogsync` loggers: httpx's log has whole URLs, and OAuth puts tokens in
them."""

from __future__ import annotations

import logging

import click


class _ToStderr(logging.Handler):
    """Writes to whatever stderr is at the time (`name: message`; warnings as such)."""

    def emit(self, record: logging.LogRecord) -> None:
        prefix = "Warning" if record.levelno >= logging.WARNING else record.name
        click.echo(f"{prefix}: {record.getMessage()}", err=True)


def log_to_stderr(verbose: bool) -> None:
    """Install the handler once; -v lowers the level to every request."""
    ours = logging.getLogger("catalogsync")
    handler = next((h for h in ours.handlers if isinstance(h, _ToStderr)), None)
    if handler is None:
        handler = _ToStderr()
        ours.addHandler(handler)
    level = logging.DEBUG if verbose else logging.WARNING
    handler.setLevel(level)
    ours.setLevel(level)
