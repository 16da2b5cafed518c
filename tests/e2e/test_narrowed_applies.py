"""An apply after an edit of a few offer files loads, reads, plans and writes those files'
offers alone (runs/narrowed_apply.py): every other offer's records stay byte for byte as they
were, and the changed offers' records are what a whole apply writes."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from catalogsync.catalog.models import Environment
from catalogsync.cli.main import cli
from catalogsync.config import live_cache_path, state_index_path
from catalogsync.emulator.backend import Backend
from catalogsync.live.cache import store_path as cache_store
from catalogsync.runs.options import CliContext
from catalogsync.state import recordstore
from catalogsync.state.index import store_path as index_store
from tests.e2e.conftest import Run, offer_ids
from tests.e2e.processes import Served, catalog_repository, seller, served
from tests.e2e.served import Emulator, kill_when
from tests.e2e.test_concurrent_runs import _holder_pid
from tests.e2e.test_narrowed_plans import NARROWED, edit
from tests.e2e.test_settled_plans import READS, SELLER, settle
from tests.e2e.test_stock_and_sales import buy

__all__ = ["seller", "served"]

MUGS = ("MUG-WHITE-330", "MUG-BLACK-330")
LOCK = Path(".catalogsync") / "catalogsync.lock"
Twin = Callable[[], tuple[Run, Path]]


def records(path: Path) -> dict[tuple[str, str], str]:
    return {(s, k): v for s, k, v in recordstore.read(path)}


def index_records(catalog_dir: Path) -> dict[tuple[str, str], str]:
    return records(index_store(state_index_path(catalog_dir, Environment.LOCAL)))


def cache_records(catalog_dir: Path) -> dict[tuple[str, str], str]:
    return records(cache_store(live_cache_path(catalog_dir, Environment.LOCAL)))


def lock_lines(catalog_dir: Path) -> list[str]:
    return (catalog_dir / LOCK).read_text().splitlines()


def of_mugs(lines: list[str]) -> list[str]:
    return [line for line in lines if any(f'"{sku}"' in line for sku in MUGS)]


def split(found: dict[tuple[str, str], str], keys: set[str]
          ) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    """(records of `keys`, records of other offers); records of no offer are left out."""
    per_key = ("offer", "applied", "stock", "approved", "offer-unconfirmed", "offer-forgotten")
    mine = {k: v for k, v in found.items() if k[1] in keys}
    other = {k: v for k, v in found.items() if k[1] not in keys and k[0] in per_key}
    return mine, other


def rows(found: dict[tuple[str, str], str], ids: set[str]
         ) -> tuple[dict[str, str], dict[str, str]]:
    """The live cache's rows of the offers `ids`, and of the others."""
    offers = {k: v for (s, k), v in found.items() if s == "offer"}
    return ({k: v for k, v in offers.items() if k in ids},
            {k: v for k, v in offers.items() if k not in ids})


@pytest.fixture
def twin(backend: Backend, catalog_dir: Path, tmp_path: Path) -> Iterator[Twin]:
    """Made on demand: a copy of the account (the emulator's database) and of the catalog
    directory with its state, to apply the same change in full."""
    made: list[Backend] = []

    def make() -> tuple[Run, Path]:
        target = tmp_path / "twin.db"
        with sqlite3.connect(target) as copy:
            backend.store.db.backup(copy)
        other = Backend(target)
        other.settings.processing_delay = 0.0
        made.append(other)
        directory = tmp_path / "twin"
        shutil.copytree(catalog_dir, directory)
        (directory / ".catalogsync" / "settled-local.json").unlink()  # it applies in full

        def invoke(*args: str | Path) -> Result:
            return CliRunner().invoke(cli, [str(a) for a in args],
                                      obj=CliContext(emulator=other))
        return invoke, directory

    yield make
    for other in made:
        other.store.close()


@pytest.mark.parametrize(("old", "new"), [
    ("price: 29.99", "price: 27.99"),
    ("stock: 40", "stock: 45"),
    ("<p>Klasyczny biały kubek", "<p>Klasyczny, biały kubek"),
])
def test_a_narrowed_apply_writes_the_changed_offers_records_alone(
    run: Run, catalog_dir: Path, backend: Backend, twin: Twin, old: str, new: str
) -> None:
    settle(run, catalog_dir)
    edit(catalog_dir, "offers/mugs.yaml", old, new)
    before = (index_records(catalog_dir), lock_lines(catalog_dir), cache_records(catalog_dir))
    twin_run, twin_dir = twin()
    mugs = set(MUGS)
    ids = {offer_ids(catalog_dir)[sku] for sku in MUGS}

    detail_reads = backend.stats[READS]
    applied = run("apply", catalog_dir, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    said = "planned the 2 offers of 1 changed file (offers/mugs.yaml) anew, and the other 4"
    assert said in applied.output and NARROWED in applied.output
    assert "no rotating check in apply" in applied.output  # as a whole apply: no drift check
    assert backend.stats[READS] == detail_reads
    whole = twin_run("apply", twin_dir, "--auto-approve")
    assert whole.exit_code == 0 and NARROWED not in whole.output, whole.output

    index, lock, cache = (index_records(catalog_dir), lock_lines(catalog_dir),
                          cache_records(catalog_dir))
    # every other offer's records as they were, byte for byte
    assert split(index, mugs)[1] == split(before[0], mugs)[1]
    assert [x for x in lock if x not in of_mugs(lock) and " feed " not in x] == [
        x for x in before[1] if x not in of_mugs(before[1]) and " feed " not in x]
    assert rows(cache, ids)[1] == rows(before[2], ids)[1]
    # the changed offers' records as a whole apply writes them
    assert split(index, mugs)[0] == split(index_records(twin_dir), mugs)[0]
    assert of_mugs(lock) == of_mugs(lock_lines(twin_dir))
    assert rows(cache, ids)[0] == rows(cache_records(twin_dir), ids)[0]
    assert lock[3:] == sorted(lock[3:])  # in the order a whole write keeps
    after = run("plan", catalog_dir, "--detailed-exitcode")
    assert after.exit_code == 0 and "No changes." in after.output, after.output
    (catalog_dir / ".catalogsync" / "settled-local.json").unlink(missing_ok=True)
    after = run("plan", catalog_dir, "--detailed-exitcode")
    assert after.exit_code == 0 and "No changes." in after.output, after.output


def test_an_apply_whose_memo_does_not_stand_applies_in_full(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    settle(run, catalog_dir)
    edit(catalog_dir, "offers/mugs.yaml", "price: 29.99", "price: 27.99")
    backend.offers.patch(SELLER, offer_ids(catalog_dir)["TSHIRT-WHITE-S"],
                         {"name": "Edited on Allegro"})
    applied = run("apply", catalog_dir, "--auto-approve")
    assert applied.exit_code == 0 and NARROWED not in applied.output, applied.output
    assert "Edited on Allegro" in applied.output  # the whole plan puts the name back
    after = run("plan", catalog_dir, "--detailed-exitcode")
    assert after.exit_code == 0, after.output


def test_a_sale_before_the_last_plan_applies_in_full(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    """The last plan counted a sale the ledger has not: a narrowed apply would move the
    ledger's position past it with the sold offer's mark as it was."""
    settle(run, catalog_dir)
    buy(backend, catalog_dir, "TSHIRT-WHITE-S", 2)
    plan = run("plan", catalog_dir, "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    edit(catalog_dir, "offers/mugs.yaml", "price: 29.99", "price: 27.99")
    assert NARROWED in run("plan", catalog_dir).output
    applied = run("apply", catalog_dir, "--auto-approve")
    assert applied.exit_code == 0 and NARROWED not in applied.output, applied.output
    (catalog_dir / ".catalogsync" / "settled-local.json").unlink(missing_ok=True)
    after = run("plan", catalog_dir, "--detailed-exitcode")
    assert after.exit_code == 0 and "No changes." in after.output, after.output


COMMAND = "PUT /sale/offer-price-change-commands/{commandId}"


def narrowed_catalog(seller: Served, tmp_path: Path) -> Path:
    """A clone applied, with a settled plan, then an edit of offers/mugs.yaml a plan narrows."""
    catalog = tmp_path / "catalog"
    seller.git("clone", "-q", catalog_repository(seller, tmp_path), catalog, cwd=tmp_path)
    assert seller.catalogsync("apply", catalog, "--auto-approve").returncode == 0
    assert seller.catalogsync("plan", catalog, "--detailed-exitcode").returncode == 0
    edit(catalog, "offers/mugs.yaml", "price: 29.99", "price: 27.99")
    planned = seller.catalogsync("plan", catalog)
    assert NARROWED in planned.stdout, planned.stdout + planned.stderr
    return catalog


def sandbox_index(catalog: Path) -> dict[tuple[str, str], str]:
    return records(index_store(state_index_path(catalog, Environment.SANDBOX)))


def converged(seller: Served, catalog: Path) -> None:
    """A whole plan finds nothing to do, and no offer was made twice."""
    (catalog / ".catalogsync" / "settled-sandbox.json").unlink(missing_ok=True)
    planned = seller.catalogsync("plan", catalog, "--detailed-exitcode")
    assert planned.returncode == 0, planned.stdout + planned.stderr
    counts = seller.external_ids()
    assert len(counts) == 6 and set(counts.values()) == {1}


def test_a_narrowed_apply_killed_after_its_first_command_is_finished_by_the_next(
    seller: Served, tmp_path: Path
) -> None:
    catalog = narrowed_catalog(seller, tmp_path)
    before = sandbox_index(catalog)
    emulator = Emulator(seller.base)
    sent = emulator.stats().get(COMMAND, 0)
    seller.steer("/faults", {"latency_seconds": 0.3})
    try:
        killed = kill_when(["apply", str(catalog), "--auto-approve"], seller.env(), emulator,
                           lambda stats: stats.get(COMMAND, 0) > sent)
    finally:
        seller.steer("/faults", {})
    assert killed
    index = sandbox_index(catalog)
    assert split(index, set(MUGS))[1] == split(before, set(MUGS))[1]
    assert any(section == "command" for section, _ in index)  # left pending

    resumed = seller.catalogsync("apply", catalog, "--auto-approve")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "Waited for the commands an interrupted apply left running." in resumed.stderr
    assert not any(section == "command" for section, _ in sandbox_index(catalog))
    converged(seller, catalog)


def test_two_narrowed_applies_at_once_one_waits_for_the_other(
    seller: Served, tmp_path: Path
) -> None:
    catalog = narrowed_catalog(seller, tmp_path)
    seller.steer("/faults", {"latency_seconds": 0.3})
    first = seller.start("apply", catalog, "--auto-approve")
    try:
        assert _holder_pid() == first.pid
        second = seller.catalogsync("apply", catalog, "--auto-approve", "--lock-timeout", "120")
    finally:
        out, err = first.communicate(timeout=120)
        seller.steer("/faults", {})
    assert first.returncode == 0 and NARROWED in out, out + err
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Waiting for `catalogsync apply" in second.stderr
    assert "27.99" not in second.stdout  # the first did it: nothing left
    converged(seller, catalog)
