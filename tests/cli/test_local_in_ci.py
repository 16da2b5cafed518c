"""Under CI=true, plan and apply refuse `environment: local` (a green run against nothing)
unless a demo pipeline asks for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogsync import exitcodes
from tests.e2e.conftest import Run


@pytest.mark.parametrize("command", [("plan",), ("apply", "--auto-approve")])
def test_local_environment_is_refused_under_ci(
    run: Run, catalog_dir: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.setenv("CI", "true")
    refused = run(command[0], catalog_dir, *command[1:])
    assert refused.exit_code == exitcodes.FAILED
    assert "environment: local" in refused.output and "CI=true" in refused.output
    assert "environment: sandbox" in refused.output and "--allow-local-in-ci" in refused.output
    assert "Acting as seller" not in refused.output  # stopped before connecting
    assert not (catalog_dir / ".catalogsync" / "catalogsync.lock").exists()


def test_a_demo_pipeline_may_ask_for_the_emulator(
    run: Run, catalog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    flagged = run("plan", catalog_dir, "--detailed-exitcode", "--allow-local-in-ci")
    assert flagged.exit_code == exitcodes.CHANGES, flagged.output
    monkeypatch.setenv("CATALOGSYNC_ALLOW_LOCAL_IN_CI", "1")
    assert run("apply", catalog_dir, "--auto-approve").exit_code == exitcodes.OK


def test_outside_ci_local_runs_as_before(
    run: Run, catalog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "false")
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == exitcodes.CHANGES
