"""Runs on two machines are not serialised by the local lock: an offer another run created
between this run's read and its create is found by external id and not created twice."""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from catalogsync.allegro.connect import connect
from catalogsync.apply.applier import Applier
from catalogsync.catalog.loader import load_catalog
from catalogsync.catalog.models import Environment
from catalogsync.config import state_index_path
from catalogsync.emulator.backend import Backend
from catalogsync.live.reader import read_live
from catalogsync.plan.planner import plan
from catalogsync.progress import Progress
from catalogsync.state import load_index
from tests.e2e.conftest import Run


async def _plan_then_apply_after(directory: Path, backend: Backend, meanwhile: object) -> Applier:
    catalog = load_catalog(directory)
    index_path = state_index_path(directory, Environment.LOCAL)
    async with connect(Environment.LOCAL, directory, backend) as client:
        index = load_index(index_path)
        live = await read_live(client, catalog, index)
        planned = plan(catalog, live, datetime.now(UTC))
        assert callable(meanwhile)
        await asyncio.to_thread(meanwhile)  # the other machine applies now
        applier = Applier(client, planned, index, index_path,
                          {n: t.id for n, t in live.tables.items()}, Progress(), directory)
        await applier.run()
    return applier


def test_an_offer_created_meanwhile_by_another_run_is_not_created_again(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path
) -> None:
    other = tmp_path / "other-machine"
    shutil.copytree(catalog_dir, other)

    def other_machine_applies() -> None:
        assert run("apply", other, "--auto-approve").exit_code == 0

    applier = asyncio.run(_plan_then_apply_after(catalog_dir, backend, other_machine_applies))

    failed = [o for o in applier.report.failed if "appeared since the plan" in o.message]
    assert len(failed) == 6
    listed = backend.offers.find("1000001", {"limit": ["1000"]})["offers"]
    assert set(Counter(o["external"]["id"] for o in listed).values()) == {1}
