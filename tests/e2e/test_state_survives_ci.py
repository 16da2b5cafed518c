"""State that survives CI: the ids only apply can know travel in `catalogsync.lock`,
committed with the catalog, so a fresh clone on a new runner never duplicates an offer —
even one hidden on allegro.pl (R22), which no offer list or search shows."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.e2e.conftest import Run, drop_local_state
from tests.e2e.processes import Served, catalog_repository, seller, served

__all__ = ["seller", "served"]


def _lock_ids(lock: Path) -> dict[str, str]:
    ids = {}
    for line in lock.read_text().splitlines():
        if line.startswith("sandbox offer "):
            _, _, key, value = line.split(" ")
            ids[key.strip('"')] = value.strip('"')
    return ids


def applied_clone(seller: Served, tmp_path: Path) -> tuple[Path, Path]:
    """The catalog's repository, and a first runner's clone of it that has applied."""
    origin = catalog_repository(seller, tmp_path)
    first = tmp_path / "runner-1"
    seller.git("clone", "-q", origin, first, cwd=tmp_path)
    assert seller.catalogsync("apply", first, "--auto-approve").returncode == 0
    return origin, first


def test_r22_a_fresh_clone_with_the_committed_lock_never_duplicates_a_hidden_offer(
    seller: Served, tmp_path: Path
) -> None:
    origin = catalog_repository(seller, tmp_path)
    first = tmp_path / "runner-1"
    seller.git("clone", "-q", origin, first, cwd=tmp_path)
    applied = seller.catalogsync("apply", first, "--auto-approve")
    assert applied.returncode == 0, applied.stderr + applied.stdout
    lock = first / "catalogsync.lock"
    lines = [line for line in lock.read_text().splitlines() if not line.startswith("#")]
    ids = [line for line in lines if line.split()[1] in ("offer", "shipping_rates")]
    assert lines == sorted(lines) and len(ids) == 8  # 6 offers, 2 tables
    assert len([line for line in lines if line.split()[1] == "stock"]) == 6  # their stock
    assert len(_lock_ids(lock)) == 6
    assert "token" not in lock.read_text().lower()
    seller.git("add", "catalogsync.lock", cwd=first)  # what the CI job commits back
    seller.git("commit", "-qm", "catalogsync.lock after apply", cwd=first)
    seller.git("push", "-q", "origin", "main", cwd=first)

    hidden = _lock_ids(lock)["MUG-BLACK-330"]
    seller.steer(f"/offers/{hidden}/hide")

    fresh = tmp_path / "runner-2"
    seller.git("clone", "-q", origin, fresh, cwd=tmp_path)
    assert not (fresh / ".catalogsync").exists()
    again = seller.catalogsync("apply", fresh, "--auto-approve")
    assert again.returncode == 0, again.stderr + again.stdout
    assert "+ offer" not in again.stdout
    assert "No changes" in again.stdout

    seller.steer(f"/offers/{hidden}/hide", {"hidden": False})
    counts = seller.external_ids()
    assert len(counts) == 6 and set(counts.values()) == {1}


def test_r22_without_any_state_creates_wait_and_the_plan_says_what_it_risks(
    seller: Served, tmp_path: Path
) -> None:
    origin, first = applied_clone(seller, tmp_path)
    hidden = _lock_ids(first / "catalogsync.lock")["MUG-BLACK-330"]
    seller.steer(f"/offers/{hidden}/hide")

    fresh = tmp_path / "runner-2"  # the lock was never committed
    seller.git("clone", "-q", origin, fresh, cwd=tmp_path)
    planned = seller.catalogsync("plan", fresh, "--detailed-exitcode")
    assert planned.returncode == 3, planned.stderr + planned.stdout
    assert "no state for this catalog" in planned.stdout
    assert "the account already has 5 offers" in planned.stdout
    assert "creating MUG-BLACK-330 could list such an offer twice" in planned.stdout
    refused = seller.catalogsync("apply", fresh, "--auto-approve")
    assert refused.returncode == 1

    seller.steer(f"/offers/{hidden}/hide", {"hidden": False})
    assert set(seller.external_ids().values()) == {1}


def test_import_into_a_fresh_directory_over_real_http_round_trips(
    seller: Served, tmp_path: Path
) -> None:
    applied_clone(seller, tmp_path)

    adopted = tmp_path / "adopted"
    imported = seller.catalogsync("import", adopted, "--environment", "sandbox")

    assert imported.returncode == 0, imported.stderr + imported.stdout
    assert "Reading offers: 6/6" in imported.stderr
    assert len(_lock_ids(adopted / "catalogsync.lock")) == 6
    planned = seller.catalogsync("plan", adopted, "--detailed-exitcode")
    assert planned.returncode == 0, planned.stderr + planned.stdout


def test_state_kept_only_in_dot_catalogsync_is_written_to_the_lock_by_the_next_apply(
    seller: Served, tmp_path: Path
) -> None:
    _, first = applied_clone(seller, tmp_path)
    lock = first / "catalogsync.lock"
    written = lock.read_text()
    lock.unlink()  # as a catalog kept before catalogsync.lock existed

    again = seller.catalogsync("apply", first, "--auto-approve")

    assert again.returncode == 0 and "No changes" in again.stdout
    assert lock.read_text() == written


def test_r22_a_plan_without_state_that_creates_nothing_still_says_what_is_at_risk(
    run: Run, catalog_dir: Path
) -> None:
    # an uploaded file is known by its content hash only through the state: keep to URLs
    mugs = catalog_dir / "offers" / "mugs.yaml"
    manual = "safety_information: [manuals/kubek-bezpieczenstwo.pdf]"
    mugs.write_text(mugs.read_text().replace(manual, "safety_information: Myć ręcznie."))
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    drop_local_state(catalog_dir, lock=True)

    planned = run("plan", catalog_dir, "--detailed-exitcode")

    assert planned.exit_code == 0, planned.output
    assert "no state for this catalog" in planned.output
    assert "the account already has 6 offers" in planned.output
    assert "nothing is created, so nothing is at risk now" in planned.output


def _offer_reads(seller: Served) -> int:
    stats = httpx.get(f"{seller.base}/_emulator/stats").json()["requests"]
    return int(stats.get("GET /sale/product-offers/{offerId}", 0))


def test_a_fresh_clone_after_an_apply_plans_from_the_event_feed_reading_no_offer(
    seller: Served, tmp_path: Path
) -> None:
    origin, first = applied_clone(seller, tmp_path)
    lock = (first / "catalogsync.lock").read_text()
    assert lock.count("\nsandbox feed ") == 1 and lock.count("\nsandbox applied ") == 6
    seller.git("add", "catalogsync.lock", cwd=first)
    seller.git("commit", "-qm", "catalogsync.lock after apply", cwd=first)
    seller.git("push", "-q", "origin", "main", cwd=first)

    fresh = tmp_path / "runner-2"
    seller.git("clone", "-q", origin, fresh, cwd=tmp_path)
    before = _offer_reads(seller)
    planned = seller.catalogsync("plan", fresh, "--detailed-exitcode")
    assert planned.returncode == 0, planned.stderr + planned.stdout
    # the feed said nothing changed: only the draft is read (drafts cause no events)
    assert _offer_reads(seller) == before + 1
