"""`moved_from` on a shipping-rate table, a GPSR producer and a person: the same Allegro
resource is renamed in place (its id kept, the state and `catalogsync.lock` moved to the new
name), no offer is created, ended or edited for it, and an offer still naming the old name
is an error at its file and line."""

from __future__ import annotations

from pathlib import Path

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run, local_state
from tests.e2e.test_fresh_runner import LOCK, SELLER, clone

TABLE_CREATES = "POST /sale/shipping-rates"
OFFER_CREATES = "POST /sale/product-offers"
PUBLICATIONS = "PUT /sale/offer-publication-commands/{commandId}"
MODIFICATIONS = "PUT /sale/offer-modification-commands/{commandId}"
PATCHES = "PATCH /sale/product-offers/{offerId}"


def _index(catalog: Path) -> dict[str, str]:
    return dict(local_state(catalog).shipping_rates)


def _rename_standard(catalog: Path) -> None:
    """The table the example's defaults name (five offers use it) becomes `Standard 2026`."""
    shipping = catalog / "shipping.yaml"
    shipping.write_text(shipping.read_text().replace(
        "  Standard:\n", "  Standard 2026:\n    moved_from: Standard\n"))
    settings = catalog / "catalogsync.yaml"
    settings.write_text(settings.read_text().replace(
        "shipping_rates: Standard ", "shipping_rates: Standard 2026 "))


def test_a_renamed_table_keeps_its_id_and_no_offer_changes(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    table_id = _index(catalog_dir)["Standard"]
    _rename_standard(catalog_dir)
    before = {k: backend.stats[k] for k in (TABLE_CREATES, OFFER_CREATES, PUBLICATIONS,
                                            MODIFICATIONS, PATCHES)}

    planned = run("plan", catalog_dir, "--prune")
    assert planned.exit_code == 0, planned.output
    assert f"~ shipping_rates Standard 2026 ({table_id}) renamed from Standard" in planned.output
    assert "~ name: Standard → Standard 2026" in planned.output
    assert "offer " not in planned.output.split("renamed from Standard")[1].split("Plan:")[0]
    applied = run("apply", catalog_dir, "--auto-approve", "--prune")
    assert applied.exit_code == 0, applied.output

    assert {k: backend.stats[k] for k in before} == before  # 0 creates, 0 ends, 0 offer edits
    table = backend.shipping.get(SELLER, table_id)
    assert table["name"] == "Standard 2026"
    assert _index(catalog_dir)["Standard 2026"] == table_id
    assert "Standard" not in _index(catalog_dir)
    lock = (catalog_dir / LOCK).read_text()
    assert '"Standard 2026"' in lock and '"Standard"' not in lock
    again = run("plan", catalog_dir, "--detailed-exitcode", "--prune")
    assert again.exit_code == 0, again.output
    fresh = run("plan", clone(catalog_dir, catalog_dir.parent / "runner"), "--detailed-exitcode")
    assert fresh.exit_code == 0, fresh.output


def test_an_offer_naming_a_renamed_table_by_its_old_name_is_an_error(
    run: Run, catalog_dir: Path
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    shipping = catalog_dir / "shipping.yaml"
    shipping.write_text(shipping.read_text().replace(
        "  Gabaryt:\n", "  Gabaryt XL:\n    moved_from: Gabaryt\n"))

    planned = run("plan", catalog_dir)

    assert planned.exit_code == 1, planned.output
    assert "offers/laptops.yaml:" in planned.output
    assert ("shipping-rate table 'Gabaryt' was renamed to 'Gabaryt XL'; "
            "refer to it by its new name") in planned.output


def test_a_renamed_producer_and_person_keep_their_ids(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    (producer,) = [p for p in backend.responsible_producers.list(SELLER, 0, 100)
                   ["responsibleProducers"] if p["name"] == "Fabryka Demo"]
    gpsr = catalog_dir / "gpsr.yaml"
    gpsr.write_text(gpsr.read_text().replace(
        "  Fabryka Demo:", "  Fabryka Demo SA:\n    moved_from: Fabryka Demo\n   ").replace(
        "  Przedstawiciel UE:\n", "  Przedstawiciel EU:\n    moved_from: Przedstawiciel UE\n"))
    settings = catalog_dir / "catalogsync.yaml"
    settings.write_text(settings.read_text().replace(
        "responsible_producer: Fabryka Demo", "responsible_producer: Fabryka Demo SA"))
    modifications, patches = backend.stats[MODIFICATIONS], backend.stats[PATCHES]

    planned = run("plan", catalog_dir)
    assert planned.exit_code == 1, planned.output  # laptops.yaml still names the old person
    assert "offers/laptops.yaml:" in planned.output
    assert "responsible person 'Przedstawiciel UE' was renamed to 'Przedstawiciel EU'" in (
        planned.output)
    laptops = catalog_dir / "offers" / "laptops.yaml"
    laptops.write_text(laptops.read_text().replace("Przedstawiciel UE", "Przedstawiciel EU"))
    planned = run("plan", catalog_dir)
    assert planned.exit_code == 0, planned.output
    assert (f"~ responsible_producer Fabryka Demo SA ({producer['id']}) renamed from "
            "Fabryka Demo") in planned.output
    applied = run("apply", catalog_dir, "--auto-approve")
    assert applied.exit_code == 0, applied.output

    assert (backend.stats[MODIFICATIONS], backend.stats[PATCHES]) == (modifications, patches)
    names = {p["id"]: p["name"] for p in backend.responsible_producers.list(SELLER, 0, 100)
             ["responsibleProducers"]}
    assert names[producer["id"]] == "Fabryka Demo SA"
    persons = backend.responsible_persons.list(SELLER, 0, 100)["responsiblePersons"]
    assert [p["name"] for p in persons] == ["Przedstawiciel EU"]
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0
