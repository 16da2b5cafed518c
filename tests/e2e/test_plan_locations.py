"""The plan's own errors about the catalog carry its `file:line:column`, as `validate`'s do."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import Run


def test_a_plan_error_names_the_file_and_line_of_its_offer(run: Run, catalog_dir: Path) -> None:
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace("    stock: 40\n", "    stock: 40\n"
                                             "    shipping_rates: Nieznana\n", 1))
    assert run("validate", catalog_dir).exit_code == 0  # only Allegro knows its tables
    result = run("plan", catalog_dir, "--detailed-exitcode")
    assert result.exit_code == 3, result.output
    assert (f"{mugs}:4:3: error: offer MUG-WHITE-330: shipping-rate table 'Nieznana' is neither "
            "in the catalog nor on Allegro") in result.output
    markdown = run("plan", catalog_dir, "--format", "markdown").output
    assert "mugs.yaml:4:3: error: offer MUG" in markdown
