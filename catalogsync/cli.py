"""The `catalogsync` command line. Each command parses, calls the library, picks an exit code."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import ValidationError

from catalogsync import exitcodes, progress
from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.connect import connect
from catalogsync.allegro.seller import SellerClient
from catalogsync.apply.applier import Applier, ApplyReport, settle_pending
from catalogsync.auth_cli import auth
from catalogsync.catalog.loader import load_catalog
from catalogsync.catalog.models import Catalog, Environment
from catalogsync.cli_options import CliContext, add_global_options, colour, plan_options
from catalogsync.config import (
    enclosing_catalog,
    image_upload_url,
    live_cache_path,
    pacing_path,
    state_index_path,
)
from catalogsync.emulator_cli import emulator
from catalogsync.errors import CatalogError, CatalogsyncError, PlanError, Problem
from catalogsync.images import catalog_images, local_images
from catalogsync.init_cli import init
from catalogsync.live.cache import load_cache, save_cache
from catalogsync.live.reader import read_live
from catalogsync.live.state import LiveState
from catalogsync.plan.model import FORMAT_VERSION, Plan
from catalogsync.plan.planner import Options, stale_changes
from catalogsync.plan.planner import plan as make_plan
from catalogsync.render import (
    render_json,
    render_markdown,
    render_markdown_failure,
    render_text,
)
from catalogsync.state import StateIndex, load_index, load_pacing, save_pacing
from catalogsync.targets import known_keys, resolve
from catalogsync.wording import plural

T = TypeVar("T")


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


class _Group(click.Group):
    """Expected failures become a message and an exit code (catalogsync.exitcodes), never a
    traceback; usage mistakes exit 64, so none passes for `--detailed-exitcode`'s 2."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            exc.exit_code = exitcodes.USAGE
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            exc.exit_code = exitcodes.USAGE
            raise
        except CatalogsyncError as exc:
            *details, summary = str(exc).splitlines() or [exc.__class__.__name__]
            for line in details:
                click.echo(line, err=True)
            click.echo(f"Error: {summary}", err=True)
            if ctx.meta.get("markdown"):
                click.echo(render_markdown_failure(str(exc)))
            blocked = ctx.meta.get("detailed_exitcode") and isinstance(exc, CatalogError)
            ctx.exit(exitcodes.BLOCKED if blocked else exitcodes.FAILED)
        except KeyboardInterrupt:
            click.echo("Interrupted; run `catalogsync plan` to see what is left to do.", err=True)
            ctx.exit(exitcodes.INTERRUPTED)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="catalogsync")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Plan and apply an Allegro catalog kept as YAML, like terraform.

    A catalog is a directory with a catalogsync.yaml and YAML files of offers,
    shipping_rates and variant_sets. The `local` environment runs against an embedded
    Allegro emulator, so every command works without an account.

    Exit codes: 0 success, 1 failure, 2 changes and 3 blocked (plan --detailed-exitcode),
    64 usage, 130 interrupted.
    """
    ctx.ensure_object(CliContext)


catalog_dir = click.argument(
    "directory", type=click.Path(exists=True, file_okay=False, path_type=Path)
)


@cli.command()
@catalog_dir
def validate(directory: Path) -> None:
    """Check a catalog offline: YAML syntax, types, unknown keys, references."""
    catalog = _load(directory)
    click.echo(
        f"{directory}: valid ({plural(len(catalog.offers), 'offer')}, "
        f"{plural(len(catalog.shipping_rates), 'shipping-rate table')}, "
        f"{plural(len(catalog.variant_sets), 'variant set')})"
    )


def _load(directory: Path) -> Catalog:
    """The catalog in `directory`; from inside one of its folders, say where it is."""
    parent = enclosing_catalog(directory)
    if parent is not None:
        command = f"catalogsync {click.get_current_context().info_name}"
        raise CatalogError(
            [
                Problem(
                    directory, 0, 0, f"no catalogsync.yaml here: this folder is part of the "
                    f"catalog in {parent}, so run `{command} {parent}`"
                )
            ]
        )
    return load_catalog(directory)


def _targeted(directory: Path, catalog: Catalog, options: Options) -> Options:
    """Options with --target patterns checked against the catalog and globs expanded."""
    if not options.targets:
        return options
    index = load_index(state_index_path(directory, catalog.settings.environment))
    targets, notes = resolve(sorted(options.targets), known_keys(catalog, index.offers))
    for note in notes:
        click.echo(note, err=True)
    return replace(options, targets=targets)


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
    help="Exit 0 if nothing changes, 2 if something does, 3 if the catalog is invalid or "
    "errors block the plan.",
)
@plan_options
@click.pass_context
def plan(
    ctx: click.Context,
    directory: Path,
    out: Path | None,
    fmt: str,
    detailed_exitcode: bool,
    options: Options,
) -> None:
    """Show what apply would change on Allegro, and why."""
    ctx.meta.update(detailed_exitcode=detailed_exitcode, markdown=fmt == "markdown")
    catalog = _load(directory)
    options = _targeted(directory, catalog, options)
    result = _run(_plan(ctx.obj, directory, catalog, options))
    _show(result, fmt, colour(ctx.obj))
    if out:
        out.write_text(result.model_dump_json(indent=1))
        click.echo(f"Saved the plan to {out}.", err=True)
    if result.errors:
        sys.exit(exitcodes.BLOCKED if detailed_exitcode else exitcodes.FAILED)
    if detailed_exitcode and result.changes:
        sys.exit(exitcodes.CHANGES)


@cli.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--catalog",
    "catalog_path",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The catalog directory of a saved plan (default: current).",
)
@click.option(
    "--auto-approve", is_flag=True, help="Apply a DIRECTORY without asking for confirmation."
)
@plan_options
@click.pass_obj
def apply(
    obj: CliContext, path: Path, catalog_path: Path | None, auto_approve: bool, options: Options
) -> None:
    """Carry out the changes for a catalog DIRECTORY (after a `yes`), or exactly those of a
    saved plan FILE (reviewed already: no second question, as `terraform apply PLANFILE`)."""
    directory = path if path.is_dir() else (catalog_path or Path.cwd())
    catalog = _load(directory)
    saved = None if path.is_dir() else _read_plan(path)
    options = _targeted(directory, catalog, options)
    approved = auto_approve or saved is not None
    done = _run(_apply(obj, directory, catalog, saved, approved, options))
    if done is None:
        return
    report, reads = done
    _summarise(report, reads)
    if report.failed:
        click.echo("Failed:", err=True)
        for outcome in report.failed:
            click.echo(f"  {outcome.address}: {outcome.step}: {outcome.message}", err=True)
        click.echo("Run `catalogsync plan` to see what is still to do.", err=True)
        sys.exit(exitcodes.FAILED)


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
    approved: bool,
    options: Options,
) -> tuple[ApplyReport, int] | None:
    """The report, and how many requests reading Allegro took before apply started."""
    environment = catalog.settings.environment
    index_path = state_index_path(directory, environment)
    async with _session(obj, directory, environment) as client:
        index = load_index(index_path)
        if await settle_pending(client, index, index_path):
            click.echo("Waited for the commands an interrupted apply left running.", err=True)
        live = await _read(client, catalog, index, directory)
        if saved is None:
            result = make_plan(catalog, live, datetime.now(UTC), options)
            _show(result, "text", colour(obj))
        else:
            result = saved
            _show(result, "text", colour(obj))
            _check_saved(saved, live, environment)
        if result.errors:
            raise PlanError("the plan has errors; fix them and plan again")
        if not result.changes:
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
        )
        reads = sum(client.requests.values())
        return await applier.run(), reads


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


def _summarise(report: ApplyReport, reads: int) -> None:
    done = len(report.outcomes) - len(report.failed) - len(report.skipped)
    sent = sum(report.requests.values()) - reads
    throttled = f"; {report.throttled} throttled" if report.throttled else ""
    click.echo(
        f"Apply finished in {report.seconds:.1f} s: {plural(done, 'step')} done, "
        f"{len(report.failed)} failed, {len(report.skipped)} skipped "
        f"({plural(sent, 'API request')} to apply, after {reads} to read Allegro{throttled})."
    )
    for step, counts in sorted(report.by_step().items()):
        others = "".join(f", {counts[k]} {k}" for k in ("failed", "skipped") if counts[k])
        click.echo(f"  {step}: {counts['done']} done{others}")


def _confirm(approved: bool) -> None:
    if approved:
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


def _show(result: Plan, fmt: str, color: bool) -> None:
    if fmt == "json":
        click.echo(render_json(result), nl=False)
    elif fmt == "markdown":
        click.echo(render_markdown(result))
    else:
        click.echo(render_text(result, color=color), nl=False, color=color)


cli.add_command(auth)
cli.add_command(emulator)
cli.add_command(init)
add_global_options(cli)
