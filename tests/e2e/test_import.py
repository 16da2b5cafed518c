"""`catalogsync import`: an existing account becomes a catalog whose first plan is empty."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import yaml

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run, offer_ids

SELLER = "1000001"
IMG = "https://a.allegroimg.com/original/44d5e6/kubek-{}.jpg"
RICHER = dedent(
    f"""
    shipping_rates:
      Paczkomat:
        rates:
          - {{delivery_method: Allegro Paczkomaty InPost, first_item: 9.99,
              max_quantity_per_package: 5}}
    offers:
      MUG-PLAIN:
        name: Kubek bez produktu w katalogu 330 ml
        category: "67476"
        parameters:
          Stan: Nowy
          Kolor: czarny
          Pojemność: "330"
          Cechy: [do zmywarki, z uchem]
          Temperatura napoju: {{from: 60, to: 90.5}}
        price: 19.90
        stock: 7
        images: ["{IMG.format(1)}", "{IMG.format(2)}"]
        description:
          - text: <h1>Kubek</h1>
          - - image: {IMG.format(1)}
            - text: <p>Z boku.</p>
          - image: {IMG.format(2)}
        shipping_rates: Paczkomat
        handling_time: P3D
        location: {{country_code: PL, province: MALOPOLSKIE, city: Kraków, post_code: 30-001}}
      MUG-SCHEDULED:
        name: Kubek na później czarny 330 ml
        category: "67476"
        parameters: {{Stan: Używany}}
        price: 9.99
        stock: 1
        images: ["{IMG.format(3)}"]
        scheduled_for: 2099-01-01T10:00:00+01:00
      MUG-TO-END:
        name: Kubek wycofany biały 330 ml
        category: "67476"
        parameters: {{Stan: Nowy}}
        price: 15.00
        stock: 2
        images: ["{IMG.format(4)}"]
    """
)


def _rich_account(run: Run, catalog_dir: Path, backend: Backend) -> None:
    (catalog_dir / "offers" / "richer.yaml").write_text(RICHER)
    applied = run("apply", catalog_dir, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    ids = offer_ids(catalog_dir)
    backend.offers.patch(SELLER, ids["MUG-TO-END"], {"publication": {"status": "ENDED"}})
    backend.advance_clock(5)  # the ending operation settles
    backend.campaigns.enter_campaign(
        ids["MUG-WHITE-330"],
        {"campaign": "BARGAIN", "name": "Strefa okazji", "status": "ACTIVE", "bargain": "24.99"},
    )


def _offers(directory: Path) -> dict[str, dict[str, object]]:
    found: dict[str, dict[str, object]] = {}
    for path in (directory / "offers").glob("*.yaml"):
        found.update(yaml.safe_load(path.read_text())["offers"])
    return found


def test_import_of_a_rich_account_round_trips_to_an_empty_plan(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path
) -> None:
    _rich_account(run, catalog_dir, backend)
    adopted = tmp_path / "adopted"

    imported = run("import", adopted)

    assert imported.exit_code == 0, imported.output
    assert "Reading offers: 9/9" in imported.output
    planned = run("plan", adopted, "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    offers = _offers(adopted)
    assert len(offers) == 9
    assert offers["MUG-TO-END"]["status"] == "ended"
    assert offers["TSHIRT-WHITE-L"]["status"] == "inactive"  # a draft
    assert "status" not in offers["MUG-SCHEDULED"]  # activating: active, like the default
    assert offers["MUG-WHITE-330"]["product"] == {"ean": "5901234123457"}
    # R23: two laptops share one EAN, so the laptop's product is pinned by id
    assert offers["LAPTOP-X14-512"]["product"] == {"id": "27216a4d-06eb-4176-8a73-071bcee799e6"}
    assert "'5901234123457'" in (adopted / "offers" / "category-67476.yaml").read_text()
    assert offers["MUG-PLAIN"]["category"] == "67476"
    assert offers["MUG-PLAIN"]["parameters"] == {
        "Cechy": ["do zmywarki", "z uchem"],  # several values
        "Kolor": "czarny",
        "Pojemność": "330",
        "Stan": "Nowy",
        "Temperatura napoju": {"from": "60", "to": "90.5"},  # a range
    }
    assert len(offers["MUG-PLAIN"]["description"]) == 3  # type: ignore[arg-type]
    assert offers["MUG-PLAIN"]["shipping_rates"] == "Paczkomat"
    settings = yaml.safe_load((adopted / "catalogsync.yaml").read_text())
    assert settings["defaults"]["shipping_rates"] == "Standard"
    assert settings["defaults"]["after_sales"]["return_policy"] == "Zwroty 14 dni"
    tables = yaml.safe_load((adopted / "shipping_rates.yaml").read_text())["shipping_rates"]
    assert sorted(tables) == ["Gabaryt", "Paczkomat", "Standard"]
    lock = (adopted / ".catalogsync" / "catalogsync.lock").read_text()  # local: with its db
    assert lock.count("local offer ") == 9 and lock.count("local shipping_rates ") == 3


def test_import_writes_bounded_files_and_takes_a_slice(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path
) -> None:
    _rich_account(run, catalog_dir, backend)
    ended = tmp_path / "ended"
    assert run("import", ended, "--status", "ended", "--no-tables").exit_code == 0
    assert list(_offers(ended)) == ["MUG-TO-END"]
    assert not (ended / "shipping_rates.yaml").exists()

    mugs = tmp_path / "mugs"
    result = run("import", mugs, "--category", "67476", "--max-offers-per-file", "2")
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (mugs / "offers").glob("*.yaml"))
    assert files == ["category-67476-2.yaml", "category-67476-3.yaml", "category-67476.yaml"]
    assert len(_offers(mugs)) == 5
    assert run("plan", mugs, "--detailed-exitcode").exit_code == 0


def test_import_without_stock_leaves_it_to_the_erp(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    adopted = tmp_path / "adopted"
    assert run("import", adopted, "--without", "stock").exit_code == 0
    assert all("stock" not in offer for offer in _offers(adopted).values())
    mug = offer_ids(catalog_dir)["MUG-WHITE-330"]
    backend.offers.patch(SELLER, mug, {"stock": {"available": 3}})  # the ERP sold some
    assert run("plan", adopted, "--detailed-exitcode").exit_code == 0


def test_an_offer_without_external_id_gets_a_key_the_first_plan_writes_into_allegro(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    mug = offer_ids(catalog_dir)["MUG-BLACK-330"]
    backend.offers.patch(SELLER, mug, {"external": None})
    adopted = tmp_path / "adopted"

    imported = run("import", adopted, "--offer-id", mug)

    assert imported.exit_code == 0, imported.output
    key = f"ALLEGRO-{mug}"
    assert list(_offers(adopted)) == [key]
    assert "had no external id of their own" in imported.output
    planned = run("plan", adopted, "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    assert f"~ offer {key}" in planned.output
    assert "Plan: 0 to create, 1 to update" in planned.output
    assert run("apply", adopted, "--auto-approve").exit_code == 0
    assert backend.offers.get(SELLER, mug)["external"] == {"id": key}
    assert run("plan", adopted, "--detailed-exitcode").exit_code == 0


def test_import_into_an_existing_catalog_adds_only_what_it_lacks_in_new_files(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path
) -> None:
    _rich_account(run, catalog_dir, backend)
    (catalog_dir / "offers" / "richer.yaml").unlink()  # now offers outside the catalog
    before = {p: p.read_bytes() for p in catalog_dir.rglob("*.yaml")}

    imported = run("import", catalog_dir)

    assert imported.exit_code == 0, imported.output
    assert all(p.read_bytes() == text for p, text in before.items())
    new = sorted(p.relative_to(catalog_dir).as_posix() for p in catalog_dir.rglob("*.yaml")
                 if p not in before)
    assert new == ["after_sales.yaml", "offers/category-67476.yaml", "shipping_rates.yaml"]
    conditions = yaml.safe_load((catalog_dir / new[0]).read_text())
    assert sorted(conditions["return_policies"]) == ["Zwroty 14 dni", "Zwroty 30 dni"]
    added = yaml.safe_load((catalog_dir / new[1]).read_text())["offers"]
    assert sorted(added) == ["MUG-PLAIN", "MUG-SCHEDULED", "MUG-TO-END"]
    assert list(yaml.safe_load((catalog_dir / new[2]).read_text())["shipping_rates"]) == [
        "Paczkomat"
    ]
    planned = run("plan", catalog_dir, "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output


def test_two_offers_sharing_an_external_id_are_imported_under_two_keys(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    black = offer_ids(catalog_dir)["MUG-BLACK-330"]
    backend.offers.patch(SELLER, black, {"external": {"id": "MUG-WHITE-330"}})
    adopted = tmp_path / "adopted"

    assert run("import", adopted, "--category", "67476").exit_code == 0

    assert sorted(_offers(adopted)) == ["MUG-WHITE-330", f"MUG-WHITE-330-{black}"]
    planned = run("plan", adopted, "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    assert "Plan: 0 to create, 1 to update" in planned.output
    assert run("apply", adopted, "--auto-approve").exit_code == 0
    again = run("plan", adopted, "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_r22_a_hidden_offer_is_imported_by_its_id_and_then_managed(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    hidden = offer_ids(catalog_dir)["MUG-BLACK-330"]
    backend.offers.hide(hidden)
    adopted = tmp_path / "adopted"

    everything = run("import", adopted, "--no-tables")
    assert everything.exit_code == 0
    assert "MUG-BLACK-330" not in _offers(adopted)  # in no list: it cannot be seen
    again = run("import", adopted, "--offer-id", hidden)

    assert again.exit_code == 0, again.output
    assert "MUG-BLACK-330" in _offers(adopted)
    assert run("plan", adopted, "--detailed-exitcode").exit_code == 0


def test_r24_variant_sets_are_imported_where_the_old_api_still_answers(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path
) -> None:
    backend.update_settings({"legacy_variants": True, "variants_processing_seconds": 0})
    (catalog_dir / "offers" / "sets.yaml").write_text(
        "variant_sets:\n  Kubki 330:\n    parameters: [Kolor]\n"
        "    offers: [MUG-WHITE-330, MUG-BLACK-330]\n"
    )
    applied = run("apply", catalog_dir, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    adopted = tmp_path / "adopted"

    imported = run("import", adopted)

    assert imported.exit_code == 0, imported.output
    sets = yaml.safe_load((adopted / "variant_sets.yaml").read_text())["variant_sets"]
    assert sets == {"Kubki 330": {"parameters": ["Kolor"],
                                  "offers": ["MUG-WHITE-330", "MUG-BLACK-330"]}}
    planned = run("plan", adopted, "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output


def test_import_reads_gpsr_data_and_marketplace_prices_and_round_trips_to_an_empty_plan(
    run: Run, catalog_dir: Path, tmp_path: Path
) -> None:
    tshirts = catalog_dir / "offers" / "tshirts.yaml"
    tshirts.write_text(
        tshirts.read_text()
        .replace("    price: 39.00\n    stock: 12\n", "    price: 39.00\n    stock: 12\n"
                 "    safety_information: none\n    responsible_producer: Producent Demo\n")
        .replace("    price: 39.00\n    stock: 20\n", "    price: 39.00\n    stock: 20\n"
                 "    marketplaces: {allegro-hu: 3900}\n")
        .replace("    stock: 0\n", "    stock: 0\n    marketplaces: [allegro-cz]\n")
    )
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace(
        "    price: 31.99\n", "    price: 31.99\n    marketed_before_gpsr: true\n"
    ).replace("      ean: \"5901234123464\"\n    parameters:\n      Stan: Nowy",
              "      ean: \"5901234123464\"\n    parameters:\n      Stan: Używany"))
    applied = run("apply", catalog_dir, "--auto-approve")
    assert applied.exit_code == 0 and "0 failed" in applied.output, applied.output
    adopted = tmp_path / "adopted"

    imported = run("import", adopted)

    assert imported.exit_code == 0, imported.output
    planned = run("plan", adopted, "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    gpsr = yaml.safe_load((adopted / "gpsr.yaml").read_text())
    assert sorted(gpsr["responsible_producers"]) == ["Fabryka Demo", "Producent Demo"]
    assert gpsr["responsible_producers"]["Fabryka Demo"]["address"]["city"] == "Kraków"
    assert gpsr["responsible_persons"]["Przedstawiciel UE"]["contact"] == {
        "form_url": "https://compliance.example/kontakt"}
    defaults = yaml.safe_load((adopted / "catalogsync.yaml").read_text())["defaults"]
    assert defaults["responsible_producer"] == "Fabryka Demo"
    assert defaults["safety_information"].startswith("Przed użyciem przeczytaj instrukcję.")
    offers = _offers(adopted)
    assert offers["MUG-WHITE-330"]["marketplaces"] == {"allegro-cz": 179.0, "allegro-sk": 7.49}
    assert "safety_information" in offers["MUG-WHITE-330"]["ignore_fields"]  # type: ignore[operator]
    assert "MUG-WHITE-330: safety_information left unmanaged: safety manuals" in imported.output
    assert offers["MUG-BLACK-330"]["marketed_before_gpsr"] is True
    assert offers["LAPTOP-X14-512"]["responsible_person"] == "Przedstawiciel UE"
    assert offers["TSHIRT-WHITE-S"]["safety_information"] == "none"
    assert offers["TSHIRT-WHITE-S"]["responsible_producer"] == "Producent Demo"
    assert offers["TSHIRT-WHITE-M"]["marketplaces"] == {"allegro-hu": 3900.0}
    assert offers["TSHIRT-WHITE-L"]["marketplaces"] == ["allegro-cz"]  # its price left to Allegro

    erp = tmp_path / "erp"  # marketplaces and safety information kept by another system
    left = run("import", erp, "--without", "marketplaces", "--without", "safety_information")
    assert left.exit_code == 0, left.output
    assert not any({"marketplaces", "safety_information"} & set(o) for o in _offers(erp).values())
    assert run("plan", erp, "--detailed-exitcode").exit_code == 0


def test_import_names_new_files_that_the_catalogs_files_patterns_would_not_load(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    _rich_account(run, catalog_dir, backend)
    (catalog_dir / "offers" / "richer.yaml").unlink()
    settings = catalog_dir / "catalogsync.yaml"
    settings.write_text(settings.read_text() + "files: [offers/*.yaml, shipping.yaml, gpsr.yaml]\n")

    imported = run("import", catalog_dir)

    assert imported.exit_code == 0, imported.output
    assert ("shipping_rates.yaml is not matched by `files:` in catalogsync.yaml; add it there"
            in imported.output)
    assert "offers/category-67476.yaml is not matched" not in imported.output
