"""The account's after-sales conditions: return policies, implied warranties and warranties.

Each list is paged as the spec allows (`limit` at most 60, `offset` at most 59, so a list
shows at most 119 conditions of a kind). Return policies come whole in their list; implied
warranties and warranties as `{id, name}`, so the details of those the catalog declares (or
renames) are read one by one.
"""

from __future__ import annotations

import asyncio
from typing import Any

from catalogsync.allegro.after_sales_wire import KINDS, condition_data, declared
from catalogsync.allegro.client import AllegroClient
from catalogsync.catalog.models import Catalog
from catalogsync.live.state import LiveCondition

PAGE = 60
MAX_OFFSET = 59
Conditions = dict[str, dict[str, LiveCondition]]


def uses_after_sales(catalog: Catalog) -> bool:
    return (any(declared(catalog).values()) or catalog.settings.defaults.after_sales is not None
            or any(o.after_sales for o in catalog.offers.values()))


async def read_after_sales(
    client: AllegroClient, catalog: Catalog
) -> tuple[dict[str, dict[str, str]], Conditions]:
    """(kind -> id -> name, kind -> name -> condition), if the catalog uses any; details of
    the conditions it declares or renames."""
    if not uses_after_sales(catalog):
        return {}, {}
    wanted = {kind: set(entries) | {e.moved_from for e in entries.values() if e.moved_from}
              for kind, entries in declared(catalog).items()}
    return await read_conditions(client, wanted)


async def read_conditions(
    client: AllegroClient, wanted: dict[str, set[str]] | None = None
) -> tuple[dict[str, dict[str, str]], Conditions]:
    """Every condition of the account by kind; with details of the `wanted` names (None:
    all of them)."""
    kinds = list(KINDS)
    found = await asyncio.gather(*(_read_kind(client, k, wanted) for k in kinds))
    names = {kind: ids for kind, (ids, _) in zip(kinds, found, strict=True)}
    return names, {kind: entries for kind, (_, entries) in zip(kinds, found, strict=True)}


async def _read_kind(client: AllegroClient, kind: str, wanted: dict[str, set[str]] | None
                     ) -> tuple[dict[str, str], dict[str, LiveCondition]]:
    """(id -> name of every one listed, name -> the first of that name)."""
    path, key, whole = KINDS[kind]
    docs: dict[str, dict[str, Any]] = {}
    offset = 0
    while True:
        page = await client.get(path, params={"limit": PAGE, "offset": offset})
        batch = page.get(key) or []
        docs.update((str(d["id"]), d) for d in batch)
        if len(batch) < PAGE or offset == MAX_OFFSET:
            break
        offset = MAX_OFFSET
    out: dict[str, LiveCondition] = {}
    for doc in docs.values():
        name = str(doc.get("name") or doc["id"])
        if name not in out:  # the first of two of one name: the one offers resolve to
            out[name] = LiveCondition(id=str(doc["id"]), name=name)
    read = [c for c in out.values() if wanted is None or c.name in wanted.get(kind, set())]
    if whole:
        details = [docs[c.id] for c in read]
    else:
        details = await asyncio.gather(*(client.get(f"{path}/{c.id}") for c in read))
    for condition, doc in zip(read, details, strict=True):
        kept = {"attachment": doc["attachment"]} if doc.get("attachment") else {}
        out[condition.name] = LiveCondition(id=condition.id, name=condition.name,
                                            data=condition_data(kind, doc), kept=kept)
    return {i: str(d.get("name") or i) for i, d in docs.items()}, out
