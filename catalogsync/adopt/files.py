"""Writing an import: offers spread over files by category (at most N a file), tables and
responsible producers and persons each in their own file, `catalogsync.yaml` only for a new
catalog — and never over an existing file.

YAML goes out through PyYAML's safe dumper, which quotes every string YAML 1.1 would read
as something else (`'0755'`, `'on'`, `'5901234123457'`), so keys and EANs come back as text.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from catalogsync.adopt.account import Table
from catalogsync.adopt.entries import Entry


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # a catalog a person reads has no anchors


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:float", str(value))


_Dumper.add_representer(Decimal, _decimal)


def dump(data: dict[str, Any], header: str = "") -> str:
    text = yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
        default_flow_style=False,
    )
    return header + text


def free_path(directory: Path, stem: str, taken: set[Path]) -> Path:
    """`stem.yaml`, or `stem-2.yaml`, … : the first name no file and no earlier pick has."""
    number = 1
    while True:
        name = f"{stem}.yaml" if number == 1 else f"{stem}-{number}.yaml"
        path = directory / name
        if not path.exists() and path not in taken:
            return path
        number += 1


def offer_files(
    directory: Path, found: list[Entry], per_file: int, header: str
) -> dict[Path, str]:
    """Offers grouped by category, `per_file` at most in each file, keyed by external id."""
    by_category: dict[str, list[Entry]] = {}
    for entry in found:
        by_category.setdefault(entry.category or "none", []).append(entry)
    files: dict[Path, str] = {}
    for category, group in sorted(by_category.items()):
        group.sort(key=lambda e: e.key)
        for start in range(0, len(group), per_file):
            stem = "offers/uncategorised" if category == "none" else f"offers/category-{category}"
            path = free_path(directory, stem, set(files))
            chunk = group[start : start + per_file]
            files[path] = dump({"offers": {e.key: e.yaml() for e in chunk}}, header)
    return files


def table_file(directory: Path, tables: dict[str, Table], header: str) -> dict[Path, str]:
    if not tables:
        return {}
    data = {
        name: {"rates": [_rate(r) for r in table.rates]} for name, table in sorted(tables.items())
    }
    return {free_path(directory, "shipping_rates", set()): dump({"shipping_rates": data}, header)}


def responsible_file(
    directory: Path, sections: dict[str, dict[str, Any]], header: str
) -> dict[Path, str]:
    """`responsible_producers:` and `responsible_persons:` (GPSR) in one file."""
    if not sections:
        return {}
    data = {section: dict(sorted(entries.items())) for section, entries in sorted(sections.items())}
    return {free_path(directory, "gpsr", set()): dump(data, header)}


def sizes_file(directory: Path, sections: dict[str, dict[str, Any]], header: str
               ) -> dict[Path, str]:
    """`size_tables:` and `contacts:` in one file."""
    if not sections:
        return {}
    data = {section: dict(sorted(entries.items())) for section, entries in sorted(sections.items())}
    return {free_path(directory, "size_tables", set()): dump(data, header)}


def _rate(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "delivery_method": row["delivery_method"],
        "first_item": Decimal(str(row["first_item"]).split(" ")[0]),
        "next_item": Decimal(str(row["next_item"]).split(" ")[0]),
        "max_quantity_per_package": row["max_quantity_per_package"],
    }


def write_new(files: dict[Path, str]) -> None:
    """Create each file; refuse to touch one that exists (an import never rewrites)."""
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as out:
            out.write(text)


def variant_set_file(directory: Path, sets: dict[str, Any], header: str) -> dict[Path, str]:
    if not sets:
        return {}
    path = free_path(directory, "variant_sets", set())
    return {path: dump({"variant_sets": dict(sorted(sets.items()))}, header)}
