"""A renamed offer (`moved_from`) is the same Allegro offer under a new external id: its
change PATCHes `external.id` and names the key it replaces. An offer `catalogsync forget`
let go is said once, by the plan after it."""

from __future__ import annotations

from catalogsync.catalog.models import Catalog, Offer
from catalogsync.live.state import LiveOffer, LiveState
from catalogsync.plan.model import Change, Diagnostic, Severity


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
