"""A renamed offer (`moved_from`) is the same Allegro offer under a new external id: its
change PATCHes `external.id` and names the key it replaces."""

from __future__ import annotations

from catalogsync.catalog.models import Offer
from catalogsync.live.state import LiveOffer
from catalogsync.plan.model import Change


def renamed(change: Change | None, offer: Offer, current: LiveOffer) -> Change | None:
    """`change` marked as the rename it is when the offer still carries an old key."""
    if change is None or not current.rekey or current.rekey_from not in offer.moved_from:
        return change
    return change.model_copy(update={"renamed_from": current.rekey_from})
