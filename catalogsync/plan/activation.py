"""An offer is activated only with stock above 0 (API_NOTES §4: "offer can be activated only
with stock >0"): a plan that would activate one with none says so before apply sends it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from catalogsync.plan.model import Action, Change, CommandKind, Diagnostic, Severity


def check_activation(change: Change, current: Mapping[str, Any] | None) -> list[Diagnostic]:
    """An error when `change` activates the offer and leaves it with stock 0. `current` is the
    live offer's fields (None: a create)."""
    activates = any(c.kind is CommandKind.PUBLICATION and c.fields.get("status") == "active"
                    for c in change.commands)
    if not activates:
        return []
    stock = next((d.new for d in change.diffs if d.field == "stock"), None)
    if stock is None and change.action is not Action.CREATE and current is not None:
        stock = current.get("stock")
    if stock != 0:
        return []
    return [Diagnostic(
        severity=Severity.ERROR,
        subject=f"offer {change.key}",
        message="would be activated with stock 0, which Allegro refuses: an offer goes on sale "
                "only with stock above 0; raise `stock`, or keep it as a draft (status: inactive)",
    )]
