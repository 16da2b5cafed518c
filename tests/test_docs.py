"""What the README and docs/ promise, checked: every rule code explained with a link to
Allegro, every safety setting with its true default, links that resolve, and snippets that
are the templates' own lines."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from catalogsync.catalog.models import Safety
from catalogsync.cli.main import cli
from tests.cli.workflows import github_step

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
RULES = (ROOT / "docs" / "rules.md").read_text()
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "CHANGELOG.md"]


def rule_section(rule: str) -> str:
    start = RULES.index(f'<a id="{rule.lower()}"></a>')
    following = RULES.find('<a id="r', start + 1)
    return RULES[start: following if following != -1 else None]


@pytest.mark.parametrize("rule", [f"R{n}" for n in range(1, 27)])
def test_every_rule_is_explained_with_a_link_to_allegro(rule: str) -> None:
    section = rule_section(rule)
    assert f"### {rule} — " in section
    assert "**Allegro:**" in section and "**catalogsync:**" in section
    assert re.search(r"https://(developer\.allegro\.pl|github\.com/allegro/allegro-api)", section)


def test_every_rule_code_in_the_code_is_in_the_rules_page() -> None:
    sources = "\n".join(p.read_text() for p in (ROOT / "catalogsync").rglob("*.py"))
    used = set(re.findall(r'rule="(R\d+)"', sources))
    assert used and all(f'<a id="{r.lower()}"></a>' in RULES for r in used)


def test_every_safety_setting_is_documented_with_its_default() -> None:
    rows = dict(re.findall(r"^\| `(\w+)` \| `([^`]+)` \|", README, flags=re.MULTILINE))
    defaults = Safety()
    assert rows.keys() == Safety.model_fields.keys()
    for name, default in rows.items():
        assert yaml.safe_load(default) == getattr(defaults, name), name


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_relative_links_resolve(document: Path) -> None:
    for target in re.findall(r"\]\((?!https?://)([^)]+)\)", document.read_text()):
        path, _, anchor = target.partition("#")
        resolved = (document.parent / path) if path else document
        assert resolved.exists(), f"{document.name}: {target}"
        if anchor:
            assert f'<a id="{anchor}"></a>' in resolved.read_text(), f"{document.name}: {target}"


def test_readme_ci_snippet_is_the_apply_workflow_own() -> None:
    section = README[README.index("### Credentials in CI"):]
    start = section.index("```yaml") + len("```yaml")
    data = yaml.safe_load(section[start: section.index("```\n", start)])
    apply = yaml.safe_load((ROOT / "catalogsync/templates/ci/github/catalogsync-apply.yml")
                           .read_text())
    assert data["concurrency"] == apply["jobs"]["apply"]["concurrency"]["group"]
    assert data["env"].items() <= apply["env"].items()
    save = github_step("catalogsync-apply", "Save the rotated")
    assert " ".join(data["steps"][-1]["run"].split()) == " ".join(save["run"].split())
    assert data["steps"][0]["run"] == github_step("catalogsync-apply", "Where")["run"]
    assert data["steps"][-1]["shell"] == save["shell"]


def test_readme_says_how_the_templates_install_catalogsync() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert "catalogsync-requirements.txt" in README and 'pip install "catalogsync==' not in README
    assert f"## [{version}]" in (ROOT / "CHANGELOG.md").read_text()


def test_license_is_the_one_pyproject_names() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    license_text = (ROOT / "LICENSE").read_text()
    assert project["license"] == {"text": "MIT"} or project["license"] == "MIT"
    assert license_text.startswith("MIT License") and "catalogsync contributors" in license_text
    assert project["urls"] and project["authors"] and project["classifiers"]


def test_the_readme_command_list_is_the_cli() -> None:
    listed = set(re.findall(r"^\| `catalogsync (\w+)", README, flags=re.MULTILINE))
    help_text = CliRunner().invoke(cli, ["--help"]).output
    commands = set(re.findall(r"^  (\w+)\s", help_text.split("Commands:")[1], flags=re.MULTILINE))
    assert listed == commands
