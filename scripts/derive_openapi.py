#!/usr/bin/env python3
"""Derive the OpenAPI subset the emulator validates against, from Allegro's official spec.

Re-run it whenever the emulator routes a new operation or the spec copies are refreshed:

    python scripts/derive_openapi.py [--shared ../shared/allegro] [--check]

It reads `openapi-latest-bundled.yaml` (2026-07-18: primary, the newest description of every
operation it covers) and `openapi.yaml` (2026-03-03, the unmodified official file: only for the
operations the newer one dropped, such as the switched-off `/sale/offer-variants*`), keeps the
operations of the routes in `catalogsync.emulator.app.REST`, and writes them with just the
components they reference to `catalogsync/emulator/data/openapi_subset.json`. `$ref`s stay as
in the spec (`#/components/...`) and resolve inside the file; descriptions and examples are
dropped.
The emulator reads only that file at run time, never `../shared`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "catalogsync" / "emulator" / "data" / "openapi_subset.json"
DEFAULT_SHARED = ROOT.parent / "shared" / "allegro"

#: Allegro does not version the file (`info.version: latest`); the dates are those of the
#: snapshots (shared/allegro/SOURCE.md), pinned to their sha256 so a refreshed copy is noticed.
#: Newest first: an operation is taken from the first file that has it.
SOURCES = (
    ("openapi-latest-bundled.yaml", "2026-07-18",
     "7d5ce8822477e66e48d23be8dbc8cc3f6bd21d05d7712b024de2a85f99ce31e5"),
    ("openapi.yaml", "2026-03-03",
     "3df16d80b8003b48036647ee6545730bfb426dabe1d3e783202a113c66a6e3db"),
)
METHODS = ("get", "put", "post", "delete", "patch")
JSON_MEDIA = ("application/vnd.allegro.public.v1+json", "application/vnd.allegro.beta.v1+json",
              "application/json")
#: Annotations that validation never reads (`discriminator`, `readOnly`, `nullable` are kept).
DROPPED = {"description", "example", "examples", "externalDocs", "title", "xml", "deprecated"}
SCHEMA_MAPS = ("properties", "patternProperties", "definitions")
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
SCHEMA_ONE = ("items", "not", "additionalProperties")


def slim_schema(schema: Any) -> Any:
    """A schema without annotations; property *names* like `description` are kept."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in DROPPED or key.startswith("x-"):
            continue
        if key in SCHEMA_MAPS:
            out[key] = {name: slim_schema(sub) for name, sub in value.items()}
        elif key in SCHEMA_LISTS:
            out[key] = [slim_schema(sub) for sub in value]
        elif key in SCHEMA_ONE:
            out[key] = slim_schema(value)
        else:
            out[key] = value
    return out


def refs_in(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(value)
            elif key == "mapping" and isinstance(value, dict):  # discriminator targets
                found.update(v for v in value.values() if isinstance(v, str))
            else:
                found |= refs_in(value)
    elif isinstance(node, list):
        for item in node:
            found |= refs_in(item)
    return found


def pointer(doc: dict[str, Any], ref: str) -> Any:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $refs are supported: {ref}")
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def inline(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a Response/Parameter/RequestBody `$ref` (schemas keep theirs)."""
    while "$ref" in node:
        node = pointer(doc, node["$ref"])
    return node


def media(content: dict[str, Any] | None) -> dict[str, Any]:
    out = {}
    for media_type, entry in (content or {}).items():
        if media_type in JSON_MEDIA or media_type.endswith("+json"):
            out[media_type] = {"schema": slim_schema(entry.get("schema", {}))}
    return out


def operation(doc: dict[str, Any], path_item: dict[str, Any], op: dict[str, Any]
              ) -> dict[str, Any]:
    out: dict[str, Any] = {"operationId": op.get("operationId")}
    if op.get("deprecated"):
        out["deprecated"] = True
    # The scopes a user's token needs (`security`, kept as an extension: the subset has no
    # securitySchemes), which the emulator's gate enforces with Allegro's 403.
    scopes = sorted({scope for requirement in op.get("security", [])
                     for scope in requirement.get("bearer-token-for-user", [])})
    if scopes:
        out["x-scopes"] = scopes
    parameters = []
    for raw in [*path_item.get("parameters", []), *op.get("parameters", [])]:
        param = inline(doc, raw)
        parameters.append({key: (slim_schema(value) if key == "schema" else value)
                           for key, value in param.items()
                           if key in ("name", "in", "required", "schema", "style", "explode")})
    if parameters:
        out["parameters"] = parameters
    if "requestBody" in op:
        body = inline(doc, op["requestBody"])
        out["requestBody"] = {"required": bool(body.get("required")),
                              "content": media(body.get("content"))}
    responses = {}
    for status, raw in op.get("responses", {}).items():
        response = inline(doc, raw)
        entry: dict[str, Any] = {"description": response.get("description", "")[:120]}
        if response.get("headers"):
            entry["headers"] = {name: {"schema": slim_schema(inline(doc, header).get("schema", {}))}
                                for name, header in sorted(response["headers"].items())}
        if response.get("content"):
            entry["content"] = media(response["content"])
        responses[str(status)] = entry
    out["responses"] = responses
    return out


def referenced_components(doc: dict[str, Any], roots: Any) -> dict[str, dict[str, Any]]:
    """The transitive closure of `#/components/...` references, slimmed."""
    components: dict[str, dict[str, Any]] = {}
    pending = sorted(refs_in(roots))
    seen: set[str] = set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        _, section, name = ref[2:].split("/", 2)
        node = slim_schema(pointer(doc, ref))
        components.setdefault(section, {})[name] = node
        pending += sorted(refs_in(node) - seen)
    return {section: dict(sorted(items.items())) for section, items in sorted(components.items())}


def derive(shared: Path, routes: list[tuple[str, str]]) -> tuple[dict[str, Any], list[str]]:
    specs = []
    for file_name, date, known_sha in SOURCES:
        raw = (shared / file_name).read_bytes()
        sha = hashlib.sha256(raw).hexdigest()
        spec = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        specs.append({"file": file_name, "date": date if sha == known_sha else "UNKNOWN",
                      "sha256": sha, "openapi": spec["openapi"], "spec": spec})
    problems = [f"{s['file']}: sha256 differs from the pinned snapshot; update SOURCES"
                for s in specs if s["date"] == "UNKNOWN"]
    documents: list[dict[str, Any]] = []  # one per source actually used
    for source in specs:
        paths: dict[str, Any] = {}
        for method, template in routes:
            if any(template in d["paths"] and method in d["paths"][template] for d in documents):
                continue
            item = source["spec"]["paths"].get(template, {})
            if method in item:
                paths.setdefault(template, {})[method] = operation(source["spec"], item,
                                                                   item[method])
        if paths:
            documents.append({"source": source, "paths": paths})
    missing = [f"{m.upper()} {t}" for m, t in routes
               if not any(t in d["paths"] and m in d["paths"][t] for d in documents)]
    problems += [f"not in any spec: {m}" for m in missing]
    # Operations found only in the older file get components of their own (`x-older`) so that a
    # schema changed between the snapshots is never mixed up; the newest's sit at the top.
    primary = documents[0]
    out: dict[str, Any] = {
        "openapi": primary["source"]["openapi"],
        "info": {"title": "Allegro REST API (emulator subset)", "version": "latest"},
        "x-derived": {
            "by": "scripts/derive_openapi.py",
            "note": "Generated; do not edit. Operations served by catalogsync's emulator.",
            "sources": [{k: s[k] for k in ("file", "date", "sha256")} for s in specs],
            "notInSpec": missing,
        },
        "paths": {},
        "components": referenced_components(primary["source"]["spec"], primary["paths"]),
    }
    newest = specs[0]
    for path, item in primary["paths"].items():
        out["paths"][path] = {m: {**op, "x-source": primary["source"]["file"]}
                              for m, op in sorted(item.items())}
    for extra in documents[1:]:
        # Only operations the newest file dropped: a components namespace of their own.
        prefix = "#/x-older/components/"
        components = referenced_components(extra["source"]["spec"], extra["paths"])
        text = json.dumps({"paths": extra["paths"], "components": components})
        text = text.replace('"#/components/', f'"{prefix}')
        moved = json.loads(text)
        out["x-older"] = {"components": moved["components"]}
        for path, item in moved["paths"].items():
            out["paths"].setdefault(path, {}).update(
                {m: {**op, "x-source": extra["source"]["file"],
                     "x-removed": f"absent from {newest['file']} ({newest['date']})"}
                 for m, op in sorted(item.items())})
    out["paths"] = dict(sorted(out["paths"].items()))
    return out, problems


def emulator_routes() -> list[tuple[str, str]]:
    sys.path.insert(0, str(ROOT))
    from catalogsync.emulator.app import REST

    return sorted({(method.lower(), template) for method, template, *_ in REST})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                        help="folder holding openapi.yaml and openapi-latest-bundled.yaml")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the output file is not up to date")
    args = parser.parse_args(argv)
    doc, problems = derive(args.shared, emulator_routes())
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    text = json.dumps(doc, ensure_ascii=False, sort_keys=False, separators=(",", ":")) + "\n"
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date; run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    operations = sum(len(item) for item in doc["paths"].values())
    print(f"wrote {args.output} ({len(text.encode())} bytes, {operations} operations, "
          f"{sum(len(v) for v in doc['components'].values())} components)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
