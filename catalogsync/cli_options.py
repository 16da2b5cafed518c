"""The flags plan and apply share, gathered into one `Options` argument."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from catalogsync.plan.planner import Options


def plan_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The flags plan and apply share; they arrive as one `options` argument."""
    flags = [
        click.option(
            "--target",
            "targets",
            multiple=True,
            metavar="KEY",
            help="Only this offer external id or table name (repeatable).",
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
            "--allow-price-jumps",
            is_flag=True,
            help="Allow prices to move beyond safety.max_price_change.",
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
        )
        return command(*args, **kwargs)

    for flag in reversed(flags):
        wrapper = flag(wrapper)
    return wrapper
