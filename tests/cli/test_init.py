"""`catalogsync init DIR`: a catalog that validates, plans and applies at once, with its
schemas, .gitignore and CI workflows; nothing is ever overwritten."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from catalogsync import exitcodes
from tests.cli.workflows import CI
from tests.e2e.conftest import Run

DOCS = Path(__file__).resolve().parents[2] / "docs"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.MULTILINE)


def test_new_catalog_validates_plans_and_applies(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "shop"
    created = run("init", target)
    assert created.exit_code == 0, created.output
    for name in ("plan", "apply", "drift"):
        written = target / ".github" / "workflows" / f"catalogsync-{name}.yml"
        assert written.read_text() == (CI / "github" / f"catalogsync-{name}.yml").read_text()
    assert ".catalogsync/" in (target / ".gitignore").read_text().splitlines()
    assert run("validate", target).output.startswith(
        f"{target}: valid (1 offer, 1 shipping-rate table, 0 variant sets)"
    )
    assert run("plan", target, "--detailed-exitcode").exit_code == exitcodes.CHANGES
    assert run("apply", target, "--auto-approve").exit_code == 0
    assert run("plan", target, "--detailed-exitcode").exit_code == exitcodes.OK


def test_new_catalog_files_name_their_schemas(run: Run, tmp_path: Path) -> None:
    assert run("init", tmp_path / "shop", "--ci", "none").exit_code == 0
    files = sorted((tmp_path / "shop").rglob("*.yaml"))
    assert [f.name for f in files] == ["catalogsync.yaml", "example.yaml"]
    for file in files:
        modeline = MODELINE.search(file.read_text())
        assert modeline is not None
        schema_file = (file.parent / modeline[1]).resolve()
        assert schema_file.read_text() == (DOCS / schema_file.name).read_text()
        jsonschema.validate(yaml.safe_load(file.read_text()), json.loads(schema_file.read_text()))
    assert not (tmp_path / "shop" / ".github").exists()


def test_gitlab_ci_file(run: Run, tmp_path: Path) -> None:
    assert run("init", tmp_path / "shop", "--ci", "gitlab").exit_code == 0
    written = (tmp_path / "shop" / ".gitlab-ci.yml").read_text()
    assert written == (CI / "gitlab" / "gitlab-ci.yml").read_text()
    assert not (tmp_path / "shop" / ".github").exists()


@pytest.mark.parametrize("existing", ["catalogsync.yaml", ".gitignore", "offers/example.yaml"])
def test_init_never_overwrites_and_then_writes_nothing(
    run: Run, tmp_path: Path, existing: str
) -> None:
    target = tmp_path / "shop"
    (target / existing).parent.mkdir(parents=True)
    (target / existing).write_text("mine\n")
    refused = run("init", target)
    assert refused.exit_code == exitcodes.FAILED
    assert str(target / existing) in refused.output and "never overwrites" in refused.output
    assert (target / existing).read_text() == "mine\n"
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()) == [
        existing
    ]
