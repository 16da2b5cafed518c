"""Variant sets: automatic grouping checks (today) and the explicit API's semantics (R24, R25)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from catalogsync.allegro.wire import CategoryParameter
from catalogsync.catalog.models import Catalog
from catalogsync.live.state import (
    LiveOffer,
    LiveState,
    LiveVariantSet,
    ProductCandidate,
)
from catalogsync.plan.model import Action, Severity
from catalogsync.plan.planner import plan
from tests.unit.test_planner import GPSR, NOW, STAN, live, live_mug

ROZMIAR = CategoryParameter(
    id="3306",
    name="Rozmiar",
    type="dictionary",
    required=False,
    dictionary={"S": "3306_1", "M": "3306_2", "L": "3306_3"},
)
SIZES = {"S": "p-s", "M": "p-m", "L": "p-l"}


def shirt(size: str) -> ProductCandidate:
    return ProductCandidate(
        id=SIZES[size],
        name=f"Koszulka {size}",
        category="16248",
        parameters={"Rozmiar": (size,), "Kolor": ("biały",)},
    )


EANS = {"S": "5907000000014", "M": "5907000000021", "L": "5907000000038"}


def catalog(sets: dict[str, Any], **offer_changes: Any) -> Catalog:
    offers = {
        f"TS-{size}": {
            "name": f"Koszulka bawełniana biała {size}",
            "product": {"ean": EANS[size]},
            "parameters": {"Stan": "Nowy"},
            "price": "39.00",
            "stock": 5,
            **GPSR,
            **offer_changes.get(size, {}),
        }
        for size in "SML"
    }
    return Catalog.model_validate({"offers": offers, "variant_sets": sets})


def state(**overrides: Any) -> LiveState:
    base = live(
        products={EANS[size]: (shirt(size),) for size in "SML"},
        category_parameters={"16248": (STAN, ROZMIAR)},
    )
    return replace(base, **overrides)


def live_shirts(status: str = "ACTIVE") -> dict[str, LiveOffer]:
    return {
        f"TS-{size}": replace(live_mug(), id=f"90{i}", status=status)
        for i, size in enumerate("SML")
    }


SET = {"Koszulki": {"parameters": ["Rozmiar"], "offers": ["TS-S", "TS-M", "TS-L"]}}


def test_today_allegro_groups_variants_itself_and_the_plan_says_so() -> None:
    result = plan(catalog(SET), state(), NOW)
    (note,) = [d for d in result.diagnostics if d.severity is Severity.NOTE]
    assert "Allegro groups these 3 offers by Rozmiar itself" in note.message
    assert [c for c in result.changes if c.resource.value == "variant_set"] == []


def test_offers_that_do_not_differ_in_the_variant_parameters_cannot_be_grouped() -> None:
    sets = {"Koszulki": {"parameters": ["Kolor"], "offers": ["TS-S", "TS-M"]}}
    result = plan(catalog(sets), state(), NOW)
    (error,) = result.errors
    assert "offers TS-S and TS-M both have Kolor=biały" in error.message


def test_a_variant_set_holds_active_offers_only() -> None:
    result = plan(catalog(SET, S={"status": "inactive"}), state(), NOW)
    assert any("offer TS-S is not active" in e.message for e in result.errors)


def test_r24_legacy_api_creates_the_set_after_the_offers() -> None:
    result = plan(catalog(SET), state(variant_api=True, offers=live_shirts()), NOW)
    (change,) = [c for c in result.changes if c.key == "Koszulki"]
    assert change.action is Action.CREATE
    assert change.payload == {
        "name": "Koszulki",
        "offers": ["TS-S", "TS-M", "TS-L"],
        "parameters": ["3306"],
        "replace": False,
    }


def test_r24_legacy_set_that_matches_plans_nothing() -> None:
    current = LiveVariantSet(
        id="v-1", name="Koszulki", offer_ids=("900", "901", "902"), parameter_ids=("3306",)
    )
    result = plan(
        catalog(SET),
        state(
            variant_api=True,
            offers=live_shirts(),
            variant_sets={"Koszulki": current},
            variant_membership={"900": "Koszulki", "901": "Koszulki", "902": "Koszulki"},
        ),
        NOW,
    )
    assert [c for c in result.changes if c.key == "Koszulki"] == []


def test_r24_moving_an_offer_deletes_then_puts_its_old_set() -> None:
    sets = {
        "Małe": {"parameters": ["Rozmiar"], "offers": ["TS-S", "TS-M"]},
        "Duże": {"parameters": ["Rozmiar"], "offers": ["TS-L", "TS-M"]},
    }
    old = {
        "Małe": LiveVariantSet(
            id="v-1", name="Małe", offer_ids=("900", "901", "902"), parameter_ids=("3306",)
        )
    }
    result = plan(
        catalog(sets),
        state(
            variant_api=True,
            offers=live_shirts(),
            variant_sets=old,
            variant_membership={"900": "Małe", "901": "Małe", "902": "Małe"},
        ),
        NOW,
    )
    changes = [c for c in result.changes if c.resource.value == "variant_set"]
    assert [(c.key, (c.payload or {})["replace"]) for c in changes] == [
        ("Małe", True),
        ("Duże", False),
    ]
    assert changes[0].via == ("DELETE /sale/offer-variants/v-1", "PUT /sale/offer-variants/{setId}")


def test_r24_offer_in_a_set_the_catalog_does_not_manage_is_an_error() -> None:
    result = plan(
        catalog(SET),
        state(variant_api=True, offers=live_shirts(), variant_membership={"900": "Cudzy zestaw"}),
        NOW,
    )
    assert any(e.rule == "R24" and "Cudzy zestaw" in e.message for e in result.errors)


def test_r25_ended_member_rejoins_by_itself_and_is_not_sent_again() -> None:
    offers = live_shirts()
    offers["TS-L"] = replace(
        offers["TS-L"], status="ENDED", fields={**offers["TS-L"].fields, "status": "ended"}
    )
    current = LiveVariantSet(
        id="v-1", name="Koszulki", offer_ids=("900", "901"), parameter_ids=("3306",)
    )
    result = plan(
        catalog(SET),
        state(
            variant_api=True,
            offers=offers,
            variant_sets={"Koszulki": current},
            variant_membership={"900": "Koszulki", "901": "Koszulki"},
        ),
        NOW,
    )
    assert [c for c in result.changes if c.resource.value == "variant_set"] == []
    reactivation = next(c for c in result.changes if c.key == "TS-L")
    assert reactivation.via[-1] == "offer-publication-commands ACTIVATE"
