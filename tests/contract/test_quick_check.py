"""The quick check of request bodies (emulator/quick_check.py) decides as the spec's validator:
on the spec's examples, on real bodies, on a body built from every property of each request
schema, on systematic mutations of all of them, and on every body the test run sent."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalogsync.emulator import conformance, quick_check
from catalogsync.emulator.openapi_subset import resource, spec

EXAMPLES = Path(__file__).parent / "examples"
TEMPLATES = sorted(
    (method.upper(), template)
    for template, item in spec()["paths"].items() for method in item
    if (op := conformance.operation(method.upper(), template)) and op.body_validator is not None
)
COMMAND = {"offerCriteria": [{"type": "CONTAINS_OFFERS", "offers": [{"id": "17700000001"}]}]}
GPSR = {"responsibleProducer": {"type": "NAME", "name": "Producent Demo"},
        "safetyInformation": {"type": "TEXT", "description": "Chronić przed dziećmi."}}
OFFER: dict[str, Any] = {
    "name": "Kubek ceramiczny biały 330 ml nr 000001",
    "productSet": [{"product": {"id": "6fa5cff5-8eda-427c-9d89-07d45aa8b16d"}, **GPSR}],
    "category": {"id": "67476"},
    "parameters": [{"id": "11323", "valuesIds": ["11323_1"]}, {"id": "2", "values": ["Biały"]}],
    "sellingMode": {"format": "BUY_NOW", "price": {"amount": "29.99", "currency": "PLN"}},
    "stock": {"available": 10, "unit": "UNIT"},
    "images": ["https://a.allegroimg.com/original/synthetic/000001.jpg"],
    "description": {"sections": [
        {"items": [{"type": "TEXT", "content": "<h1>Kubek</h1>"}]},
        {"items": [{"type": "IMAGE", "url": "https://a.allegroimg.com/original/s/1.jpg"},
                   {"type": "TEXT", "content": "<p>Można myć w zmywarce.</p>"}]},
    ]},
    "delivery": {"shippingRates": {"name": "Standard"}, "handlingTime": "PT24H"},
    "location": {"countryCode": "PL", "province": "MAZOWIECKIE", "city": "Warszawa",
                 "postCode": "00-950"},
    "payments": {"invoice": "VAT"},
    "external": {"id": "SYN-000001"},
    "publication": {"status": "INACTIVE", "startingAt": "2026-12-01T10:00:00Z"},
    "additionalMarketplaces": {"allegro-cz": {"sellingMode": {
        "price": {"amount": "129.00", "currency": "CZK"}}}},
}
#: real bodies of each operation (taken from the suite's exchanges), besides the spec's examples
BODIES: dict[tuple[str, str], list[Any]] = {
    ("POST", "/sale/product-offers"): [OFFER],
    ("PATCH", "/sale/product-offers/{offerId}"): [
        {"sellingMode": {"price": {"amount": "31.00", "currency": "PLN"}},
         "delivery": {"shippingRates": {"name": "Standard"}}}],
    ("PUT", "/sale/offer-publication-commands/{commandId}"): [
        {**COMMAND, "publication": {"action": "ACTIVATE"}}],
    ("PUT", "/sale/offer-price-change-commands/{commandId}"): [
        {**COMMAND, "modification": {"type": "FIXED_PRICE",
                                     "price": {"amount": "9.99", "currency": "PLN"}}}],
    ("PUT", "/sale/offer-quantity-change-commands/{commandId}"): [
        {**COMMAND, "modification": {"changeType": "FIXED", "value": 2}}],
    ("PUT", "/sale/offer-modification-commands/{commandId}"): [
        {**COMMAND, "modification": {
            "responsibleProducer": {"id": "f449db93-51f2-41f7-b491-7a69583741ed"},
            "safetyInformation": {"type": "ATTACHMENTS", "attachments": [{"id": "e42"}]},
            "delivery": {"shippingRates": {"id": "56440d7d-cfe7-4767-9ecc-06019d73801b"}}}}],
    ("POST", "/sale/shipping-rates"): [
        {"name": "Standard", "rates": [{
            "deliveryMethod": {"id": "a7de9a80-fc6e-43e6-a1bf-953c9d2cb214"},
            "maxQuantityPerPackage": 6, "maxPackageWeight": {"value": "19.000", "unit": "KILOGRAM"},
            "firstItemRate": {"amount": "12.00", "currency": "PLN"},
            "nextItemRate": {"amount": "2.50", "currency": "PLN"}}],
         "lastModified": "2018-04-05T12:20:23.974Z"}],
    ("POST", "/sale/responsible-producers"): [
        {"name": "Kubki", "producerData": {
            "tradeName": "Fabryka Kubków", "contact": {"email": "gpsr@kubki.example"},
            "address": {"countryCode": "PL", "street": "Gliniana 5", "postalCode": "30-001",
                        "city": "Kraków"}}}],
    ("POST", "/sale/offer-attachments"): [
        {"type": "SAFETY_INFORMATION_MANUAL", "file": {"name": "instrukcja.pdf"}}],
}


def full_verdict(op: conformance.Operation, body: Any) -> bool:
    assert op.body_validator is not None
    return next(iter(op.body_validator.iter_errors(body)), None) is None


def quick_verdict(op: conformance.Operation, body: Any) -> bool:
    assert op.body_check is not None
    try:
        return op.body_check(body)
    except quick_check.Undecided:
        return False


def disagreements(op: conformance.Operation, bodies: Iterator[tuple[str, Any]]) -> list[str]:
    out = []
    for where, body in bodies:
        full, quick = full_verdict(op, body), quick_verdict(op, body)
        if full != quick:
            out.append(f"{op.method} {op.template} {where}: validator says "
                       f"{'valid' if full else 'invalid'}, quick check {quick}: "
                       f"{json.dumps(body)[:300]}")
    return out


# --------------------------------------------------------------------------- bodies


def sample(schema: Any, depth: int = 0) -> Any:
    """A body with every property the schema names (the first alternative of each choice)."""
    if not isinstance(schema, dict) or depth > 30:
        return None
    discriminator = schema.get("discriminator")
    if discriminator and discriminator.get("mapping"):
        name, uri = next(iter(discriminator["mapping"].items()))
        return {**(sample(resource(uri), depth + 1) or {}), discriminator["propertyName"]: name}
    if "enum" in schema:
        return schema["enum"][0]
    value: Any = None
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(key, [])[: None if key == "allOf" else 1]:
            value = merged(value, sample(sub, depth + 1))
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        own = {name: sample(sub, depth + 1) for name, sub in schema.get("properties", {}).items()}
        if isinstance(schema.get("additionalProperties"), dict):
            own["allegro-cz"] = sample(schema["additionalProperties"], depth + 1)
        value = merged(value, own)
    elif kind == "array":
        value = [sample(schema.get("items"), depth + 1)]
    elif value is None:
        value = _scalar(kind, schema)
    return value


def _scalar(kind: Any, schema: dict[str, Any]) -> Any:
    if kind == "string":
        return {"uuid": "6fa5cff5-8eda-427c-9d89-07d45aa8b16d",
                "date-time": "2026-12-01T10:00:00Z"}.get(
            schema.get("format", ""), "PL" if "pattern" in schema else "x" * max(
                int(schema.get("minLength", 1)), 2))
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    return None


def merged(one: Any, two: Any) -> Any:
    if isinstance(one, dict) and isinstance(two, dict):
        return {**one, **{k: merged(one.get(k), v) for k, v in two.items()}}
    return two if two is not None else one


def nodes(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from nodes(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from nodes(item, (*path, index))


def replaced(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    out = copy.deepcopy(body)
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


def without(body: Any, path: tuple[Any, ...]) -> Any:
    out = copy.deepcopy(body)
    node = out
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return out


#: wrong types, nulls, bools for numbers, out-of-range numbers (minimum, int32, int64), empty
#: and too long strings, a string of no format or pattern the spec uses
WRONG = (None, True, 0, -1, 1.5, 2**63, "", "x" * 700, "not-a-uuid", [], {})
#: for a `type` field: discriminator names known (of this or another schema) and unknown
TYPES = ("TEXT", "IMAGE", "ID", "NAME", "ATTACHMENTS", "NO_SAFETY_INFORMATION", "UNKNOWN")


def mutations(body: Any) -> Iterator[tuple[str, Any]]:
    """One change at a time of every node: each wrong value, each field missing or null, an
    unknown or read-only field added, a list emptied or holding a wrong element."""
    yield "as given", body
    for path, node in nodes(body):
        where = ".".join(map(str, path)) or "body"
        for value in WRONG + (TYPES if path and path[-1] == "type" else ()):
            yield f"{where} = {value!r:.20}", replaced(body, path, value)
        if isinstance(node, dict):
            for key in node:
                yield f"{where} without {key}", without(body, (*path, key))
            for extra in ("unexpected", "createdAt"):
                yield f"{where} + {extra}", replaced(body, path, {extra: "x", **node})
        if isinstance(node, list):
            yield f"{where} + wrong element", replaced(body, path, [*node, 5])


def bodies_of(method: str, template: str) -> Iterator[tuple[str, Any]]:
    op = conformance.operation(method, template)
    assert op is not None and op.body_validator is not None
    given = [("sample", sample(op.body_validator.schema))]
    given += [(f"body {i}", body) for i, body in enumerate(BODIES.get((method, template), []))]
    given += [(f"example {name}", body) for name, body in spec_examples(method, template)]
    for label, body in given:
        for where, mutated in mutations(body):
            yield f"{label}: {where}", mutated


def spec_examples(method: str, template: str) -> list[tuple[str, Any]]:
    """Allegro's request examples for the operation (copies in tests/contract/examples)."""
    files = {("POST", "/sale/offer-variants"): ("offer-variants.request", "examples"),
             ("PUT", "/sale/offer-variants/{setId}"): ("offer-variants.request", "examples"),
             ("POST", "/sale/allegro-prices/offers-queries"): (
                 "allegro-prices.offers-queries", "request_examples")}
    if (method, template) not in files:
        return []
    name, key = files[method, template]
    examples = json.loads((EXAMPLES / f"{name}.examples.json").read_text())[key]
    return list(examples.items())


# --------------------------------------------------------------------------- the tests


@pytest.mark.parametrize(("method", "template"), TEMPLATES)
def test_quick_check_decides_as_the_validator(method: str, template: str) -> None:
    op = conformance.operation(method, template)
    assert op is not None
    assert op.body_check is not None, "every request schema compiles to a quick check"
    problems = disagreements(op, bodies_of(method, template))
    assert not problems, f"{len(problems)} disagreements:\n" + "\n".join(problems[:20])


def test_quick_check_finds_real_bodies_valid_without_the_validator() -> None:
    """The point of it: catalogsync's create body and a batch command pass on the quick check."""
    for (method, template), bodies in BODIES.items():
        op = conformance.operation(method, template)
        assert op is not None
        for body in bodies:
            assert op.quickly_valid(body), (method, template, body)


def test_a_body_the_quick_check_refuses_gets_the_validators_errors() -> None:
    op = conformance.operation("POST", "/sale/product-offers")
    assert op is not None
    body = {**OFFER, "stock": {"available": "ten", "unit": "UNIT"}}
    assert not op.quickly_valid(body)
    status, errors = op.request_errors(body, {})
    assert status == 422
    assert [(e["path"], e["message"]) for e in errors] == [
        ("stock.available", "'stock.available' must be of type integer, not string.")]


def test_an_unknown_discriminator_value_is_left_to_the_validator() -> None:
    op = conformance.operation("POST", "/sale/product-offers")
    assert op is not None and op.body_check is not None
    body = {**OFFER, "productSet": [{**OFFER["productSet"][0],
                                     "responsibleProducer": {"type": "OTHER", "id": "1"}}]}
    with pytest.raises(quick_check.Undecided):
        op.body_check(body)
    assert not full_verdict(op, body)


@pytest.mark.run_last
def test_quick_check_decides_as_the_validator_on_every_body_of_the_run() -> None:
    recorder = conformance.RECORDER
    if recorder is None:
        pytest.skip("tests/conftest.py installs the recorder; it is not loaded")
    problems: list[str] = []
    for exchange in recorder.exchanges:
        op = conformance.operation(exchange.method, exchange.template)
        if op is None or op.body_check is None or not exchange.request_body:
            continue
        try:
            body = json.loads(exchange.request_body)
        except ValueError:
            continue
        problems += disagreements(op, iter([(exchange.test, body)]))
    assert not problems, f"{len(problems)} disagreements:\n" + "\n".join(problems[:20])
