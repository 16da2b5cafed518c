"""`validate` catches what needs only the catalog, with `file:line`: local files, R18, R11,
the description's size and HTML, the 3-word name, hidden characters in names and keys."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from catalogsync.catalog.description_html import ALLOWED_TAGS, html_problem
from catalogsync.catalog.limits import DESCRIPTION_MAX_BYTES, SAFETY_FILE_MAX_BYTES
from catalogsync.catalog.loader import load_catalog
from catalogsync.emulator.core.errors import ApiError
from catalogsync.emulator.services.offers import fields
from catalogsync.errors import CatalogError

PDF = b"%PDF-1.4\n" + b"0" * 32
INJECTION = "Kubek\n```\n</details>\n\n# INJECTED @octocat\n```diff"


def catalog(tmp_path: Path, offer: str, key: str = "MUG-1") -> Path:
    directory = tmp_path / "cat"
    directory.mkdir(exist_ok=True)
    (directory / "catalogsync.yaml").write_text("environment: local\n")
    (directory / "offers.yaml").write_text(f"offers:\n  {key}:\n{offer}", encoding="utf-8")
    return directory


def problems(directory: Path) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_catalog(directory)
    return [str(p).split(f"{directory}{os.sep}", 1)[-1] for p in info.value.problems]


def test_r18_a_description_image_missing_from_images_is_refused_at_its_line(
    tmp_path: Path,
) -> None:
    directory = catalog(tmp_path, (
        "    images: [https://a.allegroimg.com/1.jpg]\n"
        "    description:\n"
        "      - text: <p>Kubek.</p>\n"
        "      - - image: https://a.allegroimg.com/2.jpg\n"
        "        - text: <p>330 ml.</p>\n"
    ))
    (found,) = problems(directory)
    assert found.startswith("offers.yaml:6:18: offers.MUG-1.description.1.0.image: image "
                            "https://a.allegroimg.com/2.jpg is not in the offer's images")
    assert found.endswith("add it to images [R18: catalogsync explain R18]")


def test_r11_a_scheduled_activation_in_the_past_is_refused(tmp_path: Path) -> None:
    directory = catalog(tmp_path, "    scheduled_for: 2020-01-01 10:00\n")
    (found,) = problems(directory)
    assert found.startswith(
        "offers.yaml:3:20: offers.MUG-1.scheduled_for: 2020-01-01T10:00:00+01:00 is in the past"
    )
    assert load_catalog(catalog(tmp_path, "    scheduled_for: 2099-01-01 10:00\n"))


def test_a_missing_local_image_is_refused_by_validate(tmp_path: Path) -> None:
    directory = catalog(tmp_path, "    images: [zdjecia/kubek.jpg]\n")
    assert problems(directory) == [
        "offers.yaml:3:14: offers.MUG-1.images.0: image file zdjecia/kubek.jpg does not exist "
        "(paths are relative to the catalog directory)"
    ]


def test_safety_manuals_must_be_pdf_or_image_files_inside_the_catalog(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "m.pdf").write_bytes(PDF)
    directory = catalog(
        tmp_path,
        "    safety_information: [../outside/m.pdf, link.pdf, big.pdf, a.docx, none.pdf]\n",
    )
    (directory / "link.pdf").symlink_to(outside / "m.pdf")
    with (directory / "big.pdf").open("wb") as big:
        big.truncate(SAFETY_FILE_MAX_BYTES + 1)
    assert problems(directory) == [
        "offers.yaml:3:26: offers.MUG-1.safety_information.0: safety manual ../outside/m.pdf "
        "lies outside the catalog directory; files must be inside it",
        "offers.yaml:3:44: offers.MUG-1.safety_information.1: safety manual link.pdf lies "
        "outside the catalog directory; files must be inside it",
        f"offers.yaml:3:54: offers.MUG-1.safety_information.2: safety manual big.pdf is "
        f"{SAFETY_FILE_MAX_BYTES + 1} bytes; Allegro takes files of at most "
        f"{SAFETY_FILE_MAX_BYTES} bytes",
        "offers.yaml:3:63: offers.MUG-1.safety_information.3: safety manual a.docx is not a "
        "supported file (.pdf, .jpg, .jpeg, .png)",
        "offers.yaml:3:71: offers.MUG-1.safety_information.4: safety manual none.pdf does not "
        "exist (paths are relative to the catalog directory)",
    ]


def test_defaults_safety_manuals_are_checked_in_the_settings_file(tmp_path: Path) -> None:
    directory = catalog(tmp_path, "    price: 9.99\n")
    (directory / "catalogsync.yaml").write_text(
        "environment: local\ndefaults:\n  safety_information: [../m.pdf]\n"
    )
    assert problems(directory) == [
        "catalogsync.yaml:3:24: defaults.safety_information.0: safety manual ../m.pdf lies "
        "outside the catalog directory; files must be inside it"
    ]


def test_a_description_over_the_limit_is_refused_by_validate(tmp_path: Path) -> None:
    text = "<p>" + "ż" * (DESCRIPTION_MAX_BYTES // 2) + "</p>"
    directory = catalog(tmp_path, f"    description:\n      - text: {text}\n")
    (found,) = problems(directory)
    assert found.startswith("offers.yaml:4:7: offers.MUG-1.description: is 40")
    assert f"Allegro takes at most {DESCRIPTION_MAX_BYTES}: shorten the text" in found


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<p><i>Kubek</i></p>", "<i> is not allowed inside <p>; Allegro allows there only <b>"),
        ("<div>Kubek</div>", "<div> is not allowed at the top level"),
        ('<p style="color:red">Kubek</p>', "<p> has the attribute style; Allegro allows no "
                                           "attributes"),
        ('<p><b class="x">Kubek</b></p>', "<b> has the attribute class"),
        ("<ul><li><b>330 ml</b></li></ul><h2>Opis</h2>", None),
    ],
)
def test_description_html_outside_allegros_subset_is_refused_by_validate(
    tmp_path: Path, text: str, message: str | None
) -> None:
    directory = catalog(tmp_path, f"    description:\n      - text: '{text}'\n")
    if message is None:
        assert load_catalog(directory).offers["MUG-1"].description
        return
    (found,) = problems(directory)
    assert found.startswith("offers.yaml:4:15: offers.MUG-1.description.0.text: " + message)


def test_the_emulator_refuses_what_validate_refuses_from_the_same_table() -> None:
    assert set(ALLEGRO_TOP := ALLOWED_TAGS[None]) == {"h1", "h2", "p", "ul", "ol"}
    for content in ("<p><i>Kubek</i></p>", '<p style="x">Kubek</p>', "<div>x</div>"):
        problem = html_problem(content)
        assert problem is not None
        with pytest.raises(ApiError) as refused:
            fields.item({"type": "TEXT", "content": content}, "description.sections[0].items[0]")
        assert refused.value.errors[0]["message"] == problem.message
    assert fields.item({"type": "TEXT", "content": "<h1>x</h1>"}, "p") and ALLEGRO_TOP


@pytest.mark.parametrize("name", ["Kubekceramiczny biały", "Kubek-ceramiczny-biały-330"])
def test_an_offer_name_needs_three_words_in_validate_and_the_emulator(
    tmp_path: Path, name: str
) -> None:
    (found,) = problems(catalog(tmp_path, f"    name: {name}\n"))
    assert found.startswith("offers.yaml:3:11: offers.MUG-1.name: has ")
    assert "Allegro wants at least 3, separated by spaces" in found
    with pytest.raises(ApiError) as refused:
        fields.name(name)
    assert refused.value.errors[0]["path"] == "name"
    assert fields.name("Kubek ceramiczny biały") == "Kubek ceramiczny biały"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        (INJECTION, "\\n"),
        ("Kubek\x1b]0;pwned\x07 ceramiczny", "\\x1b, \\x07"),
        ("Kubek \u202eLM 033\u202c biały", "\\u202e, \\u202c"),
        ("Kubek\u200b ceramiczny biały", "\\u200b"),
    ],
)
def test_names_and_keys_with_hidden_characters_are_refused_at_their_line(
    tmp_path: Path, name: str, shown: str
) -> None:
    quoted = name.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
    quoted = quoted.encode("unicode_escape").decode().replace("\\\\", "\\")
    directory = catalog(tmp_path, f'    name: "{quoted}"\n', key=f'"MUG-1{quoted}"')
    found = problems(directory)
    assert len(found) == 2, found
    key, value = sorted(found)
    assert key.startswith("offers.yaml:2:3: offers.MUG-1") and f"contains {shown}" in key
    assert value.startswith("offers.yaml:3:11: ") and f"name: contains {shown}" in value
    assert all(c.isprintable() for c in "".join(found)), found


def test_offer_checks_report_with_the_other_offers_problems_at_once(tmp_path: Path) -> None:
    directory = catalog(tmp_path, "    price: 49,99\n")
    with (directory / "offers.yaml").open("a") as offers:
        offers.write("  MUG-2:\n    images: [brak.jpg]\n")
    assert [p.split(": ", 2)[1] for p in problems(directory)] == [
        "offers.MUG-1.price", "offers.MUG-2.images.0"
    ]
