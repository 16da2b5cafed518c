"""An offer goes on sale only with stock above 0: a plan that activates one without stock is
refused at plan time, not by Allegro half-way through apply."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import Run

DRAFT = "    stock: 0\n    status: inactive        # a draft until new stock arrives\n"


def test_activating_a_draft_with_stock_0_is_a_plan_error(run: Run, catalog_dir: Path) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    tshirts = catalog_dir / "offers" / "tshirts.yaml"
    tshirts.write_text(tshirts.read_text().replace(DRAFT, "    stock: 0\n"))  # now: active

    planned = run("plan", catalog_dir, "--detailed-exitcode")

    assert planned.exit_code == 3, planned.output
    assert ("error: offer TSHIRT-WHITE-L: would be activated with stock 0, which Allegro "
            "refuses") in planned.output
    tshirts.write_text(tshirts.read_text().replace(
        "    stock: 0\n    images", "    stock: 4\n    images"))
    restocked = run("plan", catalog_dir, "--detailed-exitcode")
    assert restocked.exit_code == 2, restocked.output  # restocked, then activated


def test_creating_an_active_offer_with_stock_0_is_a_plan_error(
    run: Run, catalog_dir: Path
) -> None:
    tshirts = catalog_dir / "offers" / "tshirts.yaml"
    tshirts.write_text(tshirts.read_text().replace(DRAFT, "    stock: 0\n"))

    planned = run("plan", catalog_dir, "--detailed-exitcode")

    assert planned.exit_code == 3, planned.output
    assert "offer TSHIRT-WHITE-L: would be activated with stock 0" in planned.output
