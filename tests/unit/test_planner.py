"""The planner is a pure function: these tests feed it plain values."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from catalogsync.allegro.wire import CategoryParameter
from catalogsync.catalog.models import Catalog
from catalogsync.live.state import (
    DeliveryMethod,
    LiveOffer,
    LiveResponsible,
    LiveState,
    LiveTable,
    ProductCandidate,
)
from catalogsync.plan.model import Action, Command, CommandKind, Plan
from catalogsync.plan.planner import plan

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
MUG = ProductCandidate(
    id="p-mug", name="Kubek biały", category="67476", parameters={"Kolor": ("biały",)}
)
LAPTOP_256 = ProductCandidate(
    id="p-256",
    name="Laptop X14",
    category="491",
    parameters={"Pojemność dysku": ("256 GB",), "Kolor": ("czarny",)},
)
LAPTOP_512 = ProductCandidate(
    id="p-512",
    name="Laptop X14",
    category="491",
    parameters={"Pojemność dysku": ("512 GB",), "Kolor": ("czarny",)},
)
STAN = CategoryParameter(
    id="11323",
    name="Stan",
    type="dictionary",
    required=True,
    dictionary={"Nowy": "11323_1", "Używany": "11323_2"},
)
DPD = DeliveryMethod(
    id="m-dpd",
    name="Allegro Kurier DPD",
    constraints={
        "allowed": True,
        "maxQuantityPerPackage": {"max": 20},
        "firstItemRate": {"min": "0.00", "max": "500.00", "currency": "PLN"},
    },
)
#: GPSR data every published offer needs (plan/gpsr.py), and the producer it names.
GPSR = {"responsible_producer": "Producent Demo", "safety_information": "Chronić przed dziećmi."}
PRODUCER = LiveResponsible(id="p-1", name="Producent Demo", data={})
TABLE_ROW = {
    "delivery_method": "Allegro Kurier DPD",
    "first_item": "16.99 PLN",
    "next_item": "0.00 PLN",
    "max_quantity_per_package": 1,
}


def catalog(offers: dict[str, Any] | None = None, **extra: Any) -> Catalog:
    return Catalog.model_validate(
        {
            "settings": {"defaults": {"shipping_rates": "Standard"}, **extra.get("settings", {})},
            "offers": offers or {},
            "shipping_rates": extra.get(
                "shipping_rates",
                {
                    "Standard": {
                        "rates": [{"delivery_method": "Allegro Kurier DPD", "first_item": "16.99"}]
                    }
                },
            ),
        }
    )


def mug(**changes: Any) -> dict[str, Any]:
    offer = {
        "name": "Kubek ceramiczny biały 330 ml",
        "product": {"ean": "5901234123457"},
        "parameters": {"Stan": "Nowy"},
        "price": "29.99",
        "stock": 5,
        "images": ["https://img/1.jpg"],
        **GPSR,
    }
    offer.update(changes)
    return offer


def live(**overrides: Any) -> LiveState:
    values: dict[str, Any] = {
        "tables": {"Standard": LiveTable(id="t-1", name="Standard", rates=(TABLE_ROW,))},
        "delivery_methods": (DPD,),
        "products": {"5901234123457": (MUG,), "5909990000012": (LAPTOP_256, LAPTOP_512)},
        "category_parameters": {"67476": (STAN,), "491": (STAN,)},
        "responsible": {"responsible_producer": {"Producent Demo": PRODUCER}},
    }
    values.update(overrides)
    return LiveState(**values)


def live_mug(**changes: Any) -> LiveOffer:
    fields = {
        "name": "Kubek ceramiczny biały 330 ml",
        "product": "p-mug",
        "category": "67476",
        "parameters": {"Stan": ["Nowy"], "Kolor": ["biały"]},
        "price": "29.99 PLN",
        "stock": 5,
        "images": ["https://img/1.jpg"],
        "shipping_rates": "Standard",
        "status": "active",
        "responsible_producer": "Producent Demo",
        "safety_information": {"type": "TEXT", "description": GPSR["safety_information"]},
    }
    fields.update(changes)
    return LiveOffer(id="777", status="ACTIVE", fields=fields)


def test_new_offer_is_created_as_draft_then_activated() -> None:
    result = plan(catalog({"MUG-1": mug()}), live(), NOW)
    (change,) = result.changes
    assert change.action is Action.CREATE
    assert change.request is not None
    body = change.request.body
    assert body["external"] == {"id": "MUG-1"}
    assert body["publication"] == {"status": "INACTIVE"}
    assert body["productSet"] == [{
        "product": {"id": "p-mug"},
        "responsibleProducer": {"type": "NAME", "name": "Producent Demo"},  # by name: GPSR
        "safetyInformation": {"type": "TEXT", "description": "Chronić przed dziećmi."},
    }]
    assert body["category"] == {"id": "67476"}
    assert body["parameters"] == [{"id": "11323", "valuesIds": ["11323_1"]}]
    assert body["sellingMode"]["price"] == {"amount": "29.99", "currency": "PLN"}
    assert body["delivery"]["shippingRates"] == {"id": "t-1"}
    assert change.commands == (Command(kind=CommandKind.PUBLICATION, fields={"status": "active"}),)
    assert change.via == ("POST /sale/product-offers", "offer-publication-commands ACTIVATE")


def test_matching_offer_plans_nothing() -> None:
    result = plan(catalog({"MUG-1": mug()}), live(offers={"MUG-1": live_mug()}), NOW)
    assert result.changes == ()
    assert result.diagnostics == ()


def test_price_edit_is_one_field_change_carried_by_a_price_command() -> None:
    result = plan(catalog({"MUG-1": mug(price="34.50")}), live(offers={"MUG-1": live_mug()}), NOW)
    (change,) = result.changes
    assert change.action is Action.UPDATE
    assert [(d.field, d.old, d.new) for d in change.diffs] == [("price", "29.99 PLN", "34.50 PLN")]
    assert change.request is None
    assert change.commands == (Command(kind=CommandKind.PRICE, fields={"price": "34.50 PLN"}),)


def test_stock_and_table_edits_go_to_quantity_and_modification_commands() -> None:
    result = plan(
        catalog({"MUG-1": mug(stock=9, handling_time="P2D")}),
        live(offers={"MUG-1": live_mug(handling_time="PT24H")}),
        NOW,
    )
    (change,) = result.changes
    assert change.request is None
    assert [c.kind for c in change.commands] == [CommandKind.MODIFICATION, CommandKind.QUANTITY]
    assert change.commands[0].fields == {"handling_time": "P2D"}


def test_absolute_stock_to_zero_is_a_patch_because_fixed_quantity_must_be_positive() -> None:
    result = plan(
        catalog({"MUG-1": mug(stock=0)}, settings={"stock_mode": "absolute"}),
        live(offers={"MUG-1": live_mug()}),
        NOW,
    )
    (change,) = result.changes
    assert change.commands == ()
    assert change.request is not None
    assert change.request.body == {"stock": {"available": 0, "unit": "UNIT"}}


def test_an_edit_no_command_can_carry_takes_the_other_fields_into_one_patch() -> None:
    result = plan(
        catalog({"MUG-1": mug(price="34.50", name="Kubek ceramiczny biały 330 ml NOWY")}),
        live(offers={"MUG-1": live_mug()}),
        NOW,
    )
    (change,) = result.changes
    assert change.commands == ()
    assert change.request is not None
    assert change.request.method == "PATCH"
    assert set(change.request.body) == {"name", "sellingMode"}


def test_fields_left_out_or_ignored_are_not_managed() -> None:
    offer = mug(stock=None, ignore_fields=["price"], price="99.00")
    del offer["stock"]
    result = plan(catalog({"MUG-1": offer}), live(offers={"MUG-1": live_mug(stock=3)}), NOW)
    assert result.changes == ()


def test_r23_ambiguous_ean_lists_candidates_and_what_tells_them_apart() -> None:
    laptop = mug(product={"ean": "5909990000012"}, name="Laptop X14 512 GB SSD czarny")
    result = plan(catalog({"LAP-1": laptop}), live(), NOW)
    (error,) = result.errors
    assert error.rule == "R23"
    assert "matches 2 products" in error.message
    assert "p-256" in error.message and "p-512" in error.message
    assert "Pojemność dysku" in error.message
    assert "Kolor" not in error.message.split("differ in:")[1]


def test_r23_product_parameters_pick_one_product() -> None:
    laptop = mug(
        product={"ean": "5909990000012", "parameters": {"Pojemność dysku": "512 GB"}},
        name="Laptop X14 512 GB SSD czarny",
    )
    result = plan(catalog({"LAP-1": laptop}), live(), NOW)
    assert result.errors == ()
    assert result.changes[0].request is not None
    assert result.changes[0].request.body["productSet"][0]["product"] == {"id": "p-512"}


def test_r18_description_image_must_be_in_images() -> None:
    offer = mug(description=[[{"text": "<p>a</p>"}], [{"image": "https://img/2.jpg"}]])
    result = plan(catalog({"MUG-1": offer}), live(), NOW)
    (error,) = result.errors
    assert error.rule == "R18"
    assert error.subject == "offer MUG-1"
    assert "section 2" in error.message and "https://img/2.jpg" in error.message


def test_scheduled_activation_goes_into_the_publication_command() -> None:
    result = plan(catalog({"MUG-1": mug(scheduled_for="2026-12-01T10:00:00Z")}), live(), NOW)
    (command,) = result.changes[0].commands
    assert command.fields == {"status": "active", "scheduled_for": "2026-12-01T10:00:00+00:00"}


def test_r11_scheduled_activation_in_the_past_is_an_error() -> None:
    result = plan(catalog({"MUG-1": mug(scheduled_for="2026-11-01T10:00:00Z")}), live(), NOW)
    assert [e.rule for e in result.errors] == ["R11"]


def test_unknown_parameter_value_lists_allowed_values() -> None:
    result = plan(catalog({"MUG-1": mug(parameters={"Stan": "Nówy"})}), live(), NOW)
    (error,) = result.errors
    assert "'Nówy'" in error.message and "Nowy, Używany" in error.message


def test_create_needs_required_fields_and_category_parameters() -> None:
    offer = {"product": {"ean": "5901234123457"}, "price": "10.00"}
    result = plan(catalog({"MUG-1": offer}), live(), NOW)
    messages = " | ".join(e.message for e in result.errors)
    assert "without name, stock" in messages
    assert "requires parameters: Stan" in messages


def test_activated_offer_cannot_return_to_draft() -> None:
    result = plan(
        catalog({"MUG-1": mug(status="inactive")}), live(offers={"MUG-1": live_mug()}), NOW
    )
    assert "never become a draft" in result.errors[0].message


def test_ending_an_active_offer_uses_the_publication_command() -> None:
    result = plan(catalog({"MUG-1": mug(status="ended")}), live(offers={"MUG-1": live_mug()}), NOW)
    (change,) = result.changes
    assert change.commands == (Command(kind=CommandKind.PUBLICATION, fields={"status": "ended"}),)
    assert change.via == ("offer-publication-commands END",)
    assert change.request is None


def test_r17_location_change_sends_shipping_rates_and_price_along() -> None:
    location = {"province": "MAZOWIECKIE", "city": "Warszawa", "post_code": "00-950"}
    offer = mug(location=location, images=["https://img/9.jpg"])
    result = plan(catalog({"MUG-1": offer}), live(offers={"MUG-1": live_mug()}), NOW)
    (change,) = result.changes
    assert [d.field for d in change.diffs] == ["images", "location"]
    assert change.request is not None
    assert set(change.request.body) == {"images", "location", "delivery", "sellingMode"}


def test_location_alone_goes_to_the_modification_command() -> None:
    location = {"province": "MAZOWIECKIE", "city": "Warszawa", "post_code": "00-950"}
    result = plan(
        catalog({"MUG-1": mug(location=location)}), live(offers={"MUG-1": live_mug()}), NOW
    )
    (change,) = result.changes
    assert change.request is None
    (command,) = change.commands
    assert command.kind is CommandKind.MODIFICATION
    assert command.fields["location"]["postCode"] == "00-950"


def test_r20_offer_gone_from_allegro_is_created_again_with_reason() -> None:
    result = plan(catalog({"MUG-1": mug()}), live(gone=frozenset({"MUG-1"})), NOW)
    (change,) = result.changes
    assert change.action is Action.CREATE
    assert "R20" in change.reason


def test_unknown_table_reference_suggests_the_closest_name() -> None:
    result = plan(catalog({"MUG-1": mug(shipping_rates="Standrd")}), live(), NOW)
    (error,) = result.errors
    assert "did you mean 'Standard'" in error.message


def test_table_rate_change_is_an_update_with_put() -> None:
    tables = {
        "Standard": {"rates": [{"delivery_method": "Allegro Kurier DPD", "first_item": "19.99"}]}
    }
    result = plan(catalog(shipping_rates=tables), live(), NOW)
    (change,) = result.changes
    assert change.action is Action.UPDATE
    assert change.request is not None
    assert change.request.method == "PUT"
    assert change.request.body["id"] == "t-1"
    assert change.request.body["rates"][0]["firstItemRate"] == {
        "amount": "19.99",
        "currency": "PLN",
    }


def test_table_rate_outside_the_delivery_method_constraints_is_an_error() -> None:
    tables = {
        "Standard": {
            "rates": [
                {
                    "delivery_method": "Allegro Kurier DPD",
                    "first_item": "600.00",
                    "max_quantity_per_package": 30,
                }
            ]
        }
    }
    result = plan(catalog(shipping_rates=tables), live(), NOW)
    messages = [e.message for e in result.errors]
    assert any("max_quantity_per_package 30 exceeds 20" in m for m in messages)
    assert any("first_item 600.00 is outside 0.00–500.00" in m for m in messages)


def test_r4_tables_beyond_250_are_refused() -> None:
    existing = {f"T{i}": LiveTable(id=f"t{i}", name=f"T{i}", rates=()) for i in range(250)}
    result = plan(catalog(), live(tables=existing), NOW)
    assert [e.rule for e in result.errors] == ["R4"]


def test_fingerprint_follows_live_state() -> None:
    def fp(state: LiveState) -> str:
        return plan(catalog({"MUG-1": mug()}), state, NOW).fingerprint

    assert fp(live(offers={"MUG-1": live_mug()})) == fp(live(offers={"MUG-1": live_mug()}))
    assert fp(live(offers={"MUG-1": live_mug()})) != fp(live(offers={"MUG-1": live_mug(stock=1)}))


def test_saved_plan_round_trips_through_json() -> None:
    result = plan(catalog({"MUG-1": mug()}), live(), NOW)
    assert Plan.model_validate_json(result.model_dump_json()) == result


def test_scheduled_time_without_offset_is_polish_time_with_its_offset() -> None:
    result = plan(catalog({"MUG-1": mug(scheduled_for="2026-12-01T10:00:00")}), live(), NOW)
    (command,) = result.changes[0].commands
    assert command.fields["scheduled_for"] == "2026-12-01T10:00:00+01:00"


POLICIES = {"return_policy": {"rp-14": "Zwroty 14 dni", "rp-30": "Zwroty 30 dni"}}


def test_after_sales_conditions_are_named_and_sent_by_id() -> None:
    offer = mug(after_sales={"return_policy": "Zwroty 30 dni"})
    result = plan(catalog({"MUG-1": offer}), live(after_sales=POLICIES), NOW)
    assert result.errors == ()
    assert result.changes[0].request is not None
    assert result.changes[0].request.body["afterSalesServices"] == {"returnPolicy": {"id": "rp-30"}}
    same = live(
        after_sales=POLICIES, offers={"MUG-1": live_mug(after_sales={"return_policy": "rp-30"})}
    )
    assert plan(catalog({"MUG-1": offer}), same, NOW).changes == ()


def test_unknown_after_sales_condition_lists_the_known_ones() -> None:
    offer = mug(after_sales={"return_policy": "Zwroty 60 dni"})
    (error,) = plan(catalog({"MUG-1": offer}), live(after_sales=POLICIES), NOW).errors
    assert "return policy 'Zwroty 60 dni' is neither in the catalog" in error.message
    assert "Zwroty 14 dni, Zwroty 30 dni" in error.message
