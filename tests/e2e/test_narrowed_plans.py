"""A plan after an edit of a few offer files plans those files' offers and takes the rest from
the last settled plan (runs/narrowed.py): it is the whole plan, but for what it says it read.
Anything it cannot vouch for plans in full."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run, offer_id
from tests.e2e.test_settled_plans import SELLER, STANDS, settle
from tests.e2e.test_stock_and_sales import MUG, buy

NARROWED = "changed file"
OFFERS = Path("offers")


def edit(catalog_dir: Path, file: str, old: str, new: str) -> None:
    path = catalog_dir / file
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def shown(text: str) -> list[str]:
    """A plan's text but for what it read (and the log lines of its requests, where logging
    is on)."""
    return [line for line in text.splitlines()
            if "Read " not in line and not line.startswith("catalogsync.")]


def assert_as_whole(run: Run, catalog_dir: Path, narrowed: bool = True) -> int:
    """The plan now (narrowed or not) is the whole plan but for its read line; its exit code.
    Its fingerprint too is the last plan's, as a settled plan's: a whole plan's rotating
    check may see an offer ACTIVE that the last plan saw ACTIVATING."""
    plan = run("plan", catalog_dir, "--detailed-exitcode")
    assert (NARROWED in plan.output) is narrowed, plan.output
    assert STANDS not in plan.output
    as_json = json.loads(run("plan", catalog_dir, "--format", "json").stdout)
    (catalog_dir / ".catalogsync" / "settled-local.json").unlink(missing_ok=True)
    whole = run("plan", catalog_dir, "--detailed-exitcode")
    whole_json = json.loads(run("plan", catalog_dir, "--format", "json").stdout)
    assert NARROWED not in whole.output
    assert (NARROWED in as_json.pop("read")) is narrowed
    for plan_json in (as_json, whole_json):
        plan_json.pop("fingerprint")
    whole_json.pop("read")
    assert as_json == whole_json
    assert (plan.exit_code, shown(plan.stdout)) == (whole.exit_code, shown(whole.stdout))
    return plan.exit_code


@pytest.mark.parametrize(("old", "new", "seen"), [
    ("price: 29.99", "price: 27.99", "27.99"),
    ("stock: 40", "stock: 45", "45"),
    ("<p>Klasyczny biały kubek", "<p>Klasyczny, biały kubek", "Klasyczny, biały"),
])
def test_an_edit_of_one_offer_file_plans_its_offers_only(
    run: Run, catalog_dir: Path, old: str, new: str, seen: str
) -> None:
    settle(run, catalog_dir)
    edit(catalog_dir, "offers/mugs.yaml", old, new)
    plan = run("plan", catalog_dir)
    said = "planned the 2 offers of 1 changed file (offers/mugs.yaml) anew, and the other 4 as"
    assert said in plan.output
    assert seen in plan.output
    assert assert_as_whole(run, catalog_dir) == 2


def test_an_error_in_the_changed_file_and_a_warning_elsewhere_are_both_shown(
    run: Run, catalog_dir: Path
) -> None:
    settle(run, catalog_dir)
    # a draft never activated cannot be ended: a warning the settled plan carries
    edit(catalog_dir, "offers/tshirts.yaml", "status: inactive", "status: ended")
    settle(run, catalog_dir)
    edit(catalog_dir, "offers/mugs.yaml", "Stan: Nowy", "Stan: Zepsuty")
    plan = run("plan", catalog_dir)
    assert NARROWED in plan.output and "cannot be ended" in plan.output, plan.output
    assert "Zepsuty" in plan.output
    assert assert_as_whole(run, catalog_dir) == 3


def test_an_offer_added_or_removed_plans_in_full(run: Run, catalog_dir: Path) -> None:
    settle(run, catalog_dir)
    text = (catalog_dir / "offers/mugs.yaml").read_text()
    edit(catalog_dir, "offers/mugs.yaml", "  MUG-BLACK-330:", "  MUG-BLACK-331:")
    assert assert_as_whole(run, catalog_dir, narrowed=False) != 0
    (catalog_dir / "offers/mugs.yaml").write_text(text)
    settle_again(run, catalog_dir)
    tshirts = catalog_dir / "offers/tshirts.yaml"
    kept = tshirts.read_text().split("  TSHIRT-WHITE-L:")[0]
    tshirts.write_text(kept)
    assert assert_as_whole(run, catalog_dir, narrowed=False) in (0, 2)


def settle_again(run: Run, catalog_dir: Path) -> None:
    """A plan with nothing to do, remembered, and a plan standing on it."""
    run("plan", catalog_dir)
    assert STANDS in run("plan", catalog_dir).output


@pytest.mark.parametrize(("file", "old", "new"), [
    ("catalogsync.yaml", "handling_time: PT24H", "handling_time: PT24H  # edited"),
    ("shipping.yaml", "\n", "\n# edited\n"),
    ("offers/mugs.yaml", "offers:", "variant_sets:\n  Kubki:\n    offers: [MUG-WHITE-330]\n"
                                      "    parameters: [Kolor]\noffers:"),
])
def test_an_edit_beyond_offers_plans_in_full(
    run: Run, catalog_dir: Path, file: str, old: str, new: str
) -> None:
    settle(run, catalog_dir)
    edit(catalog_dir, "offers/mugs.yaml", "price: 29.99", "price: 27.99")
    edit(catalog_dir, file, old, new)
    plan = run("plan", catalog_dir)
    assert NARROWED not in plan.output and STANDS not in plan.output, plan.output


def test_an_event_on_another_offer_or_a_sale_plans_in_full(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    settle(run, catalog_dir)
    edit(catalog_dir, "offers/mugs.yaml", "price: 29.99", "price: 27.99")
    backend.offers.patch(SELLER, offer_id(catalog_dir, "TSHIRT-WHITE-S"),
                         {"name": "Edited on Allegro"})
    assert assert_as_whole(run, catalog_dir, narrowed=False) == 2
    settle(run, catalog_dir)  # the edit applied
    edit(catalog_dir, "offers/mugs.yaml", "price: 27.99", "price: 26.99")
    buy(backend, catalog_dir, MUG, 1)
    plan = run("plan", catalog_dir, "--detailed-exitcode")
    assert plan.exit_code == 2 and NARROWED not in plan.output, plan.output


def test_a_mass_change_counts_every_offer_and_plans_in_full(
    run: Run, catalog_dir: Path
) -> None:
    edit(catalog_dir, "catalogsync.yaml", "stock_mode:",
         "safety:\n  min_offers: 1\n  max_update_share: 0.2\nstock_mode:")
    settle(run, catalog_dir)
    tshirts = catalog_dir / "offers/tshirts.yaml"
    tshirts.write_text(tshirts.read_text().replace("price: 39.00", "price: 41.00"))
    plan = run("plan", catalog_dir, "--detailed-exitcode")
    assert plan.exit_code == 3 and "max_update_share" in plan.output, plan.output
    assert NARROWED not in plan.output
    tshirts.write_text(tshirts.read_text().replace("price: 41.00", "price: 39.00"))
    settle_again(run, catalog_dir)
    edit(catalog_dir, "offers/mugs.yaml", "price: 29.99", "price: 27.99")  # one: under it
    assert assert_as_whole(run, catalog_dir) == 2


def test_a_narrowed_plan_applied_leaves_nothing_to_do(run: Run, catalog_dir: Path) -> None:
    settle(run, catalog_dir)
    edit(catalog_dir, "offers/mugs.yaml", "price: 29.99", "price: 27.99")
    assert NARROWED in run("plan", catalog_dir).output
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    after = run("plan", catalog_dir, "--detailed-exitcode")
    assert after.exit_code == 0 and "No changes." in after.output, after.output


def test_an_edit_of_half_the_offers_plans_in_full(run: Run, catalog_dir: Path) -> None:
    """Narrowing to 3 of 6 offers would cost more than it saves."""
    settle(run, catalog_dir)
    edit(catalog_dir, "offers/tshirts.yaml", "stock: 12", "stock: 14")
    plan = run("plan", catalog_dir, "--detailed-exitcode")
    assert plan.exit_code == 2 and NARROWED not in plan.output, plan.output
