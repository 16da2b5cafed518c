"""A fresh runner (a clone: the catalog and `catalogsync.lock`, nothing of `.catalogsync/`)
plans from the event feed, as a warm laptop does, instead of reading every offer again."""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

from catalogsync.emulator.backend import Backend
from catalogsync.synthetic import write_catalog
from tests.e2e.conftest import Run, offer_ids

READS = "GET /sale/product-offers/{offerId}"
SELLER = "1000001"
LOCK = Path(".catalogsync") / "catalogsync.lock"  # environment: local keeps it there


def clone(catalog: Path, target: Path) -> Path:
    """What a CI runner's clone has: the committed files."""
    shutil.copytree(catalog, target, ignore=shutil.ignore_patterns(".catalogsync"))
    (target / LOCK).parent.mkdir()
    shutil.copy(catalog / LOCK, target / LOCK)
    return target


def applied(run: Run, tmp_path: Path, offers: int = 30) -> Path:
    catalog = write_catalog(tmp_path / "shop", offers)
    assert run("apply", catalog, "--auto-approve").exit_code == 0
    write_catalog(catalog, offers, price=Decimal("31.99"))
    repriced = run("apply", catalog, "--auto-approve", "--allow-mass-change")
    assert repriced.exit_code == 0, repriced.output
    return catalog


def test_a_fresh_clone_right_after_an_apply_reads_no_offer(
    run: Run, tmp_path: Path, backend: Backend
) -> None:
    catalog = applied(run, tmp_path)
    lock = (catalog / LOCK).read_text()
    assert len(re.findall(r"^local feed ", lock, re.M)) == 1
    assert len(re.findall(r"^local applied ", lock, re.M)) == 30
    before = backend.stats[READS]
    plan = run("plan", clone(catalog, tmp_path / "runner"), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert backend.stats[READS] == before
    again = run("plan", tmp_path / "runner", "--detailed-exitcode")  # its own cache now
    assert again.exit_code == 0, again.output
    assert backend.stats[READS] == before


def test_a_fresh_clone_reads_what_changed_on_allegro_and_what_the_catalog_changes(
    run: Run, tmp_path: Path, backend: Backend
) -> None:
    catalog = applied(run, tmp_path)
    skus = sorted(offer_ids(catalog))
    text = {"sections": [{"items": [{"type": "TEXT", "content": "<p>Inny opis.</p>"}]}]}
    backend.offers.patch(SELLER, offer_ids(catalog)[skus[0]], {"description": text})
    runner = clone(catalog, tmp_path / "runner")
    offers = runner / "offers" / "offers-000.yaml"
    offers.write_text(offers.read_text().replace("Egzemplarz numer 1.", "Egzemplarz nr 1.", 1))
    before = backend.stats[READS]

    plan = run("plan", runner, "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output
    assert f"offer {skus[0]}" in plan.output
    assert "changed on Allegro since the last apply: description" in plan.output
    assert "Egzemplarz numer 1.</p> → <h1>" in plan.output  # planned on a real read
    assert "Plan: 0 to create, 2 to update" in plan.output
    assert backend.stats[READS] == before + 2  # the two offers, nothing else


def test_a_feed_cursor_too_old_or_merged_twice_means_a_full_read(
    run: Run, tmp_path: Path, backend: Backend
) -> None:
    catalog = applied(run, tmp_path, offers=5)
    runner = clone(catalog, tmp_path / "runner")
    lines = (runner / LOCK).read_text().splitlines(keepends=True)
    feed = next(line for line in lines if line.startswith("local feed "))
    value = json.loads(json.loads(feed.split(" ", 3)[3]))
    value["read_at"] = "2020-01-01T00:00:00+00:00"
    old = f'local feed "" {json.dumps(json.dumps(value))}\n'
    (runner / LOCK).write_text("".join(lines) + old)  # as a merge with union keeps both
    before = backend.stats[READS]
    plan = run("plan", runner, "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert backend.stats[READS] == before + 5
