"""Recorded exchanges checked against the derived spec: responses, and the requests we sent.

Only the deviations listed in `catalogsync/emulator/deviations.py` pass.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs

from catalogsync.emulator import conformance, deviations
from catalogsync.emulator.conformance import Operation
from catalogsync.emulator.recording import Exchange

#: Tests whose requests are sent by catalogsync's own client (AllegroClient and its wire
#: builders); those must all conform. Emulator tests send deliberately broken requests too.
CLIENT_TESTS = ("tests/e2e/", "tests/contract/test_flow.py")

#: Exchanges checked per (test, operation, status); bulk tests (1001 offers, 429 storms)
#: repeat one shape thousands of times. CONTRACT_CHECK_ALL=1 checks every exchange.
PER_GROUP = 0 if os.environ.get("CONTRACT_CHECK_ALL") else 25
#: Response arrays are checked on their first elements (a 1000-offer page repeats one shape);
#: CONTRACT_CHECK_ALL=1 checks every element.
SAMPLE_ITEMS = 0 if os.environ.get("CONTRACT_CHECK_ALL") else 20


UNDOCUMENTED_STATUSES = deviations.UNDOCUMENTED_STATUSES
ERROR_MEDIA_TYPES = deviations.ERROR_MEDIA_TYPES


def allowed(error: Any) -> bool:
    """Whether a response validation error is one of the documented deviations (the one
    allow-list, `catalogsync/emulator/deviations.py`)."""
    return deviations.allowed("response", error)


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw.strip() else None
    except ValueError:
        return ValueError


def _sampled(body: Any, items: int) -> Any:
    """`body` with every array cut to its first `items` elements (0: as it is)."""
    if not items:
        return body
    if isinstance(body, list):
        return [_sampled(item, items) for item in body[:items]]
    if isinstance(body, dict):
        return {key: _sampled(value, items) for key, value in body.items()}
    return body


def _errors(validator: Any, body: Any) -> list[str]:
    return [
        f"{conformance.json_path(e.absolute_path) or '<body>'}: {e.message}"
        for e in conformance.leaves(validator.iter_errors(body))
        if not allowed(e)
    ]


def response_problems(op: Operation, exchange: Exchange) -> list[str]:
    headers = {k.lower(): v for k, v in exchange.response_headers.items()}
    body = _json(exchange.response_body)
    if body is ValueError:
        return ["the response body is not JSON"]
    body = _sampled(body, SAMPLE_ITEMS)
    problems: list[str] = []
    documented = op.response_doc(exchange.status)
    if documented is None and exchange.status not in UNDOCUMENTED_STATUSES:
        problems.append(f"status {exchange.status} is not documented")
    if documented is not None:
        for header in documented.get("headers", {}):
            if header.lower() not in headers:
                problems.append(f"documented header {header} is missing")
        content = documented.get("content") or {}
        media_type = headers.get("content-type", "").split(";")[0].strip()
        if content and body is None:
            problems.append("the documented body is missing")
        elif (
            content
            and media_type not in content
            and not (exchange.status >= 400 and media_type in ERROR_MEDIA_TYPES)
        ):
            problems.append(f"content-type {media_type} is not one of {sorted(content)}")
    if exchange.status == 401:
        # The spec documents 401 bodies as OAuth's AuthError on most operations and as
        # ErrorsHolder on GET /sale/product-offers/{offerId}; Allegro sends both (API_NOTES §1,
        # FAQ R9, R10), so either passes on any operation.
        if body is not None:
            schema = (
                "ErrorsHolder" if isinstance(body, dict) and "errors" in body else ("AuthError")
            )
            problems += [
                f"{schema}: {p}" for p in _errors(conformance.schema_validator(schema), body)
            ]
        return problems
    validator = op.response_validator(exchange.status)
    if validator is not None and body is not None:
        problems += _errors(validator, body)
    if exchange.status >= 400 and body is not None:
        if isinstance(body, dict) and "errors" in body:
            problems += _errors(conformance.schema_validator("ErrorsHolder"), body)
        else:
            problems.append("an error answer without Allegro's errors[] body")
    return problems


def request_problems(op: Operation, exchange: Exchange) -> list[str]:
    body = _json(exchange.request_body)
    if body is ValueError:
        return []  # malformed JSON: the gate's 400, nothing to validate
    status, errors = op.request_errors(body, parse_qs(exchange.query, keep_blank_values=True))
    if not errors:
        return []
    problems = []
    described = "; ".join(f"{e['path']}: {e['message']}" for e in errors[:5])
    answered = _json(exchange.response_body)
    codes = (
        {e.get("code") for e in (answered or {}).get("errors", [])}
        if isinstance(answered, dict)
        else set()
    )
    if exchange.status < 400:
        problems.append(f"the emulator accepted a request the spec rejects ({described})")
    elif exchange.status == status and "VALIDATION_ERROR" not in codes:
        problems.append(f"rejected without a VALIDATION_ERROR ({described})")
    if exchange.test.startswith(CLIENT_TESTS):
        problems.append(f"catalogsync's client sent a request the spec rejects ({described})")
    return problems


def problems_of(exchanges: Iterable[Exchange]) -> list[str]:
    """Every kind of problem with the exchanges, one line each with its count and an example.

    Identical exchanges are checked once, and at most `PER_GROUP` per test, operation and status.
    """
    found: dict[str, list[Any]] = {}
    seen: set[tuple[Any, ...]] = set()
    groups: Counter[tuple[str, str, str, int]] = Counter()
    for ex in exchanges:
        op = conformance.operation(ex.method, ex.template)
        key = (
            ex.method,
            ex.template,
            ex.status,
            ex.query,
            ex.request_body,
            ex.response_body,
            ex.test.startswith(CLIENT_TESTS),
        )
        group = (ex.test, ex.method, ex.template, ex.status)
        if op is None or key in seen or (PER_GROUP and groups[group] >= PER_GROUP):
            continue
        seen.add(key)
        groups[group] += 1
        for side, problems in (
            ("request", request_problems(op, ex)),
            ("response", response_problems(op, ex)),
        ):
            for problem in problems:
                kind = f"{ex.method} {ex.template} → {ex.status}: {side}: " + re.sub(
                    r"\[\d+\]", "[*]", problem
                )
                entry = found.setdefault(kind, [0, f"{ex.path} [{ex.test or 'outside tests'}]"])
                entry[0] += 1
    return [f"{kind}  (×{count}, e.g. {example})" for kind, (count, example) in found.items()]


def operations_of(exchanges: Iterable[Exchange]) -> set[str]:
    return {f"{ex.method} {ex.template}" for ex in exchanges}
