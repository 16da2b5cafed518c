"""A legacy variant set put as planned (R24, R25), once its offers are active."""

from __future__ import annotations

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.errors import AllegroError
from catalogsync.apply.batching import command_id
from catalogsync.apply.polling import put_variant_set
from catalogsync.apply.report import Outcome
from catalogsync.errors import CatalogsyncError
from catalogsync.plan.model import Change


async def variant_set(client: AllegroClient, change: Change, fingerprint: str,
                      offer_ids: dict[str, str | None], known: dict[str, str]) -> Outcome:
    """Delete first when offers move out of this set (R24), then put it as planned;
    `offer_ids` are this run's, `known` the state index's (external id -> offer id)."""
    payload = change.payload or {}
    set_id = change.id or command_id(fingerprint, "offer-variants", [change.key])
    ids = [offer_ids.get(sku) or known.get(sku) for sku in payload["offers"]]
    step = f"PUT /sale/offer-variants/{set_id}"
    if None in ids:
        missing = ", ".join(sku for sku, i in zip(payload["offers"], ids, strict=True) if not i)
        return Outcome(change.address, step, False, f"not sent: offers {missing} were not created",
                       skipped=True)
    body = {
        "name": payload["name"],
        "offers": [{"id": i} for i in ids],
        "parameters": [{"id": p} for p in payload["parameters"]],
    }
    try:
        if payload.get("replace"):
            await client.request("DELETE", f"/sale/offer-variants/{set_id}")
        await put_variant_set(client, set_id, body)
    except CatalogsyncError as exc:
        return Outcome(change.address, step, False, reason(exc))
    return Outcome(change.address, step, True)


def reason(exc: CatalogsyncError) -> str:
    """What went wrong, in Allegro's words where it gave any."""
    if isinstance(exc, AllegroError):
        return "; ".join(str(d) for d in exc.details) or str(exc)
    return str(exc)
