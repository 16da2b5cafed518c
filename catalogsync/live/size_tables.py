"""Size tables and offer contacts on the account, and the size-table templates, kept beside
the GPSR producers and persons (`LiveState.responsible`: kind -> name -> entry) so that offers'
references to them are turned from ids into names the same way (live/gpsr.py's `named`)."""

from __future__ import annotations

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.size_tables_wire import (
    RESOURCES,
    TEMPLATE,
    TEMPLATES_PATH,
    contact_data,
    table_data,
)
from catalogsync.catalog.models import Catalog
from catalogsync.live.state import LiveResponsible

#: offer fields that name an entry of these kinds
REFERENCE_FIELDS = tuple(RESOURCES)


def uses_size_tables(catalog: Catalog) -> bool:
    """Whether the catalog names size tables or contacts (else nothing is read)."""
    defaults = catalog.settings.defaults
    return bool(
        catalog.size_tables or catalog.contacts or defaults.size_table or defaults.contact
        or any(o.size_table or o.contact for o in catalog.offers.values())
    )


async def read_size_tables(client: AllegroClient, catalog: Catalog
                           ) -> dict[str, dict[str, LiveResponsible]]:
    """kind (size_table, contact, size_table_template) -> name -> the account's entry."""
    if not uses_size_tables(catalog):
        return {}
    return await read_all_size_tables(client)


async def read_all_size_tables(client: AllegroClient) -> dict[str, dict[str, LiveResponsible]]:
    templates = (await client.get(TEMPLATES_PATH)).get("templates") or []
    template_names = {str(t.get("id")): str(t.get("name")) for t in templates}
    found: dict[str, dict[str, LiveResponsible]] = {
        TEMPLATE: {name: LiveResponsible(id=i, name=name, data={})
                   for i, name in template_names.items()},
    }
    for kind, (path, list_key) in RESOURCES.items():
        entries = (await client.get(path)).get(list_key) or []
        found[kind] = {
            str(doc.get("name")): LiveResponsible(
                id=str(doc["id"]), name=str(doc.get("name")),
                data=table_data(doc, template_names) if kind == "size_table"
                else contact_data(doc))
            for doc in entries
        }
    return found
