"""Size tables and offer contacts end to end: stood up from an empty account by one apply, a
plan after it is empty, `import` of the account gives a catalog whose plan is empty too, a
changed row updates the table in place, and a size table in a category that takes none is a
plan error naming the offer."""

from __future__ import annotations

from pathlib import Path

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run, offer_id

SELLER = "1000001"
SIZES = """\
size_tables:
  Koszulki damskie:
    template: Koszulki
    headers: [Rozmiar, Obwód klatki piersiowej (cm), Długość (cm)]
    rows:
      - [S, 88, 62]
      - [M, 92, 64]
      - [L, 96, 66]
contacts:
  Sklep Kraków:
    email: sklep@example.pl
    phones: [+48512323495, "12 345 67 89"]
"""


def use_size_tables(catalog_dir: Path) -> None:
    """The example catalog with a size table its t-shirts name and a default contact."""
    (catalog_dir / "sizes.yaml").write_text(SIZES)
    tshirts = catalog_dir / "offers" / "tshirts.yaml"
    tshirts.write_text(tshirts.read_text().replace(
        "    parameters: {Stan: Nowy}\n",
        "    parameters: {Stan: Nowy}\n    size_table: Koszulki damskie\n"))
    settings = catalog_dir / "catalogsync.yaml"
    settings.write_text(settings.read_text().replace(
        "  invoice: VAT\n", "  invoice: VAT\n  contact: Sklep Kraków\n"))


def test_size_tables_and_contacts_stand_up_from_an_empty_account_and_round_trip(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path
) -> None:
    use_size_tables(catalog_dir)
    applied = run("apply", catalog_dir, "--auto-approve")
    assert applied.exit_code == 0 and "0 failed" in applied.output, applied.output

    (table,) = backend.size_tables.list(SELLER)["tables"]
    assert table["name"] == "Koszulki damskie" and table["values"][2]["cells"] == ["L", "96", "66"]
    (contact,) = backend.contacts.list(SELLER)["contacts"]
    assert contact["phones"] == [{"number": "+48512323495"}, {"number": "12 345 67 89"}]
    tshirt = backend.offers.get(SELLER, offer_id(catalog_dir, "TSHIRT-WHITE-S"))
    assert tshirt["sizeTable"] == {"id": table["id"]}
    assert tshirt["contact"] == {"id": contact["id"]}
    mug = backend.offers.get(SELLER, offer_id(catalog_dir, "MUG-WHITE-330"))
    assert mug.get("sizeTable") is None and mug["contact"] == {"id": contact["id"]}
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0

    imported = tmp_path / "imported"
    result = run("import", imported, "--environment", "local")
    assert result.exit_code == 0, result.output
    written = "".join(p.read_text() for p in sorted(imported.rglob("*.yaml")))
    assert "Koszulki damskie" in written and "Sklep Kraków" in written
    again = run("plan", imported, "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_a_changed_row_updates_the_size_table_in_place(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    use_size_tables(catalog_dir)
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    (before,) = backend.size_tables.list(SELLER)["tables"]
    sizes = catalog_dir / "sizes.yaml"
    sizes.write_text(sizes.read_text().replace("[L, 96, 66]", "[L, 97, 67]"))

    planned = run("plan", catalog_dir)
    assert f"PUT /sale/size-tables/{before['id']}" in planned.output, planned.output
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0

    (after,) = backend.size_tables.list(SELLER)["tables"]
    assert after["id"] == before["id"] and after["values"][2]["cells"] == ["L", "97", "67"]
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0


def test_a_size_table_on_a_mug_is_a_warning_and_allegro_refuses_that_offer(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    use_size_tables(catalog_dir)
    mugs = catalog_dir / "offers" / "mugs.yaml"
    text = mugs.read_text()
    first = text.index("    name:")
    mugs.write_text(text[:first] + "    size_table: Koszulki damskie\n" + text[first:])

    result = run("plan", catalog_dir)

    assert result.exit_code == 0, result.output
    assert "size table 'Koszulki damskie' in category 67476" in result.output
    assert "mugs.yaml" in result.output
    applied = run("apply", catalog_dir, "--auto-approve")  # Allegro's refusal, for that offer
    assert "Size table is not allowed in selected category." in applied.output, applied.output


def test_an_unknown_size_table_name_is_an_error_with_a_hint(
    run: Run, catalog_dir: Path
) -> None:
    use_size_tables(catalog_dir)
    tshirts = catalog_dir / "offers" / "tshirts.yaml"
    tshirts.write_text(tshirts.read_text().replace(
        "size_table: Koszulki damskie", "size_table: Koszulki damskei", 1))

    result = run("plan", catalog_dir)

    assert result.exit_code == 1
    assert "size table 'Koszulki damskei' is neither in the catalog (size_tables:) nor on " \
           "Allegro; did you mean 'Koszulki damskie'?" in result.output
