"""Local image files are uploaded once through POST /sale/images and then referred to by URL."""

from __future__ import annotations

from pathlib import Path

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run, local_state

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def use_local_image(catalog_dir: Path, data: bytes = PNG) -> None:
    (catalog_dir / "images").mkdir(exist_ok=True)
    (catalog_dir / "images" / "mug.png").write_bytes(data)
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(
        mugs.read_text().replace(
            "      - https://a.allegroimg.com/original/11a1b2/kubek-czarny-1.jpg",
            "      - images/mug.png",
        )
    )


def test_local_image_is_uploaded_once_and_its_url_used(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    use_local_image(catalog_dir)
    first = run("plan", catalog_dir)
    assert "catalogsync-upload:" in first.output  # shown until Allegro has the file

    applied = run("apply", catalog_dir, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert backend.stats["POST /sale/images"] == 1
    assert "allegroimg.com" in str(local_state(catalog_dir).images)

    again = run("plan", catalog_dir, "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert backend.stats["POST /sale/images"] == 1


def test_changed_image_file_is_uploaded_again(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    use_local_image(catalog_dir)
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    use_local_image(catalog_dir, PNG + b"new")
    changed = run("apply", catalog_dir, "--auto-approve")
    assert changed.exit_code == 0, changed.output
    assert "→ catalogsync-upload:" in changed.output  # the new file, until uploaded
    assert backend.stats["POST /sale/images"] == 2


def test_missing_image_file_is_a_plan_error(run: Run, catalog_dir: Path) -> None:
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(
        mugs.read_text().replace(
            "      - https://a.allegroimg.com/original/11a1b2/kubek-czarny-1.jpg",
            "      - images/nope.png",
        )
    )
    result = run("plan", catalog_dir, "--detailed-exitcode")
    assert result.exit_code == 3
    assert "image file images/nope.png does not exist" in result.output
