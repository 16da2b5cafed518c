"""A quiet account's plan reads what the event feed names, a rotating slice and nothing else;
what the feed cannot report (a draft edited on Allegro) is caught within the announced bound;
`--refresh` and the periodic list check read the list again (live/quiet.py, live/schedule.py).
"""

from __future__ import annotations

import re
from pathlib import Path

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run, list_check_due, offer_id, offer_ids

READS, PAGES = "GET /sale/product-offers/{offerId}", "GET /sale/offers"
PRICES = "POST /sale/allegro-prices/offers-queries"
SELLER = "1000001"


def announced(output: str) -> tuple[int, int, int]:
    """(offers read in detail, rotating slice, managed offers) as the plan announces them."""
    found = re.search(r"Read (\d+) offers? in detail \(event feed: \d+ changed since [^;]+; "
                      r"rotating check (\d+)/(\d+); list check due in ", output)
    assert found, output
    return int(found[1]), int(found[2]), int(found[3])


def warm(run: Run, catalog_dir: Path) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    assert run("plan", catalog_dir).exit_code == 0


def test_a_quiet_plan_reads_only_what_the_feed_names_and_a_rotating_slice(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    warm(run, catalog_dir)
    before = dict(backend.stats)
    quiet = run("plan", catalog_dir, "--detailed-exitcode")
    assert quiet.exit_code == 0, quiet.output
    read, rotated, managed = announced(quiet.output)
    assert (read, rotated, managed) == (1, 1, len(offer_ids(catalog_dir)))
    assert backend.stats[READS] - before[READS] == 1
    assert backend.stats[PAGES] == before[PAGES]  # the offer list is not paged
    assert backend.stats[PRICES] == before.get(PRICES, 0)  # no price moves: no Prices query

    # apply carries a change out: the rotating check is the plans' job
    before = dict(backend.stats)
    applied = run("apply", catalog_dir, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "Read 0 offers in detail (event feed: 0 changed" in applied.output
    assert "no rotating check in apply" in applied.output
    assert backend.stats[READS] == before[READS] and backend.stats[PAGES] == before[PAGES]

    # a price the catalog changes: Allegro Prices is asked about that offer alone (R26)
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace("price: 29.99", "price: 27.99"))
    repriced = run("plan", catalog_dir, "--detailed-exitcode")
    assert repriced.exit_code == 2, repriced.output
    assert backend.stats[PRICES] == before.get(PRICES, 0) + 1
    assert backend.stats[PAGES] == before[PAGES]


def test_a_draft_edited_on_allegro_is_caught_by_the_rotating_check_within_its_bound(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    """A draft's edit sends no event: the rotating check reads each offer in turn."""
    warm(run, catalog_dir)
    draft = offer_id(catalog_dir, "TSHIRT-WHITE-L")
    assert backend.offers.get(SELLER, draft)["publication"]["status"] == "INACTIVE"
    backend.offers.patch(SELLER, draft, {"name": "Edited on Allegro"})
    managed = len(offer_ids(catalog_dir))
    for _ in range(managed):  # the bound: a slice of 1 of `managed` offers, one turn
        planned = run("plan", catalog_dir, "--detailed-exitcode")
        _, rotated, of = announced(planned.output)
        assert (rotated, of) == (1, managed)
        if planned.exit_code == 2:
            assert "offer TSHIRT-WHITE-L" in planned.output
            assert "Edited on Allegro" in planned.output
            break
        assert planned.exit_code == 0, planned.output
    else:
        raise AssertionError(f"the edited draft was not caught within {managed} plans")


def test_refresh_reads_every_offer_and_the_list(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    warm(run, catalog_dir)
    before = dict(backend.stats)
    refreshed = run("plan", catalog_dir, "--refresh", "--detailed-exitcode")
    assert refreshed.exit_code == 0, refreshed.output
    assert backend.stats[READS] - before[READS] == len(offer_ids(catalog_dir))
    assert backend.stats[PAGES] > before[PAGES]
    assert "Read the offer list (1 page; no usable live cache)." in refreshed.output


def test_the_list_is_paged_again_when_its_check_is_due(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    warm(run, catalog_dir)
    list_check_due(catalog_dir)
    pages = backend.stats[PAGES]
    due = run("plan", catalog_dir, "--detailed-exitcode")
    assert due.exit_code == 0, due.output
    assert "Read the offer list (1 page; list check due)." in due.output
    assert backend.stats[PAGES] == pages + 1
    assert re.search(r"list check due in (5 h 59|6 h 00) min", run("plan", catalog_dir).output)
