"""A renamed offer (`moved_from`) is the same Allegro offer under a new external id: its
change PATCHes `external.id` and names the key it replaces. An offer `catalogsync forget`
let go is said once, by the plan after it."""

from __future__ import annotations

from catalogsync.catalog.models import Catalog, Offer
from catalogsync.live.state import LiveOffer, LiveState
from catalogsync.plan.model import Action, Change, Diagnostic, Resource, Severity


def renamed(change: Change | None, offer: Offer, current: LiveOffer) -> Change | None:
    """`change` marked as the rename it is when the offer still carries an old key."""
    if change is None or not current.rekey or current.rekey_from not in offer.moved_from:
        return change
    return change.model_copy(update={"renamed_from": current.rekey_from})


def forgotten_notes(catalog: Catalog, live: LiveState) -> list[Diagnostic]:
    """A note per offer forgotten since the last apply (that apply clears them), unless the
    catalog has taken it back."""
    return [
        Diagnostic(severity=Severity.NOTE, subject=f"offer {sku}",
                   message=f"no longer managed (catalogsync forget): offer {offer_id} stays on "
                   "Allegro as it is, never updated or pruned")
        for sku, offer_id in sorted(live.forgotten.items()) if sku not in catalog.offers
    ]


def unmoved_creates(catalog: Catalog, live: LiveState, changes: list[Change]) -> list[Diagnostic]:
    """A renamed offer that would be created: the state has no id for its old key (a lock
    not committed, or restored from before the offer was made), so the old offer would stay
    and a second one be listed."""
    return [
        Diagnostic(severity=Severity.ERROR, subject=c.address,
                   message=f"moved_from {', '.join(moved)}: the state knows no offer of that "
                   "key, so this would create a second offer; restore catalogsync.lock from "
                   "git (the old key's `offer` line), or remove moved_from to create a new one")
        for c in changes if c.resource is Resource.OFFER and c.action is Action.CREATE
        and c.key not in live.gone
        and (moved := catalog.offers[c.key].moved_from)
    ] if any(o.moved_from for o in catalog.offers.values()) else []
