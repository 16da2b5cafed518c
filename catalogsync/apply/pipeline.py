"""Batch commands sent as soon as their offers are ready, not phase by phase.

An offer's commands run in order (modification, price, quantity, publication: an offer is
activated with its final content), each after its create or edit. Offers that get the same
kind of command with the same value share a command of up to 1000 offers (R14), and bulk
modifications (each offer its own values) share one of 25 modifications; a command is
sent the moment it is full, or once no more offers can join it. So the activation of the
first 1000 creates starts while later creates still go out — the two are under different
limits — and commands of different kinds, which touch different offers, overlap.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from catalogsync.apply.batching import MAX_OFFERS_PER_COMMAND
from catalogsync.plan.carriers import BULK_MODIFICATIONS, modifications
from catalogsync.plan.model import Action, Change, Command, CommandKind

ORDER = (
    CommandKind.MODIFICATION,
    CommandKind.PRICE,
    CommandKind.QUANTITY,
    CommandKind.BULK,
    CommandKind.PUBLICATION,
)
Member = tuple[Change, str]  # the change, and the offer's Allegro id
#: sends one command for these offers; returns once every task has settled
Send = Callable[[CommandKind, dict[str, Any], list[Member]], Awaitable[None]]


class CommandPipeline:
    def __init__(self, changes: list[Change], send: Send) -> None:
        self._send = send
        #: how many offers may still join a command of each kind
        self._coming: Counter[CommandKind] = Counter(
            c.kind for change in changes for c in change.commands
        )
        #: (kind, value) -> the offers waiting, each with its command's place in its order
        self._groups: dict[tuple[CommandKind, str], list[tuple[Change, str, int]]] = {}
        self._values: dict[str, dict[str, Any]] = {}
        #: how full each waiting command is: offers, or a bulk command's modifications
        self._sizes: dict[tuple[CommandKind, str], int] = {}
        self._running: set[asyncio.Task[None]] = set()

    def ready(self, change: Change, offer_id: str) -> None:
        """The offer's own request is done (or it had none): its commands may start."""
        self._next(change, offer_id, 0)

    def dropped(self, change: Change) -> None:
        """The offer will never be ready (its create failed)."""
        for command in change.commands:
            self._coming[command.kind] -= 1
        self._flush_finished()

    async def finish(self) -> None:
        """Wait until every command has been sent and has settled (call once every offer
        is ready or dropped)."""
        while True:
            self._flush_finished()
            if not self._running:
                if not self._groups:
                    return
                for kind, key in list(self._groups):  # nothing running: no one else comes
                    self._launch(kind, key)
            await asyncio.gather(*list(self._running))

    def _next(self, change: Change, offer_id: str, position: int) -> None:
        commands = _ordered(change.commands)
        if position < len(commands):
            command = commands[position]
            self._coming[command.kind] -= 1
            if command.kind is CommandKind.BULK:  # each offer its own values: any may join
                key, size, room = "", modifications(command), BULK_MODIFICATIONS
            else:
                key, size, room = json.dumps(command.fields, sort_keys=True), 1, \
                    MAX_OFFERS_PER_COMMAND
            self._values[key] = {} if command.kind is CommandKind.BULK else command.fields
            if self._sizes.get((command.kind, key), 0) + size > room:
                self._launch(command.kind, key)
            self._groups.setdefault((command.kind, key), []).append((change, offer_id, position))
            self._sizes[command.kind, key] = self._sizes.get((command.kind, key), 0) + size
            if self._sizes[command.kind, key] >= room:
                self._launch(command.kind, key)
        self._flush_finished()

    def _flush_finished(self) -> None:
        """Send the partial commands of kinds no further offer can join."""
        for kind, key in list(self._groups):
            if self._coming[kind] <= 0:
                self._launch(kind, key)

    def _launch(self, kind: CommandKind, key: str) -> None:
        members = self._groups.pop((kind, key))
        self._sizes.pop((kind, key), None)
        task = asyncio.ensure_future(self._run(kind, self._values[key], members))
        self._running.add(task)
        task.add_done_callback(self._settled)

    def _settled(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if not task.cancelled():
            task.exception()  # seen here; `finish` raises it (an interrupt may come first)

    async def _run(
        self, kind: CommandKind, values: dict[str, Any], members: list[tuple[Change, str, int]]
    ) -> None:
        await self._send(kind, values, [(change, offer_id) for change, offer_id, _ in members])
        for change, offer_id, position in members:  # on to the next command, failed or not
            self._next(change, offer_id, position + 1)


def _ordered(commands: tuple[Command, ...]) -> list[Command]:
    return sorted(commands, key=lambda c: ORDER.index(c.kind))


def ends_first(offers: list[Change]) -> list[list[Change]]:
    """The offer changes in the groups apply carries out one after the other: when a plan
    ends (or deletes) offers and creates others, the ends go first and settle, so a new offer
    of the product an ended one sold is not a second listing of it (Allegro forbids one)."""
    ends = [c for c in offers if c.action in (Action.END, Action.DELETE)]
    if not ends or not any(c.action is Action.CREATE for c in offers):
        return [offers]
    return [ends, [c for c in offers if c.action not in (Action.END, Action.DELETE)]]
