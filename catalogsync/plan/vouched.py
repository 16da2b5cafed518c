"""Offers taken on `catalogsync.lock`'s word (live/committed.py), completed from the catalog.

Such an offer was not read: the offer list gave its name, price, stock and status, and the
event feed says nobody changed it since the last apply. Its other fields are the catalog's
wherever the digest the last apply left (plan/drift.py) is the digest of the catalog's value
now. An offer with any other field, or one the plan would change (a new price, stock or
status), is to be read in detail instead: every change is planned on what Allegro says.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from catalogsync.allegro.wire import STATUS_FROM_API, Fields
from catalogsync.catalog.models import Catalog
from catalogsync.live.state import LiveOffer, LiveState
from catalogsync.plan.drift import desire, digest
from catalogsync.plan.offers import Desired, Lookups
from catalogsync.plan.stock import offer_stock

#: Fields the offer list shows (their live values are known), and Allegro's own verdicts.
_KNOWN = frozenset({"name", "price", "stock", "status"})


def fill_vouched(catalog: Catalog, live: LiveState, now: datetime
                 ) -> tuple[LiveState, frozenset[str]]:
    """`live` with the vouched offers completed, and the external ids to read instead."""
    vouched = {sku: o for sku, o in live.offers.items() if o.vouched}
    if not vouched:
        return live, frozenset()
    lookups = Lookups(live)
    offers = dict(live.offers)
    unread = set()
    for sku, offer in vouched.items():
        digests = live.applied.get(sku)
        spec = catalog.offers.get(sku)
        if spec is None or not digests:
            unread.add(sku)
            continue
        desired = desire(sku, spec, catalog, live, now, lookups)
        fields = _completed(desired, offer, digests)
        complete = None if fields is None else replace(offer, fields=fields, known_digest=None)
        if complete is None or _changes(desired, complete, live, catalog):
            unread.add(sku)
        else:
            offers[sku] = complete
    return replace(live, offers=offers), frozenset(unread)


def _completed(desired: Desired, offer: LiveOffer, digests: dict[str, str]) -> Fields | None:
    fields = {**offer.fields, "status": STATUS_FROM_API.get(offer.status, offer.status.lower())}
    for name, want in desired.fields.items():
        if name in _KNOWN or name in desired.ignored:
            continue
        if name == "parameters":
            if any(digests.get(f"parameters.{p}") != digest(v) for p, v in want.items()):
                return None
        elif digests.get(name) != digest(want):
            return None
        fields[name] = want
    return fields


def _changes(desired: Desired, offer: LiveOffer, live: LiveState, catalog: Catalog) -> bool:
    """Whether the plan would change the offer (then it is planned on a real read)."""
    if any(desired.fields.get(f) not in (None, offer.fields.get(f)) for f in ("name", "price")
           if f not in desired.ignored):
        return True
    if "status" not in desired.ignored and desired.fields.get("status") != offer.fields["status"]:
        return True
    step = offer_stock(desired, offer, live, catalog.settings.stock_mode)
    return step.diff is not None or step.command is not None
