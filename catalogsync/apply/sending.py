"""One batch command sent and waited for, part by part (R15, R16), retried after a failure.

A command's id is derived from the plan and its body (`batching.command_id`), so a run that
repeats the work of one that stopped finds the command that one sent: Allegro answers 409
"Command id was already used", and that command's tasks are the outcome (no duplicate work).
But a part whose task FAILed is never answered with that old failure: it is sent again under a
new id derived from the old one, so the run after a reported failure (the stock raised since,
Allegro's passing `OfferRepository error`) really tries again. Parts that succeeded are not
sent twice.

A part is an offer, or for a bulk modification command an offer's field (`prices`, `stock`):
each has a task of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from catalogsync.allegro.client import MEDIA_TYPE, AllegroClient
from catalogsync.apply.batching import command_id
from catalogsync.apply.polling import command_tasks

#: (offer id, field): the field is None for the commands of one value for many offers
Part = tuple[str, str | None]
Task = dict[str, Any]
#: How many earlier commands with failed tasks a part is resent past (each costs a 409):
#: every one of them is a run that failed on the same live state.
MAX_ATTEMPTS = 20


@dataclass(frozen=True)
class Outgoing:
    """A command to send: `request(id, parts)` is its method, path and body for those parts."""

    kind: str
    parts: list[Part]
    request: Callable[[str, list[Part]], tuple[str, str, dict[str, Any]]]
    media_type: str = MEDIA_TYPE


@dataclass(frozen=True)
class Journal:
    """Writes a command down before it is sent and forgets it once settled (state index)."""

    sending: Callable[[str, str, list[str]], None]  # id, kind, offer ids
    settled: Callable[[str], None]


async def send(client: AllegroClient, outgoing: Outgoing, uid: str, journal: Journal
               ) -> dict[Part, Task]:
    """Each part's task once settled (SUCCESS or FAIL)."""
    found: dict[Part, Task] = {}
    parts = outgoing.parts
    for _ in range(MAX_ATTEMPTS):
        method, path, body = outgoing.request(uid, parts)
        offers = [offer for offer, _ in parts]
        journal.sending(uid, outgoing.kind, offers)
        # the command id makes a repeat harmless (409): safe to retry after a lost answer
        response = await client.request(method, path, json=body, ok=(201, 409), idempotent=True,
                                        media_type=outgoing.media_type)
        tasks = by_part(await command_tasks(client, outgoing.kind, uid, offers), parts)
        journal.settled(uid)
        found.update(tasks)
        if response.status_code != 409:
            return found
        parts = [p for p in parts if tasks[p].get("status") != "SUCCESS"]
        if not parts:
            return found
        uid = command_id(uid, outgoing.kind, ["sent again after a failure"])
    gave_up = {"status": "FAIL", "message": f"{MAX_ATTEMPTS} earlier commands with this change "
               "failed; plan again"}
    return {**found, **{part: gave_up for part in parts}}


def by_part(tasks: list[Task], parts: list[Part]) -> dict[Part, Task]:
    """Tasks by the part they report on; every part gets one (when all succeeded the poll
    lists each offer as SUCCESS; a part Allegro reported nothing for failed)."""
    if all(t.get("status") == "SUCCESS" for t in tasks) and len(tasks) >= len(parts):
        return {part: {"status": "SUCCESS"} for part in parts}
    found: dict[Part, Task] = {}
    wanted = set(parts)
    for task in tasks:
        subject = task.get("subject") if isinstance(task.get("subject"), dict) else None
        if subject is not None:
            part: Part = (str(subject.get("offerId")), subject.get("field"))
        else:
            part = (str((task.get("offer") or {}).get("id")), None)
        if part not in wanted:  # a field named otherwise: the offer's only part, if it has one
            own = [p for p in parts if p[0] == part[0]]
            part = own[0] if len(own) == 1 else part
        found[part] = task
    missing = {"status": "FAIL", "message": "Allegro reported no task for this change"}
    return {part: found.get(part, missing) for part in parts}
