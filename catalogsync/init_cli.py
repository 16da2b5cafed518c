"""`catalogsync init DIR`: a new catalog repository, ready to plan and to put under CI.

Writes the settings, one example offer and its shipping-rate table, a `.gitignore`, the JSON
Schemas the files name for editors, and the CI workflows (catalogsync/templates/ci/, the same
files the README points to). It never overwrites a file: if any exists, it writes nothing.
"""

from __future__ import annotations

import json
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import click

from catalogsync.catalog.schema import SCHEMA_FILES, catalog_file_schema, settings_file_schema
from catalogsync.errors import ConfigError

TEMPLATES = files("catalogsync") / "templates"
#: template -> where it goes in the new catalog
CATALOG_FILES = {
    "catalog/catalogsync.yaml": "catalogsync.yaml",
    "catalog/offers/example.yaml": "offers/example.yaml",
    "catalog/gitignore": ".gitignore",
}
CI_FILES = {
    "github": {
        f"ci/github/catalogsync-{name}.yml": f".github/workflows/catalogsync-{name}.yml"
        for name in ("plan", "apply", "drift")
    },
    "gitlab": {"ci/gitlab/gitlab-ci.yml": ".gitlab-ci.yml"},
    "none": {},
}


def template(name: str) -> Traversable:
    node = TEMPLATES
    for part in name.split("/"):
        node = node / part
    return node


def new_catalog(ci: str) -> dict[str, str]:
    """Every file of a new catalog: path relative to it -> content."""
    chosen = {**CATALOG_FILES, **CI_FILES[ci]}
    contents = {target: template(source).read_text() for source, target in chosen.items()}
    for name, schema in zip(SCHEMA_FILES, (catalog_file_schema(), settings_file_schema()),
                            strict=True):
        contents[f"schemas/{name}"] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return contents


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

    Writes catalogsync.yaml, offers/example.yaml, .gitignore, schemas/ for editors and the
    CI workflows; refuses, writing nothing, if any of these files exists already.
    """
    contents = new_catalog(ci)
    existing = sorted(p for p in contents if (directory / p).exists())
    if existing:
        raise ConfigError(
            "\n".join(
                [
                    *(f"  {directory / p}" for p in existing),
                    f"{directory}: {len(existing)} of the files init writes exist already "
                    "(listed above); init never overwrites: move them away or pick another "
                    "directory",
                ]
            )
        )
    for relative, text in sorted(contents.items()):
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        click.echo(f"  created {path}")
    click.echo(
        f"A new catalog in {directory}. Next: `catalogsync plan {directory}` (against the "
        "embedded emulator until you set `environment:`), then see the workflow files for "
        "the secrets CI needs."
    )
