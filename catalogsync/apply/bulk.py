"""One bulk modification command of apply: up to 25 modifications, each an offer's own prices
or stock (`plan.carriers` chose them), sent and settled like the other commands
(`apply/sending.py`), each task standing for the price or quantity command it replaces."""

from __future__ import annotations

import json
from typing import Any

from catalogsync.allegro import bulk_wire
from catalogsync.apply.sending import Outgoing, Part
from catalogsync.plan.model import Change, CommandKind

#: Bulk commands apply has running at once: the offers of one command of 1000, where the other
#: commands run 10 (`COMMANDS_AT_ONCE`); the client bounds the requests in flight (R2). So the
#: first commands of a rate window go out together, and those the window holds back go out
#: together as it frees them, rather than ten by ten, each after another's poll.
AT_ONCE = 40


class BulkCommand:
    """The parts of a batch of offers, each with its Allegro id."""

    def __init__(self, batch: list[tuple[Change, str]], marketplace: str) -> None:
        self.marketplace = marketplace
        self.changes = {offer_id: change for change, offer_id in batch}
        self.fields = {offer_id: next(c.fields for c in change.commands
                                      if c.kind is CommandKind.BULK)
                       for change, offer_id in batch}
        self.parts: list[Part] = [(offer_id, field) for offer_id, fields in self.fields.items()
                                  for field in bulk_wire.FIELDS if field in fields]

    @property
    def digest(self) -> str:
        """What the command does, for its id (the same parts, the same id)."""
        return json.dumps([[o, f, self.fields[o][str(f)]] for o, f in self.parts], sort_keys=True)

    def outgoing(self) -> Outgoing:
        return Outgoing(CommandKind.BULK.value, self.parts, self._request,
                        media_type=bulk_wire.BETA_MEDIA_TYPE)

    def _request(self, uid: str, parts: list[Part]) -> tuple[str, str, dict[str, Any]]:
        modifications = [bulk_wire.modification(o, str(f), self.fields[o]) for o, f in parts]
        return "POST", bulk_wire.PATH, bulk_wire.body(uid, modifications)

    def stands_for(self, part: Part) -> tuple[CommandKind, dict[str, Any]]:
        """The price or quantity command a part does the work of (its values as the plan's
        commands have them: a price abroad names its marketplace)."""
        offer_id, field = part
        fields = self.fields[offer_id]
        if field == "stock":
            return CommandKind.QUANTITY, dict(fields["stock"])
        prices = fields["prices"]
        abroad = sorted(m for m in prices if m != self.marketplace)
        values: dict[str, Any] = {"price": prices.get(self.marketplace)}
        if abroad:
            values["marketplace"] = abroad[0]
        return CommandKind.PRICE, values
