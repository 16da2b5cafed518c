"""Checks on the plan as a whole: safety shares, price jumps, R13 drafts, R26, pruning."""

from __future__ import annotations

import json
from decimal import Decimal

from catalogsync.allegro.wire import MAX_OFFERS_PER_COMMAND
from catalogsync.catalog.models import Catalog
from catalogsync.live.state import LiveOffer, LiveState
from catalogsync.plan.cost import COMMANDS_AT_ONCE
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
from catalogsync.plan.offers import Desired
from catalogsync.wording import plural

#: R13: an account holds at most this many drafts (INACTIVE offers).
MAX_DRAFTS = 20_000


def _error(subject: str, message: str, rule: str | None = None) -> Diagnostic:
    return Diagnostic(severity=Severity.ERROR, subject=subject, message=message, rule=rule)


def _warning(subject: str, message: str, rule: str | None = None) -> Diagnostic:
    return Diagnostic(severity=Severity.WARNING, subject=subject, message=message, rule=rule)


def withhold_campaign_price(
    desired: Desired, current: LiveOffer, live: LiveState, allowed: bool
) -> None:
    """R26: a price change takes an offer out of its campaign or Allegro Prices. Unless the
    offer or the run allows it, the price is left as it is and the plan says why."""
    programmes = live.campaigns.get(current.id)
    new = desired.fields.get("price")
    if not programmes or new is None or new == current.fields.get("price"):
        return
    names = ", ".join(programmes)
    if allowed:
        desired.warn(f"changing the price takes the offer out of {names}", rule="R26")
        return
    desired.ignored = desired.ignored | {"price"}
    desired.warn(
        f"price stays {current.fields.get('price')} (not {new}): the offer is in {names} and "
        "a price change would take it out; set allow_campaign_price_change: true on the "
        "offer or run with --allow-campaign-price-change",
        rule="R26",
    )


def prune_removed(
    removed: dict[str, LiveOffer], prune: bool
) -> tuple[list[Change], list[Diagnostic]]:
    """Offers apply made whose external id left the catalog: end or delete them, or say so."""
    live = {k: o for k, o in removed.items() if o.status != "ENDED"}
    if not live:
        return [], []
    if not prune:
        keys = ", ".join(sorted(live)[:5]) + (" …" if len(live) > 5 else "")
        stay = "stays on Allegro as it is" if len(live) == 1 else "stay on Allegro as they are"
        return [], [
            _warning(
                "catalog",
                f"{plural(len(live), 'offer')} removed from the catalog {stay} ({keys});"
                " set prune: true in catalogsync.yaml or run with --prune to end them",
            )
        ]
    changes = []
    for key, offer in sorted(live.items()):
        if offer.ever_activated:
            changes.append(
                Change(
                    resource=Resource.OFFER,
                    key=key,
                    action=Action.END,
                    id=offer.id,
                    diffs=(FieldDiff(field="status", old=offer.fields.get("status"), new="ended"),),
                    commands=(Command(kind=CommandKind.PUBLICATION, fields={"status": "ended"}),),
                    reason="removed from the catalog; an activated offer can only be ended",
                )
            )
        else:
            changes.append(
                Change(
                    resource=Resource.OFFER,
                    key=key,
                    action=Action.DELETE,
                    id=offer.id,
                    request=Request(method="DELETE", path=f"/sale/offers/{offer.id}"),
                    reason="removed from the catalog; a never-activated draft can be deleted",
                )
            )
    return changes, []


def run_checks(
    catalog: Catalog,
    live: LiveState,
    changes: list[Change],
    allow_mass_change: bool,
    allow_price_jumps: bool,
) -> list[Diagnostic]:
    found = _drafts(live, changes)
    if not allow_price_jumps:
        found += _price_jumps(catalog, changes)
    if not allow_mass_change:
        found += _shares(catalog, live, changes)
    return found


def _drafts(live: LiveState, changes: list[Change]) -> list[Diagnostic]:
    """R13. A create is a draft until activated; apply activates each batch of 1000 while
    later creates still go out (apply/pipeline.py), so only the batches being filled or
    activated at once are drafts together, besides the offers meant to stay drafts."""
    creates = [c for c in changes if c.resource is Resource.OFFER and c.action is Action.CREATE]
    activations = {
        json.dumps(c.commands[-1].fields, sort_keys=True)
        for c in creates
        if c.commands and c.commands[-1].kind is CommandKind.PUBLICATION
    }
    activated = sum(1 for c in creates if c.commands) if activations else 0
    in_pipeline = (len(activations) + COMMANDS_AT_ONCE) * MAX_OFFERS_PER_COMMAND
    at_once = live.draft_count + len(creates) - activated + min(activated, in_pipeline)
    if at_once <= MAX_DRAFTS:
        return []
    return [
        _error(
            "catalog",
            f"the account has {live.draft_count} drafts and this run creates "
            f"{plural(len(creates), 'offer')}, up to {at_once - live.draft_count} of them drafts "
            f"at once until activated; Allegro allows {MAX_DRAFTS} drafts. Activate or delete "
            "drafts first, or apply in parts with --target",
            rule="R13",
        )
    ]


def _price_jumps(catalog: Catalog, changes: list[Change]) -> list[Diagnostic]:
    share = Decimal(str(catalog.settings.safety.max_price_change))
    found = []
    for change in changes:
        for diff in change.diffs:
            if diff.field != "price" or not diff.old or not diff.new:
                continue
            old, new = (Decimal(str(v).split(" ")[0]) for v in (diff.old, diff.new))
            if old > 0 and (new < old * (1 - share) or new > old / (1 - share)):
                found.append(
                    _error(
                        change.address,
                        f"price {diff.old} → {diff.new} moves more than safety.max_price_change "
                        f"allows ({share}); if that is meant, run with --allow-price-jumps",
                    )
                )
    return found


def _shares(catalog: Catalog, live: LiveState, changes: list[Change]) -> list[Diagnostic]:
    safety = catalog.settings.safety
    managed = len(live.offers) + len(live.removed)
    if managed < safety.min_offers:
        return []
    offers = [c for c in changes if c.resource is Resource.OFFER]
    counts = {
        "updated": (
            sum(1 for c in offers if c.action is Action.UPDATE),
            safety.max_update_share,
            "max_update_share",
        ),
        "ended or deleted": (
            sum(1 for c in offers if c.action in (Action.END, Action.DELETE)),
            safety.max_end_share,
            "max_end_share",
        ),
    }
    return [
        _error(
            "catalog",
            f"{count} of {managed} managed offers ({count / managed:.0%}) would be {what}; "
            f"safety.{setting} in catalogsync.yaml allows {limit:.0%}. If that is meant, run "
            "with --allow-mass-change",
        )
        for what, (count, limit, setting) in counts.items()
        if count / managed > limit
    ]
