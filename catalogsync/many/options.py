"""The command line of several catalogs in one run (`plan DIR…`, `apply DIR…`, `--all`): which
catalogs, and how many at once. Light, so that `--help` imports nothing more
(many/running.py runs them)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from catalogsync.catalog.discovery import SETTINGS_FILE

#: Folders --all does not search besides hidden ones (.git, .catalogsync): dependencies.
_SKIPPED = frozenset({"node_modules", "__pycache__"})
DEFAULT_JOBS = 4


def jobs_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--jobs", type=click.IntRange(min=1), default=DEFAULT_JOBS, show_default=True,
        help="With several catalogs: how many run at once.")(command)


def all_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--all", "every", is_flag=True,
        help="Run every catalog (a directory with a catalogsync.yaml) under the DIRECTORY "
        "given (default: the current one).")(command)


def catalogs_under(roots: Iterable[Path]) -> list[Path]:
    """Every directory holding a catalogsync.yaml under `roots`, not looking inside a
    catalog (its folders are its own) nor in hidden folders (.git, .catalogsync)."""
    found: list[Path] = []
    for root in roots:
        for folder, subfolders, files in os.walk(root):
            if SETTINGS_FILE in files:
                found.append(Path(folder))
                subfolders.clear()
            subfolders[:] = sorted(
                d for d in subfolders if not d.startswith(".") and d not in _SKIPPED)
    return sorted(dict.fromkeys(found))


def chosen(paths: tuple[Path, ...], every: bool) -> list[Path]:
    """The catalogs a command names: its DIRECTORY arguments, or those under them (--all)."""
    if not every:
        if not paths:
            raise click.UsageError("give a catalog DIRECTORY (or several, or --all)")
        return list(dict.fromkeys(paths))
    roots = paths or (Path.cwd(),)
    found = catalogs_under(roots)
    if not found:
        where = ", ".join(str(r) for r in roots)
        raise click.UsageError(f"--all: no directory with a {SETTINGS_FILE} under {where}")
    return found
