"""What `plan` and `apply` do once the catalog is loaded: connect as the catalog's seller, read
Allegro, plan, show, and carry the plan out. Kept apart from cli/main.py so that commands that need
none of it (`--help`, `validate`, `init`) start without importing the client, the applier or
the renderers."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import ValidationError

from catalogsync import progress, signals
from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.connect import connect
from catalogsync.allegro.seller import Seller, SellerClient
from catalogsync.apply.applied import Outcomes, Preparing, remember_applied
from catalogsync.apply.applier import Applier
from catalogsync.apply.found import record_found
from catalogsync.apply.moves import already_moved, move_confirmed, renamed_now
from catalogsync.apply.polling import settle_pending
from catalogsync.apply.price_rules import apply_price_rules
from catalogsync.apply.report import ApplyReport
from catalogsync.apply.stock import StockMarks
from catalogsync.apply.translations import apply_translations
from catalogsync.catalog.models import Catalog, Environment
from catalogsync.config import (
    image_upload_url,
    live_cache_path,
    lock_file,
    pacing_path,
    state_index_path,
)
from catalogsync.errors import PlanError
from catalogsync.gcpause import settled
from catalogsync.live.cache import LiveCache, load_cache, save_cache
from catalogsync.live.committed import committed_cache
from catalogsync.live.local_files import with_local_files
from catalogsync.live.moves import moved_index
from catalogsync.live.price_rules import with_price_rules
from catalogsync.live.product_labels import read_product_labels
from catalogsync.live.reader import read_live
from catalogsync.live.schedule import load_schedule, save_schedule, schedule_beside
from catalogsync.live.state import LiveState
from catalogsync.live.tax import read_tax_settings
from catalogsync.live.translations import read_translations
from catalogsync.live.vouched import read_vouched
from catalogsync.plan.model import FORMAT_VERSION, Plan
from catalogsync.plan.options import Options
from catalogsync.plan.planner import plan as make_plan
from catalogsync.plan.planner import stale_changes
from catalogsync.plan.vouched import fill_vouched
from catalogsync.render import render_json, render_markdown, render_text
from catalogsync.runs import feeds as feed_runs
from catalogsync.runs import settled as settled_plans
from catalogsync.runs.guards import (
    check_account,
    claim_account,
    load_state,
    note_running,
    run_lock,
    write_missing_lock,
)
from catalogsync.runs.narrowed import last_plan
from catalogsync.runs.options import CliContext, colour
from catalogsync.safe_text import visible
from catalogsync.state.index import (
    StateIndex,
    lock_written_once,
    save_index,
)
from catalogsync.state.pacing import load_pacing, save_pacing

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run`, with the result kept out of the main task: on its way out the runner asks
    for the SIGINT handler, and Python 3.11 builds an error message holding `repr(main task)`,
    which is the repr of its result (a whole plan: a second at 100 000 offers, spent on a
    string nobody reads)."""
    results: list[T] = []

    async def main() -> None:
        results.append(await coroutine)

    asyncio.run(main())
    return results[0]


async def plan(obj: CliContext, directory: Path, catalog: Catalog, options: Options) -> Plan:
    async with _session(obj, directory, catalog.settings.environment) as client:
        return await _plan(client, directory, catalog, options, None)


async def plan_settled(
    obj: CliContext, directory: Path, inputs: settled_plans.Inputs, refresh: bool, fmt: str,
    prepare: Callable[[], tuple[Catalog, Options]],
) -> Plan:
    """The last plan again when nothing it read has changed since (runs/settled.py), or
    with the offers of the files that changed planned anew (runs/narrowed.py); else the
    catalog `prepare` loads, planned, and remembered if it finds nothing to do."""
    environment = inputs.environment
    async with _session(obj, directory, environment) as client:

        async def read(catalog: Catalog, index: StateIndex, cache: LiveCache) -> LiveState:
            return await _read_with(client, catalog, index, directory, cache,
                                    datetime.now(UTC), rotate=False, save=False)

        found = None if refresh else await last_plan(directory, inputs, client, fmt == "json",
                                                     read)
        client.answers.clear()  # confirmed for the narrowed read alone
        if found is not None:
            note_running(client, directory, environment)
            return found
        catalog, options = prepare()
        return await _plan(client, directory, catalog, options, inputs)


async def _plan(client: SellerClient, directory: Path, catalog: Catalog, options: Options,
                inputs: settled_plans.Inputs | None) -> Plan:
    environment = catalog.settings.environment
    catalog, options, feeds = feed_runs.prepare(directory, catalog, options)
    check_account(client, directory, environment)
    note_running(client, directory, environment)
    client.heard = {} if inputs is not None else None
    state_before = settled_plans.state_stamp(directory, environment)
    index = load_state(directory, environment)
    live, cache = await _read(client, catalog, index, directory, options.refresh)
    live = await feed_runs.with_sales(client, live, feeds, index)
    settled()
    save_cache(live_cache_path(directory, environment), cache)
    made = feed_runs.finish(make_plan(catalog, live, datetime.now(UTC), options), feeds, catalog,
                            options)
    settled_plans.remember(directory, inputs, client, cache, live, made, state_before, catalog,
                           index)
    return made


async def _read(
    client: AllegroClient, catalog: Catalog, index: StateIndex, directory: Path, refresh: bool,
    *, rotate: bool = True,
) -> tuple[LiveState, LiveCache]:
    """Read live state, re-reading only offers changed since the last read where possible
    (everything with `refresh`); the cache comes back updated, for the caller to save (or
    apply to write into)."""
    now = datetime.now(UTC)
    environment = catalog.settings.environment
    index = moved_index(catalog, index)  # a rename not yet confirmed: read under its new key
    cache = LiveCache() if refresh else load_cache(live_cache_path(directory, environment))
    if not cache.usable(now) and not refresh:  # a fresh clone: what the lock vouches for
        cache = committed_cache(index) or cache
    live = await _read_with(client, catalog, index, directory, cache, now, rotate=rotate)
    return live, cache


async def _read_with(
    client: AllegroClient, catalog: Catalog, index: StateIndex, directory: Path,
    cache: LiveCache, now: datetime, *, rotate: bool, save: bool = True,
) -> LiveState:
    """`_read` with this cache, updated, and the read schedule saved (a narrowed plan's
    read saves nothing: `save`)."""
    schedule_path = schedule_beside(live_cache_path(directory, catalog.settings.environment))
    schedule = load_schedule(schedule_path)
    live = await read_live(client, catalog, index, cache, now, schedule, rotate=rotate)
    if save:
        save_schedule(schedule_path, schedule)
    live = replace(with_local_files(live, catalog, index, directory), approved=index.approved,
                   applied=index.applied, forgotten=index.forgotten)
    live, unread = fill_vouched(catalog, live, now)
    if unread:
        live = await read_vouched(client, live, cache, unread)
    live = replace(live, product_labels=await read_product_labels(client, catalog, live))
    live = replace(live, tax_settings=await read_tax_settings(
        client, catalog, sorted(live.category_parameters)))
    live = await read_translations(client, catalog, live)
    return await with_price_rules(client, catalog, live)


async def apply(
    obj: CliContext,
    directory: Path,
    catalog: Catalog,
    saved: Plan | None,
    approved: bool,
    options: Options,
    lock_timeout: float = 0,
) -> tuple[ApplyReport, int] | None:
    """The report, and how many requests reading Allegro took before apply started.

    The live cache the read updated is saved by the applier, which writes what it did into it
    (while it waits for Allegro too: apply/cache_keeping.py), or here when no apply starts. An
    apply stopped half-way leaves the cache saved before it or while it waited, whose feed
    cursor makes the next plan see what this run changed (and read what it does not expect)."""
    feeds = None
    if saved is None:  # a saved plan holds the feeds' values already
        catalog, options, feeds = feed_runs.prepare(directory, catalog, options)
    async with _session(obj, directory, catalog.settings.environment) as client:
        return await apply_with(client, obj, directory, catalog, saved, approved, options,
                                lock_timeout, feeds)


async def apply_with(
    client: SellerClient, obj: CliContext, directory: Path, catalog: Catalog,
    saved: Plan | None, approved: bool, options: Options, lock_timeout: float,
    feeds: feed_runs.Feeds | None,
) -> tuple[ApplyReport, int] | None:
    """`apply` as `client`, with the seller's `feeds` prepared (runs/feeds.py)."""
    environment = catalog.settings.environment
    index_path = state_index_path(directory, environment)
    client.seller.check_writes()
    with run_lock(client, directory, environment, lock_timeout), \
            lock_written_once(index_path, load_state(directory, environment)) as index:
        check_account(client, directory, environment)
        write_missing_lock(directory, environment, index)
        await claim_account(client, directory, environment, index)
        if await settle_pending(client, index, index_path):
            click.echo("Waited for the commands an interrupted apply left running.", err=True)
        live, cache = await _read(client, catalog, index, directory, options.refresh,
                                  rotate=False)
        record_found(index_path, index, live)  # into catalogsync.lock as they are learned
        move_confirmed(index_path, index, catalog, already_moved(live))
        live = await feed_runs.with_sales(client, live, feeds, index)
        settled()

        def made() -> Plan:
            return saved or feed_runs.finish(
                make_plan(catalog, live, datetime.now(UTC), options), feeds, catalog, options)

        return await carry_out(obj, client, directory, catalog, live, cache, index, made,
                               saved, approved)


async def carry_out(
    obj: CliContext, client: SellerClient, directory: Path, catalog: Catalog, live: LiveState,
    cache: LiveCache, index: StateIndex, made: Callable[[], Plan], saved: Plan | None,
    approved: bool,
) -> tuple[ApplyReport, int] | None:
    """Show the plan `made` makes of what was read, and carry it out (after a yes)."""
    environment = catalog.settings.environment
    index_path = state_index_path(directory, environment)
    applier = None
    try:
        result = made()
        show(result, "text", colour(obj))
        if saved is not None:
            _check_saved(saved, live, environment)
        if result.errors:
            raise PlanError("the plan has errors; fix them and plan again")
        index.forgotten.clear()  # the plan said so: once
        if not result.changes:  # the stock ledger moves on all the same
            StockMarks(result, index, index_path).settle()
            save_index(index_path, index)
            remember_applied(catalog, live, index, index_path, cache)
            return None
        _confirm(approved)
        table_ids = {name: t.id for name, t in live.tables.items()}
        applier = Applier(
            client,
            result,
            index,
            index_path,
            table_ids,
            progress.for_output(obj.color),
            directory,
            image_upload_url(environment),
            cache,
        )
    finally:
        if applier is None:
            save_cache(live_cache_path(directory, environment), cache)
    reads = sum(client.requests.values())
    with Preparing.meanwhile(catalog, live, lambda: client.pacer.waited > 0,
                             Outcomes(live, index, applier)) as preparing:
        report = await applier.run()
        await apply_price_rules(client, result, index, report)
        await apply_translations(client, result, index, report)
        if move_confirmed(index_path, index, catalog, renamed_now(result, report)):
            save_index(index_path, index)
        uploaded = with_local_files(live, catalog, index, directory) \
            if result.uploads else live
        remember_applied(catalog, uploaded, index, index_path, cache, applier, preparing)
    return report, reads


def _check_saved(saved: Plan, live: LiveState, environment: Environment) -> None:
    """A saved plan applies only where it was made, and only if Allegro has not moved."""
    if saved.environment != environment.value:
        raise PlanError(
            f"the plan was made for {saved.environment}, the catalog is set to {environment.value}"
        )
    changed = stale_changes(saved, live)
    if changed:
        raise PlanError(
            "\n".join(
                [
                    *changed,
                    f"the saved plan is stale: {len(changed)} of its changes no longer match "
                    "Allegro; run `catalogsync plan` again",
                ]
            )
        )


@asynccontextmanager
async def _session(
    obj: CliContext, directory: Path, environment: Environment
) -> AsyncIterator[SellerClient]:
    """A client for the catalog's seller whose pacer remembers what the last run sent."""
    path = pacing_path(directory, environment)
    owner = lock_file(directory, environment).account()  # its login, where several are kept
    async with connect(environment, directory, obj.emulator, owner and owner[0]) as client:
        _acting_as(client)
        client.pacer.restore(load_pacing(path))
        try:
            yield client
        finally:
            save_pacing(path, client.pacer.export())


#: The seller the current run acts as, once connected (for the report of several catalogs).
acting_as: ContextVar[Seller | None] = ContextVar("catalogsync_acting_as", default=None)


def _acting_as(client: SellerClient) -> None:
    """R8: say which seller the token acts for, before anything is read or changed."""
    seller = client.seller
    acting_as.set(seller)
    name = visible(seller.user_name)
    click.echo(f"Acting as seller {name} on {seller.environment.value}.", err=True)


def summarise(report: ApplyReport, reads: int) -> None:
    """The totals and per-step lines; then each failure, and what was not sent and why."""
    click.echo(visible("\n".join(report.summary(reads)), newlines=True))
    for line in report.problems():
        click.echo(visible(line, newlines=True), err=True)


def _confirm(approved: bool) -> None:
    if approved:
        return
    if not sys.stdin.isatty():
        raise PlanError("not on a terminal: pass --auto-approve to apply without confirmation")
    if not signals.confirm("Apply these changes to Allegro?"):
        raise PlanError("apply cancelled; nothing was changed")


def read_plan(path: Path) -> Plan:
    try:
        saved = Plan.model_validate_json(path.read_bytes())
    except (ValidationError, ValueError) as exc:
        raise PlanError(f"{path}: not a catalogsync plan file ({exc.__class__.__name__})") from exc
    if saved.format_version != FORMAT_VERSION:
        raise PlanError(f"{path}: a plan of format {saved.format_version}, this catalogsync "
                        f"applies format {FORMAT_VERSION}; run `catalogsync plan` again")
    return saved


def show(result: Plan, fmt: str, color: bool) -> None:
    if fmt == "json":
        click.echo(render_json(result), nl=False)
    elif fmt == "markdown":
        click.echo(render_markdown(result))
    else:
        click.echo(render_text(result, color=color), nl=False, color=color)
