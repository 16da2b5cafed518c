"""Waiting for Allegro's asynchronous work: batch-command tasks (R15, R16) and offer operations."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.errors import AllegroError
from catalogsync.errors import ApplyError

#: How long apply waits for one command or operation before giving up on it.
DEADLINE_SECONDS = 600.0
_FIRST_WAIT, _MAX_WAIT = 0.05, 5.0


async def command_tasks(
    client: AllegroClient, kind: str, command_id: str, expected: int
) -> list[dict[str, Any]]:
    """Poll `GET /sale/{kind}/{id}/tasks` until every offer's task is SUCCESS or FAIL.

    The PUT answered with zero counts (R15); tasks appear and settle over time.
    """
    started, wait = time.monotonic(), _FIRST_WAIT
    while True:
        body = await client.get(f"/sale/{kind}/{command_id}/tasks", params={"limit": 1000})
        tasks = body.get("tasks") if isinstance(body, dict) else None
        if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
            raise ApplyError(f"{kind} {command_id}: Allegro answered without a task list")
        if len(tasks) >= expected and all(t.get("status") != "NEW" for t in tasks):
            return tasks
        if time.monotonic() - started > DEADLINE_SECONDS:
            raise ApplyError(
                f"{kind} {command_id} still running after {DEADLINE_SECONDS:.0f} s; "
                "run apply again later to pick it up"
            )
        await asyncio.sleep(wait)
        wait = min(wait * 2, _MAX_WAIT)


async def operation(client: AllegroClient, location: str, retry_after: float) -> None:
    """Poll an offer operation (202 + Location) until it answers 303 (done)."""
    started = time.monotonic()
    wait = max(retry_after, _FIRST_WAIT)
    while True:
        await asyncio.sleep(min(wait, _MAX_WAIT))
        response = await client.request("GET", location, ok=(200, 202, 303))
        if response.status_code != 202:
            return
        if time.monotonic() - started > DEADLINE_SECONDS:
            raise ApplyError(f"offer operation {location} still running; run apply again later")
        wait = min(wait * 2, _MAX_WAIT)


async def put_variant_set(client: AllegroClient, set_id: str, body: dict[str, Any]) -> None:
    """PUT a variant set, waiting while Allegro says its offers "have not been processed
    yet" (they were activated moments ago, R24)."""
    started, wait = time.monotonic(), 0.5
    while True:
        try:
            await client.request("PUT", f"/sale/offer-variants/{set_id}", json=body)
            return
        except AllegroError as exc:
            processing = exc.status == 422 and "not been processed" in str(exc)
            if not processing or time.monotonic() - started > DEADLINE_SECONDS:
                raise
        await asyncio.sleep(wait)
        wait = min(wait * 2, _MAX_WAIT)
