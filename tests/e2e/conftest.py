"""End-to-end fixtures: the CLI against an in-memory emulator, through httpx.ASGITransport."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from catalogsync.cli import CliContext, cli
from catalogsync.emulator.backend import Backend

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "catalog"

Run = Callable[..., Result]


@pytest.fixture
def backend() -> Backend:
    emulator = Backend()
    emulator.settings.processing_delay = 0.0
    return emulator


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".catalogsync"))
    return target


@pytest.fixture
def run(backend: Backend) -> Run:
    def invoke(*args: str | Path) -> Result:
        return CliRunner().invoke(cli, [str(a) for a in args], obj=CliContext(emulator=backend))

    return invoke
