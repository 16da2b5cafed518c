"""GPSR on the account: the responsible producers and persons offers refer to, and the offers'
references to them turned from ids into names (the catalog's terms)."""

from __future__ import annotations

from dataclasses import replace

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.gpsr_wire import RESOURCES, resource_data
from catalogsync.catalog.models import Catalog
from catalogsync.live.packed import with_values
from catalogsync.live.size_tables import REFERENCE_FIELDS, read_size_tables
from catalogsync.live.state import LiveOffer, LiveResponsible

PAGE = 1000
KINDS = tuple(RESOURCES)
#: offer fields that hold an id `named` turns into a name
_NAMED = (*KINDS, *REFERENCE_FIELDS)


def uses_gpsr(catalog: Catalog) -> bool:
    """Whether the catalog names producers or persons (else nothing is read)."""
    defaults = catalog.settings.defaults
    return bool(
        catalog.responsible_producers
        or catalog.responsible_persons
        or defaults.responsible_producer
        or defaults.responsible_person
        or any(o.responsible_producer or o.responsible_person for o in catalog.offers.values())
    )


async def read_responsible(
    client: AllegroClient, catalog: Catalog
) -> dict[str, dict[str, LiveResponsible]]:
    """kind -> name -> the account's entry, for both kinds (empty if the catalog uses none),
    and the size tables and contacts offers name the same way (live/size_tables.py)."""
    others = await read_size_tables(client, catalog)
    if not uses_gpsr(catalog):
        return {kind: {} for kind in KINDS} | others
    return await read_all_responsible(client) | others


async def read_all_responsible(client: AllegroClient) -> dict[str, dict[str, LiveResponsible]]:
    """kind -> name -> the account's entry, for both kinds."""
    found: dict[str, dict[str, LiveResponsible]] = {kind: {} for kind in KINDS}
    for kind, (path, list_key, _, _) in RESOURCES.items():
        offset = 0
        while True:
            page = await client.get(path, params={"offset": offset, "limit": PAGE})
            entries = page.get(list_key) or []
            for doc in entries:
                entry = LiveResponsible(
                    id=str(doc["id"]), name=str(doc.get("name")), data=resource_data(kind, doc)
                )
                found[kind][entry.name] = entry
            offset += len(entries)
            if len(entries) < PAGE:
                break
    return found


def names_by_id(responsible: dict[str, dict[str, LiveResponsible]]) -> dict[str, str]:
    """Producer and person id -> name: what offers' references are turned into."""
    return {e.id: e.name for entries in responsible.values() for e in entries.values()}


def named(offers: dict[str, LiveOffer], names: dict[str, str]) -> dict[str, LiveOffer]:
    """Offers whose producer, person, size table and contact references are names where the
    account knows them (an offer renamed here gets its digest anew: the digest is of the
    fields as shown)."""
    if not names:  # an account without producers and persons: no offer names one
        return offers
    out = {}
    for key, offer in offers.items():
        fields = offer.fields
        changed = {kind: names[fields[kind]] for kind in _NAMED if fields.get(kind) in names}
        out[key] = (
            replace(offer, fields=with_values(fields, changed), known_digest=None) if changed
            else offer
        )
    return out
