"""End-to-end fixtures: the CLI against an in-memory emulator, through httpx.ASGITransport."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "catalog"

Run = Callable[..., Result]


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".catalogsync"))
    return target
