"""Allegro's official OpenAPI spec, as the subset the emulator serves, compiled into validators.

The subset lives in `data/openapi_subset.json`, derived from the official file by
`scripts/derive_openapi.py` (its `x-derived` block names the source files, their dates and
sha256). Nothing here reads `../shared` at run time.

Validators get their schema with every `$ref` inlined (shared, not copied): without reference
lookups validation runs about three times faster. Only a recursive reference stays one, made
absolute so the registry resolves it in the subset. Discriminator mappings point to inlined
copies of their subtypes, registered under `_subtype_uri`. Formats are asserted (date-time as
RFC 3339, uuid, int32/int64 ranges); formats the library does not know pass.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from referencing import Registry
from referencing.jsonschema import DRAFT4

SPEC_URI = "urn:catalogsync:allegro-openapi-subset"


@cache
def spec() -> dict[str, Any]:
    """The derived spec subset (loaded once)."""
    text = resources.files(__package__).joinpath("data/openapi_subset.json").read_text("utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


def escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _target(ref: str) -> Any:
    node: Any = spec()
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


_SCHEMA_MAPS = ("properties", "patternProperties")
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_SCHEMA_ONE = ("items", "not", "additionalProperties")
_INLINED: dict[tuple[str, bool], Any] = {}


def _subtype_uri(ref: str) -> str:
    return f"{SPEC_URI}:subtype:{ref[2:].replace('/', '.')}"


def _inlined(schema: Any, stack: tuple[str, ...] = (), plain: str | None = None) -> Any:
    """`schema` with its `$ref`s inlined. `plain` names the base schema of a subtype being
    inlined for its discriminator: that base is inlined without dispatching again."""
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        dispatch = ref != plain
        if ref in stack:
            target: Any = {"$ref": SPEC_URI + ref}
        else:
            if (ref, dispatch) not in _INLINED:
                inlined = _inlined(_target(ref), (*stack, ref))
                if not dispatch and "discriminator" in inlined and len(
                        inlined.get("allOf", ())) == 1:
                    inlined = inlined["allOf"][0]  # the base, without its dispatch
                _INLINED[ref, dispatch] = inlined
            target = _INLINED[ref, dispatch]
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        # These OAS 3.0 validators apply a `$ref`'s siblings as well: keep both.
        return {"allOf": [target, _inlined(siblings, stack)]} if siblings else target
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _SCHEMA_MAPS:
            out[key] = {name: _inlined(sub, stack) for name, sub in value.items()}
        elif key in SCHEMA_LISTS:
            out[key] = [_inlined(sub, stack, plain if key == "allOf" else None) for sub in value]
        elif key in _SCHEMA_ONE:
            out[key] = _inlined(value, stack)
        elif key == "discriminator" and isinstance(value.get("mapping"), dict):
            mapping = {name: _subtype_uri(target) for name, target in value["mapping"].items()}
            out[key] = {**value, "mapping": mapping}
        else:
            out[key] = value
    if "discriminator" in out and not any(key in out for key in SCHEMA_LISTS):
        # A discriminator on a base schema (Allegro's allOf inheritance, e.g. description items
        # TEXT/IMAGE): the instance must match the subtype it names, which the library checks
        # only for a discriminator beside allOf/oneOf/anyOf.
        base = {key: value for key, value in out.items() if key != "discriminator"}
        return {"allOf": [base], "discriminator": out["discriminator"]}
    return out


def _dispatch_targets() -> dict[str, str | None]:
    """Each discriminator target → the named schema whose own discriminator maps it (None for a
    discriminator further inside a schema)."""
    targets: dict[str, str | None] = {}

    def visit(node: Any, base: str | None) -> None:
        if isinstance(node, dict):
            for target in ((node.get("discriminator") or {}).get("mapping") or {}).values():
                targets.setdefault(target, base)
            for value in node.values():
                visit(value, None)
        elif isinstance(node, list):
            for item in node:
                visit(item, None)

    for prefix, components in (("#/components", spec().get("components", {})),
                               ("#/x-older/components",
                                spec().get("x-older", {}).get("components", {}))):
        for kind, named in components.items():
            for name, schema in named.items():
                visit(schema, f"{prefix}/{kind}/{name}")
    return targets


@cache
def _registry() -> Registry[Any]:
    """The subset, and the inlined subtypes the discriminators dispatch to."""
    registry: Registry[Any] = Registry().with_resource(SPEC_URI, DRAFT4.create_resource(spec()))
    for target, base in sorted(_dispatch_targets().items()):
        subtype = (_inlined({"$ref": target}) if base is None
                   else _inlined(_target(target), (target,), plain=base))
        registry = registry.with_resource(_subtype_uri(target), DRAFT4.create_resource(subtype))
    return registry


def resource(uri: str) -> Any:
    """The schema registered under `uri` (a discriminator's subtype, or the subset)."""
    return _registry().contents(uri)


def compile_validator(validator_class: Any, pointer: str) -> Any:
    """A validator for the schema at `pointer` of the subset."""
    return validator_class(_inlined({"$ref": f"#{pointer}"}), registry=_registry(),
                           format_checker=validator_class.FORMAT_CHECKER)


#: Writes whose `security` the spec leaves empty (API_NOTES §1: `PATCH /sale/product-offers`
#: "lists an empty scope list"; the legacy variant sets are under `sale:offers:*`).
_UNLISTED = {
    ("patch", "/sale/product-offers/{offerId}"): "allegro:api:sale:offers:write",
    ("post", "/sale/offer-variants"): "allegro:api:sale:offers:write",
    ("put", "/sale/offer-variants/{setId}"): "allegro:api:sale:offers:write",
    ("delete", "/sale/offer-variants/{setId}"): "allegro:api:sale:offers:write",
    ("get", "/sale/offer-variants"): "allegro:api:sale:offers:read",
    ("get", "/sale/offer-variants/{setId}"): "allegro:api:sale:offers:read",
}


@cache
def required_scopes(method: str, template: str) -> frozenset[str]:
    """The scopes a user's token needs for an operation (`x-scopes`, from its `security`)."""
    operation = spec()["paths"].get(template, {}).get(method.lower(), {})
    unlisted = _UNLISTED.get((method.lower(), template))
    return frozenset(operation.get("x-scopes", [unlisted] if unlisted else []))
