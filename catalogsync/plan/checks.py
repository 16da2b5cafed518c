"""Checks on the plan as a whole: safety shares, price jumps, R13 drafts, R26, pruning."""

from __future__ import annotations

import json
from decimal import Decimal

from catalogsync.allegro.wire import MAX_OFFERS_PER_COMMAND
from catalogsync.catalog.models import Catalog
from catalogsync.live.state import LiveOffer, LiveState
from catalogsync.plan.cost import COMMANDS_AT_ONCE
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
    return [ending(key, offer, "removed from the catalog") for key, offer in sorted(live.items())
            ], []


def ending(key: str, offer: LiveOffer, why: str) -> Change:
    """The change that takes `offer` off sale: an activated offer can only be ended, a draft
    never activated is deleted. `base`: a saved plan's end is checked like any change."""
    if offer.ever_activated:
        return Change(
            resource=Resource.OFFER,
            key=key,
            action=Action.END,
            id=offer.id,
            base=offer_hash(offer),
            diffs=(FieldDiff(field="status", old=offer.fields.get("status"), new="ended"),),
            commands=(Command(kind=CommandKind.PUBLICATION, fields={"status": "ended"}),),
            reason=f"{why}; an activated offer can only be ended",
        )
    return Change(
        resource=Resource.OFFER,
        key=key,
        action=Action.DELETE,
        id=offer.id,
        base=offer_hash(offer),
        request=Request(method="DELETE", path=f"/sale/offers/{offer.id}"),
        reason=f"{why}; a never-activated draft can be deleted",
    )


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
        found += mass_change(catalog, live, changes, len(live.offers) + len(live.removed))
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


def mass_change(catalog: Catalog, live: LiveState, changes: list[Change], managed: int
                ) -> list[Diagnostic]:
    """The safety shares of `managed` offers (a narrowed plan counts those it did not plan)."""
    safety = catalog.settings.safety
    if managed < safety.min_offers:
        return []
    offers = [c for c in changes if c.resource is Resource.OFFER]
    counts = {
        "updated": (
            # writing an adopted offer's key into its external id changes nothing it sells
            sum(1 for c in offers if c.action is Action.UPDATE and _asked_for(c, live)
                and {d.field for d in c.diffs} != {"external.id"}),
            safety.max_update_share,
            "max_update_share",
        ),
        "ended or deleted": (
            sum(
                1
                for c in offers
                if c.action in (Action.END, Action.DELETE) and _asked_for(c, live)
            ),
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


def missing_state(live: LiveState, changes: list[Change], allowed: bool) -> list[Diagnostic]:
    """R22 without state: an offer hidden on allegro.pl is in no list and answers no
    `external.id` search, only a read by the id the state recorded. With no state at all
    (no ids in catalogsync.lock, nothing in .catalogsync/) on an account that has offers, a create
    may list a hidden offer a second time, so creates wait for the state or an explicit yes."""
    if live.has_state or not live.listed_offers:
        return _unconfirmed(live, changes, allowed)
    risk = (
        f"no state for this catalog (no ids in catalogsync.lock, nothing in .catalogsync/) and the "
        f"account already has {live.listed_offers} offers: an offer hidden on allegro.pl (R22) "
        "is missing from every offer list and search, so it can only be found by the id "
        "apply recorded; "
    )
    fix = (
        "restore catalogsync.lock from git, or adopt the account with `catalogsync import`"
    )
    creates = [c.key for c in changes if c.resource is Resource.OFFER and c.action is Action.CREATE]
    if not creates:
        return [_warning("state", risk + "nothing is created, so nothing is at risk now; " + fix)]
    shown = ", ".join(creates[:5]) + (f" and {len(creates) - 5} more" if len(creates) > 5 else "")
    if allowed:
        return [_warning("state", risk + f"creating {shown} anyway (--allow-create-without-state)")]
    return [
        _error(
            "state",
            risk + f"creating {shown} could list such an offer twice. {fix.capitalize()}; or, "
            "after checking allegro.pl for hidden offers, pass --allow-create-without-state",
            rule="R22",
        )
    ]


def _unconfirmed(live: LiveState, changes: list[Change], allowed: bool) -> list[Diagnostic]:
    """R22 after an import into a catalog without state: the catalog offers it did not find
    may be hidden on allegro.pl, so creating them waits for an explicit yes too."""
    creates = [c.key for c in changes if c.resource is Resource.OFFER
               and c.action is Action.CREATE and c.key in live.unconfirmed]
    if not creates:
        return []
    shown = ", ".join(creates[:5]) + (f" and {len(creates) - 5} more" if len(creates) > 5 else "")
    risk = (f"catalogsync import did not find {shown} on the account, and the catalog had no "
            "state before it: an offer hidden on allegro.pl (R22) is in no offer list, so ")
    if allowed:
        return [_warning("state", risk + "it may exist; creating it anyway "
                         "(--allow-create-without-state)")]
    return [_error("state", risk + "creating it could list such an offer twice. Import a hidden "
                   "offer by its id (`catalogsync import DIR --offer-id ID`); or, after checking "
                   "allegro.pl, pass --allow-create-without-state", rule="R22")]


def _asked_for(change: Change, live: LiveState) -> bool:
    """Whether the change is one the seller asks for now, rather than work an earlier run
    did not complete: an update of a draft never activated (left by a create that did not
    finish, or still owed its activation), or a change an apply set out to make and was
    stopped in (`LiveState.approved`). Resuming is never refused."""
    current = live.offers.get(change.key)
    if change.action is Action.UPDATE and current is not None and not current.ever_activated:
        return False
    return not owed(change, live.approved)


def approved_values(change: Change) -> dict[str, str]:
    """What the change sets, field by field, as the state index keeps it."""
    return {d.field: json.dumps(d.new, sort_keys=True, default=str) for d in change.diffs}


def owed(change: Change, approved: dict[str, dict[str, str]]) -> bool:
    """Whether an earlier apply set out to make every part of this change."""
    earlier = approved.get(change.key)
    return earlier is not None and approved_values(change).items() <= earlier.items()
