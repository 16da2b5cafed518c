"""What plan and apply do about state and concurrency: the account's run lock (state/runlock.py),
and `catalogsync.lock` (state/lockfile.py) written for state that lived only in `.catalogsync/`."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

import click

from catalogsync.allegro.seller import SellerClient
from catalogsync.catalog.models import Environment
from catalogsync.config import lock_file, state_index_path
from catalogsync.errors import ConfigError
from catalogsync.state.index import StateIndex, load_index, save_index
from catalogsync.state.runlock import Holder, lock_path
from catalogsync.state.storelock import account_lock_everywhere, holder_anywhere


def load_state(directory: Path, environment: Environment) -> StateIndex:
    """The state index: `catalogsync.lock`, with the local working copy over it."""
    return load_index(state_index_path(directory, environment), lock_file(directory, environment))


def write_missing_lock(directory: Path, environment: Environment, index: StateIndex) -> None:
    """State from before catalogsync.lock existed gets its lock file now."""
    if index.has_state() and not lock_file(directory, environment).path.exists():
        save_index(state_index_path(directory, environment), index)


def check_account(client: SellerClient, directory: Path, environment: Environment) -> None:
    """A catalog's ids belong to one seller per environment: a run acting as another is
    refused before it reads anything (Allegro would answer 403 for each id, and the run's own
    ids would never be recorded)."""
    lock = lock_file(directory, environment)
    owner = lock.account()
    seller = client.seller.user_name
    if owner is None or owner[0] == seller:
        return
    env = environment.value
    raise ConfigError(
        f"{lock.path}: this catalog's {env} ids belong to seller {owner[0]} ({owner[1]}), but "
        f"this run acts as seller {seller}. Nothing was read or changed. Log in as "
        f"{owner[1]} (`catalogsync auth login --env {env}`), or run the catalog directory of "
        f"seller {seller}"
    )


async def claim_account(
    client: SellerClient, directory: Path, environment: Environment, index: StateIndex
) -> None:
    """apply records its seller (id and login) in catalogsync.lock when it is not there yet:
    a new catalog, or a lock file from before the line existed."""
    if lock_file(directory, environment).account() is not None:
        return
    me = await client.get("/me")
    login = str(me.get("login") or "") if isinstance(me, dict) else ""
    index.account = {client.seller.user_name: login}
    save_index(state_index_path(directory, environment), index)


def run_lock(
    client: SellerClient, directory: Path, environment: Environment, timeout: float
) -> AbstractContextManager[None]:
    """One apply per account at a time: on this machine (state/runlock.py says why), and on every
    machine that shares a store (state/storelock.py)."""
    return account_lock_everywhere(
        _path(client, directory, environment),
        f"catalogsync apply {directory}",
        timeout,
        lambda holder: click.echo(f"Waiting for {holder.describe()} to finish…", err=True),
        took_over,
    )


def took_over(holder: Holder) -> None:
    click.echo(
        f"Took over the lock left by {holder.describe()}: that run ended without releasing it "
        "(crashed or killed).",
        err=True,
    )


def note_running(client: SellerClient, directory: Path, environment: Environment) -> None:
    """plan only reads, so it goes ahead while an apply runs, but says so."""
    running = holder_anywhere(_path(client, directory, environment))
    if running:
        click.echo(f"Note: {running.describe()} is running against this account right now; "
                   "this plan may show its work half done.", err=True)


def _path(client: SellerClient, directory: Path, environment: Environment) -> Path:
    return lock_path(environment.value, client.base_url, client.seller.user_name, directory)
