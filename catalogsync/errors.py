"""Every error catalogsync raises on purpose derives from `CatalogsyncError`.

    CatalogsyncError            a message for the user; the CLI prints it and exits 1
                                (3 for a CatalogError under plan --detailed-exitcode)
    ├── CatalogError            the catalog directory is invalid (holds every Problem found)
    ├── ConfigError             settings, credentials or environment are unusable
    ├── AllegroError            Allegro or the emulator answered an error (allegro/errors.py)
    │   ├── AuthError           401/403 and OAuth failures, explained
    │   ├── RateLimited         429
    │   └── TransportError      the API could not be reached or stalled
    ├── PlanError               the plan is blocked or no longer matches live state
    └── ApplyError              apply finished with failed changes

The CLI never shows a traceback for these; anything else is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class CatalogsyncError(Exception):
    """Root of all expected failures; `str(err)` is the message shown to the user."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the catalog, located as precisely as we can."""

    file: Path
    line: int  # 1-based; 0 when unknown
    column: int  # 1-based; 0 when unknown
    message: str

    def __str__(self) -> str:
        where = str(self.file)
        if not where.isprintable():  # a file name a pull request chose: no line of its own
            where = where.encode("unicode_escape").decode()
        if self.line:
            where += f":{self.line}:{self.column}"
        return f"{where}: {self.message}"


class CatalogError(CatalogsyncError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [str(p) for p in self.problems]
        super().__init__("\n".join([*lines, f"catalog is invalid: {count} {noun}"]))


class ConfigError(CatalogsyncError):
    pass


class PlanError(CatalogsyncError):
    pass


class ApplyError(CatalogsyncError):
    pass
