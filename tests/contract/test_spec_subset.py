"""The spec subset the emulator ships: where it comes from, that it is current, valid and small."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from catalogsync.emulator import conformance
from catalogsync.emulator.app import REST

SHARED = Path(__file__).resolve().parents[3] / "shared" / "allegro"


def test_subset_ships_inside_the_package_and_stays_small() -> None:
    data = resources.files("catalogsync.emulator").joinpath("data/openapi_subset.json")
    assert data.is_file()
    assert len(data.read_bytes()) < 250_000


def test_subset_names_its_sources_with_date_and_sha256() -> None:
    sources = conformance.spec()["x-derived"]["sources"]
    assert [(s["file"], s["date"]) for s in sources] == [
        ("openapi-latest-bundled.yaml", "2026-07-18"),
        ("openapi.yaml", "2026-03-03"),
    ]
    assert all(len(s["sha256"]) == 64 for s in sources)


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared spec copies are not checked out")
def test_subset_was_derived_from_the_shared_spec_files_as_they_are() -> None:
    """Else run `python scripts/derive_openapi.py`."""
    for source in conformance.spec()["x-derived"]["sources"]:
        digest = hashlib.sha256((SHARED / source["file"]).read_bytes()).hexdigest()
        assert digest == source["sha256"], source["file"]


def test_subset_holds_exactly_the_routed_operations() -> None:
    """Else run `python scripts/derive_openapi.py` (a route was added or removed)."""
    routed = {(method.lower(), path) for method, path, *_ in REST}
    derived = {
        (method, path) for path, item in conformance.spec()["paths"].items() for method in item
    }
    assert derived == routed
    assert conformance.spec()["x-derived"]["notInSpec"] == []


def test_subset_is_a_valid_openapi_30_document() -> None:
    validate(conformance.spec())


def test_removed_operations_are_marked() -> None:
    """`/sale/offer-variants*` exists only in the 2026-03-03 file (switched off 2026-04-14)."""
    removed = {
        f"{method.upper()} {path}"
        for path, item in conformance.spec()["paths"].items()
        for method, op in item.items()
        if op.get("x-removed")
    }
    assert removed == {
        "GET /sale/offer-variants",
        "POST /sale/offer-variants",
        "GET /sale/offer-variants/{setId}",
        "PUT /sale/offer-variants/{setId}",
        "DELETE /sale/offer-variants/{setId}",
    }
