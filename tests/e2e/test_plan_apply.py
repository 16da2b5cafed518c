"""The main job, end to end: plan, apply, plan again, edit, plan again."""

from __future__ import annotations

import json
import re
from pathlib import Path

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run, local_state, offer_ids


def test_first_plan_creates_every_table_and_offer(run: Run, catalog_dir: Path) -> None:
    result = run("plan", catalog_dir, "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    for address in (
        "shipping_rates Standard",
        "shipping_rates Gabaryt",
        "offer MUG-WHITE-330",
        "offer LAPTOP-X14-512",
        "offer TSHIRT-WHITE-L",
        "responsible_producer Fabryka Demo",
        "responsible_person Przedstawiciel UE",
    ):
        assert f"+ {address}" in result.output
    assert "Plan: 10 to create, 0 to update (about 16 API requests to apply)." in result.output


def test_apply_then_plan_shows_no_changes(run: Run, catalog_dir: Path, backend: Backend) -> None:
    applied = run("apply", catalog_dir, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "0 failed" in applied.output

    replanned = run("plan", catalog_dir, "--detailed-exitcode")
    assert replanned.exit_code == 0, replanned.output
    assert "No changes. Allegro matches the catalog." in replanned.output

    listing = run_json(run, catalog_dir)
    assert listing["changes"] == []


def test_apply_activates_active_offers_and_keeps_drafts(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    index = local_state(catalog_dir)
    assert set(index.offers) == {
        "MUG-WHITE-330",
        "MUG-BLACK-330",
        "LAPTOP-X14-512",
        "TSHIRT-WHITE-S",
        "TSHIRT-WHITE-M",
        "TSHIRT-WHITE-L",
    }
    assert set(index.shipping_rates) == {"Standard", "Gabaryt"}
    statuses = {sku: backend_status(backend, offer_id) for sku, offer_id in index.offers.items()}
    assert statuses["TSHIRT-WHITE-L"] == "INACTIVE"
    assert {s for sku, s in statuses.items() if sku != "TSHIRT-WHITE-L"} == {"ACTIVE"}


def test_edited_price_is_exactly_one_update(run: Run, catalog_dir: Path) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace("price: 29.99", "price: 34.99"))

    result = run("plan", catalog_dir, "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    assert "~ offer MUG-WHITE-330" in result.output
    assert "~ price: 29.99 PLN → 34.99 PLN" in result.output
    assert "Plan: 0 to create, 1 to update (about 3 API requests to apply)." in result.output

    applied = run("apply", catalog_dir, "--auto-approve")
    assert applied.exit_code == 0
    assert "1 step done," in applied.output
    # The plan's estimate and apply's count speak of the same requests: those that apply sends.
    sent = re.search(r"\((\d+) API requests? to apply, after (\d+) to read", applied.output)
    assert sent is not None, applied.output
    assert 1 <= int(sent[1]) <= 3 < int(sent[2])
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0


def test_invalid_catalog_names_file_and_line_and_calls_no_api(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace("    stock: 40\n", "    stok: 40\n"))
    result = run("plan", catalog_dir)
    assert result.exit_code == 1
    assert f"{mugs}:" in result.output
    assert "stok" in result.output and "did you mean 'stock'" in result.output
    assert "Traceback" not in result.output
    assert backend_requests(backend) == 0


def test_saved_plan_applies_exactly_and_a_stale_one_is_refused(
    run: Run, catalog_dir: Path, tmp_path: Path
) -> None:
    saved = tmp_path / "first.plan.json"
    assert run("plan", catalog_dir, "-o", saved).exit_code == 0
    assert run("apply", saved, "--catalog", catalog_dir, "--auto-approve").exit_code == 0
    # The same plan again: Allegro has changed since it was made.
    stale = run("apply", saved, "--catalog", catalog_dir, "--auto-approve")
    assert stale.exit_code == 1
    assert "stale" in stale.output


def test_apply_without_terminal_needs_auto_approve(run: Run, catalog_dir: Path) -> None:
    result = run("apply", catalog_dir)
    assert result.exit_code == 1
    assert "--auto-approve" in result.output
    assert "Apply finished" not in result.output


def test_r23_ambiguous_ean_blocks_the_plan_with_candidates(run: Run, catalog_dir: Path) -> None:
    laptops = catalog_dir / "offers" / "laptops.yaml"
    text = laptops.read_text()
    laptops.write_text(text.replace("      parameters:\n        Pojemność dysku: 512 GB\n", ""))
    result = run("plan", catalog_dir, "--detailed-exitcode")
    assert result.exit_code == 3, result.output
    assert "EAN 5909990000012 matches 2 products" in result.output
    assert "Pojemność dysku=256 GB" in result.output and "Pojemność dysku=512 GB" in result.output


def run_json(run: Run, catalog_dir: Path) -> dict[str, object]:
    result = run("plan", catalog_dir, "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def backend_status(backend: Backend, offer_id: str) -> str:
    return str(backend.offers.get("1000001", offer_id)["publication"]["status"])


def backend_requests(backend: Backend) -> int:
    """Allegro-namespace requests the emulator answered (OAuth and steering not counted)."""
    return sum(n for key, n in backend.stats.items() if " /sale/" in key or " /me" in key)


def test_safety_threshold_refuses_with_numbers_and_the_flag_overrides_it(
    run: Run, tmp_path: Path
) -> None:
    from decimal import Decimal

    from catalogsync.synthetic import write_catalog

    catalog = write_catalog(tmp_path / "shop", 12)
    assert run("apply", catalog, "--auto-approve").exit_code == 0
    write_catalog(catalog, 12, price=Decimal("32.99"))

    refused = run("apply", catalog, "--auto-approve")
    assert refused.exit_code == 1
    assert "12 of 12 managed offers (100%) would be updated" in refused.output
    assert "--allow-mass-change" in refused.output
    assert "Apply finished" not in refused.output

    forced = run("apply", catalog, "--auto-approve", "--allow-mass-change")
    assert forced.exit_code == 0, forced.output
    assert run("plan", catalog, "--detailed-exitcode").exit_code == 0


def test_price_typo_is_refused_until_allowed(run: Run, catalog_dir: Path) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace("price: 29.99", "price: 2.99"))
    blocked = run("plan", catalog_dir, "--detailed-exitcode")
    assert blocked.exit_code == 3
    assert "price 29.99 PLN → 2.99 PLN moves more than safety.max_price_change" in blocked.output
    allowed = run("plan", catalog_dir, "--detailed-exitcode", "--allow-price-jumps")
    assert allowed.exit_code == 2


def test_pruning_ends_offers_removed_from_the_catalog(run: Run, catalog_dir: Path) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    (catalog_dir / "offers" / "tshirts.yaml").unlink()

    kept = run("plan", catalog_dir, "--detailed-exitcode")
    assert kept.exit_code == 0, kept.output
    assert "3 offers removed from the catalog stay on Allegro" in kept.output
    assert "outside the catalog" not in kept.output  # they are named above, not "outside"

    pruned = run("apply", catalog_dir, "--auto-approve", "--prune", "--allow-mass-change")
    assert pruned.exit_code == 0, pruned.output
    assert "- offer TSHIRT-WHITE-S" in pruned.output
    assert "outside the catalog" not in pruned.output  # the offers being ended are not
    assert "DELETE /sale/offers/{id}: 1 done" in pruned.output  # the never-activated draft
    assert run("plan", catalog_dir, "--detailed-exitcode", "--prune").exit_code == 0


def test_after_sales_condition_change_is_one_patch(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    settings = catalog_dir / "catalogsync.yaml"
    settings.write_text(settings.read_text().replace("Zwroty 14 dni", "Zwroty 30 dni"))
    result = run("apply", catalog_dir, "--auto-approve", "--target", "MUG-WHITE-330")
    assert result.exit_code == 0, result.output
    assert "~ after_sales.return_policy:" in result.output
    assert "PATCH /sale/product-offers/{id}: 1 done" in result.output
    offer = backend.offers.get("1000001", offer_ids(catalog_dir)["MUG-WHITE-330"])
    policies = backend.after_sales.list("1000001", "returnPolicies", 0, 60)["returnPolicies"]
    thirty = next(p for p in policies if p["name"] == "Zwroty 30 dni")
    assert offer["afterSalesServices"]["returnPolicy"] == {"id": thirty["id"]}


def test_r22_hidden_offer_known_to_the_index_is_read_by_id_never_duplicated(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    hidden = offer_ids(catalog_dir)["MUG-BLACK-330"]
    backend.offers.hide(hidden)  # the seller hid it on the website: the list leaves it out
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0

    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace("price: 31.99", "price: 32.99"))
    result = run("apply", catalog_dir, "--auto-approve")
    assert result.exit_code == 0, result.output
    assert f"~ offer MUG-BLACK-330 ({hidden})" in result.output
    assert "+ offer" not in result.output
    assert backend.offers.get("1000001", hidden)["sellingMode"]["price"]["amount"] == "32.99"
