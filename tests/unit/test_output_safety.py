"""Values from a catalog or from Allegro cannot forge the output they are shown in: the
Markdown comment a reviewer trusts, the HTML inside its `<details>`, or the terminal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalogsync.errors import Problem
from catalogsync.plan.model import Action, Change, Diagnostic, FieldDiff, Plan, Resource, Severity
from catalogsync.render import COMMENT_MARKER, render_markdown, render_markdown_failure, render_text
from catalogsync.safe_text import fence, hidden, hidden_characters, md_code, md_inline, visible

INJECTION = "Kubek\n```\n</details>\n\n# INJECTED @octocat\n```diff"
VARIANTS = [
    INJECTION,
    "Kubek <!-- the rest of the comment is hidden",
    "Kubek </details><details open><summary>Plan: 0 to create</summary>",
    "Kubek\n\n**Plan: 0 to create, 0 to update**",
    "Kubek ````\n# INJECTED",
    "Kubek | fake | cell |",
    "Kubek [click](https://evil.example) ![x](https://evil.example/x.png)",
    "Kubek @octocat @org/team",
]
TERMINAL = [
    "Kubek\x1b]0;pwned\x07 biały",  # OSC: retitles the terminal
    "Kubek\x1b[2J\x1b[H czarny",  # clears the screen
    "Kubek\x07",  # BEL
    "Kubek \u202eLM 033\u202c",  # right-to-left override
    "Kubek\u200b biały",  # zero-width space
    "Kubek\u2066x\u2069 \ufeff",  # isolates, BOM
    "Kubek\r[fake] line",
    "Kubek\x9b31m",  # C1 CSI
]


def renamed(live: str, wanted: str = "Kubek ceramiczny biały") -> Plan:
    change = Change(
        resource=Resource.OFFER,
        key="MUG-1",
        action=Action.UPDATE,
        id="1",
        diffs=(FieldDiff(field="name", old=live, new=wanted),),
        reason=f"renamed on Allegro to {live}",
    )
    note = Diagnostic(severity=Severity.WARNING, subject="offer MUG-1", message=f"name {live}")
    return Plan(
        environment="local", marketplace="allegro-pl", fingerprint="f",
        changes=(change,), diagnostics=(note,),
    )


def outside_code(markdown: str) -> str:
    """The Markdown that is not inside a fenced code block (where GitHub renders markup)."""
    out, fence_open = [], ""
    for line in markdown.splitlines():
        ticks = re.match(r"^(`{3,})", line)
        if fence_open:
            if ticks and line.strip() == fence_open:
                fence_open = ""
            continue
        if ticks:
            fence_open = ticks.group(1)
            continue
        out.append(line)
    return "\n".join(out)


def markup_left(text: str) -> list[str]:
    """Markup that would take effect: unescaped HTML, headings, fences, mentions, links."""
    ours = text.replace(COMMENT_MARKER, "")
    unescaped = re.sub(r"\\.", "", re.sub(r"`[^`]*`", "", ours))
    found = re.findall(r"<(?:!--|/?[a-z]+)|^#+ (?!catalogsync plan)|\]\(|@[a-z]", unescaped, re.M)
    return [m for m in found if m not in ("<details", "</details", "<summary", "</summary")]


@pytest.mark.parametrize("value", VARIANTS)
def test_a_live_name_cannot_forge_the_markdown_comment(value: str) -> None:
    markdown = render_markdown(renamed(value))
    outside = outside_code(markdown)
    assert markup_left(outside) == [], outside
    assert outside.count("</details>") == 1 and outside.rstrip().endswith("</details>")
    assert outside.count("<details>") == 1
    assert "\n# INJECTED" not in markdown
    assert "@octocat" not in outside  # inside code, GitHub mentions nobody


def test_the_injection_stays_inside_its_code_block_as_one_line() -> None:
    markdown = render_markdown(renamed(INJECTION))
    block = markdown[markdown.index("```diff") :]
    assert "- name: Kubek\\n```\\n</details>\\n\\n# INJECTED @octocat\\n```diff" in block


@pytest.mark.parametrize("value", TERMINAL + VARIANTS)
def test_no_hidden_character_reaches_the_terminal(value: str) -> None:
    text = render_text(renamed(value))
    lines = text.splitlines()
    assert all(c.isprintable() or c in "✏️→…" for c in text.replace("\n", "")), ascii(text)
    assert len(lines) == len(render_text(renamed("Kubek")).splitlines())


def test_escapes_name_what_was_hidden() -> None:
    assert visible("a\x1b]0;t\x07b") == "a\\x1b]0;t\\x07b"
    assert visible("a\u202eb\u200bc") == "a\\u202eb\\u200bc"
    assert visible("a\nb", newlines=True) == "a\nb" and visible("a\nb") == "a\\nb"
    assert visible("Kubek ceramiczny biały 330 ml") == "Kubek ceramiczny biały 330 ml"
    assert hidden_characters("Ku\u200bbek\u200b\t") == ["\\u200b", "\\t"]
    assert hidden_characters("Kubek biały\u00a0330 ml") == []  # a no-break space shows


def test_no_hidden_category_is_printable() -> None:
    """`visible` and `hidden_characters` skip text Python calls printable: that is safe only
    while every hidden category is among Python's non-printable ones."""
    assert not [c for c in map(chr, range(0x110000)) if c.isprintable() and hidden(c)]


def test_markdown_pieces() -> None:
    assert md_inline("<!-- x") == "\\<\\!-- x"
    assert md_inline("@octocat") == "@\u2060octocat"
    assert md_inline("a|b") == "a\\|b"
    assert md_code("a ``b`` c") == "```a ``b`` c```"
    assert md_code("`x") == "`` `x ``"
    assert fence(["+ a ``````"], "diff") == ["```````diff", "+ a ``````", "```````"]


def test_a_failure_comment_keeps_a_catalog_value_inside_its_block() -> None:
    message = f"offers.yaml:3:5: offers.MUG-1.name: {INJECTION}\n````\n# X\ncatalog is invalid"
    markdown = render_markdown_failure(message)
    assert markup_left(outside_code(markdown)) == []
    assert "\n# X" in markdown  # shown, but inside the fence that no line can close
    assert outside_code(markdown).strip().splitlines()[-1] == "### catalogsync plan failed"


def test_a_file_name_cannot_start_a_line_of_its_own() -> None:
    problem = Problem(Path("cat/x\n# INJECTED\x1b.yaml"), 3, 1, "offers: must be a mapping")
    assert str(problem) == "cat/x\\n# INJECTED\\x1b.yaml:3:1: offers: must be a mapping"
