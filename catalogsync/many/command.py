"""`plan DIR…` and `apply DIR…` with several catalogs: what they refuse, then the run
(many/running.py), the report (many/report.py) and the exit code.

A saved plan is one catalog's (it is checked against that catalog's live state): `-o` with
several catalogs is refused rather than written as several files a reviewer would have to
match to their directories, and `apply` of several catalogs takes directories only. With no
question per catalog (their prompts would interleave), it asks for --auto-approve.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from catalogsync.many.report import show
from catalogsync.many.running import Prepare, run_applies, run_plans, worst
from catalogsync.plan.options import Options
from catalogsync.runs.options import CliContext, colour


def plan_many(ctx: click.Context, catalogs: list[Path], out: Path | None, fmt: str,
              detailed: bool, jobs: int, options: Options, prepare: Prepare) -> None:
    if out is not None:
        raise click.UsageError(
            "-o saves the plan of one catalog: plan each catalog with its own `catalogsync "
            "plan DIR -o FILE`, or apply several from their directories (`catalogsync apply "
            "DIR… --auto-approve`)")
    _one_catalog_only(options)
    outcomes = run_plans(ctx.obj, catalogs, options, prepare, detailed, jobs)
    show(outcomes, fmt, colour(ctx.obj))
    sys.exit(worst(outcomes))


def apply_many(obj: CliContext, targets: list[Path], catalog_path: Path | None,
               auto_approve: bool, lock_timeout: float, jobs: int, options: Options,
               prepare: Prepare) -> None:
    files = [str(p) for p in targets if not p.is_dir()]
    if files or catalog_path is not None:
        raise click.UsageError(
            f"{', '.join(files) or '--catalog'}: a saved plan is applied to its one catalog, "
            "`catalogsync apply FILE --catalog DIR`; several catalogs are applied from their "
            "directories")
    if not auto_approve:
        raise click.UsageError(
            "several catalogs are applied without a question for each: review them with "
            "`catalogsync plan DIR…`, then pass --auto-approve")
    _one_catalog_only(options)
    outcomes = run_applies(obj, targets, options, prepare, lock_timeout, jobs)
    show(outcomes, "text", colour(obj))
    if any(o.code for o in outcomes):
        click.echo("Run `catalogsync plan` on the catalogs above to see what is still to do.",
                   err=True)
    sys.exit(worst(outcomes))


def _one_catalog_only(options: Options) -> None:
    if options.targets:
        raise click.UsageError("--target names offers of one catalog: give one DIRECTORY")
