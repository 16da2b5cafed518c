"""`moved_from`: an offer's earlier external ids, checked against the rest of the catalog;
a table's, producer's or person's earlier name.

A rename keeps the Allegro offer (its sales history and ratings) and changes its external id;
the old key must be gone from the catalog, and only one offer can take it over. A renamed
table, producer or person keeps its Allegro id; offers must name it by its new name."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from catalogsync.catalog.diagnostics import Issue
from catalogsync.catalog.records import Offer


def moved_issues(
    offers: Mapping[str, Offer], origins: Mapping[Any, tuple[Path, int, int]]
) -> list[Issue]:
    """A `moved_from` that names an offer the catalog still has, or one another offer claims
    too, at the `moved_from` of the offer (the second one, for a key claimed twice)."""
    issues = []
    claimed: dict[str, str] = {}
    for sku, offer in offers.items():
        path = ("offers", sku, "moved_from")
        for old in offer.moved_from:
            if old in offers:
                issues.append(Issue(origins[sku][0], path, f"'{old}' is still an offer of the "
                                    "catalog; a rename takes the old key out of it"))
            elif old in claimed and claimed[old] != sku:
                issues.append(Issue(origins[sku][0], path, f"'{old}' is claimed by offer "
                                    f"'{claimed[old]}' too; one offer takes over an old key"))
            else:
                claimed[old] = sku
    return issues


def renamed_issues(
    sections: Mapping[str, Mapping[Any, Any]],
    origins: Mapping[str, Mapping[Any, tuple[Path, int, int]]],
) -> list[Issue]:
    """A table's, producer's or person's `moved_from` naming an entry the catalog still has,
    or one another entry of the section claims too (at the second one)."""
    issues = []
    for section in ("shipping_rates", "responsible_producers", "responsible_persons"):
        entries = sections.get(section) or {}
        claimed: dict[str, Any] = {}
        for name, entry in entries.items():
            if not isinstance(entry, dict):
                continue  # pydantic reports the shape
            key = "moved_from" if "moved_from" in entry else "renamed_from"
            old = entry.get(key)
            if not isinstance(old, str):
                continue
            path = (section, name, key)
            if old in entries:
                issues.append(Issue(origins[section][name][0], path, f"'{old}' is still in "
                                    f"{section}; a rename takes the old name out of it"))
            elif old in claimed:
                issues.append(Issue(origins[section][name][0], path, f"'{old}' is claimed by "
                                    f"'{claimed[old]}' too; one entry takes over an old name"))
            else:
                claimed[old] = name
    return issues


def moved_keys(offers: Mapping[str, Offer]) -> dict[str, str]:
    """Old external id -> the catalog key that took it over."""
    return {old: sku for sku, offer in offers.items() for old in offer.moved_from}


def old_name(entry: Any) -> str | None:
    """A table's, producer's or person's name on Allegro before a rename (`moved_from`;
    `renamed_from` is a table's older spelling)."""
    return getattr(entry, "moved_from", None) or getattr(entry, "renamed_from", None)


def renamed_to(old: str, entries: Mapping[str, Any]) -> str | None:
    """The name of the table, producer or person of `entries` that was `old` before a rename
    (`moved_from`): an offer naming `old` must name it by its new name."""
    for name, entry in entries.items():
        if old_name(entry) == old:
            return name
    return None


def renamed_message(what: str, old: str, new: str) -> str:
    return f"{what} '{old}' was renamed to '{new}'; refer to it by its new name"
