"""Apply batches what commands can carry, and reports per offer what each task did."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

from catalogsync.allegro.connect import connect
from catalogsync.apply.applier import Applier
from catalogsync.catalog.models import Environment
from catalogsync.emulator.backend import Backend
from catalogsync.plan.model import Action, Change, Command, CommandKind, Plan, Resource
from catalogsync.progress import Progress
from catalogsync.synthetic import write_catalog
from tests.e2e.conftest import Run, local_state

PUBLICATION_PUTS = "PUT /sale/offer-publication-commands/{commandId}"
PRICE_PUTS = "PUT /sale/offer-price-change-commands/{commandId}"


def test_r14_1001_offers_take_two_commands_each_for_activation_and_price(
    run: Run, tmp_path: Path, backend: Backend
) -> None:
    catalog = write_catalog(tmp_path / "big", 1001)
    assert run("apply", catalog, "--auto-approve").exit_code == 0
    assert backend.stats[PUBLICATION_PUTS] == 2
    assert backend.stats["POST /sale/product-offers"] == 1001
    assert backend.stats["PATCH /sale/product-offers/{offerId}"] == 0

    write_catalog(catalog, 1001, price=Decimal("31.50"))
    changed = run("apply", catalog, "--auto-approve", "--allow-mass-change")
    assert changed.exit_code == 0, changed.output
    assert "offer-price-change-commands (price): 1001 done" in changed.output
    assert backend.stats[PRICE_PUTS] == 2
    assert backend.stats["PATCH /sale/product-offers/{offerId}"] == 0
    assert run("plan", catalog, "--detailed-exitcode").exit_code == 0


def test_r15_tasks_are_polled_to_the_end_and_each_offer_reports_its_own_outcome(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path
) -> None:
    backend.settings.processing_delay = 0.2  # the PUT answers zeros; tasks settle later
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    index = local_state(catalog_dir)
    real = index.offers["MUG-WHITE-330"]

    def price_change(key: str, offer_id: str) -> Change:
        command = Command(kind=CommandKind.PRICE, fields={"price": "19.99 PLN"})
        return Change(
            resource=Resource.OFFER, key=key, action=Action.UPDATE, id=offer_id, commands=(command,)
        )

    plan = Plan(
        environment="local",
        marketplace="allegro-pl",
        fingerprint="f",
        changes=(price_change("MUG-WHITE-330", real), price_change("GHOST", "17799999999")),
    )

    async def apply() -> list[tuple[str, bool, str]]:
        async with connect(Environment.LOCAL, catalog_dir, backend) as client:
            applier = Applier(
                client, plan, index, tmp_path / "state.json", {}, Progress(), catalog_dir
            )
            report = await applier.run()
        return sorted((o.address, o.ok, o.message) for o in report.outcomes)

    outcomes = asyncio.run(apply())
    assert outcomes == [
        ("offer GHOST", False, "The offer does not exist."),
        ("offer MUG-WHITE-330", True, ""),
    ]
    assert backend.stats[PRICE_PUTS] == 1
    assert backend.stats["GET /sale/offer-price-change-commands/{commandId}"] >= 1
    assert backend.stats["GET /sale/offer-price-change-commands/{commandId}/tasks"] == 1
    assert backend.offers.get("1000001", real)["sellingMode"]["price"]["amount"] == "19.99"


def test_partial_failure_finishes_the_rest_and_the_next_plan_shows_what_is_left(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    backend.update_settings({"draft_limit": 4})  # R13, as Allegro would answer at 20 000
    partial = run("apply", catalog_dir, "--auto-approve")
    assert partial.exit_code == 1
    assert "2 failed, 1 skipped" in partial.output  # 2 creates; 1 of them was to be activated
    assert "You cannot create new drafts" in partial.output
    assert "Run `catalogsync plan` to see what is still to do." in partial.output

    left = run("plan", catalog_dir, "--detailed-exitcode")
    assert left.exit_code == 2
    assert "Plan: 2 to create, 0 to update" in left.output

    backend.update_settings({"draft_limit": 20_000})
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0
