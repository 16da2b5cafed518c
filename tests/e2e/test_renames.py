"""An offer renamed with `moved_from` stays the same Allegro offer: its external id is
PATCHed, and its id, stock ledger and drift digests move to the new key in the state and in
`catalogsync.lock`; nothing is ended or created, with --prune too, and a fresh clone finds it."""

from __future__ import annotations

from pathlib import Path

from catalogsync.emulator.backend import Backend
from catalogsync.synthetic import write_catalog
from tests.e2e.conftest import Run, offer_ids
from tests.e2e.test_fresh_runner import LOCK, SELLER, clone

CREATES = "POST /sale/product-offers"
PUBLICATIONS = "PUT /sale/offer-publication-commands/{commandId}"


def _shop(run: Run, tmp_path: Path) -> Path:
    catalog = write_catalog(tmp_path / "shop", 3)
    applied = run("apply", catalog, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    return catalog


def _rename(catalog: Path, old: str, new: str) -> None:
    path = catalog / "offers" / "offers-000.yaml"
    path.write_text(path.read_text().replace(f"  {old}:\n", f"  {new}:\n    moved_from: {old}\n"))


def _lock_keys(catalog: Path, kind: str) -> set[str]:
    return {line.split('"')[1] for line in (catalog / LOCK).read_text().splitlines()
            if line.startswith(f"local {kind} ")}


def test_a_rename_keeps_the_offer_and_moves_its_state(
    run: Run, tmp_path: Path, backend: Backend
) -> None:
    catalog = _shop(run, tmp_path)
    offer_id = offer_ids(catalog)["SYN-000001"]
    _rename(catalog, "SYN-000001", "MUG-NEW")
    creates, publications = backend.stats[CREATES], backend.stats[PUBLICATIONS]

    planned = run("plan", catalog, "--prune")
    assert planned.exit_code == 0, planned.output
    assert f"~ offer MUG-NEW ({offer_id}) renamed from SYN-000001" in planned.output
    assert "~ external.id: SYN-000001 → MUG-NEW" in planned.output
    assert "SYN-000001 (" not in planned.output  # no end of the old key
    applied = run("apply", catalog, "--auto-approve", "--prune")
    assert applied.exit_code == 0, applied.output

    assert backend.stats[CREATES] == creates
    assert backend.stats[PUBLICATIONS] == publications  # nothing ended
    offer = backend.offers.get(SELLER, offer_id)
    assert offer["external"]["id"] == "MUG-NEW"
    assert offer["publication"]["status"] == "ACTIVE"
    assert offer_ids(catalog)["MUG-NEW"] == offer_id
    assert "SYN-000001" not in offer_ids(catalog)
    for kind in ("offer", "stock", "applied"):
        keys = _lock_keys(catalog, kind)
        assert "MUG-NEW" in keys and "SYN-000001" not in keys, kind
    again = run("plan", catalog, "--detailed-exitcode", "--prune")
    assert again.exit_code == 0, again.output  # the leftover moved_from says nothing
    assert "MUG-NEW" not in again.output


def test_a_fresh_clone_after_a_rename_finds_the_offer(run: Run, tmp_path: Path) -> None:
    catalog = _shop(run, tmp_path)
    _rename(catalog, "SYN-000002", "SYN-RENAMED")
    assert run("apply", catalog, "--auto-approve").exit_code == 0

    fresh = run("plan", clone(catalog, tmp_path / "runner"), "--detailed-exitcode", "--prune")

    assert fresh.exit_code == 0, fresh.output


def test_validate_refuses_a_moved_from_the_catalog_still_has_or_two_offers_claim(
    run: Run, tmp_path: Path
) -> None:
    catalog = write_catalog(tmp_path / "shop", 3)
    path = catalog / "offers" / "offers-000.yaml"
    text = path.read_text()
    path.write_text(text.replace("  SYN-000001:\n", "  SYN-000001:\n    moved_from: SYN-000000\n")
                    .replace("  SYN-000002:\n", "  SYN-000002:\n    moved_from: [OLD, OLD-2]\n"))
    extra = catalog / "offers" / "more.yaml"
    extra.write_text("offers:\n  SYN-X:\n    moved_from: OLD\n")

    checked = run("validate", catalog)

    assert checked.exit_code != 0
    assert "offers-000.yaml:" in checked.output
    assert "'SYN-000000' is still an offer of the catalog" in checked.output
    assert "'OLD' is claimed by offer" in checked.output
