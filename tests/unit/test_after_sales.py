"""After-sales conditions, pure parts: the catalog's models, the wire shapes both ways, the
plan of creates, updates and renames, and how an offer's names resolve."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from catalogsync.allegro.after_sales_wire import canonical, condition_body, condition_data
from catalogsync.catalog.after_sales import ImpliedWarranty, ReturnPolicy, Warranty
from catalogsync.catalog.loader import load_catalog
from catalogsync.catalog.models import Catalog
from catalogsync.errors import CatalogError
from catalogsync.live.state import LiveCondition, LiveState
from catalogsync.plan.model import Action, Resource
from catalogsync.plan.options import Options
from catalogsync.plan.planner import plan

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
ADDRESS = {"name": "Sklep", "street": "Prosta 1", "post_code": "00-950", "city": "Warszawa",
           "country_code": "PL"}
POLICY: dict[str, Any] = {"withdrawal_period": "P21D", "return_cost": "seller",
                          "address": ADDRESS, "options": {"business_return_allowed": True}}


def live_policy(name: str, **changes: Any) -> LiveCondition:
    data = canonical(ReturnPolicy.model_validate({**POLICY, **changes}))
    return LiveCondition(id=f"id-{name}", name=name, data=data)


def conditions_live(*policies: LiveCondition) -> LiveState:
    return LiveState(
        after_sales={"return_policy": {p.id: p.name for p in policies}},
        conditions={"return_policy": {p.name: p for p in policies}})


@pytest.mark.parametrize(("entry", "message"), [
    ({**POLICY, "withdrawal_period": "P10D"}, "at least 14 days"),
    ({**POLICY, "withdrawal_period": "P2W"}, "ISO 8601 period like P14D"),
    ({**POLICY, "availability": "restricted"}, "needs a restriction"),
    ({"availability": "disabled", "restriction": "press", "return_cost": "buyer"},
     "has no return_cost"),
    ({**POLICY, "restriction": "PRESS"}, "only for availability RESTRICTED or DISABLED"),
    ({**POLICY, "restriction": "alcohol", "availability": "restricted"}, "restriction"),
    ({**POLICY, "address": {**ADDRESS, "post_code": "00950"}}, "is not a post code of PL"),
    ({**POLICY, "address": {**ADDRESS, "street": "x" * 36}}, "at most 35 characters in PL"),
    ({"withdrawal_period": "P14D"}, "needs return_cost, address"),
])
def test_a_return_policy_is_checked_as_allegro_would(entry: dict[str, Any], message: str
                                                     ) -> None:
    with pytest.raises(ValidationError, match=message):
        ReturnPolicy.model_validate(entry)


def test_warranty_periods_are_iso_and_text_fields_want_quotes() -> None:
    with pytest.raises(ValidationError, match="like P2Y"):
        ImpliedWarranty.model_validate({"individual": "P24M", "address": ADDRESS})
    with pytest.raises(ValidationError, match="read by YAML as 750; put the text in quotes"):
        ImpliedWarranty.model_validate({"individual": "P2Y", "address": ADDRESS,
                                        "description": 750})
    assert Warranty.model_validate({"type": "manufacturer", "individual": "lifetime"}).type == (
        "MANUFACTURER")


@pytest.mark.parametrize(("kind", "entry"), [
    ("return_policy", ReturnPolicy.model_validate({**POLICY, "contact": {"phone": "123"}})),
    ("return_policy", ReturnPolicy.model_validate({"availability": "DISABLED",
                                                   "restriction": "CUSTOM_ITEM"})),
    ("implied_warranty", ImpliedWarranty.model_validate({"individual": "P2Y", "corporate": "P1Y",
                                                         "address": ADDRESS})),
    ("warranty", Warranty.model_validate({"type": "SELLER", "individual": "P36M",
                                          "corporate": "lifetime", "description": "36 mies."})),
])
def test_the_body_sent_reads_back_as_the_same_data(kind: str, entry: Any) -> None:
    data = canonical(entry)
    body = condition_body(kind, "Nazwa", data, create=True)
    assert body["name"] == "Nazwa"
    answer = {**body, "id": "x", "seller": {"id": "1"}}
    if kind == "return_policy" and data["availability"] == "DISABLED":
        answer |= {"withdrawalPeriod": None, "returnCost": None, "address": None,
                   "options": None, "contact": None}
    assert condition_data(kind, answer) == data


def test_a_put_keeps_what_the_catalog_does_not_manage() -> None:
    data = canonical(Warranty.model_validate({"type": "SELLER", "individual": "P1Y"}))
    kept = {"attachment": {"id": "a", "name": "karta.pdf"}}
    body = condition_body("warranty", "W", data, create=False, kept=kept)
    assert body["attachment"] == kept["attachment"]
    policy = condition_body("return_policy", "R", canonical(ReturnPolicy.model_validate(POLICY)),
                            create=False)
    assert "isFulfillment" not in policy  # it cannot change, and the update body lacks it


def test_a_new_policy_is_created_and_offers_name_it_until_it_has_an_id() -> None:
    catalog = Catalog.model_validate({
        "return_policies": {"Zwroty 21": POLICY},
        "offers": {"MUG-1": {"name": "Kubek biały duży", "after_sales": {
            "return_policy": "Zwroty 21"}, "category": "67476", "price": "10", "stock": 1}}})
    result = plan(catalog, LiveState(), NOW)
    (create,) = [c for c in result.changes if c.resource is Resource.RETURN_POLICY]
    assert create.action is Action.CREATE and create.request is not None
    assert create.request.body["withdrawalPeriod"] == "P21D"
    offer = next(c for c in result.changes if c.resource is Resource.OFFER)
    assert offer.request is not None
    assert offer.request.body["afterSalesServices"] == {"returnPolicy": {"name": "Zwroty 21"}}


def test_a_changed_policy_is_put_in_place_and_an_equal_one_is_left_alone() -> None:
    catalog = Catalog.model_validate({"return_policies": {"Zwroty 21": POLICY}})
    assert plan(catalog, conditions_live(live_policy("Zwroty 21")), NOW).changes == ()
    changed = conditions_live(live_policy("Zwroty 21", withdrawal_period="P30D"))
    (update,) = plan(catalog, changed, NOW).changes
    assert update.action is Action.UPDATE and update.request is not None
    assert update.request.method == "PUT" and update.request.path.endswith("/id-Zwroty 21")
    assert [(d.field, d.old, d.new) for d in update.diffs] == [
        ("withdrawal_period", "P30D", "P21D")]


def test_moved_from_renames_in_place_and_offers_keep_the_id() -> None:
    catalog = Catalog.model_validate({
        "return_policies": {"Zwroty nowe": {**POLICY, "moved_from": "Zwroty stare"}}})
    result = plan(catalog, conditions_live(live_policy("Zwroty stare")), NOW)
    (rename,) = result.changes
    assert rename.action is Action.UPDATE and rename.id == "id-Zwroty stare"
    assert rename.diffs[0].field == "name" and rename.diffs[0].new == "Zwroty nowe"
    assert "renamed from Zwroty stare" in rename.reason
    assert rename.request is not None and rename.request.body["name"] == "Zwroty nowe"


def test_moved_from_a_name_allegro_does_not_have_creates_and_says_so() -> None:
    catalog = Catalog.model_validate({
        "return_policies": {"Zwroty nowe": {**POLICY, "moved_from": "Nie ma"}}})
    result = plan(catalog, conditions_live(), NOW)
    assert [c.action for c in result.changes] == [Action.CREATE]
    assert any("no return policy 'Nie ma' on Allegro to rename" in d.message
               for d in result.diagnostics)


def test_moved_from_a_name_the_catalog_still_declares_is_an_error() -> None:
    catalog = Catalog.model_validate({"return_policies": {
        "A": POLICY, "B": {**POLICY, "moved_from": "A"}}})
    (error,) = plan(catalog, conditions_live(live_policy("A")), NOW).errors
    assert error.subject == "return_policy B" and "still declared" in error.message


def test_fulfillment_cannot_change() -> None:
    catalog = Catalog.model_validate({"return_policies": {"R": {**POLICY, "fulfillment": True}}})
    (error,) = plan(catalog, conditions_live(live_policy("R")), NOW).errors
    assert "fulfillment cannot change" in error.message


def test_the_sections_load_with_their_lines(tmp_path: Path) -> None:
    (tmp_path / "catalogsync.yaml").write_text("environment: local\n")
    (tmp_path / "after_sales.yaml").write_text(
        "warranties:\n  Gwarancja:\n    type: seller\n    individual: P5Q\n")
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    (problem,) = info.value.problems
    assert (problem.file.name, problem.line, problem.column) == ("after_sales.yaml", 4, 17)
    assert problem.message.startswith("warranties.Gwarancja.individual: must be an ISO 8601")


def test_a_targeted_plan_keeps_the_conditions_its_offers_name() -> None:
    catalog = Catalog.model_validate({
        "return_policies": {"Zwroty 21": POLICY, "Inne": POLICY},
        "offers": {"MUG-1": {"name": "Kubek biały duży", "after_sales": {
            "return_policy": "Zwroty 21"}, "category": "67476", "price": "10", "stock": 1}}})
    result = plan(catalog, LiveState(), NOW, Options(targets=frozenset({"MUG-1"})))
    assert sorted(c.address for c in result.changes) == ["offer MUG-1", "return_policy Zwroty 21"]
