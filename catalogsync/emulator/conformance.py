"""Requests checked against Allegro's official OpenAPI spec, and a recorder for contract tests.

The spec subset lives in `data/openapi_subset.json`, derived from the official file by
`scripts/derive_openapi.py` (its `x-derived` block names the source files, their dates and
sha256). Nothing here reads `../shared` at run time.

`api()` is the route gate of `handlers.api` with two additions:

* before the handler runs (so after the 406/401/415 checks, as on Allegro), the body and the
  required query parameters are validated with OpenAPI 3.0 semantics (`nullable`, `readOnly`,
  discriminators); a request of the wrong shape gets Allegro's error list, one entry per problem
  naming its path (`productSet[0].product.id`), with the status the spec documents for it;
* when a `Recorder` is installed (tests do that), every exchange is kept for the contract suite.

Validators are compiled once per operation and process; validating a full offer body takes
about half a millisecond.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator
from referencing import Registry
from referencing.jsonschema import DRAFT4
from starlette.requests import Request
from starlette.responses import Response

from catalogsync.emulator.core.errors import ApiError, error_entry
from catalogsync.emulator.http import gate as h

SPEC_URI = "urn:catalogsync:allegro-openapi-subset"
VALIDATION_ERROR = "VALIDATION_ERROR"
MAX_ERRORS = 20

#: The status Allegro gives a request of the wrong *shape*, where the spec's documented
#: responses do not settle it by the default rule (422 if documented, else 400).
#: Shipping rates: the spec documents 400 "Bad request" for POST and PUT and reserves POST's 422
#: for "the user has reached the limit of shipping rates sets", so a malformed set is a 400.
#: Product offers (422 "Unprocessable Entity", FAQ R19) and batch commands (422; a conflicting
#: price modification is a 422 VALIDATION_ERROR, API_NOTES §5) follow the default rule.
#: Images: 400 "Syntactically incorrect request"; its 422 is "problem with image server".
SHAPE_STATUS: dict[tuple[str, str], int] = {
    ("POST", "/sale/shipping-rates"): 400,
    ("PUT", "/sale/shipping-rates/{id}"): 400,
    ("POST", "/sale/images"): 400,
}

#: Operations whose spec shows the very error bodies for wrong requests; the emulator's handler
#: reproduces those (status, code and message), so the generic check stands aside. The contract
#: suite still checks every request these operations accept against the spec.
BACKEND_VALIDATES: dict[tuple[str, str], str] = {
    ("POST", "/sale/allegro-prices/offers-queries"):
        "400 ValidationException 'Missing required field: marketplace', 422 'Validation failed: "
        "…' (the spec's examples; emulator/campaigns.py)",
}


#: Nulls the spec's types reject but Allegro answers in its own way, left to the backend:
#: `"external": null` clears the external id, `"external": {"id": null}` is "Offer external
#: identifier may not be blank" (API_NOTES §4, [I#4610]).
NULLS_FOR_BACKEND: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/sale/product-offers"): frozenset({"external", "external.id"}),
    ("PATCH", "/sale/product-offers/{offerId}"): frozenset({"external", "external.id"}),
}


@cache
def spec() -> dict[str, Any]:
    """The derived spec subset (loaded once)."""
    text = resources.files(__package__).joinpath("data/openapi_subset.json").read_text("utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _target(ref: str) -> Any:
    node: Any = spec()
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


# --------------------------------------------------------------------------- compiling
#
# Validators get their schema with every `$ref` inlined (shared, not copied): without reference
# lookups validation runs about three times faster. Only a recursive reference stays one, made
# absolute so the registry resolves it in the subset. Discriminator mappings point to inlined
# copies of their subtypes, registered under `_subtype_uri`.

_SCHEMA_MAPS = ("properties", "patternProperties")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
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
        elif key in _SCHEMA_LISTS:
            out[key] = [_inlined(sub, stack, plain if key == "allOf" else None) for sub in value]
        elif key in _SCHEMA_ONE:
            out[key] = _inlined(value, stack)
        elif key == "discriminator" and isinstance(value.get("mapping"), dict):
            mapping = {name: _subtype_uri(target) for name, target in value["mapping"].items()}
            out[key] = {**value, "mapping": mapping}
        else:
            out[key] = value
    if "discriminator" in out and not any(key in out for key in _SCHEMA_LISTS):
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
                               ("#/x-latest/components",
                                spec().get("x-latest", {}).get("components", {}))):
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


def _compile(validator_class: Any, pointer: str) -> Any:
    """A validator for the schema at `pointer` of the subset; formats are asserted (date-time
    as RFC 3339, uuid, int32/int64 ranges); formats the library does not know pass."""
    return validator_class(_inlined({"$ref": f"#{pointer}"}), registry=_registry(),
                           format_checker=validator_class.FORMAT_CHECKER)


def _json_schema_pointer(base: str, content: Mapping[str, Any] | None) -> str | None:
    """Where the JSON schema of a request body or response sits, if it has one."""
    for media_type, entry in (content or {}).items():
        if "schema" in entry and (media_type == h.MEDIA_TYPE or media_type.endswith("json")):
            return f"{base}/content/{_escape(media_type)}/schema"
    return None


class Operation:
    """One operation of the spec, with its request validators compiled."""

    def __init__(self, method: str, template: str) -> None:
        self.method = method.upper()
        self.template = template
        self.pointer = f"/paths/{_escape(template)}/{method.lower()}"
        self.doc: Mapping[str, Any] = spec()["paths"][template][method.lower()]
        responses = self.doc.get("responses", {})
        self.shape_status = SHAPE_STATUS.get((self.method, template),
                                             422 if "422" in responses else 400)
        # A wrong query string is a 400 where the spec documents one (GET /sale/offers: "The
        # request query parameters are invalid"); the tasks resources document only 422.
        self.query_status = 400 if "400" in responses else 422
        self.required_query = tuple(
            p["name"] for p in self.doc.get("parameters", [])
            if p.get("in") == "query" and p.get("required")
        )
        body = self.doc.get("requestBody")
        pointer = body and _json_schema_pointer(f"{self.pointer}/requestBody",
                                                body.get("content"))
        self.nulls_for_backend = NULLS_FOR_BACKEND.get((self.method, template), frozenset())
        #: Gone from the newest spec (switched off in production): see `checked`.
        self.removed = bool(self.doc.get("x-removed"))
        self.body_validator = _compile(OAS30WriteValidator, pointer) if pointer else None
        self._response_validators: dict[str, Any] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ requests

    def request_errors(self, body: Any, query: Mapping[str, Any]
                       ) -> tuple[int, list[dict[str, Any]]]:
        """Allegro error entries for a request of the wrong shape (empty if it is fine)."""
        missing = [name for name in self.required_query if name not in query]
        if missing:
            return self.query_status, [
                error_entry(VALIDATION_ERROR, f"Required request parameter '{name}' is missing",
                            name) for name in missing
            ]
        if self.body_validator is None or body is None:
            return self.shape_status, []
        errors = [e for e in leaves(self.body_validator.iter_errors(body))
                  if e.instance is not None or error_path(e) not in self.nulls_for_backend]
        return self.shape_status, entries(errors)

    # ------------------------------------------------------------------ responses

    def response_doc(self, status: int) -> Mapping[str, Any] | None:
        """The documented response for `status` (exact, then `4XX`-style, then default)."""
        responses: Mapping[str, Any] = self.doc.get("responses", {})
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in responses:
                return dict(responses[key], status=key)
        return None

    def response_validator(self, status: int) -> Any | None:
        """The (lazily compiled) validator of a documented response body, if it has a schema."""
        documented = self.response_doc(status)
        if documented is None:
            return None
        key = documented["status"]
        with self._lock:
            if key not in self._response_validators:
                pointer = _json_schema_pointer(f"{self.pointer}/responses/{_escape(key)}",
                                               documented.get("content"))
                self._response_validators[key] = (
                    _compile(OAS30ReadValidator, pointer) if pointer else None)
            return self._response_validators[key]


@cache
def operation(method: str, template: str) -> Operation | None:
    """The spec's operation for an emulator route (compiled once per process), if any."""
    if method.lower() not in spec()["paths"].get(template, {}):
        return None
    return Operation(method, template)


@cache
def schema_validator(name: str, *, write: bool = False) -> Any:
    """A validator for `#/components/schemas/<name>` (for tests and example payloads)."""
    return _compile(OAS30WriteValidator if write else OAS30ReadValidator,
                    f"/components/schemas/{_escape(name)}")


# --------------------------------------------------------------------------- error entries


def json_path(parts: Iterable[Any]) -> str:
    """`["productSet", 0, "product", "id"]` → `productSet[0].product.id` (Allegro's style)."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def leaves(errors: Iterable[Any]) -> list[Any]:
    """The errors that say what is wrong: `oneOf`/`anyOf` failures replaced by the errors of
    their most specific alternative."""
    out: list[Any] = []
    for error in errors:
        if error.validator in ("oneOf", "anyOf") and error.context:
            deepest = max(len(e.absolute_path) for e in error.context)
            out += leaves(e for e in error.context if len(e.absolute_path) == deepest)
        else:
            out.append(error)
    return out


def _discriminator(error: Any) -> Mapping[str, Any] | None:
    """The discriminator a failed dispatch is about (unknown or missing subtype name)."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator in _SCHEMA_LISTS and "discriminator" in schema:
        discriminator: Mapping[str, Any] = schema["discriminator"]
        return discriminator
    return None


def error_path(error: Any) -> str | None:
    """The JSON path an error is about; for a missing field, the field itself."""
    parts = list(error.absolute_path)
    discriminator = _discriminator(error)
    if discriminator is not None:
        parts.append(discriminator["propertyName"])
    elif error.validator == "required" and isinstance(error.instance, dict):
        # one error per missing field, named first in its message: "'stock' is a required …"
        missing = [name for name in error.validator_value if name not in error.instance]
        parts += [name for name in missing if error.message.startswith(repr(name))][:1]
    return json_path(parts) or None


def _brief(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer",
               float: "number", type(None): "null"}


def error_message(error: Any) -> str:
    """A developer message in the style of Allegro's VALIDATION_ERRORs."""
    path = error_path(error)
    subject = f"'{path}'" if path else "The request body"
    kind, value = error.validator, error.validator_value
    discriminator = _discriminator(error)
    if discriminator is not None:
        given = error.instance.get(discriminator["propertyName"]) if isinstance(
            error.instance, dict) else None
        if not given:
            return f"{subject} is required."
        names = ", ".join(discriminator.get("mapping", {}))
        return f"{subject} must be one of: {names} (got {_brief(given)})."
    if kind == "required":
        return f"{subject} is required."
    if kind == "type":
        if error.instance is None:
            return f"{subject} may not be null."
        return (f"{subject} must be of type {value}, not "
                f"{_JSON_TYPES.get(type(error.instance), 'value')}.")
    if kind == "enum":
        allowed = ", ".join(str(v) for v in value[:20]) + (", ..." if len(value) > 20 else "")
        return f"{subject} must be one of: {allowed} (got {_brief(error.instance)})."
    if kind == "readOnly":
        return f"{subject} is read-only and cannot be sent."
    limits = {"minLength": "at least {} characters", "maxLength": "at most {} characters",
              "minItems": "at least {} elements", "maxItems": "at most {} elements",
              "minimum": "a value of at least {}", "maximum": "a value of at most {}",
              "pattern": "a value matching {}", "format": "a value in the {} format"}
    if kind in limits:
        return f"{subject} must have {limits[kind].format(value)} (got {_brief(error.instance)})."
    return f"{subject}: {error.message[:200]}"


def entries(errors: Iterable[Any]) -> list[dict[str, Any]]:
    """Allegro error entries (`VALIDATION_ERROR`, message, path) for validation errors."""
    out: dict[tuple[str | None, str], dict[str, Any]] = {}
    for error in leaves(errors):  # overlapping `allOf`s report some problems twice
        path, message = error_path(error), error_message(error)
        out.setdefault((path, message), error_entry(VALIDATION_ERROR, message, path))
    return list(out.values())[:MAX_ERRORS]


# --------------------------------------------------------------------------- the gate


def checked(method: str, template: str, handler: h.Handler) -> h.Handler:
    """`handler`, preceded by the spec's request validation when the spec has the operation."""
    op = operation(method, template)
    if op is None or (op.method, template) in BACKEND_VALIDATES:
        return handler

    def validated(call: h.Call) -> Response:
        if op.removed and not getattr(call.backend.settings, "legacy_variants", False):
            # Production answers AccessDenied for the switched-off `/sale/offer-variants*`
            # whatever the body; the spec applies only behind the emulator's legacy switch.
            return handler(call)
        status, errors = op.request_errors(call.body, call.request.query_params)
        if errors:
            raise ApiError.of(status, errors)
        return handler(call)

    return validated


def api(method: str, template: str, handler: h.Handler,
        access: h.Access = h.Access.USER) -> h.Endpoint:
    """`handlers.api` with spec validation in front of the handler and optional recording."""
    endpoint = h.api(method, template, checked(method, template, handler), access)

    async def recorded(request: Request) -> Response:
        response = await endpoint(request)
        recorder = RECORDER
        if recorder is not None:
            body = await request.body() if method in h.BODY_METHODS else b""
            recorder.add(method, template, request, body, response)
        return response

    return recorded


# --------------------------------------------------------------------------- recording


@dataclass(frozen=True)
class Exchange:
    """One request to a REST route of the emulator and its answer, as sent on the wire."""

    method: str
    template: str
    path: str
    query: str
    request_body: bytes
    status: int
    response_headers: Mapping[str, str]
    response_body: bytes
    test: str  # the test that caused it (pytest node id), "" outside tests


class Recorder:
    """Keeps every exchange while installed as `RECORDER` (off by default; tests switch it on)."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self.test = ""

    def add(self, method: str, template: str, request: Request, body: bytes,
            response: Response) -> None:
        self.exchanges.append(Exchange(
            method, template, request.url.path, request.url.query, body,
            response.status_code, dict(response.headers), bytes(response.body), self.test,
        ))


RECORDER: Recorder | None = None
