"""After-sales conditions: the catalog's return policies, implied warranties and warranties,
created or updated in place (by id, `PUT`) when they differ; renamed in place with
`moved_from` (the same id, its `name` PUT: never a create and an orphan); one left out of the
catalog stays as it is on Allegro. And the conditions an offer names, resolved to ids.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from catalogsync.allegro.after_sales_wire import (
    KINDS,
    SECTIONS,
    canonical,
    condition_body,
    declared,
)
from catalogsync.catalog.models import AfterSales, Catalog, Offer
from catalogsync.live.state import LiveCondition, LiveState
from catalogsync.plan.hashing import table_hash
from catalogsync.plan.model import (
    CONDITIONS,
    Action,
    Change,
    Diagnostic,
    FieldDiff,
    Request,
    Severity,
)
from catalogsync.plan.offers import Desired

RESOURCE_OF = {resource.value: resource for resource in CONDITIONS}


def condition_hash(entry: LiveCondition | None) -> str | None:
    return None if entry is None else table_hash(entry.id, (entry.data,))


def plan_after_sales(catalog: Catalog, live: LiveState, diagnostics: list[Diagnostic]
                     ) -> list[Change]:
    """The changes that make the account's conditions what the catalog declares."""
    changes = []
    for kind, entries in declared(catalog).items():
        on_account = live.conditions.get(kind, {})
        sources: dict[str, str] = {}
        for name, entry in entries.items():
            subject = f"{kind} {name}"
            existing = on_account.get(name)
            moved = on_account.get(entry.moved_from) if entry.moved_from else None
            problem = _move_problem(name, entry.moved_from, entries, sources)
            if problem:
                diagnostics.append(Diagnostic(severity=Severity.ERROR, subject=subject,
                                              message=problem))
                continue
            if existing is not None and moved is not None:
                diagnostics.append(Diagnostic(
                    severity=Severity.WARNING, subject=subject,
                    message=f"moved_from: both '{entry.moved_from}' and '{name}' are on "
                            f"Allegro; '{name}' is kept and '{entry.moved_from}' left as it is"))
            if entry.moved_from and existing is None and moved is None:
                diagnostics.append(Diagnostic(
                    severity=Severity.NOTE, subject=subject,
                    message=f"moved_from: no {kind.replace('_', ' ')} '{entry.moved_from}' on "
                            "Allegro to rename; this one is created"))
            change = _change(kind, name, canonical(entry), existing or moved, diagnostics)
            if change is not None:
                changes.append(change)
    return changes


def _move_problem(name: str, source: str | None, entries: dict[str, Any],
                  sources: dict[str, str]) -> str | None:
    """A `moved_from` that cannot be carried out: from itself, from a name the catalog still
    declares, or from a name another entry moves from too."""
    if source is None:
        return None
    if source == name or source in entries:
        return f"moved_from: '{source}' is still declared in the catalog; rename one of them"
    if source in sources:
        return f"moved_from: '{source}' is renamed to '{sources[source]}' already"
    sources[source] = name
    return None


def _change(kind: str, name: str, data: dict[str, Any], existing: LiveCondition | None,
            diagnostics: list[Diagnostic]) -> Change | None:
    path, resource = KINDS[kind][0], RESOURCE_OF[kind]
    if existing is None:
        return Change(
            resource=resource, key=name, action=Action.CREATE,
            diffs=tuple(FieldDiff(field=k, new=v) for k, v in sorted(data.items())
                        if v is not None),
            request=Request(method="POST", path=path,
                            body=condition_body(kind, name, data, create=True)))
    old = existing.data or {}
    diffs = [FieldDiff(field=k, old=old.get(k), new=v) for k, v in sorted(data.items())
             if old.get(k) != v]
    if existing.name != name:
        diffs.insert(0, FieldDiff(field="name", old=existing.name, new=name))
    if not diffs:
        return None
    if old.get("fulfillment") is not None and old["fulfillment"] != data.get("fulfillment"):
        diagnostics.append(Diagnostic(
            severity=Severity.ERROR, subject=f"{kind} {name}",
            message="fulfillment cannot change on Allegro (isFulfillment is fixed when a "
                    "policy is created); give the other value a policy of its own"))
        return None
    renamed = existing.name != name
    return Change(
        resource=resource, key=name, action=Action.UPDATE, id=existing.id, diffs=tuple(diffs),
        request=Request(method="PUT", path=f"{path}/{existing.id}",
                        body=condition_body(kind, name, data, create=False,
                                            kept=existing.kept)),
        reason=f"renamed from {existing.name}: the same condition ({existing.id}) is kept, "
               "offers keep referring to it" if renamed else "",
        base=condition_hash(existing))


def stale_condition(change: Change, live: LiveState) -> list[str]:
    """A saved plan's condition change that no longer matches the account."""
    entries = live.conditions.get(change.resource.value, {})
    entry = entries.get(change.key)
    if change.id is not None:  # an update or a rename: the id it was planned on
        entry = next((e for e in entries.values() if e.id == change.id), None)
    if condition_hash(entry) != change.base:
        return [f"{change.address}: changed on Allegro since the plan"]
    return []


def desired_after_sales(desired: Desired, chosen: AfterSales | None, catalog: Catalog,
                        live: LiveState) -> None:
    """Each condition an offer names -> the id Allegro reports back, or `{"name"}` for one
    the catalog declares that apply creates first (Allegro takes a name in its place)."""
    if chosen is None:
        return
    resolved: dict[str, Any] = {}
    for kind, value in chosen.model_dump(exclude_none=True).items():
        known = live.after_sales.get(kind, {})
        by_name = {name: id_ for id_, name in known.items()}
        section = getattr(catalog, SECTIONS[kind], {})
        if value in known:
            resolved[kind] = value
        elif value in by_name:
            resolved[kind] = by_name[value]
        elif value in section:
            moved = section[value].moved_from
            resolved[kind] = by_name.get(moved or "", {"name": value})
        else:
            names = sorted(set(by_name) | set(section))
            hint = difflib.get_close_matches(value, names, n=1)
            label = kind.replace("_", " ")
            desired.error(
                f"{label} '{value}' is neither in the catalog ({SECTIONS[kind]}:) nor on "
                f"Allegro; known: {', '.join(names) or 'none'}"
                + (f"; did you mean '{hint[0]}'?" if hint else ""))
    if resolved:
        desired.fields["after_sales"] = resolved


def targeted(catalog: Catalog, offers: Iterable[Offer], named: set[str | None]
             ) -> dict[str, Any]:
    """The sections of the conditions that the targeted offers (or the targets) name."""
    wanted = set(named)
    for chosen in [*(o.after_sales for o in offers), catalog.settings.defaults.after_sales]:
        if chosen is not None:
            wanted |= set(chosen.model_dump(exclude_none=True).values())
    return {section: {k: v for k, v in getattr(catalog, section).items() if k in wanted}
            for section in SECTIONS.values()}


__all__ = ["CONDITIONS", "desired_after_sales", "plan_after_sales", "stale_condition"]
