"""The JSON Schema of saved plans and of `plan --format json`, versioned by FORMAT_VERSION.

`python -m catalogsync.plan.schema > docs/plan.schema.json` regenerates the published copy;
a test keeps it in step with the models.
"""

from __future__ import annotations

import json
from typing import Any

from catalogsync.plan.model import FORMAT_VERSION, FieldDiff, Plan


def plan_schema() -> dict[str, Any]:
    schema = Plan.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://catalogsync.dev/schemas/plan-v{FORMAT_VERSION}.json"
    schema["description"] = (
        "A catalogsync plan: ordered changes with field-level diffs and how apply carries "
        "each out, diagnostics (errors block apply), and hashes of the live state it was "
        "made on. `plan --format json` adds `via` (human-readable steps) to each change."
    )
    # a diff's JSON leaves out an empty `source`: the same shape as it is read back
    schema["$defs"]["FieldDiff"] = FieldDiff.model_json_schema(mode="validation")
    schema["$defs"]["Change"]["properties"]["via"] = {
        "description": "`plan --format json` only: how apply carries the change out, in words "
        "(requests and batch commands); not read back from a saved plan.",
        "items": {"type": "string"},
        "readOnly": True,
        "title": "Via",
        "type": "array",
    }
    return schema


if __name__ == "__main__":
    print(json.dumps(plan_schema(), indent=2, ensure_ascii=False))
