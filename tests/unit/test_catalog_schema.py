"""The published JSON Schemas of catalog files match the models, the examples use them
(yaml-language-server modelines), and they judge a file as the loader does."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from catalogsync.catalog.loader import load_catalog
from catalogsync.catalog.schema import SCHEMA_FILES, catalog_file_schema, settings_file_schema
from catalogsync.errors import CatalogError

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXAMPLE = ROOT / "examples" / "catalog"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.MULTILINE)


def schema_for(file: Path) -> str:
    return SCHEMA_FILES[1] if file.name == "catalogsync.yaml" else SCHEMA_FILES[0]


def test_published_schemas_are_up_to_date() -> None:
    for name, schema in zip(SCHEMA_FILES, (catalog_file_schema(), settings_file_schema()),
                            strict=True):
        assert json.loads((DOCS / name).read_text()) == schema, (
            "regenerate: python -m catalogsync.catalog.schema docs"
        )


@pytest.mark.parametrize(
    "file", sorted(EXAMPLE.rglob("*.yaml")), ids=lambda f: str(f.relative_to(EXAMPLE))
)
def test_every_example_names_its_schema_and_is_valid_under_it(file: Path) -> None:
    modeline = MODELINE.search(file.read_text())
    assert modeline is not None, f"{file}: no yaml-language-server modeline"
    schema_path = (file.parent / modeline[1]).resolve()
    assert schema_path == DOCS / schema_for(file)
    jsonschema.Draft202012Validator(json.loads(schema_path.read_text())).validate(
        yaml.safe_load(file.read_text())
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("    stock: 40\n", "    stok: 40\n"),  # a typo in a key
        ("handling_time: PT24H", "handling_time: 24h"),  # a value Allegro does not know
        ("    price: 29.99\n", "    price: [29.99]\n"),
    ],
)
def test_schema_and_loader_both_refuse_a_mistake(
    tmp_path: Path, before: str, after: str
) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, catalog, ignore=shutil.ignore_patterns(".catalogsync"))
    edited = next(
        f for f in (catalog / "offers" / "mugs.yaml", catalog / "catalogsync.yaml")
        if before in f.read_text()
    )
    edited.write_text(edited.read_text().replace(before, after, 1))
    schema = json.loads((DOCS / schema_for(edited)).read_text())
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(
        yaml.safe_load(edited.read_text())
    ))
    assert errors
    with pytest.raises(CatalogError):
        load_catalog(catalog)
