"""Every failure can be retried by the next run: a command whose task failed is never replayed
under its old id (Allegro would answer 409 and its old failure again)."""

from __future__ import annotations

from pathlib import Path

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run
from tests.e2e.test_stock_and_sales import LAPTOP, applied, live, set_stock


def test_a_failed_activation_is_fixed_by_one_more_apply_once_the_stock_is_raised(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    set_stock(catalog_dir, "laptops.yaml", "    stock: 3\n", "    stock: 0\n    status: inactive\n")
    applied(run, catalog_dir)  # a draft with no stock
    set_stock(catalog_dir, "laptops.yaml", "status: inactive", "status: active")
    failed = run("apply", catalog_dir, "--auto-approve")
    assert failed.exit_code == 1, failed.output
    assert "Offer can be activated only with stock being greater than 0" in failed.output

    set_stock(catalog_dir, "laptops.yaml", "stock: 0", "stock: 5")
    fixed = applied(run, catalog_dir)
    assert "Offer can be activated only" not in fixed
    doc = live(backend, catalog_dir, LAPTOP)
    assert (doc["publication"]["status"], doc["stock"]["available"]) in (
        ("ACTIVE", 5), ("ACTIVATING", 5))
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0
