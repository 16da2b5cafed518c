"""Size tables and offer contacts as `catalogsync import` writes them (pure): every entry of
the account the catalog does not declare yet, in one file, and offers naming theirs.

One the catalog would refuse (a contact with neither e-mail nor phone, a table with an empty
cell) is left out with a note; offers still name it, as it is on Allegro.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from catalogsync.allegro.size_tables_wire import RESOURCES
from catalogsync.catalog.size_tables import OfferContact, SizeTable
from catalogsync.live.state import LiveResponsible

#: kind -> the catalog section, and the model the loader reads it with
SECTIONS: dict[str, tuple[str, type[BaseModel]]] = {
    "size_table": ("size_tables", SizeTable),
    "contact": ("contacts", OfferContact),
}


def named_references(live: dict[str, Any], account: dict[str, dict[str, LiveResponsible]],
                     without: frozenset[str]) -> dict[str, str]:
    """An offer's size table and contact (canonical fields hold ids) by name."""
    out = {}
    for kind in RESOURCES:
        names = {e.id: name for name, e in account.get(kind, {}).items()}
        if kind in live and kind not in without and live[kind] in names:
            out[kind] = names[live[kind]]
    return out


def sections(account: dict[str, dict[str, LiveResponsible]], declared: dict[str, set[str]]
             ) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """`size_tables:` and `contacts:` with the account's entries the catalog lacks."""
    out: dict[str, dict[str, Any]] = {}
    notes = []
    for kind, (section, model) in SECTIONS.items():
        for name, entry in sorted(account.get(kind, {}).items()):
            if name in declared.get(section, set()):
                continue
            try:
                data = model.model_validate(entry.data).model_dump(mode="json", exclude_none=True)
            except ValidationError as exc:
                error = exc.errors(include_url=False)[0]
                notes.append(f"{kind.replace('_', ' ')} {name} left out of the catalog (offers "
                             f"name it as it is on Allegro): {error['msg']}")
                continue
            if not data.get("phones"):
                data.pop("phones", None)
            out.setdefault(section, {})[name] = data
    return out, notes
