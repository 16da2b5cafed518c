"""`catalogsync init DIR`: a new catalog repository, ready to plan and to put under CI.

Writes the settings, one example offer and its shipping-rate table, a `.gitignore` and a
`.gitattributes` (`catalogsync.lock merge=union`), the JSON Schemas the files name for editors,
`catalogsync-requirements.txt` (the catalogsync it runs, pinned: install_source.py) and the CI
workflows (catalogsync/templates/ci/, the same files the README points to). Inside an existing
repository it writes only what is missing: lines missing from `.gitignore` and
`.gitattributes` are appended, other files that exist are skipped (and said so), and the
workflows go to the repository's top, where GitHub and GitLab read them, with the catalog's
folder in `CATALOG_DIR`.
"""

from __future__ import annotations

import json
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import click

from catalogsync.catalog.schema import SCHEMA_FILES, catalog_file_schema, settings_file_schema
from catalogsync.install_source import REQUIREMENTS_FILE, requirements_text, running_pin

TEMPLATES = files("catalogsync") / "templates"
#: template -> where it goes in the catalog; the example offer only into a new catalog
CATALOG_FILES = {
    "catalog/catalogsync.yaml": "catalogsync.yaml",
    "catalog/offers/example.yaml": "offers/example.yaml",
}
#: files init adds its missing lines to
MERGED_FILES = {"catalog/gitignore": ".gitignore", "catalog/gitattributes": ".gitattributes"}
CI_FILES = {
    "github": {
        f"ci/github/catalogsync-{name}.yml": f".github/workflows/catalogsync-{name}.yml"
        for name in ("plan", "apply", "drift")
    },
    "gitlab": {"ci/gitlab/gitlab-ci.yml": ".gitlab-ci.yml"},
    "none": {},
}
#: the line of each template that names the catalog's folder
CATALOG_DIR_LINES = ("  CATALOG_DIR: .\n", '  CATALOG_DIR: "."\n')


def template(name: str) -> Traversable:
    node = TEMPLATES
    for part in name.split("/"):
        node = node / part
    return node


def repository_top(directory: Path) -> Path | None:
    """The top of the git work tree `directory` is (or will be) in, if any."""
    for folder in [directory.resolve(), *directory.resolve().parents]:
        if (folder / ".git").exists():
            return folder
    return None


def with_catalog_dir(text: str, folder: str) -> str:
    if folder == ".":
        return text
    for line in CATALOG_DIR_LINES:
        text = text.replace(line, f"  CATALOG_DIR: {json.dumps(folder)}\n", 1)
    return text


def catalog_files(existing_catalog: bool) -> dict[str, str]:
    """The catalog's own files: path relative to it -> content."""
    chosen = {"catalog/catalogsync.yaml": "catalogsync.yaml"} if existing_catalog else CATALOG_FILES
    contents = {target: template(source).read_text() for source, target in chosen.items()}
    for name, schema in zip(SCHEMA_FILES, (catalog_file_schema(), settings_file_schema()),
                            strict=True):
        contents[f"schemas/{name}"] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return contents


def missing_lines(current: str, wanted: str) -> list[str]:
    """The lines of `wanted` (comments and blanks aside) that `current` lacks."""
    have = {line.strip() for line in current.splitlines()}
    return [line for line in wanted.splitlines()
            if line.strip() and not line.startswith("#") and line.strip() not in have]


class _Writer:
    def __init__(self) -> None:
        self.skipped: list[Path] = []

    def create(self, path: Path, text: str) -> None:
        if path.exists():
            self.skipped.append(path)
            click.echo(f"  skipped {path} (exists: init never overwrites)")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        click.echo(f"  created {path}")

    def merge(self, path: Path, text: str) -> None:
        if not path.exists():
            self.create(path, text)
            return
        current = path.read_text()
        lines = missing_lines(current, text)
        if not lines:
            click.echo(f"  kept {path} (has every line catalogsync needs)")
            return
        separator = "" if current.endswith("\n") or not current else "\n"
        path.write_text(current + separator + "# catalogsync\n" + "\n".join(lines) + "\n")
        click.echo(f"  added to {path}: {', '.join(lines)}")


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--ci",
    type=click.Choice(sorted(CI_FILES)),
    default="github",
    show_default=True,
    help="Which CI's workflows to add (plan on pull requests, apply on merge, drift).",
)
def init(directory: Path, ci: str) -> None:
    """Start a catalog in DIRECTORY (the top of its git repository, for the CI files).

    Writes catalogsync.yaml, offers/example.yaml, .gitignore, .gitattributes, schemas/ for
    editors, catalogsync-requirements.txt and the CI workflows. It never overwrites: in an
    existing repository it appends missing lines to .gitignore and .gitattributes, skips
    files that exist, and puts the workflows at the repository's top.
    """
    writer = _Writer()
    existing_catalog = (directory / "catalogsync.yaml").exists()
    for relative, text in sorted(catalog_files(existing_catalog).items()):
        writer.create(directory / relative, text)
    for source, target in MERGED_FILES.items():
        writer.merge(directory / target, template(source).read_text())
    pin = running_pin()
    writer.create(directory / REQUIREMENTS_FILE, requirements_text(pin))
    top = repository_top(directory) or directory.resolve()
    folder = directory.resolve().relative_to(top).as_posix()
    if CI_FILES[ci] and folder != ".":
        click.echo(f"{directory} is inside the git repository {top}: the workflows go to its "
                   f"top, where {'GitHub' if ci == 'github' else 'GitLab'} reads them, with "
                   f"CATALOG_DIR: {folder}")
    for source, target in CI_FILES[ci].items():
        root = top if folder != "." else directory
        writer.create(root / target, with_catalog_dir(template(source).read_text(), folder))
    if pin.warning:
        click.echo(f"Warning: {pin.warning}", err=True)
    skipped = f" ({len(writer.skipped)} files skipped, listed above)" if writer.skipped else ""
    click.echo(
        f"A catalog in {directory}{skipped}. Next: `catalogsync plan {directory}` (against the "
        "embedded emulator until you set `environment:`, which CI needs: under CI=true plan and "
        "apply refuse `local`); the comments at the top of the workflow files list the secrets "
        "CI needs (README: \"CI step by step\")."
    )
