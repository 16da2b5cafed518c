"""Under faults apply converges in one re-run: lost creates are looked up and retried within
the run, and a step whose prerequisite failed is not sent but reported as skipped.

The full measure (1000 offers, 5 % 503s, 3 % dropped connections, a 429 storm, two seeds, real
processes): `python benchmarks/faults.py`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogsync.allegro import client as client_module
from catalogsync.apply import creates
from catalogsync.emulator.backend import Backend
from catalogsync.synthetic import write_catalog
from tests.e2e.conftest import Run


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_module, "_backoff", lambda failures: 0.001)
    monkeypatch.setattr(creates, "backoff", lambda attempt: 0.001)


def external_ids(backend: Backend) -> list[str]:
    listing = backend.offers.find("1000001", {"limit": ["1000"]})["offers"]
    return [o["external"]["id"] for o in listing if o["external"]]


def test_a_failed_table_keeps_the_offers_that_use_it_from_being_sent(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    tables = backend.store.db.execute(
        "SELECT COUNT(*) FROM shipping_rates WHERE seller = '1000001'"
    ).fetchone()[0]
    backend.update_settings({"shipping_rates_limit": tables})  # R4 as the server counts it
    result = run("apply", catalog_dir, "--auto-approve")
    assert result.exit_code == 1
    assert backend.stats["POST /sale/product-offers"] == 0
    skipped = result.output.split("Skipped:\n", 1)[1]
    assert (
        "POST /sale/product-offers: not sent: shipping-rate table 'Standard' failed "
        "(The user has reached the limit of shipping rates sets)" in skipped
    )
    backend.update_settings({"shipping_rates_limit": 250})
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0


@pytest.mark.parametrize("seed", [3, 11])
def test_creates_lost_to_faults_are_looked_up_and_retried_within_the_run(
    run: Run, tmp_path: Path, backend: Backend, seed: int
) -> None:
    catalog = write_catalog(tmp_path / "shop", 60)
    backend.faults.configure({"error_rate": 0.1, "drop_rate": 0.06, "seed": seed})
    first = run("apply", catalog, "--auto-approve")
    assert "POST /sale/product-offers: 60 done\n" in first.output, first.output  # no re-run needed
    again = run("apply", catalog, "--auto-approve")
    faults = dict(backend.faults.stats)
    backend.faults.configure({})
    assert faults["errors"] > 5 and faults["drops"] > 2
    assert "Traceback" not in first.output + again.output
    assert run("plan", catalog, "--detailed-exitcode").exit_code == 0, (first.output, again.output)
    skus = external_ids(backend)
    assert len(skus) == len(set(skus)) == 60

