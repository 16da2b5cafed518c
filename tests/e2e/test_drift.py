"""Drift: what someone else changed on Allegro since the last apply is shown, and the catalog
says per field who wins."""

from __future__ import annotations

import difflib
import json
from decimal import Decimal
from pathlib import Path

import yaml

from catalogsync.emulator.backend import Backend
from catalogsync.synthetic import write_catalog
from tests.e2e.conftest import Run, offer_ids

SELLER = "1000001"


def _edit_on_allegro(backend: Backend, offer_id: str) -> None:
    backend.offers.patch(SELLER, offer_id, {"sellingMode": {"price": {"amount": "33.00",
                                                                      "currency": "PLN"}}})
    backend.offers.patch(SELLER, offer_id, {"name": "Kubek zmieniony na stronie Allegro"})


def _settings(catalog: Path, **defaults: object) -> None:
    path = catalog / "catalogsync.yaml"
    settings = yaml.safe_load(path.read_text())
    settings.setdefault("defaults", {}).update(defaults)
    path.write_text(yaml.safe_dump(settings, sort_keys=False))


def test_a_colleagues_edit_is_shown_before_the_change_that_reverts_it(
    run: Run, tmp_path: Path, backend: Backend
) -> None:
    catalog = write_catalog(tmp_path / "shop", 3)
    assert run("apply", catalog, "--auto-approve").exit_code == 0
    sku, offer_id = sorted(offer_ids(catalog).items())[0]
    _edit_on_allegro(backend, offer_id)

    plan = run("plan", catalog, "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output
    assert "changed on Allegro since the last apply: price 29.99 PLN → 33.00 PLN" in plan.output
    assert "changed on Allegro since the last apply: name" in plan.output
    assert "price: 33.00 PLN → 29.99 PLN" in plan.output
    assert plan.output.count("changed on Allegro") == 2  # only the edited offer, nothing else

    as_json = json.loads(run("plan", catalog, "--format", "json").stdout)
    change = next(c for c in as_json["changes"] if c["key"] == sku)
    assert {d["field"] for d in change["drift"]} == {"name", "price"}
    assert {"field": "price", "was": "29.99 PLN", "now": "33.00 PLN"} in change["drift"]
    markdown = run("plan", catalog, "--format", "markdown").output
    assert "(changed on Allegro: name, price)" in markdown

    assert run("apply", catalog, "--auto-approve").exit_code == 0  # the catalog wins
    assert run("plan", catalog, "--detailed-exitcode").exit_code == 0


def test_our_own_changes_are_not_drift(run: Run, tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "shop", 3)
    assert run("apply", catalog, "--auto-approve").exit_code == 0
    write_catalog(catalog, 3, price=Decimal("31.99"))
    plan = run("plan", catalog)
    assert "price: 29.99 PLN → 31.99 PLN" in plan.output
    assert "changed on Allegro" not in plan.output
    assert run("apply", catalog, "--auto-approve", "--allow-mass-change").exit_code == 0
    after = run("plan", catalog, "--detailed-exitcode")
    assert after.exit_code == 0, after.output


def test_where_allegro_wins_the_field_stays_and_the_plan_says_to_copy_it(
    run: Run, tmp_path: Path, backend: Backend
) -> None:
    catalog = write_catalog(tmp_path / "shop", 2)
    _settings(catalog, drift_wins={"price": "allegro"})
    assert run("apply", catalog, "--auto-approve").exit_code == 0
    offer_id = sorted(offer_ids(catalog).values())[0]
    _edit_on_allegro(backend, offer_id)

    plan = run("plan", catalog)
    assert "price 29.99 PLN → 33.00 PLN; the catalog leaves price to Allegro" in plan.output
    assert "catalogsync import --update DIR" in plan.output
    assert "price: 33.00 PLN →" not in plan.output  # left as it is
    assert "name: Kubek zmieniony na stronie Allegro →" in plan.output  # the catalog wins here
    assert run("apply", catalog, "--auto-approve").exit_code == 0
    # still said after an apply, until the catalog takes the value
    again = run("plan", catalog, "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "the catalog leaves price to Allegro" in again.output
    assert backend.offers.get(SELLER, offer_id)["sellingMode"]["price"]["amount"] == "33.00"


def test_import_update_copies_drifted_values_keeping_comments_and_layout(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    mugs = catalog_dir / "offers" / "mugs.yaml"
    before = mugs.read_text()
    _edit_on_allegro(backend, offer_ids(catalog_dir)["MUG-WHITE-330"])
    backend.offers.patch(SELLER, offer_ids(catalog_dir)["MUG-BLACK-330"],
                         {"delivery": {"handlingTime": "P3D"}})

    updated = run("import", "--update", catalog_dir)
    assert updated.exit_code == 0, updated.output
    assert "Copied 3 fields changed on Allegro into the catalog (2 offers)" in updated.output

    after = mugs.read_text()
    changed = [line for line in difflib.ndiff(before.splitlines(), after.splitlines())
               if line[:2] in ("- ", "+ ")]
    assert changed == [
        "-     name: Kubek ceramiczny biały 330 ml",
        "+     name: Kubek zmieniony na stronie Allegro",
        "-     price: 29.99",
        "+     price: 33.00",
        "+     handling_time: P3D",  # the default's value was moved: the offer gets its own
    ]
    assert after.split("MUG-BLACK-330:")[1].index("handling_time: P3D") > 0
    assert "# uploaded once, remembered" in after

    plan = run("plan", catalog_dir, "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    again = run("import", "--update", catalog_dir)
    assert "Nothing changed on Allegro since the last apply" in again.output
