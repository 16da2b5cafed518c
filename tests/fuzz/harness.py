"""Feed mutated catalogs to `validate` (in-process) and a sample of them to `plan` (the CLI
against an in-process emulator): anything but a catalog error or a clean exit is a failure,
and so is a case that takes longer than `hang_seconds`."""

from __future__ import annotations

import shutil
import signal
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from click.testing import CliRunner

from catalogsync.catalog.loader import load_catalog
from catalogsync.cli.main import CliContext, cli
from catalogsync.emulator.backend import Backend
from catalogsync.errors import CatalogError
from tests.fuzz.mutations import Case, cases, rewrite


class Hang(Exception):
    pass


@dataclass
class Report:
    validated: int = 0
    planned: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    slowest: float = 0.0

    def fail(self, case: Case, what: str) -> None:
        self.failures.append(f"seed {case.seed} ({case.how} {case.file}): {what}")


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise Hang(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def fuzz(count: int, seed: int, plan_every: int, hang_seconds: float = 10.0) -> Report:
    """Validate `count` mutated catalogs; plan every `plan_every`-th valid one and every
    `plan_every * 10`-th invalid one."""
    report = Report()
    backend = Backend()
    backend.settings.processing_delay = 0.0
    backend.settings.limits_scale = 1000.0  # thousands of plans a minute are the harness's
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch) / "catalog"
        previous: Case | None = None
        for case in cases(count, seed):
            rewrite(case, directory, previous)
            previous = case
            started = time.monotonic()
            try:
                with deadline(hang_seconds):
                    valid = _validate(case, directory, report)
                    every = plan_every if valid else plan_every * 10
                    if plan_every and report.outcomes["valid" if valid else "invalid"] % every == 0:
                        _plan(case, directory, backend, report)
            except Hang as exc:
                report.fail(case, str(exc))
            report.slowest = max(report.slowest, time.monotonic() - started)
    return report


def _validate(case: Case, directory: Path, report: Report) -> bool:
    report.validated += 1
    try:
        load_catalog(directory)
    except CatalogError as exc:
        report.outcomes["invalid"] += 1
        if "Traceback" in str(exc):
            report.fail(case, "a traceback inside a catalog error")
        return False
    except Hang:
        raise
    except Exception as exc:  # the point of fuzzing: anything else is a bug
        report.fail(case, f"validate raised {exc!r}"[:300])
        return False
    report.outcomes["valid"] += 1
    return True


def _plan(case: Case, directory: Path, backend: Backend, report: Report) -> None:
    report.planned += 1
    # Each plan a run of its own: the pacer's memory of earlier requests (in .catalogsync/)
    # would otherwise make thousands of plans wait, rightly, for Allegro's request limits.
    shutil.rmtree(directory / ".catalogsync", ignore_errors=True)
    result = CliRunner().invoke(
        cli, ["plan", str(directory), "--detailed-exitcode"], obj=CliContext(emulator=backend)
    )
    if isinstance(result.exception, Hang):
        raise result.exception
    report.outcomes[f"plan exit {result.exit_code}"] += 1
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        report.fail(case, f"plan raised {result.exception!r}"[:300])
    elif "Traceback" in result.output:
        report.fail(case, "plan printed a traceback")
