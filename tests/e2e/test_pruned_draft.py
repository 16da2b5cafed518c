"""A draft pruned with `--prune` is deleted on Allegro (never-activated drafts can be): its id
leaves the state and `catalogsync.lock` with it, so the next plan does not look for it."""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.conftest import Run, offer_ids


def test_a_deleted_draft_leaves_the_state_and_the_lock(run: Run, catalog_dir: Path) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    draft = offer_ids(catalog_dir)["TSHIRT-WHITE-L"]
    tshirts = catalog_dir / "offers" / "tshirts.yaml"
    text = tshirts.read_text()
    tshirts.write_text(text[: text.index("  TSHIRT-WHITE-L:")])

    pruned = run("apply", catalog_dir, "--auto-approve", "--prune")
    assert pruned.exit_code == 0, pruned.output
    assert "TSHIRT-WHITE-L" not in offer_ids(catalog_dir)
    lock = (catalog_dir / ".catalogsync" / "catalogsync.lock").read_text()
    assert draft not in lock

    again = run("plan", catalog_dir, "--detailed-exitcode", "--prune")
    assert again.exit_code == 0, again.output
    assert not re.search(r"\b404\b", again.output)  # not found: a random id may hold "404"
    assert "TSHIRT-WHITE-L" not in again.output
