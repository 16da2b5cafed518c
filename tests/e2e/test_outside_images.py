"""Images named by an outside URL: Allegro keeps a copy on its image host and shows the copy's
URL, so catalogsync asks for the copy itself, remembers source URL -> copy and compares by source
(a plan after apply is clean; a new source URL is copied again)."""

from __future__ import annotations

from pathlib import Path

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run, offer_id

SHOP = "https://sklep.example/zdjecia/kubek-bialy.jpg"


def use_outside_image(catalog_dir: Path, url: str = SHOP) -> None:
    """MUG-WHITE-330's second image, in the gallery and in its description, from the shop."""
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace(
        "https://a.allegroimg.com/original/11a1b2/kubek-bialy-2.jpg", url))


def test_outside_image_is_copied_once_and_the_plan_settles(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    use_outside_image(catalog_dir)
    first = run("apply", catalog_dir, "--auto-approve")
    assert first.exit_code == 0, first.output
    assert backend.stats["POST /sale/images"] == 1  # one copy for the gallery and description

    for _ in range(2):
        again = run("plan", catalog_dir, "--detailed-exitcode")
        assert again.exit_code == 0, again.output
        settled = run("apply", catalog_dir, "--auto-approve")
        assert settled.exit_code == 0, settled.output
    assert backend.stats["POST /sale/images"] == 1

    lock = (catalog_dir / ".catalogsync" / "catalogsync.lock").read_text()
    assert f'image "{SHOP}" "https://a.allegroimg.com/original/' in lock
    offer = backend.offers.get("1000001", offer_id(catalog_dir, "MUG-WHITE-330"))
    assert SHOP not in str(offer)  # Allegro shows its copy, not the shop's URL


def test_changed_source_url_is_copied_again(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    use_outside_image(catalog_dir)
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace(SHOP, SHOP.replace("bialy", "bialy-nowy")))
    changed = run("plan", catalog_dir)
    assert changed.exit_code == 0, changed.output
    assert "catalogsync-upload:https://sklep.example/zdjecia/kubek-bialy-nowy.jpg" in changed.output
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    assert backend.stats["POST /sale/images"] == 2
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0


def test_a_state_that_knows_the_copy_plans_no_upload_from_a_fresh_clone(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    use_outside_image(catalog_dir)
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    for state in (catalog_dir / ".catalogsync").glob("state-*"):
        state.unlink()  # only the lock file knows the copy now
    fresh = run("plan", catalog_dir, "--detailed-exitcode")
    assert fresh.exit_code == 0, fresh.output


def test_import_of_offers_with_copied_images_round_trips(
    run: Run, catalog_dir: Path, tmp_path: Path
) -> None:
    use_outside_image(catalog_dir)
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    adopted = tmp_path / "adopted"
    imported = run("import", adopted)
    assert imported.exit_code == 0, imported.output
    written = "".join(p.read_text() for p in (adopted / "offers").glob("*.yaml"))
    assert SHOP not in written  # the account has Allegro's copy; import writes what it has
    planned = run("plan", adopted, "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
