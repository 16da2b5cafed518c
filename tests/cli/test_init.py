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
    assert "catalogsync.lock merge=union text eol=lf" in (
        target / ".gitattributes").read_text().splitlines()
    assert (target / "catalogsync-requirements.txt").read_text().startswith(
        "# catalogsync for this catalog's CI jobs")
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


@pytest.mark.parametrize("existing", ["catalogsync.yaml", "offers/example.yaml",
                                      "catalogsync-requirements.txt"])
def test_init_never_overwrites_says_what_it_skipped_and_writes_the_rest(
    run: Run, tmp_path: Path, existing: str
) -> None:
    target = tmp_path / "shop"
    (target / existing).parent.mkdir(parents=True)
    (target / existing).write_text("mine\n")
    done = run("init", target)
    assert done.exit_code == 0, done.output
    assert f"skipped {target / existing} (exists: init never overwrites)" in done.output
    assert "(1 files skipped, listed above)" in done.output
    assert (target / existing).read_text() == "mine\n"
    assert (target / ".github" / "workflows" / "catalogsync-apply.yml").exists()
    assert (target / "schemas" / "catalog.schema.json").exists()
    # an existing catalog gets no example offer added to it
    assert (target / "offers" / "example.yaml").exists() is (existing != "catalogsync.yaml")


def test_init_adds_missing_lines_to_an_existing_gitignore_and_gitattributes(
    run: Run, tmp_path: Path
) -> None:
    target = tmp_path / "shop"
    target.mkdir()
    (target / ".gitignore").write_text("node_modules/\n*.plan.json")  # no final newline
    (target / ".gitattributes").write_text("*.png binary\n")
    done = run("init", target)
    assert done.exit_code == 0, done.output
    ignore = (target / ".gitignore").read_text().splitlines()
    assert ignore[:2] == ["node_modules/", "*.plan.json"]
    assert ".catalogsync/" in ignore and ignore.count("*.plan.json") == 1
    attributes = (target / ".gitattributes").read_text().splitlines()
    assert attributes[0] == "*.png binary" and "catalogsync.lock merge=union text eol=lf" in (
        attributes)
    assert f"added to {target / '.gitattributes'}: catalogsync.lock merge=union" in done.output
    again = run("init", target)  # nothing more to add
    assert f"kept {target / '.gitignore'} (has every line catalogsync needs)" in again.output
    assert (target / ".gitignore").read_text().splitlines() == ignore


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_init_in_a_folder_of_a_repository_puts_the_workflows_where_the_platform_reads_them(
    run: Run, tmp_path: Path, ci: str
) -> None:
    repository = tmp_path / "repo"
    (repository / ".git").mkdir(parents=True)
    target = repository / "catalogs" / "shop"
    done = run("init", target, "--ci", ci)
    assert done.exit_code == 0, done.output
    assert f"inside the git repository {repository}" in done.output
    assert "CATALOG_DIR: catalogs/shop" in done.output
    assert not (target / ".github").exists() and not (target / ".gitlab-ci.yml").exists()
    written = sorted((repository / ".github" / "workflows").glob("*.yml")) if ci == "github" \
        else [repository / ".gitlab-ci.yml"]
    assert written
    for file in written:
        data = yaml.safe_load(file.read_text())
        assert data["variables" if ci == "gitlab" else "env"]["CATALOG_DIR"] == "catalogs/shop"
    assert (target / "catalogsync.yaml").exists() and (target / ".gitattributes").exists()
