"""Names Allegro holds (anyone with access to the account writes them) reach the plan a
reviewer reads, and the import's output, escaped: they cannot forge either."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run, offer_ids

SELLER = "1000001"
INJECTION = "Kubek\n```\n</details>\n\n# INJECTED @octocat\n```diff"
HIDDEN = "Kubek\x1b]0;pwned\x07 \u202eLM 033\u202c\u200b biały"


@pytest.mark.parametrize("live_name", [INJECTION, HIDDEN])
def test_a_name_changed_on_allegro_is_shown_escaped_in_every_plan_format(
    run: Run, catalog_dir: Path, backend: Backend, live_name: str
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    backend.offers.patch(SELLER, offer_ids(catalog_dir)["MUG-WHITE-330"], {"name": live_name})
    for fmt in ("text", "markdown"):
        result = run("plan", catalog_dir, "--format", fmt)
        assert result.exit_code == 0, result.output
        assert "name: Kubek" in result.output
        assert live_name not in result.output
        assert "\n# INJECTED" not in result.output
        assert not any(c in result.output for c in "\x1b\x07\u202e\u202c\u200b")
    markdown = run("plan", catalog_dir, "--format", "markdown").output
    assert "Kubek\\n```\\n</details>" in markdown or "\\x1b]0;pwned\\x07" in markdown


def test_import_leaves_a_live_name_with_hidden_characters_unmanaged_and_says_so_escaped(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    mug = offer_ids(catalog_dir)["MUG-WHITE-330"]
    backend.offers.patch(SELLER, mug, {"external": None, "name": HIDDEN})
    adopted = tmp_path / "adopted"
    imported = run("import", adopted, "--offer-id", mug)
    assert imported.exit_code == 0, imported.output
    assert not any(c in imported.output for c in "\x1b\x07\u202e\u202c\u200b")
    assert "name left unmanaged: Value error, contains \\x1b, \\x07" in imported.output
    assert run("validate", adopted).exit_code == 0  # the catalog import wrote loads


@pytest.mark.parametrize("name", [INJECTION, HIDDEN, "Kubek <!-- ukryte", "Kubek </details> biały"])
def test_validate_refuses_an_injected_name_at_its_line_or_plans_it_escaped(
    run: Run, catalog_dir: Path, name: str
) -> None:
    mugs = catalog_dir / "offers" / "mugs.yaml"
    quoted = name.encode("unicode_escape").decode().replace('"', '\\"')
    mugs.write_text(mugs.read_text().replace(
        "    name: Kubek ceramiczny biały 330 ml\n", f'    name: "{quoted}"\n', 1))
    result = run("validate", catalog_dir)
    if name in (INJECTION, HIDDEN):  # hidden characters: refused where they stand
        assert result.exit_code == 1
        assert f"{mugs}:5:11: offers.MUG-WHITE-330.name: contains " in result.output
        assert not any(c in result.output for c in "\x1b\x07\u202e\u202c\u200b")
        assert "\n# INJECTED" not in result.output
        markdown = run("plan", catalog_dir, "--format", "markdown").output
        assert "\n# INJECTED" not in markdown and "</details>" not in markdown
        return
    assert result.exit_code == 0, result.output  # visible text: a name may say anything…
    markdown = run("plan", catalog_dir, "--format", "markdown").output
    body = markdown.split("```")[0]  # …and outside code it is escaped
    assert "<!--" not in body.replace("<!-- catalogsync-plan -->", "")
    assert body.count("</details>") == 0
