"""Renderers: text for terminals, Markdown for pull requests, JSON for machines."""

from __future__ import annotations

import json

from catalogsync.plan.model import (
    FORMAT_VERSION,
    Action,
    Change,
    Diagnostic,
    FieldDiff,
    Plan,
    Request,
    Resource,
    Severity,
)
from catalogsync.render import (
    render_json,
    render_markdown,
    render_markdown_failure,
    render_text,
)


def update(key: str, old: str = "29.99 PLN", new: str = "34.99 PLN") -> Change:
    return Change(
        resource=Resource.OFFER,
        key=key,
        action=Action.UPDATE,
        id="777",
        diffs=(FieldDiff(field="price", old=old, new=new),),
        request=Request(method="PATCH", path="/sale/product-offers/777", body={}),
    )


def make_plan(*changes: Change, diagnostics: tuple[Diagnostic, ...] = ()) -> Plan:
    return Plan(
        environment="local",
        marketplace="allegro-pl",
        fingerprint="f",
        changes=changes,
        diagnostics=diagnostics,
        unmanaged_offers=4,
    )


def test_text_shows_field_level_old_and_new_and_how() -> None:
    text = render_text(make_plan(update("MUG-1")))
    assert "  ~ offer MUG-1 (777)" in text
    assert "      ~ price: 29.99 PLN → 34.99 PLN" in text
    assert "      via PATCH /sale/product-offers/777" in text
    assert (
        "Plan: 0 to create, 1 to update (about 2 API requests to apply). "
        "4 offers outside the catalog are left alone." in text
    )
    assert "\x1b[" not in text


def test_counts_of_one_are_singular() -> None:
    one = make_plan(update("MUG-1")).model_copy(update={"unmanaged_offers": 1})
    error = Diagnostic(severity=Severity.ERROR, subject="offer A", message="bad")
    assert "1 offer outside the catalog is left alone." in render_text(one)
    assert "Plan blocked: 1 error;" in render_text(make_plan(diagnostics=(error,)))


def test_text_in_colour_only_when_asked() -> None:
    assert "\x1b[" in render_text(make_plan(update("MUG-1")), color=True)


def test_errors_block_the_plan_in_the_summary() -> None:
    error = Diagnostic(severity=Severity.ERROR, subject="offer A", message="bad", rule="R18")
    text = render_text(make_plan(diagnostics=(error,)))
    assert "error: offer A: bad [R18: catalogsync explain R18]" in text
    assert "Plan blocked: 1 error;" in text


def test_markdown_has_summary_table_and_diff_details() -> None:
    md = render_markdown(make_plan(update("MUG-1")))
    assert md.startswith("<!-- catalogsync-plan -->\n### catalogsync plan for allegro-pl (local)")
    assert "| ✏️ | offer `MUG-1` | price | PATCH /sale/product-offers/777 |" in md
    assert "- price: 29.99 PLN\n+ price: 34.99 PLN" in md


def test_markdown_stays_under_the_comment_limit() -> None:
    plan = make_plan(*(update(f"SKU-{i:05d}", new="x" * 90) for i in range(3000)))
    md = render_markdown(plan, limit=20_000)
    assert len(md) <= 20_000
    assert "more changes not shown" in md


def test_json_is_the_plan_with_how_each_change_is_carried_out() -> None:
    data = json.loads(render_json(make_plan(update("MUG-1"))))
    assert data["format_version"] == FORMAT_VERSION
    assert data["changes"][0]["via"] == ["PATCH /sale/product-offers/777"]
    assert data["changes"][0]["diffs"] == [
        {"field": "price", "old": "29.99 PLN", "new": "34.99 PLN"}
    ]


def test_nested_fields_show_the_leaf_that_changed() -> None:
    old = [
        {"delivery_method": "DPD", "first_item": "49.00 PLN"},
        {"delivery_method": "InPost", "first_item": "9.99 PLN"},
    ]
    new = [{"delivery_method": "DPD", "first_item": "59.00 PLN"}]
    change = Change(
        resource=Resource.SHIPPING_RATES,
        key="Gabaryt",
        action=Action.UPDATE,
        id="t-1",
        diffs=(FieldDiff(field="rates", old=old, new=new),),
    )
    text = render_text(make_plan(change))
    assert "~ rates[0].first_item: 49.00 PLN → 59.00 PLN" in text
    assert '- rates[1]: {"delivery_method": "InPost", "first_item": "9.99 PLN"} → (not set)' in text
    md = render_markdown(make_plan(change))
    assert "- rates[0].first_item: 49.00 PLN\n+ rates[0].first_item: 59.00 PLN" in md


def test_a_long_text_shows_where_it_changed() -> None:
    old = "<p>" + "Kubek ceramiczny do kawy. " * 10 + "Pojemność 330 ml.</p>"
    new = old.replace("330 ml", "350 ml")
    diff = FieldDiff(field="description", old=[[{"content": old}]], new=[[{"content": new}]])
    change = Change(resource=Resource.OFFER, key="MUG-1", action=Action.UPDATE, diffs=(diff,))
    (line,) = [x for x in render_text(make_plan(change)).splitlines() if "description" in x]
    assert "description[0][0].content: …" in line
    assert "Pojemność 330 ml" in line and "Pojemność 350 ml" in line
    assert len(line) < 200


def test_markdown_failure_stays_under_the_comment_limit() -> None:
    problems = "\n".join(f"offers/big.yaml:{n}:5: offers.SKU-{n}.stok: unknown key" for n in
                         range(5000))
    md = render_markdown_failure(problems + "\ncatalog is invalid: 5000 problems", limit=20_000)
    assert len(md) <= 20_000
    assert md.startswith("<!-- catalogsync-plan -->\n### catalogsync plan failed")
    assert "offers/big.yaml:0:5:" in md and "more lines in the job's log" in md
    assert md.endswith("catalog is invalid: 5000 problems\n````\n")
    assert render_markdown_failure("one problem").count("one problem") == 1
