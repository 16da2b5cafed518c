"""Requests checked against Allegro's official OpenAPI spec, and a recorder for contract tests.

The spec subset and its compiled validators come from `openapi_subset.py`.

`api()` is the route gate of `handlers.api` with two additions:

* before the handler runs (so after the 406/401/415 checks, as on Allegro), the body and the
  required query parameters are validated with OpenAPI 3.0 semantics (`nullable`, `readOnly`,
  discriminators); a request of the wrong shape gets Allegro's error list, one entry per problem
  naming its path (`productSet[0].product.id`), with the status the spec documents for it;
* when a `recording.Recorder` is installed as `RECORDER` (tests do that), every exchange is
  kept for the contract suite.

Validators are compiled once per operation and process. A body is first checked by the
operation's `quick_check` (a few dozen microseconds for a full offer body); only one it refuses
goes through the validator (about half a millisecond), which names the errors.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from catalogsync.emulator import deviations, quick_check
from catalogsync.emulator.core.errors import ApiError, error_entry
from catalogsync.emulator.http import gate as h
from catalogsync.emulator.openapi_subset import (
    SCHEMA_LISTS,
    compile_validator,
    escape,
    resource,
    spec,
)
from catalogsync.emulator.recording import Recorder

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


def _json_schema_pointer(base: str, content: Mapping[str, Any] | None) -> str | None:
    """Where the JSON schema of a request body or response sits, if it has one."""
    for media_type, entry in (content or {}).items():
        if "schema" in entry and (media_type == h.MEDIA_TYPE or media_type.endswith("json")):
            return f"{base}/content/{escape(media_type)}/schema"
    return None


class Operation:
    """One operation of the spec, with its request validators compiled."""

    def __init__(self, method: str, template: str) -> None:
        self.method = method.upper()
        self.template = template
        self.pointer = f"/paths/{escape(template)}/{method.lower()}"
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
        self.body_validator = _validator(pointer, write=True) if pointer else None
        #: says fast that a body is valid; the validator names the errors of the others
        self.body_check = (quick_check.compiled(self.body_validator, resource)
                           if self.body_validator is not None else None)
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
        if self.body_validator is None or body is None or self.quickly_valid(body):
            return self.shape_status, []
        errors = [e for e in leaves(self.body_validator.iter_errors(body))
                  if (e.instance is not None or error_path(e) not in self.nulls_for_backend)
                  and not deviations.allowed("request", e)]
        return self.shape_status, entries(errors)

    def quickly_valid(self, body: Any) -> bool:
        """Whether the quick check finds the body valid (False: the validator must look)."""
        if self.body_check is None:
            return False
        try:
            return self.body_check(body)
        except quick_check.Undecided:
            return False

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
                pointer = _json_schema_pointer(f"{self.pointer}/responses/{escape(key)}",
                                               documented.get("content"))
                self._response_validators[key] = (
                    _validator(pointer) if pointer else None)
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
    return _validator(f"/components/schemas/{escape(name)}", write=write)


def _validator(pointer: str, *, write: bool = False) -> Any:
    """A validator of the spec's schema at `pointer`; the validator library loads on first use,
    so a CLI that embeds the emulator starts without it."""
    from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator

    return compile_validator(OAS30WriteValidator if write else OAS30ReadValidator, pointer)


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
    if error.validator in SCHEMA_LISTS and "discriminator" in schema:
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
        # errors steered into another shape are off the spec on purpose: not recorded
        if recorder is not None and h.backend_of(request).settings.error_shape == "errors":
            body = await request.body() if method in h.BODY_METHODS else b""
            recorder.add(method, template, request, body, response)
        return response

    return recorded


#: The recorder of every exchange, when one is installed (tests do that).
RECORDER: Recorder | None = None
