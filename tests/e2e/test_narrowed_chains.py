"""The everyday chain: plan (a PR) -> apply (its merge) -> plan (the next PR). A narrowed
apply leaves a memo (runs/chained.py), so the plan after it is narrowed to the offers it
touched and is the whole plan but for its read line; finding nothing to do it is remembered,
and the plan after that stands on it. Whatever the memo cannot vouch for plans in full."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run, list_check_due, offer_id
from tests.e2e.processes import Served, seller, served
from tests.e2e.served import Emulator, kill_when
from tests.e2e.test_narrowed_applies import COMMAND, converged, narrowed_catalog
from tests.e2e.test_narrowed_plans import NARROWED, assert_as_whole, edit, shown
from tests.e2e.test_settled_plans import SELLER, STANDS, settle
from tests.e2e.test_stock_and_sales import buy

__all__ = ["seller", "served"]

MUGS = "offers/mugs.yaml"
OTHER = "TSHIRT-WHITE-S"  # in offers/tshirts.yaml: no apply below touches it
MEMO = Path(".catalogsync") / "settled-local.json"


def narrowed_apply(run: Run, catalog_dir: Path, old: str = "price: 29.99",
                   new: str = "price: 27.99") -> None:
    """A PR of one offer file, merged: its apply is narrowed to that file's offers."""
    edit(catalog_dir, MUGS, old, new)
    applied = run("apply", catalog_dir, "--auto-approve")
    assert applied.exit_code == 0 and NARROWED in applied.output, applied.output
    assert "0 failed" in applied.output, applied.output


def whole(run: Run, catalog_dir: Path) -> tuple[int, list[str], dict[str, object]]:
    """The whole plan's exit code, text and JSON (no memo to stand on)."""
    (catalog_dir / MEMO).unlink(missing_ok=True)
    text = run("plan", catalog_dir, "--detailed-exitcode")
    as_json = json.loads(run("plan", catalog_dir, "--format", "json").stdout)
    assert NARROWED not in text.output and STANDS not in text.output, text.output
    for key in ("read", "fingerprint"):
        as_json.pop(key)
    return text.exit_code, shown(text.stdout), as_json


def test_the_plan_after_a_narrowed_apply_is_narrowed_then_settles(
    run: Run, catalog_dir: Path
) -> None:
    settle(run, catalog_dir)
    narrowed_apply(run, catalog_dir)
    after = json.loads(run("plan", catalog_dir, "--format", "json").stdout)
    read = after.pop("read")
    assert NARROWED in read and "planned the 2 offers of 1 changed file (offers/mugs.yaml)" \
        in read, read
    after.pop("fingerprint")
    stands = run("plan", catalog_dir, "--detailed-exitcode")  # it was remembered
    assert stands.exit_code == 0 and STANDS in stands.output, stands.output
    assert whole(run, catalog_dir) == (0, shown(stands.stdout), after)


def test_a_pr_edit_after_a_narrowed_apply_is_narrowed_and_as_whole(
    run: Run, catalog_dir: Path
) -> None:
    settle(run, catalog_dir)
    narrowed_apply(run, catalog_dir)
    edit(catalog_dir, MUGS, "stock: 40", "stock: 45")
    assert assert_as_whole(run, catalog_dir) == 2


def test_a_revert_after_a_narrowed_apply_is_still_planned(run: Run, catalog_dir: Path) -> None:
    """The file back as the memo's plan saw it: its offers were touched all the same, and
    the plan puts the old price back."""
    settle(run, catalog_dir)
    narrowed_apply(run, catalog_dir)
    edit(catalog_dir, MUGS, "price: 27.99", "price: 29.99")
    assert assert_as_whole(run, catalog_dir) == 2


def test_two_narrowed_applies_in_a_row_then_a_narrowed_plan(
    run: Run, catalog_dir: Path
) -> None:
    settle(run, catalog_dir)
    narrowed_apply(run, catalog_dir)
    narrowed_apply(run, catalog_dir, "stock: 40", "stock: 45")
    after = run("plan", catalog_dir, "--detailed-exitcode")
    assert after.exit_code == 0 and NARROWED in after.output, after.output
    assert "No changes." in after.output
    assert STANDS in run("plan", catalog_dir).output
    assert whole(run, catalog_dir)[0] == 0


@pytest.mark.parametrize("change", ["edit", "end", "sale"])
def test_a_change_to_an_untouched_offer_after_the_apply_plans_in_full(
    run: Run, catalog_dir: Path, backend: Backend, change: str
) -> None:
    """A colleague's edit, an offer ended on Allegro, a purchase: the feeds name an offer
    the apply did not touch, so the memo's part for it no longer stands."""
    settle(run, catalog_dir)
    narrowed_apply(run, catalog_dir)
    other = offer_id(catalog_dir, OTHER)
    if change == "edit":
        backend.offers.patch(SELLER, other, {"name": "Edited on Allegro"})
    elif change == "end":
        backend.offers.patch(SELLER, other, {"publication": {"status": "ENDED"}})
    else:
        buy(backend, catalog_dir, OTHER, 1)
    plan = run("plan", catalog_dir, "--detailed-exitcode")
    assert NARROWED not in plan.output and STANDS not in plan.output, plan.output
    if change == "sale":  # nothing to do: that whole plan is remembered
        assert plan.exit_code == 0, plan.output
        assert STANDS in run("plan", catalog_dir).output
    else:
        assert plan.exit_code == 2 and OTHER in plan.output, plan.output
        assert assert_as_whole(run, catalog_dir, narrowed=False) == 2


def test_an_apply_that_failed_for_an_offer_leaves_no_memo(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    settle(run, catalog_dir)
    edit(catalog_dir, MUGS, "price: 29.99", "price: 27.99")
    backend.faults.configure({"task_error_rate": 1.0})
    failed = run("apply", catalog_dir, "--auto-approve")
    assert failed.exit_code == 1 and NARROWED in failed.output, failed.output
    assert not (catalog_dir / MEMO).exists()
    backend.faults.configure({})
    plan = run("plan", catalog_dir, "--detailed-exitcode")
    assert plan.exit_code == 2 and NARROWED not in plan.output, plan.output
    assert "27.99" in plan.output


def test_the_list_check_due_after_the_apply_plans_in_full(
    run: Run, catalog_dir: Path
) -> None:
    settle(run, catalog_dir)
    narrowed_apply(run, catalog_dir)
    list_check_due(catalog_dir)
    due = run("plan", catalog_dir, "--detailed-exitcode")
    assert due.exit_code == 0 and "list check due)" in due.output, due.output
    assert NARROWED not in due.output


def test_a_rename_applied_in_full_leaves_a_whole_plan_next(
    run: Run, catalog_dir: Path
) -> None:
    settle(run, catalog_dir)
    edit(catalog_dir, MUGS, "  MUG-BLACK-330:", "  MUG-BLACK-331:\n    moved_from: MUG-BLACK-330")
    applied = run("apply", catalog_dir, "--auto-approve")
    assert applied.exit_code == 0 and NARROWED not in applied.output, applied.output
    plan = run("plan", catalog_dir, "--detailed-exitcode")
    assert NARROWED not in plan.output and STANDS not in plan.output, plan.output


def test_a_narrowed_apply_killed_half_way_leaves_a_whole_plan_next(
    seller: Served, tmp_path: Path
) -> None:
    catalog = narrowed_catalog(seller, tmp_path)
    emulator = Emulator(seller.base)
    sent = emulator.stats().get(COMMAND, 0)
    seller.steer("/faults", {"latency_seconds": 0.3})
    try:
        assert kill_when(["apply", str(catalog), "--auto-approve"], seller.env(), emulator,
                         lambda stats: stats.get(COMMAND, 0) > sent)
    finally:
        seller.steer("/faults", {})
    planned = seller.catalogsync("plan", catalog)
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert NARROWED not in planned.stdout and STANDS not in planned.stdout, planned.stdout
    resumed = seller.catalogsync("apply", catalog, "--auto-approve")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    converged(seller, catalog)
