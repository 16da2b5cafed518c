"""`plan DIR…` and `apply DIR…` (or `--all`): several catalogs, one per seller account, in one
process, at once.

Each catalog runs as a single `plan DIR` / `apply DIR --auto-approve` does
(runs/plan_apply.py): its own login (the seller its catalogsync.lock names:
allegro/credentials.py), its own state and lock.
They run as tasks of one event loop, at most `--jobs` at a time, sharing one rate budget per
client id and one per seller (allegro/process_budget.py). One catalog's failure (an invalid
catalog, no login, Allegro's errors) is kept in its outcome and the others go on; the combined
report (many/report.py) has one section per catalog and one exit code, the worst of them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from catalogsync import exitcodes
from catalogsync.allegro.process_budget import one_budget
from catalogsync.errors import CatalogError, CatalogsyncError
from catalogsync.many.captured import capture, streams_per_task
from catalogsync.plan.options import Options
from catalogsync.runs.plan_apply import run

if TYPE_CHECKING:
    from catalogsync.apply.report import ApplyReport
    from catalogsync.catalog.models import Catalog
    from catalogsync.plan.model import Plan
    from catalogsync.runs.options import CliContext

#: The catalog's settings and options, checked (cli/main.py: load, `local` under CI, --target).
Prepare = Callable[[Path, Options], "tuple[Catalog, Options]"]


@dataclass
class Outcome:
    """One catalog's run: who it acted as, its plan or apply report, what it printed."""

    directory: Path
    code: int = exitcodes.OK
    environment: str | None = None
    seller: str | None = None
    login: str | None = None
    plan: Plan | None = None
    report: ApplyReport | None = None
    error: str | None = None
    out: str = ""
    err: str = ""


def run_plans(obj: CliContext, directories: list[Path], options: Options, prepare: Prepare,
              detailed: bool, jobs: int) -> list[Outcome]:
    async def one(directory: Path) -> Outcome:
        from catalogsync.runs import plan_apply as runs

        outcome, catalog, chosen_options = await _started(prepare, directory, options)
        outcome.plan = made = await runs.plan(obj, directory, catalog, chosen_options)
        if made.errors:
            outcome.code = exitcodes.BLOCKED if detailed else exitcodes.FAILED
        elif detailed and made.changes:
            outcome.code = exitcodes.CHANGES
        return outcome

    return _run_all(directories, one, detailed, jobs)


def run_applies(obj: CliContext, directories: list[Path], options: Options, prepare: Prepare,
                lock_timeout: float, jobs: int) -> list[Outcome]:
    async def one(directory: Path) -> Outcome:
        from catalogsync.runs import plan_apply as runs

        outcome, catalog, chosen_options = await _started(prepare, directory, options)
        done = await runs.apply(obj, directory, catalog, None, True, chosen_options,
                                lock_timeout)
        if done is not None:
            outcome.report, reads = done
            runs.summarise(outcome.report, reads)
            if outcome.report.failed or outcome.report.skipped:
                outcome.code = exitcodes.FAILED
        return outcome

    return _run_all(directories, one, False, jobs)


async def _started(prepare: Prepare, directory: Path,
                   options: Options) -> tuple[Outcome, Catalog, Options]:
    """The catalog loaded in a thread, so that the event loop goes on serving the other
    catalogs' requests (and the rate store's answers, which it would otherwise leave waiting
    past the store's timeout) meanwhile."""
    ctx = click.get_current_context()

    def load() -> tuple[Catalog, Options]:
        with ctx.scope(cleanup=False):  # the command's settings (--allow-local-in-ci …)
            return prepare(directory, options)

    catalog, chosen = await asyncio.to_thread(load)
    return Outcome(directory, environment=catalog.settings.environment.value), catalog, chosen


def _run_all(directories: list[Path], one: Callable[[Path], Coroutine[Any, Any, Outcome]],
             detailed: bool, jobs: int) -> list[Outcome]:
    async def everything() -> list[Outcome]:
        gate = asyncio.Semaphore(jobs)

        async def guarded(directory: Path) -> Outcome:
            async with gate:
                return await _kept_apart(directory, one, detailed)

        return list(await asyncio.gather(*(guarded(d) for d in directories)))

    with streams_per_task(), one_budget():
        return run(everything())  # keeps the plans out of the main task's repr


async def _kept_apart(directory: Path, one: Callable[[Path], Coroutine[Any, Any, Outcome]],
                      detailed: bool) -> Outcome:
    """One catalog's run, its output captured and its failure kept, not raised."""
    from catalogsync.config import lock_file
    from catalogsync.runs import plan_apply as runs

    with capture() as captured:
        try:
            outcome = await one(directory)
        except CatalogsyncError as exc:
            blocked = detailed and isinstance(exc, CatalogError)
            outcome = Outcome(directory, exitcodes.BLOCKED if blocked else exitcodes.FAILED,
                              error=str(exc))
        except OSError as exc:  # the file system refused
            where = f"{exc.filename}: " if exc.filename else ""
            outcome = Outcome(directory, exitcodes.FAILED, error=f"{where}{exc.strerror or exc}")
        except Exception as exc:  # a bug in one catalog's run spares the others
            outcome = Outcome(directory, exitcodes.FAILED,
                              error=f"unexpected {exc.__class__.__name__}: {exc}")
    seller = runs.acting_as.get()
    if seller is not None:
        outcome.environment = seller.environment.value
        outcome.seller = seller.user_name
        try:
            owner = lock_file(directory, seller.environment).account()
        except (CatalogsyncError, OSError):
            owner = None
        if owner is not None and owner[0] == seller.user_name:
            outcome.login = owner[1]
    outcome.out, outcome.err = captured.out.getvalue(), captured.err.getvalue()
    return outcome


def worst(outcomes: list[Outcome]) -> int:
    return exitcodes.worst(o.code for o in outcomes)
