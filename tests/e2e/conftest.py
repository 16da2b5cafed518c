"""End-to-end fixtures: the CLI against an in-memory emulator, through httpx.ASGITransport."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import Result

from catalogsync.catalog.models import Environment
from catalogsync.config import state_index_path
from catalogsync.state.index import StateIndex, load_index, store_path
from catalogsync.state.recordstore import remove

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "catalog"

Run = Callable[..., Result]


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".catalogsync"))
    return target


def offer_ids(catalog_dir: Path) -> dict[str, str]:
    """External id -> offer id, as apply recorded them in the local state index."""
    return dict(local_state(catalog_dir).offers)


def local_state(catalog_dir: Path) -> StateIndex:
    """The local working copy of the state index alone (no catalogsync.lock under it)."""
    return load_index(state_index_path(catalog_dir, Environment.LOCAL))


def drop_local_state(catalog_dir: Path, lock: bool = False) -> None:
    """Delete the git-ignored working copy of the state index (and `catalogsync.lock`, which
    `environment: local` keeps beside it), as a fresh clone lacks it."""
    remove(store_path(state_index_path(catalog_dir, Environment.LOCAL)))
    if lock:
        (catalog_dir / ".catalogsync" / "catalogsync.lock").unlink()


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


def list_check_due(catalog_dir: Path) -> None:
    """Make the offer list's periodic check due, as if its last read were 7 hours old."""
    reads = catalog_dir / ".catalogsync" / "reads-local.json"
    data = json.loads(reads.read_text())
    data["listed_at"] = (datetime.now(UTC) - timedelta(hours=7)).isoformat()
    reads.write_text(json.dumps(data))
