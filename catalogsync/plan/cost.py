"""What apply will cost: requests by kind, and the least time Allegro's limits allow."""

from __future__ import annotations

import json
import math
from collections import Counter

from catalogsync.allegro.wire import MAX_OFFERS_PER_COMMAND
from catalogsync.plan.model import Change, Resource

#: Allegro's per-minute limits that bound apply (API_NOTES §3; R1).
_PER_MINUTE = {"requests": 9000, "product-offer writes": 2490, "offer changes in commands": 9000}
_POLLS_PER_COMMAND = 2  # usually: the tasks are read once pending and once done
_MAX_OFFERS = MAX_OFFERS_PER_COMMAND
#: Batch commands apply has running at once (each polled until its tasks settle).
COMMANDS_AT_ONCE = 10


def estimate(changes: tuple[Change, ...] | list[Change]) -> tuple[int, float]:
    """(requests apply will make, least seconds Allegro's limits allow for them)."""
    units: Counter[str] = Counter()
    groups: Counter[str] = Counter()
    for change in changes:
        if change.request:
            units["requests"] += 1
            if change.resource is Resource.OFFER and change.request.method in ("POST", "PATCH"):
                units["product-offer writes"] += 1
        if change.resource is Resource.VARIANT_SET:
            units["requests"] += 1 + bool((change.payload or {}).get("replace"))
        for command in change.commands:
            groups[command.kind.value + json.dumps(command.fields, sort_keys=True)] += 1
            units["offer changes in commands"] += 1
    commands = sum(math.ceil(n / _MAX_OFFERS) for n in groups.values())
    units["requests"] += commands * (1 + _POLLS_PER_COMMAND)
    minutes = max(
        (math.floor((units[k] - 1) / limit) for k, limit in _PER_MINUTE.items() if units[k]),
        default=0,
    )
    return units["requests"], minutes * 60.0
