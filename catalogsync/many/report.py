"""The one report of several catalogs (many/running.py): a section per catalog, headed by its
directory and seller, in the order given, then a line per catalog; text, Markdown or JSON.

What each catalog said on stderr follows on stderr, each line prefixed with its directory.
The Markdown report shares one pull-request comment's budget among the catalogs.
"""

from __future__ import annotations

import json
from typing import Any

import click

from catalogsync.many.running import Outcome, worst
from catalogsync.render import (
    COMMENT_MARKER,
    MARKDOWN_LIMIT,
    render_json,
    render_markdown,
    render_markdown_failure,
    render_text,
)
from catalogsync.safe_text import md_code, md_inline, visible
from catalogsync.wording import plural


def show(outcomes: list[Outcome], fmt: str, color: bool) -> None:
    for outcome in outcomes:
        for line in outcome.err.splitlines():
            click.echo(f"{visible(str(outcome.directory))}: {line}", err=True)
    if fmt == "json":
        click.echo(json.dumps(as_json(outcomes), indent=1, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(as_markdown(outcomes))
    else:
        click.echo(as_text(outcomes, color), nl=False, color=color)


def who(outcome: Outcome) -> str:
    """`seller demo-seller (1000001) on sandbox`, as far as the run got."""
    if outcome.seller is None:
        return "no seller (the run stopped before logging in)"
    login = f"{outcome.login} ({outcome.seller})" if outcome.login else outcome.seller
    return f"seller {login} on {outcome.environment}"


def state(outcome: Outcome) -> str:
    """What became of one catalog, in a few words."""
    if outcome.error is not None:
        return f"failed: {outcome.error.splitlines()[-1]}" if outcome.error else "failed"
    if outcome.plan is not None:
        if outcome.plan.errors:
            return f"blocked ({plural(len(outcome.plan.errors), 'error')})"
        changes = len(outcome.plan.changes)
        return plural(changes, "change") if changes else "no changes"
    if outcome.report is not None:
        failed = len(outcome.report.failed) + len(outcome.report.skipped)
        return f"applied, {failed} not done" if failed else "applied"
    return "nothing to change"


def as_text(outcomes: list[Outcome], color: bool) -> str:
    parts: list[str] = []
    for outcome in outcomes:
        parts.append(f"=== {visible(str(outcome.directory))}: {visible(who(outcome))} ===\n")
        if outcome.plan is not None:
            parts.append(render_text(outcome.plan, color=color))
        parts.append(outcome.out)
        if outcome.error is not None:
            parts += [visible(line) + "\n" for line in outcome.error.splitlines()[:-1]]
            parts.append(f"Error: {visible((outcome.error.splitlines() or [''])[-1])}\n")
        parts.append("\n")
    parts.append(f"{plural(len(outcomes), 'catalog')}, exit code {worst(outcomes)}:\n")
    parts += [f"  {visible(str(o.directory))}: {visible(state(o))}\n" for o in outcomes]
    return "".join(parts)


def as_markdown(outcomes: list[Outcome]) -> str:
    budget = (MARKDOWN_LIMIT - 200 * (len(outcomes) + 1)) // max(1, len(outcomes))
    lines = [COMMENT_MARKER, f"## catalogsync plan of {plural(len(outcomes), 'catalog')}", ""]
    lines += [f"- {md_code(str(o.directory))}: {md_inline(state(o))}" for o in outcomes]
    for outcome in outcomes:
        lines += ["", f"## {md_code(str(outcome.directory))}: {md_inline(who(outcome))}", ""]
        if outcome.plan is not None:
            section = render_markdown(outcome.plan, budget)
        else:
            section = render_markdown_failure(outcome.error or "no plan", budget)
        lines.append(section.removeprefix(COMMENT_MARKER).lstrip("\n"))
    return "\n".join(lines)


def as_json(outcomes: list[Outcome]) -> dict[str, Any]:
    """`{"exit_code", "catalogs": [{"directory", "environment", "seller": {"id", "login"},
    "exit_code", "error", "plan"}]}`; `plan` is the plan's own JSON (`plan --format json`)."""
    return {
        "exit_code": worst(outcomes),
        "catalogs": [
            {
                "directory": str(o.directory),
                "environment": o.environment,
                "seller": None if o.seller is None else {"id": o.seller, "login": o.login},
                "exit_code": o.code,
                "error": o.error,
                "plan": None if o.plan is None else json.loads(render_json(o.plan)),
            }
            for o in outcomes
        ],
    }
