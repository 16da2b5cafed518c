"""Run-level checks of the planner: safety shares, price jumps, R13, R26, pruning, staleness."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from catalogsync.catalog.models import Safety
from catalogsync.live.state import LiveOffer, LiveState, LiveTable
from catalogsync.plan.checks import run_checks
from catalogsync.plan.model import Action, Change, Command, CommandKind, Resource
from catalogsync.plan.options import Options
from catalogsync.plan.planner import plan, stale_changes
from tests.unit.test_planner import NOW, TABLE_ROW, catalog, live, live_mug, mug


def many(count: int, **changes: Any) -> tuple[dict[str, Any], dict[str, LiveOffer]]:
    offers = {f"MUG-{i}": mug(**changes) for i in range(count)}
    lives = {f"MUG-{i}": replace(live_mug(), id=str(700 + i)) for i in range(count)}
    return offers, lives


def test_r26_price_of_an_offer_in_a_campaign_is_left_alone_and_the_plan_says_why() -> None:
    state = live(offers={"MUG-1": live_mug()}, campaigns={"777": ("campaign Strefa okazji",)})
    result = plan(catalog({"MUG-1": mug(price="24.99", stock=7)}), state, NOW)
    (change,) = result.changes
    assert [d.field for d in change.diffs] == ["stock"]
    (warning,) = result.warnings
    assert warning.rule == "R26"
    assert "price stays 29.99 PLN (not 24.99 PLN)" in warning.message
    assert "Strefa okazji" in warning.message and "--allow-campaign-price-change" in warning.message


def test_r26_price_change_allowed_per_offer_or_per_run_shows_the_consequence() -> None:
    state = live(offers={"MUG-1": live_mug()}, campaigns={"777": ("Allegro Prices",)})
    per_offer = plan(
        catalog({"MUG-1": mug(price="24.99", allow_campaign_price_change=True)}), state, NOW
    )
    per_run = plan(
        catalog({"MUG-1": mug(price="24.99")}),
        state,
        NOW,
        Options(allow_campaign_price_change=True),
    )
    for result in (per_offer, per_run):
        assert [c.kind for c in result.changes[0].commands] == [CommandKind.PRICE]
        assert "takes the offer out of Allegro Prices" in result.warnings[0].message


def test_r13_drafts_beyond_the_limit_are_refused() -> None:
    result = plan(catalog({"MUG-1": mug()}), live(draft_count=20_000), NOW)
    assert [e.rule for e in result.errors] == ["R13"]
    assert "20000 drafts" in result.errors[0].message


def test_r13_creates_are_drafts_together_only_while_their_batch_awaits_activation() -> None:
    def create(number: int, activate: bool) -> Change:
        activation = Command(kind=CommandKind.PUBLICATION, fields={"status": "active"})
        return Change(
            resource=Resource.OFFER,
            key=f"MUG-{number}",
            action=Action.CREATE,
            commands=(activation,) if activate else (),
        )

    activated = [create(i, True) for i in range(30_000)]
    assert run_checks(catalog({}), live(), activated, True, True) == []
    (error,) = run_checks(catalog({}), live(draft_count=15_000), activated, True, True)
    assert error.rule == "R13"  # 15 000 + the 11 batches apply may have in the pipeline
    staying = [create(i, False) for i in range(20_001)]
    (error,) = run_checks(catalog({}), live(), staying, True, True)
    assert error.rule == "R13" and "up to 20001 of them drafts at once" in error.message


def test_safety_share_refuses_with_the_numbers_and_the_flag() -> None:
    offers, lives = many(10, stock=99)
    result = plan(catalog(offers), live(offers=lives), NOW)
    (error,) = result.errors
    assert "10 of 10 managed offers (100%) would be updated" in error.message
    assert "safety.max_update_share" in error.message and "--allow-mass-change" in error.message
    assert (
        plan(catalog(offers), live(offers=lives), NOW, Options(allow_mass_change=True)).errors == ()
    )


def test_safety_share_does_not_count_drafts_a_previous_run_left_unfinished() -> None:
    """A killed apply leaves drafts the catalog wants active (and activations owed): finishing
    that work is not a mass change, so the next plain apply resumes."""
    offers, lives = many(20, stock=99)
    drafts = {
        key: replace(offer, status="INACTIVE", ever_activated=False,
                     fields={**offer.fields, "status": "inactive"})
        for key, offer in lives.items()
    }
    drafts["MUG-0"] = lives["MUG-0"]  # one offer already on sale
    result = plan(catalog(offers), live(offers=drafts), NOW)
    assert result.errors == ()
    assert sum(c.action is Action.UPDATE for c in result.changes) == 20
    on_sale = {**lives, **{k: v for k, v in drafts.items() if k < "MUG-15"}}
    (error,) = plan(catalog(offers), live(offers=on_sale), NOW).errors
    assert "14 of 20 managed offers (70%) would be updated" in error.message


def test_safety_share_does_not_count_changes_an_apply_was_stopped_in() -> None:
    """A mass change applied with --allow-mass-change and killed half-way: finishing it is
    no new mass change; another value, or another field, still is."""
    offers, lives = many(20, stock=99)
    approved = {key: {"stock": "99", "price": '"24.99 PLN"'} for key in offers}
    assert plan(catalog(offers), live(offers=lives, approved=approved), NOW).errors == ()
    changed, _ = many(20, stock=98)
    (error,) = plan(catalog(changed), live(offers=lives, approved=approved), NOW).errors
    assert "20 of 20 managed offers (100%) would be updated" in error.message


def test_small_catalogs_are_below_the_safety_minimum() -> None:
    offers, lives = many(3, stock=99)
    assert plan(catalog(offers), live(offers=lives), NOW).errors == ()


def test_price_typo_beyond_the_ratio_is_an_error() -> None:
    result = plan(catalog({"MUG-1": mug(price="2.99")}), live(offers={"MUG-1": live_mug()}), NOW)
    (error,) = result.errors
    assert "price 29.99 PLN → 2.99 PLN" in error.message and "--allow-price-jumps" in error.message
    allowed = plan(
        catalog({"MUG-1": mug(price="2.99")}),
        live(offers={"MUG-1": live_mug()}),
        NOW,
        Options(allow_price_jumps=True),
    )
    assert allowed.errors == ()
    moderate = plan(catalog({"MUG-1": mug(price="39.99")}), live(offers={"MUG-1": live_mug()}), NOW)
    assert moderate.errors == ()


def test_removed_offers_are_left_alone_unless_pruning() -> None:
    removed = {
        "OLD-ACTIVE": LiveOffer(id="1", status="ACTIVE", fields={"status": "active"}),
        "OLD-DRAFT": LiveOffer(
            id="2", status="INACTIVE", fields={"status": "inactive"}, ever_activated=False
        ),
        "OLD-ENDED": LiveOffer(id="3", status="ENDED", fields={"status": "ended"}),
    }
    kept = plan(catalog(), live(removed=removed), NOW)
    assert kept.changes == ()
    assert "2 offers removed from the catalog stay on Allegro" in kept.warnings[0].message

    pruned = plan(catalog(), live(removed=removed), NOW, Options(prune=True))
    actions = {c.key: c.action for c in pruned.changes}
    assert actions == {"OLD-ACTIVE": Action.END, "OLD-DRAFT": Action.DELETE}
    delete = next(c for c in pruned.changes if c.action is Action.DELETE)
    assert delete.request is not None and delete.request.path == "/sale/offers/2"


def test_targets_limit_the_plan_to_the_named_offers() -> None:
    result = plan(
        catalog({"MUG-1": mug(), "MUG-2": mug()}),
        live(),
        NOW,
        Options(targets=frozenset({"MUG-2"})),
    )
    assert [c.key for c in result.changes] == ["MUG-2"]


def test_r4_renamed_table_is_edited_in_place() -> None:
    tables = {
        "Ekspres": {
            "renamed_from": "Standard",
            "rates": [{"delivery_method": "Allegro Kurier DPD", "first_item": "16.99"}],
        }
    }
    result = plan(catalog(shipping_rates=tables), live(), NOW)
    (change,) = result.changes
    assert change.action is Action.UPDATE and change.id == "t-1"
    assert change.request is not None and change.request.body["name"] == "Ekspres"
    assert "R4" in change.reason


def test_r4_table_left_out_of_the_catalog_is_kept_with_a_warning() -> None:
    result = plan(catalog(shipping_rates={}), live(removed_tables=("Standard",)), NOW)
    assert result.changes == ()
    (warning,) = result.warnings
    assert warning.rule == "R4" and warning.subject == "shipping_rates Standard"


def test_stale_plan_names_each_offer_and_field_that_moved() -> None:
    before = live(offers={"MUG-1": live_mug()})
    saved = plan(catalog({"MUG-1": mug(price="34.99"), "MUG-2": mug()}), before, NOW)
    assert stale_changes(saved, before) == []
    after = live(
        offers={"MUG-1": live_mug(price="31.00 PLN"), "MUG-2": replace(live_mug(), id="778")},
        tables={"Standard": LiveTable(id="t-1", name="Standard", rates=(TABLE_ROW,))},
    )
    assert stale_changes(saved, after) == [
        "offer MUG-1: price is now '31.00 PLN' (the plan saw '29.99 PLN')",
        "offer MUG-2: exists on Allegro now (778)",
    ]


def test_live_notes_become_warnings() -> None:
    state: LiveState = live(notes=("could not read campaigns",))
    assert [w.message for w in plan(catalog(), state, NOW).warnings] == ["could not read campaigns"]


@pytest.mark.parametrize(
    ("price", "refused"),
    [("24.00", False), ("23.99", True), ("37.48", False), ("37.49", True)],
)
def test_max_price_change_bounds_as_the_readme_says(price: str, refused: bool) -> None:
    """README, Safety: 0.2 allows -20 % to +25 % (29.99 -> 23.992 .. 37.4875)."""
    base = catalog({"MUG-1": mug(price=price)})
    settings = base.settings.model_copy(update={"safety": Safety(max_price_change=0.2)})
    tight = base.model_copy(update={"settings": settings})
    result = plan(tight, live(offers={"MUG-1": live_mug()}), NOW)
    assert bool(result.errors) is refused
