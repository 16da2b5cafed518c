"""Offers' own translations, after the offers: each `offer_translation SKU/language` change is
one PATCH (or DELETE) of `/sale/offers/{offerId}/translations/{language}`. An offer created by
this run gets its id from the state index; a translation whose offer failed (or was not sent)
is not sent either. Both requests set or remove values, so a repeat after a crash or a
transient failure is harmless and the next plan shows whatever is left to do."""

from __future__ import annotations

import asyncio

from catalogsync.allegro.client import AllegroClient
from catalogsync.apply.report import ApplyReport, Outcome
from catalogsync.apply.variant_sets import reason
from catalogsync.errors import CatalogsyncError
from catalogsync.plan.model import Change, Plan, Resource
from catalogsync.plan.translations import OFFER_ID
from catalogsync.state.index import StateIndex

#: translation requests in flight at once (as the applier's per-offer requests)
CONCURRENCY = 7


async def apply_translations(
    client: AllegroClient, plan: Plan, index: StateIndex, report: ApplyReport
) -> None:
    changes = [c for c in plan.changes if c.resource is Resource.OFFER_TRANSLATION]
    if not changes:
        return
    failed = {o.address for o in report.outcomes if not o.ok}
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(change: Change) -> Outcome:
        request = change.request
        assert request is not None
        sku = change.key.rsplit("/", 1)[0]
        offer_id = change.id or index.offers.get(sku)
        step = f"{request.method} {request.path}"
        if offer_id is None or f"offer {sku}" in failed:
            return Outcome(change.address, step, False, f"not sent: offer {sku} failed",
                           skipped=True)
        path = request.path.replace(OFFER_ID, offer_id)
        try:
            async with gate:
                await client.request(request.method, path, json=request.body, idempotent=True)
        except CatalogsyncError as exc:
            return Outcome(change.address, step, False, reason(exc))
        return Outcome(change.address, f"{request.method} {path}", True)

    report.outcomes += await asyncio.gather(*(one(c) for c in changes))
