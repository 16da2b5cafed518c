"""The editor schema (docs/catalog.schema.json, written into `schemas/` by `init`) and
`catalogsync validate` judge a value alike: both read their rules from the same patterns
(catalog/amounts.py, catalog/values.py), and this test feeds both the same good and bad
values, written in YAML as a seller would."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from catalogsync.catalog.loader import load_catalog
from catalogsync.catalog.schema import catalog_file_schema
from catalogsync.errors import CatalogError

CASES = [
    ("price: 49.99", True),
    ("price: '49.99'", True),
    ("price: 30", True),
    ("price: '49,99'", False),
    ("price: 49,99", False),
    ("price: 49.99 zł", False),
    ("price: '49.99 zł'", False),
    ("price: -5", False),
    ("price: '-5'", False),
    ("price: 0", False),
    ("price: '0.00'", False),
    ("price: '1e3'", False),
    ("price: '29.999'", False),
    ("stock: 10", True),
    ("stock: '10'", True),
    ("stock: 10 szt", False),
    ("stock: -1", False),
    ("stock: 2147483648", False),
    ("product: {ean: 5901234123457}", True),
    ("product: {ean: '5901234123457'}", True),
    ("product: {ean: 590 1234 123457}", False),
    ("product: {ean: '590-1234-123457'}", False),
    ("product: {ean: abc}", False),
    ("product: {ean: 12345}", False),
    ("name: Kubek ceramiczny biały", True),
    ("name: Kubekceramiczny biały", False),
    ("name: Kubek", False),
    ('name: "Kubek\\nceramiczny biały"', False),
    ('name: "Kubek\\u00a0ceramiczny biały"', True),
    ('name: "Kubek\\u200b ceramiczny biały"', False),
    ('name: "Kubek \\u202eceramiczny biały"', False),
    ('name: "Kubek\\x1b]0;x\\x07 ceramiczny biały"', False),
]


@pytest.mark.parametrize(("line", "valid"), CASES, ids=[c[0] for c in CASES])
def test_the_editor_schema_and_validate_give_the_same_verdict(
    tmp_path: Path, line: str, valid: bool
) -> None:
    text = f"offers:\n  MUG-1:\n    {line}\n"
    schema_verdict = jsonschema.Draft202012Validator(catalog_file_schema()).is_valid(
        yaml.safe_load(text)
    )
    (tmp_path / "catalogsync.yaml").write_text("environment: local\n")
    (tmp_path / "offers.yaml").write_text(text, encoding="utf-8")
    try:
        load_catalog(tmp_path)
        validate_verdict = True
    except CatalogError:
        validate_verdict = False
    assert (schema_verdict, validate_verdict) == (valid, valid)
