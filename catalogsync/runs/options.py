"""Options the commands share: the global ones (accepted before or after the subcommand, as
`catalogsync -v plan DIR` or `catalogsync plan DIR -v`) and the flags of plan and apply."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from catalogsync.log import show_requests
from catalogsync.plan.options import Options


@dataclass
class CliContext:
    """The run's settings; tests inject an emulator `Backend` instead of the catalog's file."""

    emulator: Any = None
    color: bool = True  # False after --no-color


def colour(obj: CliContext) -> bool:
    """Colour only on a terminal, and never with --no-color or NO_COLOR (no-color.org)."""
    return obj.color and not os.environ.get("NO_COLOR") and on_terminal()


def on_terminal() -> bool:
    return sys.stdout.isatty()


def _verbose(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        show_requests()


def _no_color(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(CliContext).color = False


def _global_options() -> list[click.Parameter]:
    return [
        click.Option(["-v", "--verbose"], is_flag=True, expose_value=False, callback=_verbose,
                     help="Log every API request (no secrets)."),
        click.Option(["--no-color"], is_flag=True, expose_value=False, callback=_no_color,
                     help="No colours (also: the NO_COLOR variable)."),
    ]


def add_global_options(command: click.Command) -> None:
    """Give `command` and every command below it the global options."""
    command.params.extend(_global_options())
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            add_global_options(sub)


def plan_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The flags plan and apply share; they arrive as `options` (targets still patterns)."""
    flags = [
        click.option(
            "--target",
            "targets",
            multiple=True,
            metavar="KEY",
            help="Only this offer external id, table or variant-set name (repeatable; "
            "globs like 'TSHIRT-*' allowed).",
        ),
        click.option(
            "--prune/--no-prune",
            default=None,
            help="End offers removed from the catalog (default: `prune:` setting).",
        ),
        click.option(
            "--allow-campaign-price-change",
            is_flag=True,
            help="Change prices of offers in campaigns or Allegro Prices (R26).",
        ),
        click.option(
            "--allow-create-without-state",
            is_flag=True,
            help="Create offers although no catalogsync.lock or local state exists.",
        ),
        click.option(
            "--allow-mass-change",
            is_flag=True,
            help="Go beyond the safety shares of catalogsync.yaml.",
        ),
        click.option(
            "--allow-feed-shrink",
            is_flag=True,
            help="Accept a feed that lost more rows than safety.max_feed_shrink.",
        ),
        click.option(
            "--only-feeds",
            is_flag=True,
            help="Only the fields the catalog's feeds give (for a scheduled job).",
        ),
        click.option(
            "--allow-price-jumps",
            is_flag=True,
            help="Allow prices to move beyond safety.max_price_change.",
        ),
        click.option(
            "--refresh",
            is_flag=True,
            help="Read every offer again, whatever the live cache and event feed say.",
        ),
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["options"] = Options(
            targets=frozenset(kwargs.pop("targets")),
            prune=kwargs.pop("prune"),
            allow_campaign_price_change=kwargs.pop("allow_campaign_price_change"),
            allow_mass_change=kwargs.pop("allow_mass_change"),
            allow_create_without_state=kwargs.pop("allow_create_without_state"),
            allow_price_jumps=kwargs.pop("allow_price_jumps"),
            only_feeds=kwargs.pop("only_feeds"),
            allow_feed_shrink=kwargs.pop("allow_feed_shrink"),
            refresh=kwargs.pop("refresh"),
        )
        return command(*args, **kwargs)

    for flag in reversed(flags):
        wrapper = flag(wrapper)
    return wrapper
