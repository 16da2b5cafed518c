"""R4: a table renamed with `renamed_from` is edited in place, and its plan compares the new
rates with the ones it replaces, even where the state does not know the table."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import Run, drop_local_state


def test_r4_a_renamed_table_shows_the_rates_it_replaces(run: Run, catalog_dir: Path) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    drop_local_state(catalog_dir, lock=True)  # a table the state never knew
    shipping = catalog_dir / "shipping.yaml"
    shipping.write_text(shipping.read_text().replace(
        "  Gabaryt:\n    rates:\n", "  Gabaryt duży:\n    renamed_from: Gabaryt\n    rates:\n"
    ).replace("first_item: 49.00", "first_item: 59.00"))
    laptops = catalog_dir / "offers" / "laptops.yaml"  # offers name the table by its new name
    laptops.write_text(laptops.read_text().replace("Gabaryt", "Gabaryt duży"))

    planned = run("plan", catalog_dir)

    assert planned.exit_code == 0, planned.output
    assert "~ name: Gabaryt → Gabaryt duży" in planned.output
    assert "rates[0].first_item: 49.00 PLN → 59.00 PLN" in planned.output
    assert "(not set)" not in planned.output
