"""Batch commands: at most 1000 offers each (R14), with ids derived from the plan."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import TypeVar

from catalogsync.allegro.wire import MAX_OFFERS_PER_COMMAND
from catalogsync.plan.cost import COMMANDS_AT_ONCE

__all__ = ["COMMANDS_AT_ONCE", "MAX_OFFERS_PER_COMMAND", "chunks", "command_id"]

_NAMESPACE = uuid.UUID("6f1d2b1e-3c1a-4d0e-9a57-5c0a7d7e2f10")
T = TypeVar("T")


def chunks(items: Sequence[T], size: int = MAX_OFFERS_PER_COMMAND) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def command_id(plan_fingerprint: str, kind: str, offer_ids: Sequence[str]) -> str:
    """The same plan always yields the same command ids, so a re-run after a crash finds its
    commands (Allegro answers 409 for a used id) instead of submitting them twice; what failed
    in them goes again under a new id (`apply/sending.py`)."""
    return str(uuid.uuid5(_NAMESPACE, f"{plan_fingerprint}:{kind}:{','.join(offer_ids)}"))
