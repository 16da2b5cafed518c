"""Allegro's offer-event feed (`GET /sale/offer-events`, 24 hours): what changed since a cursor."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from catalogsync.allegro.client import AllegroClient
from catalogsync.errors import CatalogsyncError

PAGE = 1000
Events = list[tuple[str, str]]


async def _page(client: AllegroClient, cursor: str | None) -> tuple[Events, str | None]:
    """(offer id, event type) of up to a page of events after `cursor`, and the cursor past
    them."""
    params: dict[str, Any] = {"limit": PAGE}
    if cursor:
        params["from"] = cursor
    events = (await client.get("/sale/offer-events", params=params)).get("offerEvents") or []
    found = [(str((e.get("offer") or {}).get("id")), str(e.get("type"))) for e in events]
    return found, str(events[-1]["id"]) if events else cursor


async def offer_events(
    client: AllegroClient, cursor: str | None
) -> tuple[Events, str | None] | None:
    """(offer id, event type) of every event after `cursor`, in order, and the cursor past
    them; None when the feed cannot be read."""
    found: Events = []
    try:
        while True:
            events, cursor = await _page(client, cursor)
            found += events
            if len(events) < PAGE:
                return found, cursor
    except CatalogsyncError:  # no feed, an old cursor, the network: read everything
        return None


class FeedFollower:
    """The feed read from `cursor` while apply runs. Whenever a page's worth of changes has
    been confirmed since the last read, the next page is read in the background, during the
    waits for Allegro's limits; when apply ends only the tail is left to read, instead of a
    page per thousand changes after the last command (a hundred at 100 000 offers)."""

    def __init__(
        self, client: AllegroClient, cursor: str | None, confirmed: Callable[[], int],
        interval: float = 1.0,
    ) -> None:
        self.client, self.cursor, self._confirmed = client, cursor, confirmed
        self.events: Events = []
        self.failed = False
        self._accounted = 0  # confirmations whose events the pages read so far cover
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self._follow(interval))

    async def _follow(self, interval: float) -> None:
        while not self.failed:
            try:
                await asyncio.wait_for(self._stop.wait(), interval)
                return
            except TimeoutError:
                pass
            if self._confirmed() - self._accounted >= PAGE:
                await self._read()

    async def _read(self) -> int:
        """Read the next page; how many events it had."""
        try:
            events, self.cursor = await _page(self.client, self.cursor)
        except CatalogsyncError:
            self.failed = True
            return 0
        self.events += events
        # a short page is the head of the feed: what was confirmed so far is in it, or late
        self._accounted = self._confirmed() if len(events) < PAGE else self._accounted + PAGE
        return len(events)

    async def finish(self) -> tuple[Events, str | None] | None:
        """Every event after the starting cursor, in order, and the cursor past them; None
        when the feed could not be read."""
        self._stop.set()
        await self._task
        while not self.failed and await self._read() == PAGE:
            pass
        return None if self.failed else (self.events, self.cursor)

    def cancel(self) -> None:
        """Stop reading (apply was interrupted)."""
        self._task.cancel()
