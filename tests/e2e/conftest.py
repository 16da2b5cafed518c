"""End-to-end fixtures: the CLI against an in-memory emulator, through httpx.ASGITransport."""

from __future__ import annotations

import json
import re
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


def offer_ids(catalog_dir: Path) -> dict[str, str]:
    """External id -> offer id, as apply recorded them in the local state index."""
    index = json.loads((catalog_dir / ".catalogsync" / "state-local.json").read_text())
    return {str(k): str(v) for k, v in index["offers"].items()}


def offer_id(catalog_dir: Path, sku: str) -> str:
    return offer_ids(catalog_dir)[sku]


def read_in_detail(output: str) -> int:
    """How many offers a plan says it read in detail ("Read 2 offers in detail (…)"), or 0
    when it read the offer list instead."""
    found = re.search(r"Read (\d+) offers? in detail \(", output)
    return int(found[1]) if found else 0


def rotated(output: str) -> int:
    """How many of those the rotating check chose ("rotating check 1/40")."""
    found = re.search(r"rotating check (\d+)/\d+", output)
    return int(found[1]) if found else 0
