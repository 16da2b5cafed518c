"""Runs on two machines are not serialised by the local lock: an offer another run created
between this run's read and its create is found by external id and not created twice."""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from catalogsync.allegro.connect import connect
from catalogsync.apply import applier as applier_module
from catalogsync.apply.applier import Applier
from catalogsync.catalog.loader import load_catalog
from catalogsync.catalog.models import Environment
from catalogsync.config import state_index_path
from catalogsync.emulator.backend import Backend
from catalogsync.live.reader import read_live
from catalogsync.plan.planner import plan
from catalogsync.progress import Progress
from catalogsync.state.index import load_index
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


def test_duplicates_two_machines_made_at_once_are_ended_by_either_machines_plan(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    other = tmp_path / "other-machine"
    shutil.copytree(catalog_dir, other)
    new = "offers:\n" + "".join(  # the same shirts again, listed on purpose: 3 new offers
        f"  TSHIRT-AGAIN-{size}:\n    name: Koszulka biała {size} druga\n"
        f"    product: {{ean: '590700000{ean}'}}\n    allow_second_listing: true\n"
        "    parameters: {Stan: Nowy}\n    price: 41.00\n    stock: 5\n"
        "    images: [https://a.allegroimg.com/original/33e4f5/koszulka-biala.jpg]\n"
        for size, ean in (("S", "0014"), ("M", "0021"), ("XL", "0014")))
    for where in (catalog_dir, other):
        (where / "offers" / "new.yaml").write_text(new)
    # both machines' creates go out at the same instant: neither sees the other's offer first
    monkeypatch.setattr(applier_module, "made_since_the_plan", _nothing_made)

    def other_machine_applies() -> None:
        assert run("apply", other, "--auto-approve").exit_code == 0

    asyncio.run(_plan_then_apply_after(catalog_dir, backend, other_machine_applies))
    listed = backend.offers.find("1000001", {"limit": ["1000"]})["offers"]
    live = [o for o in listed if o["publication"]["status"] != "ENDED"]
    counts = Counter(o["external"]["id"] for o in live)
    assert {k for k, n in counts.items() if n == 2} == {"TSHIRT-AGAIN-S", "TSHIRT-AGAIN-M",
                                                      "TSHIRT-AGAIN-XL"}

    plans = [run("plan", where, "--detailed-exitcode") for where in (catalog_dir, other)]
    younger = {o["id"] for o in live if o["id"] not in _ids(other).values()}
    assert len(younger) == 3
    for planned in plans:  # both machines propose ending the same (younger) offers
        assert planned.exit_code == 2, planned.output
        assert "which Allegro forbids; catalogsync manages" in planned.output
        assert {i for i in younger if f"#{i} ({i})" in planned.output} == younger
    ended = run("apply", catalog_dir, "--auto-approve", "--allow-mass-change")
    assert ended.exit_code == 0 and "0 failed" in ended.output, ended.output

    listed = backend.offers.find("1000001", {"limit": ["1000"]})["offers"]
    live = [o for o in listed if o["publication"]["status"] != "ENDED"]
    assert set(Counter(o["external"]["id"] for o in live).values()) == {1}
    assert _ids(catalog_dir) == _ids(other)  # the two clones agree which offer is managed
    for where in (catalog_dir, other):
        assert run("plan", where, "--detailed-exitcode").exit_code == 0


async def _nothing_made(client: object, keys: list[str]) -> dict[str, str]:
    return {}


def _ids(directory: Path) -> dict[str, str]:
    index = load_index(state_index_path(directory, Environment.LOCAL))
    return dict(index.offers)
