"""The `catalogsync` command line. Each command parses, calls the library, picks an exit code."""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import ValidationError

from catalogsync import progress
from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.connect import connect
from catalogsync.allegro.seller import SellerClient
from catalogsync.apply.applier import Applier, ApplyReport, settle_pending
from catalogsync.auth_cli import auth
from catalogsync.catalog.loader import load_catalog
from catalogsync.catalog.models import Catalog, Environment
from catalogsync.config import image_upload_url, live_cache_path, pacing_path, state_index_path
from catalogsync.errors import CatalogsyncError, PlanError
from catalogsync.images import catalog_images, local_images
from catalogsync.live.cache import load_cache, save_cache
from catalogsync.live.reader import read_live
from catalogsync.live.state import LiveState
from catalogsync.plan.model import FORMAT_VERSION, Plan
from catalogsync.plan.planner import Options, stale_changes
from catalogsync.plan.planner import plan as make_plan
from catalogsync.render import render_json, render_markdown, render_text
from catalogsync.state import StateIndex, load_index, load_pacing, save_pacing

T = TypeVar("T")
#: --detailed-exitcode: 0 nothing to change, 2 changes, 3 the plan is blocked by errors.
EXIT_CHANGES, EXIT_BLOCKED = 2, 3


@dataclass
class CliContext:
    """What tests inject: an emulator `Backend` to use instead of the catalog's own file."""

    emulator: Any = None


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


class _Group(click.Group):
    """Turns expected failures into a message and exit code 1: never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CatalogsyncError as exc:
            *details, summary = str(exc).splitlines() or [exc.__class__.__name__]
            for line in details:
                click.echo(line, err=True)
            click.echo(f"Error: {summary}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted; run `catalogsync plan` to see what is left to do.", err=True)
            ctx.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log every API request (no secrets).")
@click.version_option(package_name="catalogsync")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Plan and apply an Allegro catalog kept as YAML, like terraform.

    A catalog is a directory with a catalogsync.yaml and YAML files of offers,
    shipping_rates and variant_sets. The `local` environment runs against an embedded
    Allegro emulator, so every command works without an account.
    """
    ctx.ensure_object(CliContext)
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        # Only our own request log: httpx's logs whole URLs, and OAuth puts tokens in them.
        ours = logging.getLogger("catalogsync")
        ours.addHandler(handler)
        ours.setLevel(logging.DEBUG)


catalog_dir = click.argument(
    "directory", type=click.Path(exists=True, file_okay=False, path_type=Path)
)


@cli.command()
@catalog_dir
def validate(directory: Path) -> None:
    """Check a catalog offline: YAML syntax, types, unknown keys, references."""
    catalog = load_catalog(directory)
    click.echo(
        f"{directory}: valid ({len(catalog.offers)} offers, "
        f"{len(catalog.shipping_rates)} shipping-rate tables, "
        f"{len(catalog.variant_sets)} variant sets)"
    )


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
            allow_price_jumps=kwargs.pop("allow_price_jumps"),
        )
        return command(*args, **kwargs)

    for flag in reversed(flags):
        wrapper = flag(wrapper)
    return wrapper


@cli.command()
@catalog_dir
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save the plan to FILE for `catalogsync apply FILE`.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="How to print the plan.",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 if nothing changes, 2 if something does, 3 if errors block the plan.",
)
@plan_options
@click.pass_obj
def plan(
    obj: CliContext,
    directory: Path,
    out: Path | None,
    fmt: str,
    detailed_exitcode: bool,
    options: Options,
) -> None:
    """Show what apply would change on Allegro, and why."""
    catalog = load_catalog(directory)
    result = _run(_plan(obj, directory, catalog, options))
    _show(result, fmt)
    if out:
        out.write_text(result.model_dump_json(indent=1))
        click.echo(f"Saved the plan to {out}.", err=True)
    if result.errors:
        sys.exit(EXIT_BLOCKED if detailed_exitcode else 1)
    if detailed_exitcode and result.changes:
        sys.exit(EXIT_CHANGES)


@cli.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--catalog",
    "catalog_path",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The catalog directory of a saved plan (default: current).",
)
@click.option("--auto-approve", is_flag=True, help="Apply without asking for confirmation.")
@plan_options
@click.pass_obj
def apply(
    obj: CliContext, path: Path, catalog_path: Path | None, auto_approve: bool, options: Options
) -> None:
    """Carry out the changes for a catalog DIRECTORY, or exactly those of a saved plan FILE."""
    directory = path if path.is_dir() else (catalog_path or Path.cwd())
    catalog = load_catalog(directory)
    saved = None if path.is_dir() else _read_plan(path)
    report = _run(_apply(obj, directory, catalog, saved, auto_approve, options))
    if report is None:
        return
    _summarise(report)
    if report.failed:
        click.echo("Failed:", err=True)
        for outcome in report.failed:
            click.echo(f"  {outcome.address}: {outcome.step}: {outcome.message}", err=True)
        click.echo("Run `catalogsync plan` to see what is still to do.", err=True)
        sys.exit(1)


async def _plan(obj: CliContext, directory: Path, catalog: Catalog, options: Options) -> Plan:
    environment = catalog.settings.environment
    async with _session(obj, directory, environment) as client:
        index = load_index(state_index_path(directory, environment))
        live = await _read(client, catalog, index, directory)
    return make_plan(catalog, live, datetime.now(UTC), options)


async def _read(
    client: AllegroClient, catalog: Catalog, index: StateIndex, directory: Path
) -> LiveState:
    """Read live state, re-reading only offers changed since the last read where possible."""
    path = live_cache_path(directory, catalog.settings.environment)
    cache = load_cache(path)
    live = await read_live(client, catalog, index, cache)
    save_cache(path, cache)
    return replace(
        live, local_images=local_images(catalog_images(catalog), directory, index.images)
    )


async def _apply(
    obj: CliContext,
    directory: Path,
    catalog: Catalog,
    saved: Plan | None,
    auto_approve: bool,
    options: Options,
) -> ApplyReport | None:
    environment = catalog.settings.environment
    index_path = state_index_path(directory, environment)
    async with _session(obj, directory, environment) as client:
        index = load_index(index_path)
        if await settle_pending(client, index, index_path):
            click.echo("Waited for the commands an interrupted apply left running.", err=True)
        live = await _read(client, catalog, index, directory)
        if saved is None:
            result = make_plan(catalog, live, datetime.now(UTC), options)
            _show(result, "text")
        else:
            result = saved
            _show(result, "text")
            if saved.environment != environment.value:
                raise PlanError(
                    f"the plan was made for {saved.environment}, the catalog is set to "
                    f"{environment.value}"
                )
            changed = stale_changes(saved, live)
            if changed:
                raise PlanError(
                    "\n".join(
                        [
                            *changed,
                            f"the saved plan is stale: {len(changed)} of its changes no longer "
                            "match Allegro; run `catalogsync plan` again",
                        ]
                    )
                )
        if result.errors:
            raise PlanError("the plan has errors; fix them and plan again")
        if not result.changes:
            return None
        _confirm(auto_approve)
        table_ids = {name: t.id for name, t in live.tables.items()}
        applier = Applier(
            client,
            result,
            index,
            index_path,
            table_ids,
            progress.for_output(),
            directory,
            image_upload_url(environment),
        )
        return await applier.run()


@asynccontextmanager
async def _session(
    obj: CliContext, directory: Path, environment: Environment
) -> AsyncIterator[SellerClient]:
    """A client for the catalog's seller whose pacer remembers what the last run sent."""
    path = pacing_path(directory, environment)
    async with connect(environment, directory, obj.emulator) as client:
        _acting_as(client)
        client.pacer.restore(load_pacing(path))
        try:
            yield client
        finally:
            save_pacing(path, client.pacer.export())


def _acting_as(client: SellerClient) -> None:
    """R8: say which seller the token acts for, before anything is read or changed."""
    seller = client.seller
    click.echo(f"Acting as seller {seller.user_name} on {seller.environment.value}.", err=True)


def _summarise(report: ApplyReport) -> None:
    done = len(report.outcomes) - len(report.failed) - len(report.skipped)
    requests = sum(report.requests.values())
    throttled = f", {report.throttled} throttled" if report.throttled else ""
    click.echo(
        f"Apply finished in {report.seconds:.1f} s: {done} steps done, "
        f"{len(report.failed)} failed, {len(report.skipped)} skipped "
        f"({requests} API requests{throttled})."
    )
    for step, counts in sorted(report.by_step().items()):
        others = "".join(f", {counts[k]} {k}" for k in ("failed", "skipped") if counts[k])
        click.echo(f"  {step}: {counts['done']} done{others}")


def _confirm(auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise PlanError("not on a terminal: pass --auto-approve to apply without confirmation")
    if not click.confirm("Apply these changes to Allegro?"):
        raise PlanError("apply cancelled; nothing was changed")


def _read_plan(path: Path) -> Plan:
    try:
        saved = Plan.model_validate_json(path.read_bytes())
    except (ValidationError, ValueError) as exc:
        raise PlanError(f"{path}: not a catalogsync plan file ({exc.__class__.__name__})") from exc
    if saved.format_version != FORMAT_VERSION:
        raise PlanError(f"{path}: a plan of format {saved.format_version}, this catalogsync "
                        f"applies format {FORMAT_VERSION}; run `catalogsync plan` again")
    return saved


def _show(result: Plan, fmt: str) -> None:
    if fmt == "json":
        click.echo(render_json(result), nl=False)
    elif fmt == "markdown":
        click.echo(render_markdown(result))
    else:
        click.echo(render_text(result, color=sys.stdout.isatty()), nl=False)


@cli.group()
def emulator() -> None:
    """The embedded Allegro emulator."""


@emulator.command()
@click.option("--port", default=8080, show_default=True, help="TCP port on 127.0.0.1.")
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file to keep state in (default: in memory).",
)
def serve(port: int, db: Path | None) -> None:
    """Serve the emulator over real HTTP on 127.0.0.1:PORT."""
    import uvicorn

    from catalogsync.emulator.app import create_app
    from catalogsync.emulator.backend import Backend

    backend = Backend(db or ":memory:")
    uvicorn.run(create_app(backend), host="127.0.0.1", port=port, log_level="warning")


cli.add_command(auth)
