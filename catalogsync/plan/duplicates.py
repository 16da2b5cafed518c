"""Two live offers with one external id: the item is listed twice, which Allegro forbids.

Two machines that apply the same new offers at once each create one. Every machine keeps the
oldest of them (`live.reader`), so each proposes ending the same younger ones: an activated
offer is ended, a draft never activated is deleted. Beside an offer catalogsync manages that
has ended, a live one is no such twin: the plan names it and leaves it to the seller. Ends
count towards `safety.max_end_share` like any other (many need `--allow-mass-change`).
"""

from __future__ import annotations

from catalogsync.live.state import LiveOffer, LiveState
from catalogsync.plan.checks import ending
from catalogsync.plan.model import Change, Diagnostic, Severity


def duplicate_key(sku: str, offer_id: str) -> str:
    """The key of the change that ends a duplicate: its catalog key stays the kept offer's."""
    return f"{sku}#{offer_id}"


def end_duplicates(sku: str, live: LiveState) -> tuple[list[Change], list[Diagnostic]]:
    """The changes that end or delete the further live offers of `sku`, and a warning."""
    extra = live.duplicates.get(sku, ())
    kept = live.offers.get(sku)
    if not extra:
        return [], []
    ids = ", ".join(o.id for o in extra)
    if kept is None or kept.status == "ENDED":  # not two machines' twins: the seller decides
        return [], [Diagnostic(
            severity=Severity.ERROR, subject=f"offer {sku}",
            message=f"other offers not ended share this external id ({ids}): the item is "
            "listed more than once, which Allegro forbids; catalogsync manages "
            f"{kept.id if kept else 'none of them'}. End the others on allegro.pl or give "
            "them their own external ids, then plan again")]
    warning = Diagnostic(
        severity=Severity.WARNING, subject=f"offer {sku}",
        message=f"other offers not ended share this external id ({ids}): the item is listed "
        f"more than once, which Allegro forbids; catalogsync manages {kept.id}, the oldest, "
        "and ends the younger ones (made by another run at the same time?)")
    why = f"a second listing of {sku} beside {kept.id}"
    return [ending(duplicate_key(sku, o.id), o, why) for o in extra], [warning]


def duplicate_offer(live: LiveState, key: str) -> LiveOffer | None:
    """The duplicate a change of `key` ends, as read now (for a saved plan's check)."""
    sku, _, offer_id = key.rpartition("#")
    return next((o for o in live.duplicates.get(sku, ()) if o.id == offer_id), None)
