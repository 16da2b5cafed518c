"""An offer renamed with `moved_from` stays the same Allegro offer: its external id is
PATCHed, and its id, stock ledger and drift digests move to the new key in the state and in
`catalogsync.lock`; nothing is ended or created, with --prune too, and a fresh clone finds it."""

from __future__ import annotations

from pathlib import Path

import yaml

from catalogsync.emulator.backend import Backend
from catalogsync.synthetic import write_catalog
from tests.e2e.conftest import Run, drop_local_state, offer_ids
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


def test_a_rename_a_stopped_run_made_on_allegro_only_moves_the_state(
    run: Run, tmp_path: Path, backend: Backend
) -> None:
    catalog = _shop(run, tmp_path)
    offer_id = offer_ids(catalog)["SYN-000000"]
    _rename(catalog, "SYN-000000", "SYN-NEW")
    backend.offers.patch(SELLER, offer_id, {"external": {"id": "SYN-NEW"}})  # then stopped

    planned = run("plan", catalog, "--prune", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    applied = run("apply", catalog, "--auto-approve", "--prune")
    assert applied.exit_code == 0, applied.output

    assert offer_ids(catalog)["SYN-NEW"] == offer_id
    assert "SYN-000000" not in _lock_keys(catalog, "offer")
    assert backend.offers.get(SELLER, offer_id)["publication"]["status"] == "ACTIVE"


def _drop(catalog: Path, sku: str) -> None:
    path = catalog / "offers" / "offers-000.yaml"
    offers = yaml.safe_load(path.read_text())
    del offers["offers"][sku]
    path.write_text(yaml.safe_dump(offers, allow_unicode=True))


def test_forget_lets_an_offer_go_and_prune_leaves_it_alone(
    run: Run, tmp_path: Path, backend: Backend
) -> None:
    catalog = _shop(run, tmp_path)
    offer_id = offer_ids(catalog)["SYN-000001"]

    refused = run("forget", catalog, "SYN-000001")
    assert refused.exit_code == 1
    assert "remove the offer from the YAML first" in refused.output
    _drop(catalog, "SYN-000001")
    unknown = run("forget", catalog, "SYN-000001", "NOT-THERE")
    assert unknown.exit_code == 1 and "NOT-THERE" in unknown.output
    assert "SYN-000001" in offer_ids(catalog)  # nothing forgotten by a refused run
    forgot = run("forget", catalog, "SYN-000001")
    assert forgot.exit_code == 0, forgot.output
    assert "SYN-000001" not in offer_ids(catalog)
    assert not {"SYN-000001"} & (_lock_keys(catalog, "offer") | _lock_keys(catalog, "stock")
                                 | _lock_keys(catalog, "applied"))

    planned = run("plan", catalog, "--prune", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    assert planned.output.count("SYN-000001") == 1
    assert "no longer managed" in planned.output
    applied = run("apply", catalog, "--auto-approve", "--prune")
    assert applied.exit_code == 0, applied.output
    again = run("plan", catalog, "--prune", "--detailed-exitcode")
    assert again.exit_code == 0 and "SYN-000001" not in again.output  # said once
    offer = backend.offers.get(SELLER, offer_id)
    assert offer["publication"]["status"] == "ACTIVE"
    assert offer["external"]["id"] == "SYN-000001"


def test_a_rename_without_the_old_key_in_the_state_is_an_error_not_a_second_offer(
    run: Run, tmp_path: Path
) -> None:
    catalog = _shop(run, tmp_path)
    drop_local_state(catalog, lock=True)
    _rename(catalog, "SYN-000001", "SYN-NEW")

    planned = run("plan", catalog, "--detailed-exitcode")

    assert planned.exit_code == 3, planned.output
    assert "moved_from SYN-000001: the state knows no offer of that key" in planned.output
