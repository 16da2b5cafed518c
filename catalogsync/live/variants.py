"""Reading variant sets, where `/sale/offer-variants` still answers (R24, R25)."""

from __future__ import annotations

from typing import Any

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.errors import AllegroError
from catalogsync.live.state import LiveVariantSet

_PAGE = 50  # the most the list returns at once


async def read_variant_sets(client: AllegroClient) -> tuple[bool, dict[str, LiveVariantSet]]:
    """(whether the explicit API exists, the user-made sets by name).

    Production answers AccessDenied since 2026-04-14; then Allegro groups variants itself.
    Every set is read: an offer may be in only one, so a move must know where it is (R24).
    """
    summaries: list[dict[str, Any]] = []
    try:
        while True:
            page = await client.get(
                "/sale/offer-variants", params={"limit": _PAGE, "offset": len(summaries)}
            )
            batch = page.get("offerVariants") or []
            summaries += batch
            if len(batch) < _PAGE:
                break
    except AllegroError as exc:
        if exc.status in (403, 404, 410):
            return False, {}
        raise
    sets = {}
    for summary in summaries:
        doc = await client.get(f"/sale/offer-variants/{summary['id']}")
        sets[str(doc["name"])] = LiveVariantSet(
            id=str(doc["id"]),
            name=str(doc["name"]),
            offer_ids=tuple(str(o["id"]) for o in doc.get("offers") or []),
            parameter_ids=tuple(str(p["id"]) for p in doc.get("parameters") or []),
        )
    return True, sets
