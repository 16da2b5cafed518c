"""`catalogsync explain R18`: a rule's explanation offline, from the one rules page the
package ships (docs/rules.md is the same file); messages point at it."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogsync import exitcodes
from catalogsync.cli.explain import rules_page, sections
from catalogsync.plan.model import Diagnostic, Severity
from tests.e2e.conftest import Run

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_the_shipped_rules_page_is_docs_rules_md() -> None:
    assert rules_page() == DOCS.read_text(encoding="utf-8"), (
        "catalogsync/rules.md and docs/rules.md differ: edit catalogsync/rules.md and copy it")


@pytest.mark.parametrize("given", ["R18", "r18", "18"])
def test_r18_is_explained_offline(run: Run, given: str) -> None:
    shown = run("explain", given)
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith('### R18 — "Description images are not valid."\n')
    assert "**Allegro:**" in shown.output and "**catalogsync:**" in shown.output
    assert "### R19" not in shown.output and "<a id" not in shown.output


def test_every_rule_has_its_section_and_the_listing_names_them(run: Run) -> None:
    known = sections(rules_page())
    assert list(known) == [f"R{n}" for n in range(1, 27)]
    assert "## Products" not in known["R22"]  # a chapter heading is not part of the rule before
    listing = run("explain").output.splitlines()
    assert listing[0].startswith("R1 — ") and listing[25].startswith("R26 — ")


def test_an_unknown_code_is_a_usage_error(run: Run) -> None:
    refused = run("explain", "R99")
    assert refused.exit_code == exitcodes.USAGE
    assert "R1 to R26" in refused.output


def test_r18_messages_point_at_explain() -> None:
    message = Diagnostic(severity=Severity.ERROR, subject="offer A", message="bad", rule="R18")
    assert str(message).endswith("[R18: catalogsync explain R18]")
