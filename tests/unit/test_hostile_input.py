"""Catalog input that must not hurt: alias bombs, deep nesting, files outside the catalog,
names too long. Each gets a located message, never a traceback or unbounded work."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from catalogsync.catalog.limits import IMAGE_MAX_BYTES
from catalogsync.catalog.loader import load_catalog
from catalogsync.errors import CatalogError

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def catalog(tmp_path: Path, offers: str) -> Path:
    directory = tmp_path / "cat"
    directory.mkdir()
    (directory / "catalogsync.yaml").write_text("environment: local\n")
    (directory / "offers.yaml").write_text(offers)
    return directory


def problems(directory: Path) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_catalog(directory)
    return [str(problem) for problem in info.value.problems]


def with_images(tmp_path: Path, *images: str) -> Path:
    listed = "".join(f"      - '{image}'\n" for image in images)
    return catalog(tmp_path, f"offers:\n  MUG-1:\n    price: 9.99\n    images:\n{listed}")


def test_an_alias_bomb_is_refused_at_its_anchor(tmp_path: Path) -> None:
    levels = "".join(f"      l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9))
    bomb = (
        f"offers:\n  MUG-1:\n    parameters:\n      l0: &l0 [a, a, a, a, a, a, a, a, a]\n{levels}"
    )
    directory = catalog(tmp_path, bomb)
    assert len(bomb) < 700
    found = problems(directory)
    assert len(found) == 1
    assert found[0].startswith(f"{directory / 'offers.yaml'}:7:11: an alias to the anchor here")
    assert "at most 1000" in found[0]


def test_a_shared_block_of_defaults_is_fine(tmp_path: Path) -> None:
    text = "offers:\n  MUG-1: &mug\n    name: Kubek ceramiczny 330 ml\n    price: 9.99\n" + "".join(
        f"  MUG-{n}:\n    <<: *mug\n    stock: {n}\n" for n in range(2, 200)
    )
    loaded = load_catalog(catalog(tmp_path, text))
    assert loaded.offers["MUG-199"].stock == 199
    assert loaded.offers["MUG-199"].name == "Kubek ceramiczny 330 ml"


def test_nesting_past_the_limit_is_refused(tmp_path: Path) -> None:
    directory = catalog(tmp_path, "offers: " + "[" * 200 + "]" * 200 + "\n")
    assert problems(directory) == [
        f"{directory / 'offers.yaml'}:1:59: nested deeper than 50 levels"
    ]


def test_image_paths_outside_the_catalog_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)
    directory = with_images(tmp_path, "../secret.png", str(secret), "inside.png", "dir.png")
    os.symlink(secret, directory / "inside.png")
    (directory / "dir.png").mkdir()
    found = problems(directory)
    assert [p.split(": ", 1)[1] for p in found] == [
        "offers.MUG-1.images.0: image file ../secret.png lies outside the catalog directory; "
        "images must be inside it",
        f"offers.MUG-1.images.1: image file {secret} must be a path relative to the catalog "
        "directory",
        "offers.MUG-1.images.2: image file inside.png lies outside the catalog directory; "
        "images must be inside it",
        "offers.MUG-1.images.3: image file dir.png is not a regular file",
    ]
    assert [p.split(":")[1] for p in found] == ["5", "6", "7", "8"]


def test_image_files_must_be_supported_and_small_enough(tmp_path: Path) -> None:
    directory = with_images(tmp_path, "notes.txt", "big.jpg", "empty.png", "ok.webp")
    (directory / "notes.txt").write_text("x")
    with open(directory / "big.jpg", "wb") as big:
        big.truncate(IMAGE_MAX_BYTES + 1)
    (directory / "empty.png").write_bytes(b"")
    (directory / "ok.webp").write_bytes(PNG)
    found = [p.split(": ", 1)[1] for p in problems(directory)]
    assert found == [
        "offers.MUG-1.images.0: image file notes.txt is not a supported image file "
        "(.jpg, .jpeg, .png, .webp) nor an http(s) URL",
        f"offers.MUG-1.images.1: image file big.jpg is {IMAGE_MAX_BYTES + 1} bytes; Allegro "
        f"takes images of at most {IMAGE_MAX_BYTES} bytes",
        "offers.MUG-1.images.2: image file empty.png is empty",
    ]


def test_names_too_long_for_the_file_system_are_messages(tmp_path: Path) -> None:
    long_name = "n" * 300 + ".png"
    directory = with_images(tmp_path, long_name, "d/" * 600 + "x.png", "missing.png")
    found = [p.split(": ", 1)[1] for p in problems(directory)]
    assert found == [
        f"offers.MUG-1.images.0: image file {'n' * 60}…(304 characters) has a file or folder "
        "name longer than 255 bytes",
        f"offers.MUG-1.images.1: image file {'d/' * 30}…(1205 characters) has a path longer "
        "than 1024 bytes",
        "offers.MUG-1.images.2: image file missing.png does not exist (paths are relative to "
        "the catalog directory)",
    ]
