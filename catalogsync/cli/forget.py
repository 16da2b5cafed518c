"""`catalogsync forget KEY…`: offers leave management and stay on Allegro as they are.

A command rather than a `managed: false` entry: forgetting changes only catalogsync's own
state (no request to Allegro), so it needs no plan to review and no YAML entry left behind; the
offer's YAML entry is removed first, and the next plan says once what was forgotten."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click

from catalogsync.allegro.connect import connect
from catalogsync.catalog.loader import load_catalog
from catalogsync.catalog.models import Environment
from catalogsync.config import state_index_path
from catalogsync.errors import PlanError
from catalogsync.runs.guards import load_state, run_lock
from catalogsync.safe_text import visible
from catalogsync.state.index import forget_offer, save_index


@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("keys", nargs=-1, required=True)
@click.pass_obj
def forget(obj: Any, directory: Path, keys: tuple[str, ...]) -> None:
    """Stop managing offers without touching them on Allegro."""
    catalog = load_catalog(directory)
    kept = [k for k in keys if k in catalog.offers]
    if kept:
        raise PlanError(f"{', '.join(visible(k) for k in kept)}: still in the catalog; remove "
                        "the offer from the YAML first, then forget it")
    asyncio.run(_forget(obj, directory, catalog.settings.environment, keys))


async def _forget(obj: Any, directory: Path, environment: Environment,
                  keys: tuple[str, ...]) -> None:
    """Under the account's run lock: an apply running meanwhile would write the lock again."""
    async with connect(environment, directory, getattr(obj, "emulator", None)) as client:
        seller = visible(client.seller.user_name)
        click.echo(f"Acting as seller {seller} on {environment.value}.", err=True)  # R8
        with run_lock(client, directory, environment, 0):
            index = load_state(directory, environment)
            unknown = [k for k in keys if k not in index.offers]
            if unknown:
                raise PlanError(f"{', '.join(visible(k) for k in unknown)}: no offer of that "
                                "key in the state (catalogsync.lock); nothing was forgotten")
            for key in keys:
                forget_offer(index, key)
                click.echo(f"Forgot offer {visible(key)} ({visible(index.forgotten[key])}); "
                           "it stays on Allegro as it is.")
            save_index(state_index_path(directory, environment), index)
    click.echo("Commit catalogsync.lock; the next plan says so once.")

