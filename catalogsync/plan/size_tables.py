"""Size tables and offer contacts: the catalog's entries created or updated in place (by id;
one left out of the catalog stays as it is, and Allegro has no DELETE for either), and the
offers' `size_table` and `contact` names, checked before anything is sent.

A size table's template is fixed once it is made (`SizeTablePutRequest` has none): a catalog
that names another template for an existing table is an error, not a silent no-op. A size
table outside the categories of `SIZE_TABLE_CATEGORIES` (catalog/size_tables.py) is warned about.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from catalogsync.allegro.size_tables_wire import (
    RESOURCES,
    TEMPLATE,
    contact_body,
    table_body,
)
from catalogsync.catalog.models import Catalog, Offer
from catalogsync.catalog.size_tables import SIZE_TABLE_CATEGORIES, SizeTable
from catalogsync.live.state import LiveState
from catalogsync.plan.model import Change, Diagnostic, Resource, Severity
from catalogsync.plan.offers import Desired
from catalogsync.plan.responsible import desire_named, entry_change


def plan_size_tables(catalog: Catalog, live: LiveState) -> tuple[list[Change], list[Diagnostic]]:
    changes: list[Change] = []
    problems: list[Diagnostic] = []
    have = live.responsible.get("size_table", {})
    for name, table in catalog.size_tables.items():
        template = template_name(table, live)
        if template is None:
            known = ", ".join(sorted(live.responsible.get(TEMPLATE, {}))) or "none"
            problems.append(_error("size_table", name, f"template '{table.template}' is not one "
                                   f"of Allegro's size-table templates ({known})"))
            continue
        data = table_data(table, template)
        existing = have.get(name)
        if existing is not None and existing.data.get("template") != template:
            problems.append(_error(
                "size_table", name, f"is built from template '{existing.data.get('template')}' "
                f"on Allegro and a table's template cannot change; give the table on template "
                f"'{template}' another name"))
            continue
        template_id = None if existing else live.responsible[TEMPLATE][template].id
        change = entry_change(Resource.SIZE_TABLE, name, data, existing,
                              RESOURCES["size_table"][0], table_body(name, data, template_id))
        changes += [change] if change else []
    for name, contact in catalog.contacts.items():
        data = contact.model_dump(exclude_none=True)
        data["phones"] = list(contact.phones)
        existing = live.responsible.get("contact", {}).get(name)
        change = entry_change(Resource.CONTACT, name, data, existing, RESOURCES["contact"][0],
                              contact_body(name, data))
        changes += [change] if change else []
    return changes, problems


def template_name(table: SizeTable, live: LiveState) -> str | None:
    """The template the catalog names (by name or id), by its name; None if Allegro has none."""
    templates = live.responsible.get(TEMPLATE, {})
    if table.template in templates:
        return table.template
    return next((name for name, t in templates.items() if t.id == table.template), None)


def table_data(table: SizeTable, template: str) -> dict[str, Any]:
    return {"template": template, "headers": list(table.headers),
            "rows": [list(row) for row in table.rows]}


def desired_references(desired: Desired, offer: Offer, catalog: Catalog, live: LiveState
                       ) -> None:
    """Put the offer's size table and contact (with `defaults`) into `desired.fields`."""
    defaults = catalog.settings.defaults
    for kind, declared in (("size_table", catalog.size_tables), ("contact", catalog.contacts)):
        desire_named(desired, kind, getattr(offer, kind) or getattr(defaults, kind),
                     f"{kind}s", declared, live)
    if "size_table" in desired.fields and "size_table" not in desired.ignored:
        current = live.offers.get(desired.sku)
        category = desired.fields.get("category") or (
            current.fields.get("category") if current else None) or (
            desired.product.category if desired.product else None)
        if category is not None and category not in SIZE_TABLE_CATEGORIES:
            desired.warn(  # Allegro publishes no list through its API: a warning, not a stop
                f"size table '{desired.fields['size_table']}' in category {category}: Allegro "
                "takes size tables only in clothing and shoe categories and refuses one "
                "elsewhere ('Size table is not allowed in selected category.'); category "
                f"{category} is not among those catalogsync knows to take one")


def named_entries(catalog: Catalog, offers: Iterable[Offer]) -> dict[str, dict[str, Any]]:
    """The size tables and contacts `offers` name (a targeted plan's: `--target`)."""
    defaults = catalog.settings.defaults
    tables, contacts = {defaults.size_table}, {defaults.contact}
    for offer in offers:
        tables.add(offer.size_table)
        contacts.add(offer.contact)
    return {"size_tables": {k: v for k, v in catalog.size_tables.items() if k in tables},
            "contacts": {k: v for k, v in catalog.contacts.items() if k in contacts}}


def _error(kind: str, name: str, message: str) -> Diagnostic:
    return Diagnostic(severity=Severity.ERROR, subject=f"{kind} {name}", message=message)
