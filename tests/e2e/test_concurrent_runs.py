"""Two applies against one account at once, as two real processes: the second refuses or
waits, naming who holds the lock and since when; a killed holder's lock is taken over."""

from __future__ import annotations

import os
import time
from pathlib import Path

from catalogsync.state.runlock import account_lock
from tests.e2e.conftest import Run
from tests.e2e.processes import Served, catalog_repository, seller, served

__all__ = ["seller", "served"]


def _holder_pid(timeout: float = 30) -> int:
    """The pid the account's lock file names, once a run holds it."""
    locks = Path(os.environ["XDG_STATE_HOME"]) / "catalogsync" / "locks"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for lock in locks.glob("*.lock") if locks.exists() else ():
            text = lock.read_text()
            if '"pid"' in text:
                return int(text.split('"pid": ')[1].split(",")[0])
        time.sleep(0.05)
    raise AssertionError("no run took the lock")


def _clone(seller: Served, origin: Path, where: Path) -> Path:
    seller.git("clone", "-q", origin, where, cwd=where.parent)
    return where


def test_a_second_apply_refuses_naming_the_holder_and_no_offer_is_duplicated(
    seller: Served, tmp_path: Path
) -> None:
    catalog = _clone(seller, catalog_repository(seller, tmp_path), tmp_path / "catalog")
    seller.steer("/faults", {"latency_seconds": 0.25})  # a first apply that takes a while
    first = seller.start("apply", catalog, "--auto-approve")
    try:
        assert _holder_pid() == first.pid
        second = seller.catalogsync("apply", catalog, "--auto-approve")
    finally:
        _, err = first.communicate(timeout=120)
    seller.steer("/faults", {})

    assert first.returncode == 0, err
    assert second.returncode == 1
    assert "another run holds this account: `catalogsync apply" in second.stderr
    assert f"(pid {first.pid}) since 20" in second.stderr
    assert "Nothing was changed" in second.stderr
    counts = seller.external_ids()
    assert len(counts) == 6 and set(counts.values()) == {1}


def test_a_second_apply_from_another_clone_waits_then_finds_nothing_to_do(
    seller: Served, tmp_path: Path
) -> None:
    origin = catalog_repository(seller, tmp_path)
    one, two = _clone(seller, origin, tmp_path / "one"), _clone(seller, origin, tmp_path / "two")
    seller.steer("/faults", {"latency_seconds": 0.4})
    first = seller.start("apply", one, "--auto-approve")
    try:
        _holder_pid()
        second = seller.catalogsync("apply", two, "--auto-approve", "--lock-timeout", "120")
    finally:
        first.communicate(timeout=120)
    seller.steer("/faults", {})

    assert first.returncode == 0 and second.returncode == 0, second.stderr
    assert f"Waiting for `catalogsync apply {one}`" in second.stderr
    assert "+ offer" not in second.stdout
    counts = seller.external_ids()
    assert len(counts) == 6 and set(counts.values()) == {1}


def test_a_killed_holder_s_lock_is_taken_over_and_the_rerun_converges(
    seller: Served, tmp_path: Path
) -> None:
    catalog = _clone(seller, catalog_repository(seller, tmp_path), tmp_path / "catalog")
    seller.steer("/faults", {"latency_seconds": 0.25})
    crashed = seller.start("apply", catalog, "--auto-approve")
    assert _holder_pid() == crashed.pid
    time.sleep(1.5)  # let it create a few offers
    crashed.kill()
    crashed.communicate(timeout=30)
    seller.steer("/faults", {})

    rerun = seller.catalogsync("apply", catalog, "--auto-approve")

    assert rerun.returncode == 0, rerun.stderr + rerun.stdout
    assert f"Took over the lock left by `catalogsync apply {catalog}`" in rerun.stderr
    assert f"(pid {crashed.pid})" in rerun.stderr
    counts = seller.external_ids()
    assert len(counts) == 6 and set(counts.values()) == {1}


def test_a_plan_while_an_apply_holds_the_account_goes_ahead_and_says_so(
    run: Run, catalog_dir: Path
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    locks = Path(os.environ["XDG_STATE_HOME"]) / "catalogsync" / "locks"
    (lock,) = locks.glob("*.lock")
    with account_lock(lock, "catalogsync apply elsewhere", 0, print, print):
        planned = run("plan", catalog_dir, "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    assert "`catalogsync apply elsewhere` by " in planned.output
    assert "is running against this account right now" in planned.output
