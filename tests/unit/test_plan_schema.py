"""The published plan schema matches the models, and real plans validate against it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from catalogsync.plan.model import FORMAT_VERSION
from catalogsync.plan.planner import plan
from catalogsync.plan.schema import plan_schema
from tests.unit.test_planner import NOW, catalog, live, live_mug, mug

PUBLISHED = Path(__file__).resolve().parents[2] / "docs" / "plan.schema.json"


def test_published_schema_is_up_to_date() -> None:
    assert json.loads(PUBLISHED.read_text()) == plan_schema(), (
        "regenerate: python -m catalogsync.plan.schema > docs/plan.schema.json"
    )


def test_saved_plans_validate_against_the_schema() -> None:
    result = plan(
        catalog({"MUG-1": mug(price="34.99"), "MUG-2": mug()}),
        live(offers={"MUG-1": live_mug()}),
        NOW,
    )
    document = json.loads(result.model_dump_json())
    jsonschema.validate(document, plan_schema())
    assert document["format_version"] == FORMAT_VERSION
