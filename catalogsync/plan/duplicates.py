"""Two live offers with one external id: the item is listed twice, which Allegro forbids.

Two machines that apply the same new offers at once each create one. Every machine keeps the
oldest of them (`live.reader`), so each proposes ending the same younger ones: an activated
offer is ended, a draft never activated is deleted. Ends count towards `safety.max_end_share`
like any other (a run that made many needs `--allow-mass-change`).
"""

from __future__ import annotations

from catalogsync.live.state import LiveOffer, LiveState
from catalogsync.plan.hashing import offer_hash
from catalogsync.plan.model import (
    Action,
    Change,
    Command,
    CommandKind,
    Diagnostic,
    FieldDiff,
    Request,
    Resource,
    Severity,
)


def duplicate_key(sku: str, offer_id: str) -> str:
    """The key of the change that ends a duplicate: its catalog key stays the kept offer's."""
    return f"{sku}#{offer_id}"


def end_duplicates(sku: str, live: LiveState) -> tuple[list[Change], list[Diagnostic]]:
    """The changes that end or delete the further live offers of `sku`, and a warning."""
    extra = live.duplicates.get(sku, ())
    kept = live.offers.get(sku)
    if not extra or kept is None:
        return [], []
    ids = ", ".join(o.id for o in extra)
    warning = Diagnostic(
        severity=Severity.WARNING, subject=f"offer {sku}",
        message=f"other offers not ended share this external id ({ids}): the item is listed "
        f"more than once, which Allegro forbids; catalogsync manages {kept.id}, the oldest, "
        "and ends the younger ones (made by another run at the same time?)")
    return [_end(sku, offer, kept.id) for offer in extra], [warning]


def _end(sku: str, offer: LiveOffer, kept: str) -> Change:
    reason = f"a second listing of {sku} beside {kept}"
    if offer.ever_activated:
        return Change(
            resource=Resource.OFFER, key=duplicate_key(sku, offer.id), action=Action.END,
            id=offer.id, base=offer_hash(offer),
            diffs=(FieldDiff(field="status", old=offer.fields.get("status"), new="ended"),),
            commands=(Command(kind=CommandKind.PUBLICATION, fields={"status": "ended"}),),
            reason=f"{reason}; an activated offer can only be ended")
    return Change(
        resource=Resource.OFFER, key=duplicate_key(sku, offer.id), action=Action.DELETE,
        id=offer.id, base=offer_hash(offer),
        request=Request(method="DELETE", path=f"/sale/offers/{offer.id}"),
        reason=f"{reason}; a draft never activated is deleted")


def duplicate_offer(live: LiveState, key: str) -> LiveOffer | None:
    """The duplicate a change of `key` ends, as read now (for a saved plan's check)."""
    sku, _, offer_id = key.rpartition("#")
    return next((o for o in live.duplicates.get(sku, ()) if o.id == offer_id), None)
