"""The `catalogsync` command line. Each command parses, calls the library, picks an exit code.

Commands import what they run when they run it (the catalog loader and its pydantic models,
runs/plan_apply.py for plan and apply; auth, emulator and init as lazy subcommands), so `--help` and
`validate` start at once."""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from catalogsync import exitcodes, signals
from catalogsync.errors import CatalogError, CatalogsyncError, Problem
from catalogsync.log import show_warnings
from catalogsync.many.options import all_option, chosen, jobs_option
from catalogsync.plan.options import Options
from catalogsync.runs import local_in_ci
from catalogsync.runs.options import CliContext, add_global_options, colour, plan_options
from catalogsync.safe_text import visible
from catalogsync.wording import plural

if TYPE_CHECKING:
    from catalogsync.catalog.models import Catalog

#: Subcommands imported only when used: name -> (module, attribute, one-line help).
LAZY_COMMANDS = {
    "auth": (
        "catalogsync.cli.auth",
        "auth",
        "Log in to Allegro, see who you are logged in as, log out.",
    ),
    "emulator": ("catalogsync.cli.emulator", "emulator", "The embedded Allegro emulator."),
    "explain": (
        "catalogsync.cli.explain",
        "explain",
        "Explain a rule code of the messages (R1-R26), offline.",
    ),
    "forget": (
        "catalogsync.cli.forget",
        "forget",
        "Stop managing offers without touching them on Allegro.",
    ),
    "import": (
        "catalogsync.adopt.command",
        "import_command",
        "Write the catalog of an existing account (or of a part of it) into DIRECTORY.",
    ),
    "init": (
        "catalogsync.cli.init",
        "init",
        "Start a catalog in DIRECTORY (the top of its git repository, for the CI files).",
    ),
}


class _Group(click.Group):
    """Expected failures become a message and an exit code (catalogsync.exitcodes), never a
    traceback; usage mistakes exit 64, so none passes for `--detailed-exitcode`'s 2."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in LAZY_COMMANDS or name in self.commands:
            return super().get_command(ctx, name)
        module, attribute, _ = LAZY_COMMANDS[name]
        command: click.Command = getattr(importlib.import_module(module), attribute)
        add_global_options(command)
        self.add_command(command, name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The listing, without importing the lazy subcommands for their one-line help."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        rows = [
            (name, click.Command(name, help=LAZY_COMMANDS[name][2]).get_short_help_str(limit))
            if name not in self.commands
            else (name, self.commands[name].get_short_help_str(limit))
            for name in names
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            setattr(exc, "exit_code", exitcodes.USAGE)  # noqa: B010 (a ClassVar in click 8.5)
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            setattr(exc, "exit_code", exitcodes.USAGE)  # noqa: B010 (a ClassVar in click 8.5)
            raise
        except CatalogsyncError as exc:
            *details, summary = str(exc).splitlines() or [exc.__class__.__name__]
            for line in details:
                click.echo(visible(line), err=True)
            click.echo(f"Error: {visible(summary)}", err=True)
            if ctx.meta.get("markdown"):
                from catalogsync.render import render_markdown_failure

                click.echo(render_markdown_failure(str(exc)))
            blocked = ctx.meta.get("detailed_exitcode") and isinstance(exc, CatalogError)
            ctx.exit(exitcodes.BLOCKED if blocked else exitcodes.FAILED)
        except OSError as exc:  # the file system refused: a path too long, a full disk …
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"Error: {where}{exc.strerror or exc}", err=True)
            ctx.exit(exitcodes.FAILED)
        except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (signals.py)
            click.echo("Interrupted; run `catalogsync plan` to see what is left to do.", err=True)
            ctx.exit(exitcodes.TERMINATED if signals.terminated() else exitcodes.INTERRUPTED)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="catalogsync")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Plan and apply an Allegro catalog kept as YAML, like terraform.

    A catalog is a directory with a catalogsync.yaml and YAML files of offers,
    shipping_rates and variant_sets. The `local` environment runs against an embedded
    Allegro emulator, so every command works without an account.

    Exit codes: 0 success, 1 failure, 2 changes and 3 blocked (plan --detailed-exitcode),
    64 usage, 130 interrupted (Ctrl-C), 143 stopped by SIGTERM.
    """
    ctx.ensure_object(CliContext)
    signals.received.clear()
    signals.stop_on_sigterm()
    show_warnings()
    # No model of ours needs a pydantic plugin: spare each run pydantic's search of every
    # installed distribution for one (unless the variable is set already: the user's choice).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


catalog_dir = click.argument(
    "directory", type=click.Path(exists=True, file_okay=False, path_type=Path)
)


@cli.command()
@catalog_dir
def validate(directory: Path) -> None:
    """Check a catalog offline: YAML syntax, types, unknown keys, references."""
    catalog = _load(directory)
    if catalog.settings.feeds:  # file feeds, offline (URL feeds are read by plan)
        from catalogsync.feeds.load import read_feeds
        read_feeds(directory, catalog, {})
    click.echo(
        f"{directory}: valid ({plural(len(catalog.offers), 'offer')}, "
        f"{plural(len(catalog.shipping_rates), 'shipping-rate table')}, "
        f"{plural(len(catalog.variant_sets), 'variant set')})"
    )


def _emulator_id(obj: CliContext) -> int:
    """Which in-process emulator a test gave the run (0: none, the catalog's own)."""
    return 0 if obj.emulator is None else id(obj.emulator)


def _load(directory: Path) -> Catalog:
    """The catalog in `directory`; from inside one of its folders, say where it is."""
    from catalogsync.catalog.discovery import enclosing_catalog
    from catalogsync.catalog.loader import load_catalog  # pydantic's models: not for --help
    from catalogsync.gcpause import settled

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
    notes: list[str] = []
    try:
        return load_catalog(directory, notes, _load_cache(directory))
    finally:
        settled()  # the models and the catalog: not collected again, not even at exit
        for note in notes:
            click.echo(visible(note), err=True)


def _load_cache(directory: Path) -> Path | None:
    """Where the load keeps what each file yielded (None: not a catalog, or nowhere to write:
    load it all)."""
    from catalogsync.catalog.discovery import SETTINGS_FILE
    from catalogsync.config import work_dir

    if not (directory / SETTINGS_FILE).is_file():
        return None
    try:
        return work_dir(directory) / "load"
    except OSError:
        return None


def _prepared(directory: Path, options: Options) -> tuple[Catalog, Options]:
    """The catalog, checked for `local` under CI, and the options with its --target keys."""
    catalog = _load(directory)
    local_in_ci.check(catalog.settings.environment.value, directory)
    return catalog, _targeted(directory, catalog, options)


def _targeted(directory: Path, catalog: Catalog, options: Options) -> Options:
    """Options with --target patterns checked against the catalog and globs expanded."""
    if not options.targets:
        return options
    from catalogsync.runs.guards import load_state  # with the HTTP client: only when needed
    from catalogsync.targets import known_keys, resolve

    index = load_state(directory, catalog.settings.environment)
    targets, notes = resolve(sorted(options.targets), known_keys(catalog, index.offers))
    for note in notes:
        click.echo(note, err=True)
    return replace(options, targets=targets)


@cli.command()
@click.argument(
    "directories", nargs=-1, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@all_option
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
@jobs_option
@plan_options
@local_in_ci.option
@click.pass_context
def plan(
    ctx: click.Context,
    directories: tuple[Path, ...],
    every: bool,
    out: Path | None,
    fmt: str,
    detailed_exitcode: bool,
    jobs: int,
    options: Options,
) -> None:
    """Show what apply would change on Allegro, and why.

    Several DIRECTORY arguments (or --all) plan several catalogs, one per seller account, at
    once: one report, with a section per catalog, and the worst of their exit codes."""
    ctx.meta.update(detailed_exitcode=detailed_exitcode, markdown=fmt == "markdown")
    catalogs = chosen(directories, every)
    if every or len(catalogs) > 1:
        from catalogsync.many.command import plan_many

        plan_many(ctx, catalogs, out, fmt, detailed_exitcode, jobs, options, _prepared)
        return
    directory = catalogs[0]
    from catalogsync.runs import plan_apply as runs
    from catalogsync.runs.settled import inputs as plan_inputs

    inputs = None if out else plan_inputs(directory, options, _emulator_id(ctx.obj))
    if inputs is None:
        catalog, options = _prepared(directory, options)
        result = runs.run(runs.plan(ctx.obj, directory, catalog, options))
    else:
        local_in_ci.check(inputs.environment.value, directory)
        result = runs.run(runs.plan_settled(ctx.obj, directory, inputs, options.refresh, fmt,
                                            lambda: _prepared(directory, options)))
    runs.show(result, fmt, colour(ctx.obj))
    if out:
        out.write_text(result.model_dump_json(indent=1))
        click.echo(f"Saved the plan to {out}.", err=True)
    if result.errors:
        sys.exit(exitcodes.BLOCKED if detailed_exitcode else exitcodes.FAILED)
    if detailed_exitcode and result.changes:
        sys.exit(exitcodes.CHANGES)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@all_option
@click.option(
    "--catalog",
    "catalog_path",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The catalog directory of a saved plan (default: current).",
)
@click.option(
    "--auto-approve", is_flag=True, help="Apply a DIRECTORY without asking for confirmation."
)
@click.option("--lock-timeout", type=click.FloatRange(min=0), default=0, metavar="SECONDS",
              help="Wait this long for another apply to the same account (default: refuse).")
@jobs_option
@plan_options
@local_in_ci.option
@click.pass_obj
def apply(
    obj: CliContext,
    paths: tuple[Path, ...],
    every: bool,
    catalog_path: Path | None,
    auto_approve: bool,
    lock_timeout: float,
    jobs: int,
    options: Options,
) -> None:
    """Carry out the changes for a catalog DIRECTORY (after a `yes`), or exactly those of a
    saved plan FILE (reviewed already: no second question, as `terraform apply PLANFILE`).

    Several DIRECTORY arguments (or --all) apply several catalogs, one per seller account, at
    once (with --auto-approve): one report, and the worst of their exit codes."""
    from catalogsync.runs import plan_apply as runs

    targets = chosen(paths, every)
    if every or len(targets) > 1:
        from catalogsync.many.command import apply_many

        apply_many(obj, targets, catalog_path, auto_approve, lock_timeout, jobs, options,
                   _prepared)
        return
    path = targets[0]
    directory = path if path.is_dir() else (catalog_path or Path.cwd())
    if directory is not path and not (directory / "catalogsync.yaml").is_file():
        raise click.UsageError(f"{path} is a saved plan: apply it with its catalog, `catalogsync "
                               f"apply {path} --catalog DIR`, or from the catalog's directory")
    inputs = None
    if path.is_dir() and not options.refresh:  # when a plan may be narrowed, so may apply
        from catalogsync.runs.settled import inputs as plan_inputs

        inputs = plan_inputs(directory, options, _emulator_id(obj))
    if inputs is not None:
        from catalogsync.runs.narrowed_apply import apply_settled

        local_in_ci.check(inputs.environment.value, directory)
        done = runs.run(apply_settled(obj, directory, inputs, auto_approve, lock_timeout,
                                      lambda: _prepared(directory, options)))
    else:
        catalog, options = _prepared(directory, options)
        saved = None if path.is_dir() else runs.read_plan(path)
        approved = auto_approve or saved is not None
        done = runs.run(runs.apply(obj, directory, catalog, saved, approved, options,
                                   lock_timeout))
    if done is None:
        return
    report, reads = done
    runs.summarise(report, reads)
    if report.failed or report.skipped:
        click.echo("Run `catalogsync plan` to see what is still to do.", err=True)
        sys.exit(exitcodes.FAILED)


add_global_options(cli)
