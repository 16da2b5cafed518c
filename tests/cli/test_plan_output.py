"""Every way a plan leaves catalogsync validates against the published docs/plan.schema.json:
stdout JSON and the saved file, for plans with changes, with errors and with none."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from catalogsync.render import COMMENT_MARKER, MARKDOWN_LIMIT
from tests.e2e.conftest import Run

PUBLISHED = Path(__file__).resolve().parents[2] / "docs" / "plan.schema.json"


def check(document: Any) -> None:
    jsonschema.Draft202012Validator(json.loads(PUBLISHED.read_text())).validate(document)


def break_r23(catalog_dir: Path) -> None:
    laptops = catalog_dir / "offers" / "laptops.yaml"
    text = laptops.read_text()
    laptops.write_text(text.replace("      parameters:\n        Pojemność dysku: 512 GB\n", ""))


@pytest.mark.parametrize("state", ["first", "errors", "applied"])
def test_json_on_stdout_and_saved_plans_validate(
    run: Run, catalog_dir: Path, tmp_path: Path, state: str
) -> None:
    if state == "applied":
        assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    if state == "errors":
        break_r23(catalog_dir)
    saved = tmp_path / "plan.json"
    result = run("plan", catalog_dir, "--format", "json", "-o", saved)
    assert result.exit_code == (1 if state == "errors" else 0), result.output
    printed = json.loads(result.stdout)
    check(printed)
    check(json.loads(saved.read_text()))
    assert bool(printed["changes"]) is (state != "applied")
    assert all(change["via"] for change in printed["changes"])
    if state == "errors":
        assert any(d["rule"] == "R23" for d in printed["diagnostics"])


def test_schema_still_refuses_what_it_does_not_describe(run: Run, catalog_dir: Path) -> None:
    printed = json.loads(run("plan", catalog_dir, "--format", "json").stdout)
    printed["changes"][0]["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        check(printed)


def test_markdown_comment_carries_the_marker_and_fits_githubs_limit(
    run: Run, catalog_dir: Path
) -> None:
    result = run("plan", catalog_dir, "--format", "markdown", "--detailed-exitcode")
    assert result.exit_code == 2
    assert result.stdout.startswith(COMMENT_MARKER + "\n")
    assert len(result.stdout) <= MARKDOWN_LIMIT < 65_536
    assert "| ➕ | offer `MUG-WHITE-330` |" in result.stdout
