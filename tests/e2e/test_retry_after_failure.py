"""Every failure can be retried by the next run: a command whose task failed is never replayed
under its old id (Allegro would answer 409 and its old failure again)."""

from __future__ import annotations

from pathlib import Path

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run
from tests.e2e.test_stock_and_sales import LAPTOP, applied, live, set_stock


def test_a_task_allegro_failed_is_sent_again_by_the_next_apply(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    set_stock(catalog_dir, "laptops.yaml", "    stock: 3\n", "    stock: 3\n    status: inactive\n")
    applied(run, catalog_dir)  # a draft
    set_stock(catalog_dir, "laptops.yaml", "status: inactive", "status: active")
    backend.faults.configure({"task_error_rate": 1.0})  # Allegro's own failure, once
    failed = run("apply", catalog_dir, "--auto-approve")
    assert failed.exit_code == 1, failed.output
    assert "OfferRepository error" in failed.output
    assert live(backend, catalog_dir, LAPTOP)["publication"]["status"] == "INACTIVE"

    backend.faults.configure({})
    fixed = applied(run, catalog_dir)  # the same change, nothing edited: a new command id
    assert "OfferRepository error" not in fixed
    doc = live(backend, catalog_dir, LAPTOP)
    assert doc["publication"]["status"] in ("ACTIVE", "ACTIVATING")
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0
