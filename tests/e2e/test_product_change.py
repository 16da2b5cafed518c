"""Pointing an offer at another product: the whole `productSet` goes out (Allegro drops the old
product's GPSR data with it), and the plan names both products by name and EAN."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import Run

WHITE, BLACK, TSHIRT = "5901234123457", "5901234123464", "5907000000014"


def point_white_mug_at(catalog_dir: Path, ean: str) -> None:
    mugs = catalog_dir / "offers" / "mugs.yaml"
    text = mugs.read_text()
    assert text.count(f'ean: "{WHITE}"') == 1
    mugs.write_text(text.replace(f'ean: "{WHITE}"', f'ean: "{ean}"'))


def test_a_product_change_keeps_the_gpsr_data_and_names_both_products(
    run: Run, catalog_dir: Path
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    point_white_mug_at(catalog_dir, BLACK)

    planned = run("plan", catalog_dir)
    assert planned.exit_code == 0, planned.output
    assert (f"product: Kubek ceramiczny biały 330 ml (EAN {WHITE}) → "
            f"Kubek ceramiczny czarny 330 ml (EAN {BLACK})") in planned.output
    assert "category" not in planned.output.split("~ offer MUG-WHITE-330")[1].split("via")[0]

    applied = run("apply", catalog_dir, "--auto-approve")
    assert applied.exit_code == 0, applied.output  # not 422 "Responsible producer is required"
    again = run("plan", catalog_dir, "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_a_product_in_another_category_is_a_warning(run: Run, catalog_dir: Path) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    point_white_mug_at(catalog_dir, TSHIRT)

    planned = run("plan", catalog_dir)

    assert "warning: offer MUG-WHITE-330: the new product Koszulka bawełniana biała S" in (
        planned.output)
