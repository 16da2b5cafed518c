"""A request body's validity decided fast, with the very semantics of the spec's write validator.

`conformance` validates every request body against the spec. The general validator (jsonschema
with openapi_schema_validator's OAS 3.0 keywords) builds a validator object per subschema it
descends into; that made checking an offer body cost more than creating the offer. Nearly every
body is valid, and for a valid one the only answer needed is "no errors". So each operation's
request schema is also compiled here into plain closures that say whether the validator would
report *no* error; only a body they refuse goes through the validator, which then names the
errors as before. The decisions must be the same; tests/contract/test_quick_check.py compares
both on example and mutated bodies and on every body the suite sends.

Each keyword is checked as the OAS 3.0 write validator does (`openapi_schema_validator`'s
`_keywords.py`): `type` with `nullable`; `required` without the properties marked `readOnly`;
a `discriminator` beside `allOf`/`anyOf`/`oneOf` replaces them by the subtype its mapping names;
keywords the validator does not know are ignored; `format` asks the validator's format checker.
Leaf keywords other than the frequent ones (`pattern`, bounds, `readOnly`) call the
validator's own keyword function, so their decisions are its own. What the closures cannot
decide (a discriminator value outside the mapping, resolved by name at run time) raises
`Undecided`; a schema with a keyword they do not handle (`$ref` that stayed one) gets no quick
check (`Unsupported`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from numbers import Number
from typing import Any

Check = Callable[[Any], bool]
Lookup = Callable[[str], Any]

#: isinstance checks equal to the OAS 3.0 type checker's (jsonschema's `is_integer` and
#: `is_number` for integer and number: an int or a `numbers.Number`, never a bool)
_PLAIN_TYPES: dict[str, type] = {"string": str, "object": dict, "array": list, "boolean": bool}
_NUMERIC_TYPES = ("integer", "number")
_LISTS = ("allOf", "anyOf", "oneOf")
#: keywords whose validator functions descend into subschemas: each is compiled here
_DESCENDING = frozenset({"$ref", "allOf", "anyOf", "oneOf", "not", "items", "properties",
                         "additionalProperties", "discriminator"})
#: the write validator's keywords that never report anything
_NOTHING = frozenset({"discriminator", "writeOnly", "xml", "externalDocs", "example",
                      "deprecated"})


class Undecided(Exception):
    """The quick check cannot tell for this body: ask the validator."""


class Unsupported(Exception):
    """The schema uses a keyword the quick check does not compile."""


def _always(_: Any) -> bool:
    return True


def _never(_: Any) -> bool:
    return False


@dataclass
class _Conjuncts:
    """What one schema asks, with its `allOf`s flattened in (all of it must hold): the type
    checks, the subschemas of each property, the required names, and every other check."""

    types: list[Check] = field(default_factory=list)
    properties: dict[str, list[Any]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    others: list[Check] = field(default_factory=list)


class Compiler:
    """Compiles schemas of one validator (an `OAS30WriteValidator` instance) into checks;
    `lookup` gives the schema a discriminator mapping's URI names."""

    def __init__(self, validator: Any, lookup: Lookup) -> None:
        if getattr(validator.VALIDATORS.get("required"), "__name__", "") != "write_required":
            raise Unsupported("required of another validator than the write validator")
        self._validator = validator
        self._lookup = lookup
        self._by_uri: dict[str, Check] = {}

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return _always
        parts = _Conjuncts()
        self._collect(schema, parts)
        properties = tuple(
            (name, self.compile(subs[0] if len(subs) == 1 else {"allOf": subs}))
            for name, subs in parts.properties.items())
        return _fused(parts.types, properties, tuple(parts.required), parts.others)

    def _collect(self, schema: Any, parts: _Conjuncts) -> None:
        if schema is True:
            return
        if schema is False:
            parts.others.append(_never)
            return
        if not isinstance(schema, Mapping):
            raise Unsupported(f"schema {schema!r}")
        known = self._validator.VALIDATORS
        for keyword, value in schema.items():
            if keyword not in known or keyword in _NOTHING:
                continue
            if keyword in _LISTS and "discriminator" in schema:
                parts.others.append(self._dispatch(schema["discriminator"]))
            elif keyword == "allOf":
                for sub in value:
                    self._collect(sub, parts)
            elif keyword == "properties":
                for name, sub in value.items():
                    parts.properties.setdefault(name, []).append(sub)
            elif keyword == "required":
                parts.required.update(_write_required(value, schema))
            elif keyword == "type":
                parts.types.append(self._type(value, schema))
            elif keyword in _DESCENDING:
                parts.others.append(self._descending(keyword, value, schema))
            else:
                parts.others.append(self._leaf(keyword, value, schema))

    # ----------------------------------------------------------------- keywords

    def _descending(self, keyword: str, value: Any, schema: Mapping[str, Any]) -> Check:
        if keyword == "items":
            if not isinstance(value, Mapping):
                raise Unsupported("items as a list")
            return _items(self.compile(value))
        if keyword == "additionalProperties":
            return self._additional(value, schema)
        if keyword == "not":
            inner = self.compile(value)
            return lambda instance: not inner(instance)
        if keyword in ("anyOf", "oneOf"):
            return _alternatives(keyword, [self.compile(sub) for sub in value])
        raise Unsupported(keyword)

    def _leaf(self, keyword: str, value: Any, schema: Mapping[str, Any]) -> Check:
        if keyword == "enum" and all(isinstance(v, str) for v in value):
            allowed = frozenset(value)  # a str equals only a str (jsonschema's `equal`)
            return lambda instance: isinstance(instance, str) and instance in allowed
        if keyword == "maxLength":
            return lambda instance: not isinstance(instance, str) or len(instance) <= value
        if keyword == "minLength":
            return lambda instance: not isinstance(instance, str) or len(instance) >= value
        if keyword == "format":
            return self._format(value)
        function, validator = self._validator.VALIDATORS[keyword], self._validator

        def keyword_function(instance: Any) -> bool:
            return next(iter(function(validator, value, instance, schema) or ()), None) is None

        return keyword_function

    def _type(self, name: Any, schema: Mapping[str, Any]) -> Check:
        nullable = schema.get("nullable") is True
        if name in _PLAIN_TYPES:
            kind = _PLAIN_TYPES[name]
            if name == "string" and schema.get("format") == "binary":
                kind = (str, bytes)  # type: ignore[assignment]  # the validator allows bytes
            if nullable:
                return lambda instance: instance is None or isinstance(instance, kind)
            return lambda instance: isinstance(instance, kind)
        if name in _NUMERIC_TYPES:
            kind = int if name == "integer" else Number
            return lambda instance: (nullable if instance is None else isinstance(
                instance, kind) and not isinstance(instance, bool))
        raise Unsupported(f"type {name!r}")

    def _format(self, name: Any) -> Check:
        """The format keyword: null passes, as does a format the checker does not know."""
        checker = self._validator.format_checker
        if checker is None or name not in checker.checkers:
            return _always
        conforms = checker.conforms
        return lambda instance: instance is None or conforms(instance, name)

    def _additional(self, value: Any, schema: Mapping[str, Any]) -> Check:
        if value is True or value == {}:
            return _always
        named = frozenset(schema.get("properties", {}))
        if schema.get("patternProperties"):
            raise Unsupported("additionalProperties beside patternProperties")
        extra = _never if value is False else self.compile(value)
        return lambda instance: not isinstance(instance, dict) or all(
            extra(instance[key]) for key in instance if key not in named)

    def _dispatch(self, discriminator: Mapping[str, Any]) -> Check:
        """A discriminator beside allOf/anyOf/oneOf: the instance is checked against the subtype
        its property names, and nothing else of the lists."""
        name = discriminator["propertyName"]
        mapping = {value: self._subtype(uri) for value, uri in
                   (discriminator.get("mapping") or {}).items() if uri}

        def dispatched(instance: Any) -> bool:
            if not isinstance(instance, dict):
                return False
            given = instance.get(name)
            if not given:
                return False
            if not isinstance(given, str) or given not in mapping:
                raise Undecided(f"discriminator value {given!r}")
            return mapping[given](instance)

        return dispatched

    def _subtype(self, uri: str) -> Check:
        """The check of a mapped subtype, compiled on first use (subtypes may nest)."""
        if uri not in self._by_uri:
            compiled: list[Check] = []
            self._by_uri[uri] = lambda instance: compiled[0](instance)
            compiled.append(self.compile(self._lookup(uri)))
        return self._by_uri[uri]


# --------------------------------------------------------------------------- combinators


def _fused(types: list[Check], properties: tuple[tuple[str, Check], ...],
           required: tuple[str, ...], others: list[Check]) -> Check:
    """One closure for all a schema asks (loops, not `all()` over generators: this runs for
    every node of every request body)."""
    if len(types) == 1 and not (properties or required or others):
        return types[0]
    checks = (*types, *others)

    def fused(instance: Any) -> bool:
        for check in checks:
            if not check(instance):
                return False
        if isinstance(instance, dict):
            for name in required:
                if name not in instance:
                    return False
            for name, check in properties:
                if name in instance and not check(instance[name]):
                    return False
        return True

    return fused


def _alternatives(keyword: str, checks: list[Check]) -> Check:
    if keyword == "anyOf":
        return lambda instance: any(check(instance) for check in checks)
    return lambda instance: sum(1 for check in checks if check(instance)) == 1


def _items(check: Check) -> Check:
    def items(instance: Any) -> bool:
        if isinstance(instance, list):
            for item in instance:
                if not check(item):
                    return False
        return True

    return items


def _write_required(names: list[str], schema: Mapping[str, Any]) -> list[str]:
    """The write validator's `required`: a missing property marked `readOnly` is no error."""
    properties = schema.get("properties", {})
    return [name for name in names
            if not (properties.get(name) and properties[name].get("readOnly", False))]


def compiled(validator: Any, lookup: Lookup) -> Check | None:
    """The quick check of `validator`'s schema, or None if it uses what is not compiled."""
    try:
        return Compiler(validator, lookup).compile(validator.schema)
    except Unsupported:
        return None
