"""`catalogsync import` never weakens the no-state guard (R22): a clone of a catalog without its
lock, where one of the catalog's offers is hidden on allegro.pl, must not get a duplicate."""

from __future__ import annotations

from pathlib import Path

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run, drop_local_state, offer_ids


def clone_without_state(run: Run, catalog_dir: Path, backend: Backend) -> str:
    """Apply, hide MUG-BLACK-330, then lose the state as a fresh clone would; its offer id."""
    mugs = catalog_dir / "offers" / "mugs.yaml"  # a manual's upload is known only by the state
    manual = "safety_information: [manuals/kubek-bezpieczenstwo.pdf]"
    mugs.write_text(mugs.read_text().replace(manual, "safety_information: Myć ręcznie."))
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    hidden = offer_ids(catalog_dir)["MUG-BLACK-330"]
    backend.offers.hide(hidden)
    drop_local_state(catalog_dir, lock=True)
    return hidden


def lock_lines(catalog_dir: Path, kind: str) -> list[str]:
    lock = (catalog_dir / ".catalogsync" / "catalogsync.lock").read_text()
    return [line for line in lock.splitlines() if line.startswith(f"local {kind} ")]


def test_r22_import_of_a_hidden_offer_the_catalog_has_records_its_id(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    hidden = clone_without_state(run, catalog_dir, backend)

    imported = run("import", catalog_dir, "--offer-id", hidden)

    assert imported.exit_code == 0, imported.output
    assert "No offer imported: the 1 offers it read are already in the catalog" in imported.output
    assert f'local offer "MUG-BLACK-330" "{hidden}"' in lock_lines(catalog_dir, "offer")
    planned = run("plan", catalog_dir, "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output  # found by its id: nothing to create


def test_r22_an_import_that_found_nothing_leaves_the_guard_on(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    clone_without_state(run, catalog_dir, backend)

    imported = run("import", catalog_dir, "--offer-id", "99999999999", "--no-tables")

    assert imported.exit_code == 0, imported.output
    assert "No offer imported: offer 99999999999 was not found on the account" in imported.output
    planned = run("plan", catalog_dir, "--detailed-exitcode")
    assert planned.exit_code == 3, planned.output
    assert "catalogsync import did not find MUG-BLACK-330" in planned.output


def test_r22_a_whole_account_import_keeps_the_guard_for_the_offer_it_did_not_find(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    hidden = clone_without_state(run, catalog_dir, backend)

    imported = run("import", catalog_dir)

    assert imported.exit_code == 0, imported.output
    assert "were not found on the account (MUG-BLACK-330)" in imported.output
    assert len(lock_lines(catalog_dir, "offer")) == 5  # every offer it saw in the list
    assert lock_lines(catalog_dir, "offer-unconfirmed") == [
        'local offer-unconfirmed "MUG-BLACK-330" "import"']
    planned = run("plan", catalog_dir, "--detailed-exitcode")
    assert planned.exit_code == 3, planned.output
    assert "catalogsync import did not find MUG-BLACK-330" in planned.output
    refused = run("apply", catalog_dir, "--auto-approve")
    assert refused.exit_code == 1

    assert run("import", catalog_dir, "--offer-id", hidden).exit_code == 0
    assert lock_lines(catalog_dir, "offer-unconfirmed") == []  # found: the mark is dropped
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0



def test_r22_an_import_that_found_nothing_writes_no_state(
    run: Run, catalog_dir: Path, tmp_path: Path
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    adopted = tmp_path / "adopted"

    imported = run("import", adopted, "--offer-id", "99999999999", "--no-tables")

    assert imported.exit_code == 0, imported.output
    assert "Imported 0 offers" in imported.output
    assert "No offer imported: offer 99999999999 was not found on the account" in imported.output
    assert not (adopted / ".catalogsync" / "catalogsync.lock").exists()  # no state, as before
    assert not (adopted / ".catalogsync" / "state-local.sqlite3").exists()
