"""`catalogsync import`: an existing account becomes a catalog whose first plan is empty."""

from __future__ import annotations

from pathlib import Path

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run


def test_import_of_the_example_account_round_trips(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    adopted = tmp_path / "adopted"

    imported = run("import", adopted)

    assert imported.exit_code == 0, imported.output
    planned = run("plan", adopted, "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
