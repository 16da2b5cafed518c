"""Plans for people (text) and for machines (JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from catalogsync.plan.model import Action, Change, Plan, Severity

Paint = Callable[..., str]
_SYMBOL = {Action.CREATE: ("+", "green"), Action.UPDATE: ("~", "yellow")}
_WIDTH = 100


def render_text(plan: Plan, color: bool = False) -> str:
    def paint(text: str, fg: str, bold: bool = False) -> str:
        return click.style(text, fg=fg, bold=bold) if color else text

    lines: list[str] = []
    for diagnostic in plan.diagnostics:
        fg = "red" if diagnostic.severity is Severity.ERROR else "yellow"
        lines.append(paint(str(diagnostic), fg))
    if plan.diagnostics:
        lines.append("")
    if plan.changes:
        lines.append(
            f"catalogsync will make these changes on {plan.marketplace} ({plan.environment}):"
        )
        lines.append("")
        for change in plan.changes:
            lines += _change_lines(change, paint)
    lines.append(_summary(plan, paint))
    return "\n".join(lines) + "\n"


def _change_lines(change: Change, paint: Paint) -> list[str]:
    symbol, fg = _SYMBOL[change.action]
    head = f"  {symbol} {change.address}"
    if change.id:
        head += f" ({change.id})"
    lines = [paint(head, fg, bold=True)]
    if change.reason:
        lines.append(f"      # {change.reason}")
    for diff in change.diffs:
        if change.action is Action.CREATE:
            lines.append(f"      {diff.field}: {_value(diff.new)}")
        else:
            lines.append(f"      ~ {diff.field}: {_value(diff.old)} → {_value(diff.new)}")
    lines.append(f"      via {', then '.join(change.via)}")
    lines.append("")
    return lines


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if value is None:
        text = "(not set)"
    return text if len(text) <= _WIDTH else text[: _WIDTH - 1] + "…"


def _summary(plan: Plan, paint: Paint) -> str:
    if plan.errors:
        count = len(plan.errors)
        return paint(
            f"Plan blocked: {count} error{'s' if count != 1 else ''}; nothing will be "
            "applied until they are fixed.",
            "red",
            bold=True,
        )
    counts = plan.counts()
    if not plan.changes:
        text = "No changes. Allegro matches the catalog."
    else:
        text = (
            f"Plan: {counts[Action.CREATE.value]} to create, "
            f"{counts[Action.UPDATE.value]} to update."
        )
    if plan.unmanaged_offers:
        text += f" {plan.unmanaged_offers} offers outside the catalog are left alone."
    return paint(text, "cyan", bold=True)


def render_json(plan: Plan) -> str:
    data = plan.model_dump(mode="json")
    for change, dumped in zip(plan.changes, data["changes"], strict=True):
        dumped["via"] = list(change.via)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
