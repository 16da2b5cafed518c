"""Variant sets in both worlds (DESIGN.md, "Variant sets: the API changed").

Where `/sale/offer-variants` answers (older deployments, the emulator's legacy mode) sets are
created, updated and moved with the R24/R25 semantics. Where it is gone (production since
2026-04-14) Allegro groups offers itself from the product catalogue, so the plan checks that
it can — distinct products, the variant parameters differ — and says what Allegro will do.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from catalogsync.catalog.models import Catalog, Status, VariantSet
from catalogsync.live.state import LiveOffer, LiveState
from catalogsync.plan.model import Action, Change, Diagnostic, FieldDiff, Resource, Severity
from catalogsync.plan.offers import Desired
from catalogsync.wording import plural


def plan_variant_sets(
    catalog: Catalog, live: LiveState, desired: dict[str, Desired]
) -> tuple[list[Change], list[Diagnostic]]:
    changes: list[Change] = []
    found: list[Diagnostic] = []
    for name, wanted in catalog.variant_sets.items():
        outside = [s for s in wanted.offers if s not in desired]
        if outside:
            found.append(
                _diagnostic(
                    Severity.ERROR, name, f"--target the set's offers too: {', '.join(outside)}"
                )
            )
            continue
        problems = _grouping_problems(wanted, desired)
        found += [_diagnostic(Severity.ERROR, name, p) for p in problems]
        if problems:
            continue
        if not live.variant_api:
            by = ", ".join(wanted.parameters)
            found.append(
                _diagnostic(
                    Severity.NOTE,
                    name,
                    f"Allegro groups these {len(wanted.offers)} offers by {by} itself (variants "
                    "come from the product catalogue since 2026-04-14); nothing to send",
                )
            )
            continue
        change, problems = _legacy_change(name, wanted, live, desired, set(catalog.variant_sets))
        found += [_diagnostic(Severity.ERROR, name, p, rule="R24") for p in problems]
        if change is not None:
            changes.append(change)
    return _with_moves(changes, live), found


def _diagnostic(severity: Severity, name: str, message: str, rule: str | None = None) -> Diagnostic:
    return Diagnostic(severity=severity, subject=f"variant_set {name}", message=message, rule=rule)


def _values(offer: Desired, parameter: str) -> tuple[str, ...] | None:
    own = offer.fields.get("parameters", {}).get(parameter)
    if own:
        return tuple(own)
    if offer.product is not None:
        return offer.product.parameters.get(parameter) or None
    return None


def _grouping_problems(wanted: VariantSet, desired: dict[str, Desired]) -> list[str]:
    """What would stop Allegro (or the variant API) grouping these offers."""
    problems = []
    seen: dict[tuple[tuple[str, ...] | None, ...], str] = {}
    products: dict[str, str] = {}
    for sku in wanted.offers:
        offer = desired[sku]
        if offer.fields.get("status") != Status.ACTIVE.value:
            problems.append(f"offer {sku} is not active; a variant set holds active offers only")
        values = tuple(_values(offer, p) for p in wanted.parameters)
        missing = [p for p, v in zip(wanted.parameters, values, strict=True) if v is None]
        if missing:
            problems.append(f"offer {sku} has no value for {', '.join(missing)}")
            continue
        if values in seen:
            shown = ", ".join(
                f"{p}={'/'.join(v or ())}" for p, v in zip(wanted.parameters, values, strict=True)
            )
            problems.append(
                f"offers {seen[values]} and {sku} both have {shown}; "
                "variants must differ in the set's parameters"
            )
        seen.setdefault(values, sku)
        product = offer.fields.get("product")
        if product in products:
            problems.append(f"offers {products[product]} and {sku} sell the same product")
        if product:
            products.setdefault(product, sku)
    return problems


def _legacy_change(
    name: str,
    wanted: VariantSet,
    live: LiveState,
    desired: dict[str, Desired],
    managed: set[str],
) -> tuple[Change | None, list[str]]:
    first = desired[wanted.offers[0]]
    unknown = [p for p in wanted.parameters if p not in first.parameters]
    if unknown:
        return None, [
            f"category {first.fields.get('category')} has no parameter {', '.join(unknown)}"
        ]
    parameter_ids = [first.parameters[p].id for p in wanted.parameters]
    current = live.variant_sets.get(name)
    # R25: an ended member rejoins by itself when re-activated; it is not sent again.
    rejoining = [s for s in wanted.offers if _ended(live.offers.get(s))]
    members = [s for s in wanted.offers if s not in rejoining]
    problems = []
    for sku in members:
        offer = live.offers.get(sku)
        holder = live.variant_membership.get(offer.id) if offer else None
        if holder and holder != name and holder not in managed:
            problems.append(
                f"offer {sku} is in variant set '{holder}', which this catalog does "
                "not manage; add that set to the catalog to move the offer (R24)"
            )
    if problems:
        return None, problems
    by_id = {o.id: sku for sku, o in live.offers.items()}
    old_members = sorted(by_id.get(i, i) for i in current.offer_ids) if current else []
    if current and old_members == sorted(members) and list(current.parameter_ids) == parameter_ids:
        return None, []
    diffs = (
        FieldDiff(field="offers", old=old_members or None, new=sorted(members)),
        FieldDiff(
            field="parameters",
            old=list(current.parameter_ids) if current else None,
            new=list(wanted.parameters),
        ),
    )
    rejoin = "rejoins" if len(rejoining) == 1 else "rejoin"
    reason = (
        f"{plural(len(rejoining), 'ended offer')} {rejoin} on re-activation (R25)"
        if rejoining
        else ""
    )
    return Change(
        resource=Resource.VARIANT_SET,
        key=name,
        action=Action.UPDATE if current else Action.CREATE,
        id=current.id if current else None,
        diffs=tuple(d for d in diffs if d.old != d.new),
        payload={"name": name, "offers": members, "parameters": parameter_ids, "replace": False},
        reason=reason,
    ), []


def _ended(offer: LiveOffer | None) -> bool:
    return offer is not None and offer.status == "ENDED"


def _with_moves(changes: list[Change], live: LiveState) -> list[Change]:
    """R24: an offer joins another user-made set only after its old set is deleted; the old
    set is then put back without it. Sets losing offers are marked to be replaced."""
    incoming: dict[str, set[str]] = defaultdict(set)
    for change in changes:
        assert change.payload is not None
        for sku in change.payload["offers"]:
            offer = live.offers.get(sku)
            holder = live.variant_membership.get(offer.id) if offer else None
            if holder and holder != change.key:
                incoming[holder].add(sku)
    out = []
    for change in changes:
        payload: dict[str, Any] = dict(change.payload or {})
        if change.key in incoming and change.id:
            payload["replace"] = True
            change = change.model_copy(
                update={
                    "payload": payload,
                    "reason": f"offers {', '.join(sorted(incoming[change.key]))} move to another "
                    "set: delete, then put back (R24)",
                }
            )
        out.append(change)
    return sorted(out, key=lambda c: not (c.payload or {}).get("replace"))
