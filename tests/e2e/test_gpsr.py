"""GPSR end to end: the example catalog's producer, person and safety manual reach Allegro,
the manual is uploaded once, and a producer change across offers is one modification command."""

from __future__ import annotations

from pathlib import Path

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run, offer_id

SELLER = "1000001"
UPLOADS = "POST /sale/offer-attachments"
MODIFICATIONS = "PUT /sale/offer-modification-commands/{commandId}"


def test_gpsr_data_is_applied_and_the_manual_uploaded_once(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    applied = run("apply", catalog_dir, "--auto-approve")
    assert applied.exit_code == 0 and "0 failed" in applied.output, applied.output
    assert backend.stats[UPLOADS] == 1

    producers = backend.responsible_producers.list(SELLER, 0, 100)["responsibleProducers"]
    made = next(p for p in producers if p["name"] == "Fabryka Demo")
    assert made["producerData"]["address"]["city"] == "Kraków"
    (person,) = backend.responsible_persons.list(SELLER, 0, 100)["responsiblePersons"]
    white = backend.offers.get(SELLER, offer_id(catalog_dir, "MUG-WHITE-330"))["productSet"][0]
    assert white["responsibleProducer"] == {"id": made["id"]}
    assert white["safetyInformation"]["type"] == "ATTACHMENTS"
    laptop = backend.offers.get(SELLER, offer_id(catalog_dir, "LAPTOP-X14-512"))["productSet"][0]
    assert laptop["responsiblePerson"] == {"id": person["id"]}
    assert laptop["safetyInformation"]["type"] == "TEXT"

    (catalog_dir / "offers" / "extra.yaml").write_text(
        "offers:\n  MUG-COPY:\n    name: Kubek ceramiczny biały kopia\n"
        "    product: {ean: '5901234123464'}\n    parameters: {Stan: Nowy}\n"
        "    price: 30.00\n    stock: 2\n"
        "    safety_information: [manuals/kubek-bezpieczenstwo.pdf]\n"
    )
    again = run("apply", catalog_dir, "--auto-approve")
    assert again.exit_code == 0, again.output
    assert backend.stats[UPLOADS] == 1  # the same file: its attachment is reused
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0


def test_a_producer_change_goes_out_as_one_command_and_converges(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    settings = catalog_dir / "catalogsync.yaml"
    settings.write_text(settings.read_text().replace(
        "responsible_producer: Fabryka Demo", "responsible_producer: Producent Demo"))
    planned = run("plan", catalog_dir)
    assert "~ responsible_producer: Fabryka Demo → Producent Demo" in planned.output
    assert "via offer-modification-commands (responsible_producer)" in planned.output

    before = backend.stats[MODIFICATIONS]
    applied = run("apply", catalog_dir, "--auto-approve", "--allow-mass-change")
    assert applied.exit_code == 0, applied.output
    assert backend.stats[MODIFICATIONS] == before + 1
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0


def test_publishing_without_gpsr_data_is_refused_before_anything_is_sent(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    settings = catalog_dir / "catalogsync.yaml"
    text = settings.read_text()
    settings.write_text(text[: text.index("  # GPSR")])
    result = run("plan", catalog_dir)
    assert result.exit_code == 1
    assert "offer MUG-BLACK-330: publishing needs responsible_producer and safety_information" in (
        result.output)
    assert not backend.stats["POST /sale/product-offers"]
