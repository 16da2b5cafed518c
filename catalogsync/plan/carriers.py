"""Which command carries each price and stock change: the cheapest for the run as a whole.

A price or quantity command sets one value for up to 1000 offers: one request and a poll,
however many offers share the value. A bulk modification command carries each offer's own
prices (on every marketplace at once) and stock, 25 modifications a command. So a value that
at least `SHARED` offers share goes by its own command; the others (a repricing where every
offer has its own price, a restock from a warehouse) go in bulk, 25 to a command, instead of a
command each. When bulk would take as many commands as the values' own (a single change),
the plain commands stay. A PATCH stays only where neither can carry the change (the planner's
choice: other fields change too, a new marketplace, stock down to 0).

A stock change whose target is below 1 stays with the quantity command: on an active offer
it ends the offer (Allegro's `EMPTY_STOCK`), which a bulk modification refuses. Pure: no I/O.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any

from catalogsync.plan.model import Change, Command, CommandKind

#: Modifications a bulk command holds [SL OfferBulkChangeCommand]
BULK_MODIFICATIONS = 25
#: Offers sharing one value from which a command of their own costs no more than bulk
SHARED = BULK_MODIFICATIONS
_CARRIED = (CommandKind.PRICE, CommandKind.QUANTITY)


def choose(changes: list[Change], marketplace: str) -> list[Change]:
    """The changes with each price and quantity command whose value fewer than `SHARED`
    offers share folded into one bulk command per offer (`marketplace` is the base one),
    when that takes fewer commands than their own; on a tie the plain commands stay."""
    keys = [[(c, _key(c)) for c in change.commands if c.kind in _CARRIED]
            for change in changes]
    shared = Counter(key for carried in keys for _, key in carried)
    moved: dict[int, list[Command]] = {}
    groups: set[tuple[CommandKind, str]] = set()
    for i, (change, carried) in enumerate(zip(changes, keys, strict=True)):
        lonely = [(c, key) for c, key in carried if shared[key] < SHARED and _bulk_can(change, c)]
        if lonely:
            moved[i] = [c for c, _ in lonely]
            groups.update(key for _, key in lonely)
    parts = sum(len({c.kind for c in alone}) for alone in moved.values())
    if math.ceil(parts / BULK_MODIFICATIONS) >= len(groups):
        return changes
    out = list(changes)
    for i, alone in moved.items():
        kept = [c for c in changes[i].commands if not any(c is a for a in alone)]
        bulk = Command(kind=CommandKind.BULK, fields=bulk_fields(alone, marketplace))
        # before the publication: a sold-out offer is restocked, then activated
        at = next((j for j, c in enumerate(kept) if c.kind is CommandKind.PUBLICATION),
                  len(kept))
        out[i] = changes[i].model_copy(update={"commands": (*kept[:at], bulk, *kept[at:])})
    return out


def bulk_fields(commands: list[Command], marketplace: str) -> dict[str, Any]:
    """One offer's price and quantity commands as a bulk modification's fields:
    `{"prices": {marketplace: "49.99 PLN"}, "stock": {"change": "GAIN", "value": 5}}`."""
    fields: dict[str, Any] = {}
    for command in commands:
        if command.kind is CommandKind.PRICE:
            where = command.fields.get("marketplace") or marketplace
            fields.setdefault("prices", {})[where] = command.fields["price"]
        else:
            fields["stock"] = dict(command.fields)
    return fields


def modifications(command: Command) -> int:
    """How many of a bulk command's 25 modifications an offer's part takes."""
    return ("prices" in command.fields) + ("stock" in command.fields)


def _bulk_can(change: Change, command: Command) -> bool:
    if command.kind is CommandKind.PRICE:
        return True
    target = next((d.new for d in change.diffs if d.field == "stock"), None)
    return isinstance(target, int) and target >= 1


def _key(command: Command) -> tuple[CommandKind, str]:
    """The command's kind and value (most are one plain value: no JSON to write)."""
    fields = command.fields
    if len(fields) == 1:
        [(name, value)] = fields.items()
        if isinstance(value, str | int) and not isinstance(value, bool):
            return command.kind, f"{name}={type(value).__name__}:{value}"
    return command.kind, json.dumps(fields, sort_keys=True)
