"""Waiting for Allegro's asynchronous work: batch-command tasks (R15, R16) and offer operations."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.errors import AllegroError
from catalogsync.errors import ApplyError
from catalogsync.state.index import StateIndex, forget_command

#: How long apply waits for one command or operation before giving up on it.
DEADLINE_SECONDS = 600.0
_FIRST_WAIT, _MAX_WAIT = 0.05, 5.0
#: client -> kind of command -> seconds Allegro took to process its last one of the kind
#: (its report's `completedAt` − `createdAt`: Allegro's own measure, which no wait of ours
#: can lengthen)
_processing: WeakKeyDictionary[AllegroClient, dict[str, float]] = WeakKeyDictionary()
Sleep = Callable[[float], Awaitable[None]]


async def command_tasks(
    client: AllegroClient,
    kind: str,
    command_id: str,
    offer_ids: list[str],
    *,
    sent_at: float | None = None,
    sleep: Sleep = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> list[dict[str, Any]]:
    """Wait until the command's task for every offer is SUCCESS or FAIL; return the tasks.

    The PUT answered with zero counts (R15); tasks appear and settle over time. The small
    report (`GET /sale/{kind}/{id}`, counts only) is polled; the task list is read only when
    some task failed, for its message: when every task succeeded, each offer's is SUCCESS.
    Every wait is derived from this command alone: the first poll comes when the command
    (sent at `sent_at`) is as old as Allegro took to process the last command of the kind;
    after a poll that finds it running, the next comes after the `Retry-After` Allegro gave,
    else when the command's age has doubled (at most `_MAX_WAIT` later).
    """
    sent = clock() if sent_at is None else sent_at
    known = _processing.setdefault(client, {})
    wait = known.get(kind, _FIRST_WAIT) - (clock() - sent)
    path = f"/sale/{kind}/{command_id}"
    while True:
        if wait > 0:
            await sleep(wait)
        response = await client.request("GET", path)
        report = response.json()
        counts = report.get("taskCount") if isinstance(report, dict) else None
        if not isinstance(counts, dict):
            raise ApplyError(f"{kind} {command_id}: Allegro answered without task counts")
        total, success = int(counts.get("total") or 0), int(counts.get("success") or 0)
        failed = int(counts.get("failed") or 0)
        if total >= len(offer_ids) and success + failed >= total:
            took = processing_seconds(report)
            if took is not None:
                known[kind] = min(max(took, _FIRST_WAIT), _MAX_WAIT)
            if failed == 0:
                return [{"offer": {"id": i}, "status": "SUCCESS"} for i in offer_ids]
            return await _task_list(client, kind, command_id)
        age = clock() - sent
        if age > DEADLINE_SECONDS:
            raise ApplyError(
                f"{kind} {command_id} still running after {DEADLINE_SECONDS:.0f} s; "
                "run apply again later to pick it up"
            )
        told = _retry_after(response.headers.get("Retry-After"))
        wait = told if told is not None else min(max(age, _FIRST_WAIT), _MAX_WAIT)


def processing_seconds(report: dict[str, Any]) -> float | None:
    """How long Allegro took to process a finished command, by its own clock (None: the
    report does not say)."""
    try:
        created = datetime.fromisoformat(str(report["createdAt"]))
        completed = datetime.fromisoformat(str(report["completedAt"]))
    except (KeyError, ValueError):
        return None
    return max((completed - created).total_seconds(), 0.0)


def _retry_after(value: str | None) -> float | None:
    """A `Retry-After` in seconds, bounded; None when absent or not a number."""
    try:
        return min(max(float(value or ""), 0.0), _MAX_WAIT)
    except ValueError:
        return None


async def _task_list(client: AllegroClient, kind: str, command_id: str) -> list[dict[str, Any]]:
    body = await client.get(f"/sale/{kind}/{command_id}/tasks", params={"limit": 1000})
    tasks = body.get("tasks") if isinstance(body, dict) else None
    if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
        raise ApplyError(f"{kind} {command_id}: Allegro answered without a task list")
    return tasks


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


#: R24: right after activation Allegro may take up to an hour ([I#4795]) to process offers
#: before a legacy variant set takes them; apply waits this long, backing off, then says so.
VARIANT_WAIT_SECONDS = 300.0
_VARIANT_FIRST_WAIT, _VARIANT_MAX_WAIT = 2.0, 60.0


async def put_variant_set(
    client: AllegroClient,
    set_id: str,
    body: dict[str, Any],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """PUT a variant set, waiting while Allegro says its offers "have not been processed
    yet" (they were activated moments ago, R24): backing off from 2 s to a minute, for at
    most `VARIANT_WAIT_SECONDS`; then the error says to run apply again later."""
    started, wait = clock(), _VARIANT_FIRST_WAIT
    while True:
        try:
            await client.request("PUT", f"/sale/offer-variants/{set_id}", json=body)
            return
        except AllegroError as exc:
            if not (exc.status == 422 and "not been processed" in str(exc)):
                raise
            waited = clock() - started
            if waited + wait > VARIANT_WAIT_SECONDS:
                raise ApplyError(
                    f"Allegro is still processing the offers of variant set {body.get('name')!r} "
                    f"after {waited:.0f} s (it can take up to an hour after they are activated, "
                    "R24); the offers are on sale. Run `catalogsync apply` again later: the set "
                    "is the only thing left to do"
                ) from exc
        await sleep(wait)
        wait = min(wait * 2, _VARIANT_MAX_WAIT)


async def settle_pending(client: AllegroClient, index: StateIndex, index_path: Path) -> int:
    """Wait for commands an interrupted apply left running, so live state is final.

    Returns how many there were. A command Allegro no longer knows is simply forgotten.
    """
    pending = dict(index.commands)
    for uid, command in pending.items():
        try:
            await command_tasks(client, command.kind, uid, command.offers)
        except AllegroError as exc:
            if exc.status != 404:
                raise
        forget_command(index_path, index, uid)  # its record only
    return len(pending)


def task_message(task: dict[str, Any]) -> str:
    """What a failed command task says, in the words Allegro gave."""
    errors = task.get("errors") or []
    texts = [e.get("userMessage") or e.get("message") for e in errors if isinstance(e, dict)]
    return "; ".join(t for t in texts if t) or str(task.get("message") or "")
