"""A shop stood up from an empty account by one apply of a catalog that uses every resource an
offer refers to (after-sales conditions, a size table, a contact, a price rule, tax settings,
translations), planned to nothing, then imported into an empty directory and planned to
nothing again: the round trip of docs/resources.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run, offer_id
from tests.e2e.test_after_sales import with_conditions
from tests.e2e.test_price_rules import use_rule
from tests.e2e.test_size_tables import use_size_tables
from tests.e2e.test_tax import with_tax
from tests.e2e.test_translations import translate

SELLER = "1000001"


def _sections(directory: Path) -> dict[str, Any]:
    """Every top-level section of the catalog's YAML files, merged."""
    found: dict[str, Any] = {}
    for path in directory.rglob("*.yaml"):
        for section, entries in (yaml.safe_load(path.read_text()) or {}).items():
            if isinstance(entries, dict):
                found.setdefault(section, {}).update(entries)
    return found


def test_a_shop_with_every_resource_stands_up_from_an_empty_account_and_round_trips(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path
) -> None:
    with_conditions(catalog_dir)
    use_size_tables(catalog_dir)
    use_rule(catalog_dir)
    with_tax(catalog_dir)
    translate(catalog_dir)

    applied = run("apply", catalog_dir, "--auto-approve")

    assert applied.exit_code == 0 and " 0 failed" in applied.output, applied.output
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0
    white = backend.offers.get(SELLER, offer_id(catalog_dir, "MUG-WHITE-330"))
    assert set(white["afterSalesServices"]) >= {"returnPolicy", "impliedWarranty", "warranty"}
    assert white["taxSettings"] and white["contact"]

    adopted = tmp_path / "adopted"
    imported = run("import", adopted)
    assert imported.exit_code == 0, imported.output
    sections = _sections(adopted)
    assert {"return_policies", "implied_warranties", "warranties", "size_tables", "contacts",
            "price_rules"} <= set(sections), sorted(sections)
    mug = sections["offers"]["MUG-WHITE-330"]
    assert {"translations", "tax", "price_rules"} <= set(mug), sorted(mug)
    again = run("plan", adopted, "--detailed-exitcode")
    assert again.exit_code == 0, again.output
