"""The plan's diagnostics about a catalog entry, located at the entry's `file:line:column`,
as `catalogsync validate` locates its problems (the loader records where each entry is)."""

from __future__ import annotations

from collections.abc import Iterable

from catalogsync.catalog.models import Catalog
from catalogsync.plan.model import Diagnostic

#: A diagnostic's subject word -> the catalog section its key is in.
_SECTIONS = {
    "offer": "offers",
    "shipping_rates": "shipping_rates",
    "variant_set": "variant_sets",
    "responsible_producer": "responsible_producers",
    "responsible_person": "responsible_persons",
    "return_policy": "return_policies",
    "implied_warranty": "implied_warranties",
    "warranty": "warranties",
    "size_table": "size_tables",
    "contact": "contacts",
    "price_rule": "price_rules",
}


def located(diagnostics: Iterable[Diagnostic], catalog: Catalog) -> tuple[Diagnostic, ...]:
    out = []
    for diagnostic in diagnostics:
        kind, _, key = diagnostic.subject.partition(" ")
        section = _SECTIONS.get(kind)
        where = catalog.origin(section, key) if section and key else None
        out.append(diagnostic.model_copy(update={"where": where}) if where else diagnostic)
    return tuple(out)
