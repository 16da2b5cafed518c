"""`catalogsync explain R18`: a rule's explanation, offline.

The text is `rules.md` shipped inside the package (docs/rules.md is the same file, for
readers of the repository; a test keeps them equal), so a seller who installed catalogsync
from an index reads what a message's `[R18: catalogsync explain R18]` points at.
"""

from __future__ import annotations

import re
from importlib.resources import files

import click

_ANCHOR = re.compile(r'^<a id="(r\d+)"></a>\n', re.MULTILINE)


def rules_page() -> str:
    return (files("catalogsync") / "rules.md").read_text(encoding="utf-8")


def sections(page: str) -> dict[str, str]:
    """Rule code (R18) -> its section, from its heading to the next rule or chapter."""
    found: dict[str, str] = {}
    anchors = list(_ANCHOR.finditer(page))
    for number, anchor in enumerate(anchors):
        end = anchors[number + 1].start() if number + 1 < len(anchors) else len(page)
        text = page[anchor.end():end]
        chapter = text.find("\n## ")
        found[anchor[1].upper()] = (text[:chapter] if chapter != -1 else text).strip() + "\n"
    return found


@click.command()
@click.argument("rule", required=False, metavar="RULE")
def explain(rule: str | None) -> None:
    """Explain a rule code of the messages (R1-R26), offline.

    Prints what Allegro does, what catalogsync does about it and where Allegro says so;
    without RULE, lists the rules."""
    known = sections(rules_page())
    if rule is None:
        for text in known.values():
            click.echo(text.splitlines()[0].removeprefix("### "))
        click.echo("Run `catalogsync explain R18` for one of them.")
        return
    code = rule.strip().upper()
    code = code if code.startswith("R") else f"R{code}"
    if code not in known:
        raise click.BadParameter(
            f"{rule!r} is not a rule code; they run from R1 to R{len(known)} "
            "(`catalogsync explain` lists them)",
            param_hint="RULE",
        )
    click.echo(known[code], nl=False)
