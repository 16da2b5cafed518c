"""GPSR account resources: the catalog's responsible producers and persons, created or updated
in place (by id) when their data differ; one left out of the catalog stays as it is."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from catalogsync.allegro.gpsr_wire import RESOURCES, resource_body
from catalogsync.allegro.size_tables_wire import TEMPLATE
from catalogsync.catalog.gpsr import ResponsiblePerson, ResponsibleProducer
from catalogsync.catalog.models import Catalog
from catalogsync.catalog.moves import renamed_message, renamed_to
from catalogsync.live.state import LiveResponsible, LiveState
from catalogsync.plan.hashing import table_hash
from catalogsync.plan.model import Action, Change, FieldDiff, Request, Resource
from catalogsync.plan.offers import Desired

RESOURCE_OF = {
    "responsible_producer": Resource.RESPONSIBLE_PRODUCER,
    "responsible_person": Resource.RESPONSIBLE_PERSON,
}


def canonical(entry: ResponsibleProducer | ResponsiblePerson) -> dict[str, Any]:
    data = entry.model_dump(exclude_none=True, exclude={"moved_from"})
    return {**data, "contact": data.get("contact", {})}


def declared(catalog: Catalog) -> dict[str, dict[str, ResponsibleProducer | ResponsiblePerson]]:
    return {
        "responsible_producer": dict(catalog.responsible_producers),
        "responsible_person": dict(catalog.responsible_persons),
    }


def desire_named(desired: Desired, kind: str, name: str | None, section: str,
                 declared: Mapping[str, Any], live: LiveState) -> None:
    """Put an offer's account entry of `kind` (by `name`) into `desired.fields`; a name
    neither the catalog's `section` nor the account has is an error, with the closest one."""
    if name is None:
        return
    desired.fields[kind] = name
    on_account = live.responsible.get(kind, {})
    if name not in declared and (new := renamed_to(name, declared)):
        desired.error(renamed_message(kind.replace("_", " "), name, new))
    elif name not in declared and name not in on_account:
        hint = difflib.get_close_matches(name, sorted({*declared, *on_account}), n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
        desired.error(f"{kind.replace('_', ' ')} '{name}' is neither in the catalog "
                      f"({section}:) nor on Allegro{suggestion}")


def responsible_hash(entry: LiveResponsible) -> str:
    return table_hash(entry.id, (entry.data,))


def plan_responsible(catalog: Catalog, live: LiveState) -> list[Change]:
    changes = []
    for kind, entries in declared(catalog).items():
        path = RESOURCES[kind][0]
        for name, entry in entries.items():
            data = canonical(entry)
            on_account = live.responsible.get(kind, {})
            existing = on_account.get(name)
            body = resource_body(kind, name, data)
            if existing is None and entry.moved_from in on_account:
                changes.append(renamed(kind, name, data, on_account[entry.moved_from], body))
                continue
            change = entry_change(RESOURCE_OF[kind], name, data, existing, path, body)
            if change is not None:
                changes.append(change)
    return changes


def entry_change(resource: Resource, name: str, data: dict[str, Any],
                 existing: LiveResponsible | None, path: str, body: dict[str, Any]
                 ) -> Change | None:
    """An account entry offers name: created (POST `path`), updated in place (PUT by id) when
    its data differ, or None when it is as the catalog says."""
    if existing is None:
        return Change(
            resource=resource, key=name, action=Action.CREATE,
            diffs=tuple(FieldDiff(field=k, new=v) for k, v in sorted(data.items())),
            request=Request(method="POST", path=path, body=body),
        )
    if existing.data == data:
        return None
    return Change(
        resource=resource, key=name, action=Action.UPDATE, id=existing.id,
        diffs=tuple(FieldDiff(field=k, old=existing.data.get(k), new=v)
                    for k, v in sorted(data.items()) if existing.data.get(k) != v),
        request=Request(method="PUT", path=f"{path}/{existing.id}", body=body),
        base=responsible_hash(existing),
    )


def renamed(kind: str, name: str, data: dict[str, Any], old: LiveResponsible,
            body: dict[str, Any]) -> Change:
    """`moved_from`: the same producer or person (its id kept, offers keep naming it), its
    name and any changed data PUT in place, never a second one made."""
    diffs = [FieldDiff(field="name", old=old.name, new=name)]
    diffs += [FieldDiff(field=k, old=old.data.get(k), new=v)
              for k, v in sorted(data.items()) if old.data.get(k) != v]
    return Change(
        resource=RESOURCE_OF[kind], key=name, action=Action.UPDATE, id=old.id,
        diffs=tuple(diffs), renamed_from=old.name,
        request=Request(method="PUT", path=f"{RESOURCES[kind][0]}/{old.id}", body=body),
        reason=f"the same {kind.replace('_', ' ')} is kept: its id, and the offers naming it",
        base=responsible_hash(old),
    )


def references(live: LiveState) -> dict[str, dict[str, str]]:
    """kind -> name -> id of what the account has (for modification commands)."""
    return {kind: {name: e.id for name, e in entries.items()}
            for kind, entries in live.responsible.items() if entries and kind != TEMPLATE}
