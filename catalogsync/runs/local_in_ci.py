"""No green CI against the emulator by accident.

`environment: local` (what `catalogsync init` writes) plans and applies against a throwaway
emulator. On a laptop that is the point; in CI (`CI=true`, set by GitHub Actions, GitLab CI and
most others) it would report success against nothing, so plan and apply stop there unless a
demo pipeline asks for it with `--allow-local-in-ci` or CATALOGSYNC_ALLOW_LOCAL_IN_CI=1.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from catalogsync.errors import ConfigError

ALLOW_ENV = "CATALOGSYNC_ALLOW_LOCAL_IN_CI"
_TRUE = ("1", "true", "yes")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in _TRUE


def option(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--allow-local-in-ci`, kept in the click context (no parameter for the command)."""

    def remember(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        if value:
            ctx.meta["allow_local_in_ci"] = True

    return click.option(
        "--allow-local-in-ci",
        is_flag=True,
        expose_value=False,
        callback=remember,
        help=f"Run against the embedded emulator (environment: local) although CI=true is "
        f"set: for demo pipelines (also: {ALLOW_ENV}=1).",
    )(command)


def check(environment: str, directory: Path) -> None:
    """Refuse `environment: local` under CI unless it was asked for."""
    if environment != "local" or not in_ci():
        return
    asked = click.get_current_context().meta.get("allow_local_in_ci")
    if asked or os.environ.get(ALLOW_ENV, "").strip().lower() in _TRUE:
        return
    raise ConfigError(
        f"{directory / 'catalogsync.yaml'}: `environment: local` runs against a throwaway "
        "emulator, and CI=true is set: this run would pass against nothing. Set `environment: "
        "sandbox` (or `production`) in catalogsync.yaml and give the job its login (README, "
        "\"Credentials in CI\"); for a demo pipeline against the emulator pass "
        f"--allow-local-in-ci or set {ALLOW_ENV}=1"
    )
