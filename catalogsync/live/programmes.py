"""What the account has beyond offers: campaigns and Allegro Prices that hold an offer's price
(R26); the after-sales conditions are read by `after_sales.py`."""

from __future__ import annotations

from typing import Any

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.errors import AllegroError
from catalogsync.live.fetch import gather_map

PAGE = 1000

#: Badge processes that still hold the offer's price (R26); FINISHED and DECLINED do not.
_LIVE_BADGES = ("IN_VERIFICATION", "WAITING_FOR_PUBLICATION", "ACTIVE")


async def read_campaigns(
    client: AllegroClient, marketplace: str, offer_ids: list[str]
) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """R26: which managed offers are in a campaign (badge) or in Allegro Prices."""
    found: dict[str, list[str]] = {}
    notes: list[str] = []
    wanted = set(offer_ids)
    if not wanted:
        return {}, ()
    try:
        offset = 0
        while True:
            page = await client.get(
                "/sale/badges",
                params={"marketplace.id": marketplace, "limit": PAGE, "offset": offset},
            )
            badges = page.get("badges") or []
            for badge in badges:
                offer_id = str((badge.get("offer") or {}).get("id"))
                status = (badge.get("process") or {}).get("status")
                if offer_id in wanted and status in _LIVE_BADGES:
                    name = (badge.get("campaign") or {}).get("name") or "a campaign"
                    found.setdefault(offer_id, []).append(f"campaign {name}")
            offset += len(badges)
            if len(badges) < PAGE:
                break
    except AllegroError as exc:
        notes.append(
            f"could not read campaigns (GET /sale/badges: {exc.status}); prices of "
            "offers in campaigns are not protected in this plan (R26)"
        )
    try:
        async def query(start: int) -> list[dict[str, Any]]:
            body = {
                "marketplace": {"id": marketplace},
                "offer": {"ids": offer_ids[start : start + PAGE]},
                "limit": PAGE,
            }
            response = await client.request(
                "POST",
                "/sale/allegro-prices/offers-queries",
                json=body,
                ok=(200,),
                idempotent=True,
            )
            return list(response.json().get("offers") or [])

        for offers in (await gather_map(range(0, len(offer_ids), PAGE), query)).values():
            for offer in offers:
                if offer.get("discountedAt") and not offer.get("excludedAt"):
                    found.setdefault(str(offer["id"]), []).append("Allegro Prices")
    except AllegroError as exc:
        notes.append(
            f"could not read Allegro Prices participation ({exc.status}); prices of "
            "offers in the programme are not protected in this plan (R26)"
        )
    return {k: tuple(v) for k, v in found.items()}, tuple(notes)
