"""Allegro's offer-event feed (`GET /sale/offer-events`, 24 hours): what changed since a cursor."""

from __future__ import annotations

from typing import Any

from catalogsync.allegro.client import AllegroClient
from catalogsync.errors import CatalogsyncError

PAGE = 1000


async def offer_events(
    client: AllegroClient, cursor: str | None
) -> tuple[list[tuple[str, str]], str | None] | None:
    """(offer id, event type) of every event after `cursor`, in order, and the cursor past
    them; None when the feed cannot be read."""
    found: list[tuple[str, str]] = []
    try:
        while True:
            params: dict[str, Any] = {"limit": PAGE}
            if cursor:
                params["from"] = cursor
            events = (await client.get("/sale/offer-events", params=params)).get("offerEvents")
            events = events or []
            found += [(str((e.get("offer") or {}).get("id")), str(e.get("type"))) for e in events]
            if events:
                cursor = str(events[-1]["id"])
            if len(events) < PAGE:
                return found, cursor
    except CatalogsyncError:  # no feed, an old cursor, the network: read everything
        return None
