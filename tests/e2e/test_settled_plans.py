"""A plan that finds nothing to do stands for the next, as long as nothing it read has changed:
the catalog's files, the state, the event and order feeds, the account's other answers, the
rotating check's slice (runs/settled.py). Anything else plans in full, as before."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from catalogsync.catalog.models import Environment
from catalogsync.config import state_index_path
from catalogsync.emulator.backend import Backend
from catalogsync.state.index import load_index, record_id
from tests.e2e.conftest import Run, local_state, offer_id, offer_ids
from tests.e2e.test_stock_and_sales import MUG, buy

STANDS = "the rest as the plan of"
READS, PAGES = "GET /sale/product-offers/{offerId}", "GET /sale/offers"
SELLER = "1000001"


def settle(run: Run, catalog_dir: Path) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    first = run("plan", catalog_dir, "--detailed-exitcode")
    assert first.exit_code == 0 and STANDS not in first.output, first.output


def requests(backend: Backend) -> int:
    return sum(backend.stats.values())


def test_a_plan_with_nothing_changed_stands_on_the_last(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    settle(run, catalog_dir)
    full_before = requests(backend)
    run("plan", catalog_dir, "--refresh")
    full = requests(backend) - full_before
    before, reads = requests(backend), backend.stats[READS]
    again = run("plan", catalog_dir, "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes." in again.output and STANDS in again.output
    assert "order feed names no sale since" in again.output
    assert backend.stats[READS] - reads == 1  # the rotating check: 1 of the example's offers
    assert requests(backend) - before < full
    # as JSON it is the whole plan's, stock marks included, but for what was read
    stood = json.loads(run("plan", catalog_dir, "--format", "json").stdout)
    whole = json.loads(run("plan", catalog_dir, "--format", "json", "--refresh").stdout)
    assert stood["stock"]["marks"] and STANDS in stood.pop("read")
    whole.pop("read")
    assert stood == whole


def test_an_edit_on_allegro_since_is_planned_in_full(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    settle(run, catalog_dir)
    backend.offers.patch(SELLER, offer_id(catalog_dir, MUG), {"name": "Edited on Allegro"})
    drifted = run("plan", catalog_dir, "--detailed-exitcode")
    assert drifted.exit_code == 2, drifted.output
    assert STANDS not in drifted.output and "Edited on Allegro" in drifted.output


def test_a_catalog_edit_is_planned_again(run: Run, catalog_dir: Path) -> None:
    """Its offers at least (an edit of offers only narrows the plan: test_narrowed_plans.py)."""
    settle(run, catalog_dir)
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace("price: 29.99", "price: 27.99"))
    edited = run("plan", catalog_dir, "--detailed-exitcode")
    assert edited.exit_code == 2 and STANDS not in edited.output, edited.output
    assert "27.99" in edited.output


def test_a_sale_since_is_planned_in_full(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    settle(run, catalog_dir)
    buy(backend, catalog_dir, MUG, 2)
    after = run("plan", catalog_dir, "--detailed-exitcode")
    assert after.exit_code in (0, 2) and STANDS not in after.output, after.output


def test_a_table_edited_on_allegro_is_planned_in_full(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    """A shipping-rate table sends no offer event: its answer differs from the last plan's."""
    settle(run, catalog_dir)
    table_id = local_state(catalog_dir).shipping_rates["Standard"]
    table = backend.shipping.get(SELLER, table_id)
    rates = table["rates"]
    rates[0]["firstItemRate"]["amount"] = "99.00"
    backend.shipping.update(SELLER, table_id, {**table, "rates": rates})
    after = run("plan", catalog_dir, "--detailed-exitcode")
    assert after.exit_code == 2 and STANDS not in after.output, after.output


def test_state_written_since_is_planned_in_full(run: Run, catalog_dir: Path) -> None:
    """Another run wrote the state (here: an image it uploaded): what the plan stood on moved."""
    settle(run, catalog_dir)
    path = state_index_path(catalog_dir, Environment.LOCAL)
    record_id(path, load_index(path), "image", "0" * 64, "https://a.allegroimg.com/x.jpg")
    after = run("plan", catalog_dir, "--detailed-exitcode")
    assert after.exit_code == 0 and STANDS not in after.output, after.output
    assert STANDS in run("plan", catalog_dir).output


def test_a_local_file_changed_since_is_planned_in_full(run: Run, catalog_dir: Path) -> None:
    settle(run, catalog_dir)
    manual = catalog_dir / "manuals" / "kubek-bezpieczenstwo.pdf"
    manual.write_bytes(manual.read_bytes() + b"\n% revised\n")
    after = run("plan", catalog_dir, "--detailed-exitcode")
    assert after.exit_code == 2 and STANDS not in after.output, after.output


def test_refresh_a_saved_plan_and_a_target_always_plan_in_full(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path
) -> None:
    settle(run, catalog_dir)
    pages = backend.stats[PAGES]
    refreshed = run("plan", catalog_dir, "--refresh")
    assert STANDS not in refreshed.output and backend.stats[PAGES] == pages + 1
    saved = run("plan", catalog_dir, "--out", tmp_path / "plan.json")
    assert STANDS not in saved.output and len(offer_ids(catalog_dir)) > 1
    targeted = run("plan", catalog_dir, "--target", MUG)
    assert targeted.exit_code == 0 and STANDS not in targeted.output, targeted.output
    run("plan", catalog_dir)  # a targeted plan wrote the live cache: one whole plan first
    assert STANDS in run("plan", catalog_dir).output


def test_a_damaged_memo_is_a_whole_plan_not_an_error(run: Run, catalog_dir: Path) -> None:
    settle(run, catalog_dir)
    memo = catalog_dir / ".catalogsync" / "settled-local.json"
    for damage in (b"{not json", memo.read_bytes()[:200], b'{"format": 2}\n[]\n'):
        memo.write_bytes(damage)
        planned = run("plan", catalog_dir, "--detailed-exitcode")
        assert planned.exit_code == 0 and STANDS not in planned.output, planned.output
    assert STANDS in run("plan", catalog_dir).output  # the whole plan wrote it anew


def test_a_narrowed_plan_sends_the_reads_its_checks_confirmed_once(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    """The checks just read the account's other answers as the last plan had them; the
    narrowed plan's read takes those answers (the same GET, the same bytes) instead of
    asking again. Only the feeds are read again, from the cache's cursor."""
    settle(run, catalog_dir)
    before = Counter(backend.stats)
    assert STANDS in run("plan", catalog_dir).output
    settled = Counter(backend.stats) - before
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace("stock: 40", "stock: 45"))
    before = Counter(backend.stats)
    narrowed = run("plan", catalog_dir, "--detailed-exitcode")
    assert narrowed.exit_code == 2 and "changed file" in narrowed.output, narrowed.output
    sent = Counter(backend.stats) - before
    feeds = {"GET /order/events", "GET /sale/offer-events"}
    assert settled["GET /sale/delivery-methods"] == 1 and settled["GET /sale/products"] > 1
    assert {k: n for k, n in sent.items() if k not in feeds} == {
        k: n for k, n in settled.items() if k not in feeds}
