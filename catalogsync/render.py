"""Plans for people (text on a terminal, Markdown in a pull request) and machines (JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from catalogsync.plan.cost import estimate
from catalogsync.plan.drift import describe
from catalogsync.plan.model import Action, Change, FieldDiff, Plan, Severity
from catalogsync.plan.nested import changed_window, nested_changes
from catalogsync.safe_text import fence, md_code, md_inline, visible
from catalogsync.wording import plural

Paint = Callable[..., str]
_SYMBOL = {
    Action.CREATE: ("+", "green"),
    Action.UPDATE: ("~", "yellow"),
    Action.END: ("-", "yellow"),
    Action.DELETE: ("-", "red"),
}
_WIDTH = 100
_SEVERITY_COLOUR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}
_SEVERITY_ICON = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.NOTE: "ℹ️"}


def render_text(plan: Plan, color: bool = False) -> str:
    def paint(text: str, fg: str, bold: bool = False) -> str:
        return click.style(text, fg=fg, bold=bold) if color else text

    lines: list[str] = []
    for diagnostic in plan.diagnostics:
        fg = _SEVERITY_COLOUR[diagnostic.severity]
        lines.append(paint(visible(str(diagnostic)), fg))
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
    if plan.read:
        lines.append(visible(plan.read))
    return "\n".join(lines) + "\n"


def _change_lines(change: Change, paint: Paint) -> list[str]:
    symbol, fg = _SYMBOL[change.action]
    head = f"  {symbol} {visible(change.address)}"
    if change.id:
        head += f" ({visible(change.id)})"
    if change.renamed_from:
        head += f" renamed from {visible(change.renamed_from)}"
    lines = [paint(head, fg, bold=True)]
    if change.reason:
        lines.append(f"      # {visible(change.reason)}")
    lines += [paint(f"      ! {visible(describe(d))}", "magenta") for d in change.drift]
    for diff in change.diffs:
        if change.action is Action.CREATE:
            lines.append(f"      {visible(diff.field)}: {_value(diff.new)}")
            continue
        for path, old, new in _leaves(diff):
            symbol = "+" if old is None else "-" if new is None else "~"
            lines.append(f"      {symbol} {visible(path)}: {_value(old)} → {_value(new)}")
        if diff.source:
            lines.append(f"          from {visible(diff.source)}")
    lines.append(f"      via {visible(', then '.join(change.via))}")
    lines.append("")
    return lines


def _leaves(diff: FieldDiff) -> list[tuple[str, Any, Any]]:
    """The changed leaves of one field, long strings cut down to where they differ."""
    rows = []
    for path, old, new in nested_changes(diff.field, diff.old, diff.new):
        if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > _WIDTH:
            old, new = changed_window(old, new)
        rows.append((path, old, new))
    return rows


def _value(value: Any) -> str:
    """One line, every hidden character escaped (a value may come from anyone)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if value is None:
        text = "(not set)"
    text = visible(text)
    return text if len(text) <= _WIDTH else text[: _WIDTH - 1] + "…"


def _summary(plan: Plan, paint: Paint) -> str:
    if plan.errors:
        return paint(
            f"Plan blocked: {plural(len(plan.errors), 'error')}; nothing will be "
            "applied until they are fixed.",
            "red",
            bold=True,
        )
    counts = plan.counts()
    if not plan.changes:
        text = "No changes. Allegro matches the catalog."
    else:
        parts = [
            f"{counts[Action.CREATE.value]} to create",
            f"{counts[Action.UPDATE.value]} to update",
        ]
        parts += [
            f"{counts[a.value]} to {a.value}"
            for a in (Action.END, Action.DELETE)
            if counts[a.value]
        ]
        requests, seconds = estimate(plan.changes, plan.uploads)
        took = f", at least {seconds / 60:.0f} min at Allegro's limits" if seconds else ""
        text = f"Plan: {', '.join(parts)} (about {plural(requests, 'API request')} to apply{took})."
    if plan.unmanaged_offers:
        others = plural(plan.unmanaged_offers, "offer")
        text += f" {others} outside the catalog {'is' if plan.unmanaged_offers == 1 else 'are'}"
        text += " left alone."
    return paint(text, "cyan", bold=True)


#: GitHub rejects comments over 65 536 characters; keep a margin for the CI's own words.
MARKDOWN_LIMIT = 60_000
#: Starts every Markdown plan: CI finds its earlier comment by it and edits it in place.
COMMENT_MARKER = "<!-- catalogsync-plan -->"
_MD_SYMBOL = {Action.CREATE: "➕", Action.UPDATE: "✏️", Action.END: "⏹️", Action.DELETE: "🗑️"}


def render_markdown(plan: Plan, limit: int = MARKDOWN_LIMIT) -> str:
    """A pull-request comment: the summary first, a table of changes, then details that are
    cut short (with a note) before the comment would exceed `limit` characters."""
    title = f"### catalogsync plan for {md_inline(plan.marketplace)} ({plan.environment})"
    head = [COMMENT_MARKER, title, ""]
    head.append(f"**{_summary(plan, _no_paint)}**")
    head.append("")
    if plan.read:
        head += [md_inline(plan.read), ""]
    for diagnostic in plan.diagnostics:
        icon = _SEVERITY_ICON[diagnostic.severity]
        head.append(f"- {icon} {md_inline(str(diagnostic))}")
    if plan.diagnostics:
        head.append("")
    if not plan.changes:
        return "\n".join(head)
    head += ["| | resource | fields | via |", "|---|---|---|---|"]
    rows = [
        f"| {_MD_SYMBOL[c.action]} | {c.resource.value} {md_code(c.key)} | "
        f"{md_inline(', '.join(d.field for d in c.diffs))}{_md_drift(c)} | "
        f"{md_inline(', '.join(c.via))} |"
        for c in plan.changes
    ]
    details = [_md_details(c) for c in plan.changes]
    out = "\n".join(head)
    shown_rows = 0
    for row in rows:
        if len(out) + len(row) + 200 > limit:
            break
        out += "\n" + row
        shown_rows += 1
    if shown_rows < len(rows):
        hidden = plural(len(rows) - shown_rows, "more change")
        return out + f"\n\n_{hidden} not shown; see the saved plan._\n"
    out += "\n\n<details><summary>Field-level changes</summary>\n"
    closing = "\n</details>\n"
    for shown, block in enumerate(details):
        if len(out) + len(block) + len(closing) + 100 > limit:
            hidden = plural(len(details) - shown, "more change")
            out += f"\n_{hidden} not shown; see the saved plan._\n"
            break
        out += block
    return out + closing


def render_markdown_failure(message: str, limit: int = MARKDOWN_LIMIT) -> str:
    """The pull-request comment when no plan could be made (invalid catalog, login, network):
    the message's details cut short before the comment would exceed `limit` characters, its
    last line (the summary) always shown."""
    *details, summary = [visible(line) for line in message.splitlines()] or [""]
    size = len(COMMENT_MARKER) + len(summary) + 300
    shown: list[str] = []
    for line in details:
        size += len(line) + 1
        if size > limit:
            shown.append(f"… {plural(len(details) - len(shown), 'more line')} in the job's log")
            break
        shown.append(line)
    head = [COMMENT_MARKER, "### catalogsync plan failed", ""]
    return "\n".join([*head, *fence([*shown, summary], least=4), ""])


def _md_details(change: Change) -> str:
    reason = f" — {md_inline(change.reason)}" if change.reason else ""
    rows = [f"! {visible(describe(d))}" for d in change.drift]  # in the fence: untrusted text
    for diff in change.diffs:
        if change.action is Action.CREATE:
            rows.append(f"+ {visible(diff.field)}: {_value(diff.new)}")
            continue
        for path, old, new in _leaves(diff):
            if old is not None:
                rows.append(f"- {visible(path)}: {_value(old)}")
            if new is not None:
                rows.append(f"+ {visible(path)}: {_value(new)}")
        if diff.source:
            rows.append(f"  from {visible(diff.source)}")
    lines = [f"\n**{md_inline(change.address)}**{reason}", "", *fence(rows, "diff")]
    return "\n".join(lines) + "\n"


def _md_drift(change: Change) -> str:
    if not change.drift:
        return ""
    return " (changed on Allegro: " + md_inline(", ".join(d.field for d in change.drift)) + ")"


def _no_paint(text: str, fg: str, bold: bool = False) -> str:
    return text


def render_json(plan: Plan) -> str:
    """The saved-plan document plus each change's `via` (docs/plan.schema.json allows it)."""
    data = plan.model_dump(mode="json")
    for change, dumped in zip(plan.changes, data["changes"], strict=True):
        dumped["via"] = list(change.via)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
