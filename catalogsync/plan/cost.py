"""What apply will cost: requests by kind, and the least time Allegro's limits allow.

Every change with a request counts one: an offer translation is one PATCH or DELETE per offer
and language (reading them cost one GET per offer that has `translations`, before the plan).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable

from catalogsync.allegro.wire import MAX_OFFERS_PER_COMMAND
from catalogsync.plan.carriers import BULK_MODIFICATIONS, modifications
from catalogsync.plan.model import Action, Change, CommandKind, Resource

#: Allegro's per-minute limits that bound apply (API_NOTES §3; R1).
_PER_MINUTE = {"requests": 9000, "product-offer writes": 2490, "offer changes in commands": 9000,
               "offer changes in bulk commands": 9000}
#: usually: the report is first read when the command is as old as Allegro said the last one of
#: its kind took to settle (apply/polling.py)
_POLLS_PER_COMMAND = 1
#: `external.id` values one look-up for offers made since the plan may name (apply/creates.py)
_LOOKUP = 100
#: what a safety manual's upload takes (the attachment, then its file); an image takes one
_ATTACHMENT_REQUESTS = 2
_MAX_OFFERS = MAX_OFFERS_PER_COMMAND
#: Batch commands apply has running at once (each polled until its tasks settle).
COMMANDS_AT_ONCE = 10


def estimate(
    changes: tuple[Change, ...] | list[Change], uploads: Iterable[str] = ()
) -> tuple[int, float]:
    """(requests apply will make, least seconds Allegro's limits allow for them). `uploads`
    are the plan's upload keys (`attachment-…` for safety manuals)."""
    units: Counter[str] = Counter()
    groups: Counter[str] = Counter()
    units["requests"] += sum(
        _ATTACHMENT_REQUESTS if key.startswith("attachment-") else 1 for key in uploads
    )
    offers = [c for c in changes if c.resource is Resource.OFFER]
    creates = sum(1 for c in offers if c.action is Action.CREATE)
    # the look-up of offers made since the plan, and the event feed read after the offers
    units["requests"] += math.ceil(creates / _LOOKUP) + bool(offers)
    for change in changes:
        if change.request:
            units["requests"] += 1
            if change.resource is Resource.OFFER and change.request.method in ("POST", "PATCH"):
                units["product-offer writes"] += 1
        if change.resource is Resource.VARIANT_SET:
            units["requests"] += 1 + bool((change.payload or {}).get("replace"))
        if change.resource is Resource.OFFER_PRICE_RULES:  # commands: POST, report (apply/)
            followers = len((change.payload or {}).get("offers") or ())
            units["requests"] += math.ceil(followers / _MAX_OFFERS) * (1 + _POLLS_PER_COMMAND)
            units["offer changes in commands"] += followers
        for command in change.commands:
            if command.kind is CommandKind.BULK:  # any values: bulk commands fill up
                units["offer changes in bulk commands"] += modifications(command)
                continue
            groups[command.kind.value + json.dumps(command.fields, sort_keys=True)] += 1
            units["offer changes in commands"] += 1
    commands = sum(math.ceil(n / _MAX_OFFERS) for n in groups.values())
    commands += math.ceil(units["offer changes in bulk commands"] / BULK_MODIFICATIONS)
    units["requests"] += commands * (1 + _POLLS_PER_COMMAND)
    minutes = max(
        (math.floor((units[k] - 1) / limit) for k, limit in _PER_MINUTE.items() if units[k]),
        default=0,
    )
    return units["requests"], minutes * 60.0
