"""JSON Schemas of catalog files, for editors (yaml-language-server) and other tools.

Two documents: `settings.schema.json` for `catalogsync.yaml` (settings, and the sections it
may hold too) and `catalog.schema.json` for every other YAML file of a catalog (the sections
`offers`, `shipping_rates`, `variant_sets`). Both come from the models in catalog/models.py;
`python -m catalogsync.catalog.schema DIR` writes them and a test keeps docs/ in step.
The loader stays the authority: it also checks references between files and category
parameters, which no schema can.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from catalogsync.catalog.models import Catalog

SCHEMA_FILES = ("catalog.schema.json", "settings.schema.json")
_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _base() -> dict[str, Any]:
    return Catalog.model_json_schema(mode="validation")


def catalog_file_schema() -> dict[str, Any]:
    base = _base()
    sections = {k: v for k, v in base["properties"].items() if k != "settings"}
    return _document(
        base["$defs"],
        sections,
        "A catalogsync catalog file: any of the sections offers (keyed by external id), "
        "shipping_rates, variant_sets, GPSR producers and persons, size_tables and contacts "
        "(keyed by name).",
    )


def settings_file_schema() -> dict[str, Any]:
    base = _base()
    settings = base["$defs"]["Settings"]["properties"]
    sections = {k: v for k, v in base["properties"].items() if k != "settings"}
    return _document(
        base["$defs"],
        {**settings, **sections},
        "catalogsync.yaml: where the catalog goes (environment, marketplace), what offers "
        "default to, the safety limits, pruning; it may hold catalog sections too.",
    )


def _document(defs: dict[str, Any], properties: dict[str, Any], about: str) -> dict[str, Any]:
    return {
        "$schema": _DRAFT,
        "title": about.split(":")[0],
        "description": about,
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "$defs": _used(defs, properties),
    }


def _used(defs: dict[str, Any], root: Any) -> dict[str, Any]:
    """The definitions `root` refers to, directly or through other definitions."""
    wanted: set[str] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                name = ref.removeprefix("#/$defs/")
                if name not in wanted:
                    wanted.add(name)
                    pending.append(defs[name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return {name: defs[name] for name in sorted(wanted)}


def write_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in zip(SCHEMA_FILES, (catalog_file_schema(), settings_file_schema()),
                            strict=True):
        path = directory / name
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_schemas(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")):
        print(written_path)
