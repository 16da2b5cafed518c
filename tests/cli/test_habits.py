"""Terraform's and the Python CLI world's habits: global options anywhere, NO_COLOR, one
exit-code table, saved plans applied without a second question, --target checked."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from catalogsync import exitcodes
from catalogsync.progress import TerminalProgress
from catalogsync.runs import options as cli_options
from tests.e2e.conftest import Run

README = Path(__file__).resolve().parents[2] / "README.md"


def test_global_options_are_accepted_after_the_subcommand(run: Run, catalog_dir: Path) -> None:
    before = run("-v", "plan", catalog_dir, "--detailed-exitcode")
    after = run("plan", catalog_dir, "--detailed-exitcode", "-v", "--no-color")
    assert before.exit_code == after.exit_code == exitcodes.CHANGES, after.output
    for result in (before, after):
        assert "catalogsync.http: GET /sale/shipping-rates -> 200" in result.output
    assert run("validate", catalog_dir, "--verbose").exit_code == 0
    assert run("auth", "status", "--no-color").exit_code in (0, 1)


def test_import_names_the_environment_with_env_as_auth_login_does(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no stored login
    for flag in ("--env", "--environment"):
        result = run("import", tmp_path / flag.strip("-"), flag, "production")
        assert result.exit_code == exitcodes.FAILED, result.output
        assert "not logged in to Allegro production" in result.output


@pytest.mark.parametrize(
    ("flags", "environ", "coloured"),
    [((), {}, True), (("--no-color",), {}, False), ((), {"NO_COLOR": "1"}, False)],
)
def test_colour_on_a_terminal_unless_no_color(
    run: Run,
    catalog_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    flags: tuple[str, ...],
    environ: dict[str, str],
    coloured: bool,
) -> None:
    monkeypatch.setattr(cli_options, "on_terminal", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    result = run("plan", catalog_dir, *flags)
    assert result.exit_code == 0, result.output
    assert ("\x1b[" in result.output) is coloured


def test_usage_mistakes_exit_64_never_2(run: Run, catalog_dir: Path) -> None:
    unknown = run("plan", catalog_dir, "--detailed-exitcode", "--nope")
    assert unknown.exit_code == exitcodes.USAGE
    assert "No such option" in unknown.output
    assert run("plan", catalog_dir / "missing", "--detailed-exitcode").exit_code == 64
    assert run("plna", catalog_dir).exit_code == 64
    assert run("--nope", "plan", catalog_dir).exit_code == 64
    assert run("auth", "status", "--env", "nowhere").exit_code == 64


def test_an_invalid_catalog_is_blocked_under_detailed_exitcode(
    run: Run, catalog_dir: Path
) -> None:
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace("    stock: 40\n", "    stok: 40\n"))
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == exitcodes.BLOCKED
    assert run("plan", catalog_dir).exit_code == exitcodes.FAILED
    assert run("validate", catalog_dir).exit_code == exitcodes.FAILED


def test_markdown_plan_that_fails_still_gives_the_comment_body(
    run: Run, catalog_dir: Path
) -> None:
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace("    stock: 40\n", "    stok: 40\n"))
    result = run("plan", catalog_dir, "--format", "markdown", "--detailed-exitcode")
    assert result.exit_code == exitcodes.BLOCKED
    assert result.stdout.startswith("<!-- catalogsync-plan -->\n### catalogsync plan failed")
    assert f"{mugs}:" in result.stdout and "did you mean 'stock'" in result.stdout


def test_readme_exit_code_table_is_the_one_the_code_uses() -> None:
    rows = re.findall(r"^\| `(\d+)` \| (.+) \|$", README.read_text(), flags=re.MULTILINE)
    assert [(int(code), text) for code, text in rows] == list(exitcodes.TABLE)


def test_saved_plan_applies_without_a_second_question(
    run: Run, catalog_dir: Path, tmp_path: Path
) -> None:
    saved = tmp_path / "reviewed.plan.json"
    assert run("plan", catalog_dir, "-o", saved).exit_code == 0
    # No terminal and no --auto-approve: the plan file is the approval.
    applied = run("apply", saved, "--catalog", catalog_dir)
    assert applied.exit_code == 0, applied.output
    assert "Apply finished" in applied.output
    # A directory still needs a yes.
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace("price: 29.99", "price: 34.99"))
    asked = run("apply", catalog_dir)
    assert asked.exit_code == exitcodes.FAILED and "--auto-approve" in asked.output


def test_unknown_target_is_an_error_with_suggestions(run: Run, catalog_dir: Path) -> None:
    result = run("plan", catalog_dir, "--target", "MUG-WHITE-33")
    assert result.exit_code == exitcodes.USAGE
    assert "'MUG-WHITE-33' is not an offer, table or variant set" in result.output
    assert "did you mean 'MUG-WHITE-330'" in result.output
    nothing = run("plan", catalog_dir, "--target", "NOPE-*")
    assert nothing.exit_code == exitcodes.USAGE and "matches nothing" in nothing.output


def test_glob_target_shows_its_matches_and_plans_only_them(run: Run, catalog_dir: Path) -> None:
    result = run("plan", catalog_dir, "--target", "TSHIRT-*", "--target", "Standard")
    assert result.exit_code == 0, result.output
    assert "--target 'TSHIRT-*' matches 3 keys: TSHIRT-WHITE-L, TSHIRT-WHITE-M" in result.output
    assert "+ offer TSHIRT-WHITE-S" in result.output
    assert "+ shipping_rates Standard" in result.output
    assert "offer MUG-WHITE-330" not in result.output
    assert "+ responsible_producer Fabryka Demo" in result.output  # the offers name it
    assert "Plan: 5 to create, 0 to update" in result.output


def test_from_inside_a_catalog_folder_points_at_the_catalog(
    run: Run, catalog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(catalog_dir / "offers")
    result = run("plan", ".")
    assert result.exit_code == exitcodes.FAILED
    assert "part of the catalog in .., so run `catalogsync plan ..`" in result.output
    assert "create" not in result.output
    assert os.path.samefile(Path.cwd().parent, catalog_dir)


@pytest.mark.parametrize("color", [True, False])
def test_progress_bars_follow_no_color(
    color: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich draws as on a terminal
    monkeypatch.delenv("NO_COLOR", raising=False)
    with TerminalProgress(color).phase("offer-price-change-commands", 2) as phase:
        phase.advance(2)
    assert bool(re.search(r"\x1b\[3\d+m", capsys.readouterr().out)) is color


def test_target_may_name_an_offer_removed_from_the_catalog(run: Run, catalog_dir: Path) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    (catalog_dir / "offers" / "tshirts.yaml").unlink()
    result = run("plan", catalog_dir, "--prune", "--target", "TSHIRT-WHITE-S",
                 "--allow-mass-change")
    assert result.exit_code == 0, result.output
    assert "- offer TSHIRT-WHITE-S" in result.output
    assert "TSHIRT-WHITE-M" not in result.output


def test_a_saved_plan_applied_outside_its_catalog_says_to_name_it(
    run: Run, catalog_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = tmp_path / "plan.json"
    assert run("plan", catalog_dir, "-o", saved).exit_code == 0
    monkeypatch.chdir(tmp_path)  # no catalogsync.yaml here
    refused = run("apply", saved)
    assert refused.exit_code == exitcodes.USAGE, refused.output
    assert f"apply {saved} --catalog DIR" in refused.output
    assert "defined twice" not in refused.output


def test_a_catalog_inside_a_catalog_is_not_read_as_part_of_it(run: Run, catalog_dir: Path) -> None:
    inner = catalog_dir / "other-account"
    inner.mkdir()
    (inner / "catalogsync.yaml").write_text("environment: local\n")
    (inner / "offers.yaml").write_text("offers:\n  MUG-WHITE-330: {price: 1}\n")
    result = run("validate", catalog_dir)
    assert result.exit_code == 0, result.output
