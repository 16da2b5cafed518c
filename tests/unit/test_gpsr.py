"""GPSR in the plan: producers and persons as resources, offers naming them, what Allegro would
refuse caught before anything is sent."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from pydantic import ValidationError

from catalogsync.catalog.models import Catalog
from catalogsync.images import LocalImage
from catalogsync.live.state import LiveResponsible
from catalogsync.plan.model import Action, CommandKind, Resource
from catalogsync.plan.planner import plan, stale_changes
from tests.unit.test_planner import NOW, catalog, live, live_mug, mug

PRODUCER = {
    "trade_name": "Fabryka Kubków",
    "address": {"country_code": "PL", "street": "Gliniana 5", "postal_code": "30-001",
                "city": "Kraków"},
    "contact": {"email": "gpsr@kubki.example"},
}


def with_resources(offers: dict[str, Any], **sections: Any) -> Catalog:
    """The unit tests' catalog plus GPSR resource sections."""
    declared = Catalog.model_validate(sections)
    return catalog(offers).model_copy(update={k: getattr(declared, k) for k in sections})


def messages(result: Any) -> str:
    return "\n".join(d.message for d in result.errors)


def test_publishing_needs_producer_and_safety_information() -> None:
    bare = mug(responsible_producer=None, safety_information=None)
    result = plan(catalog({"MUG-1": bare}), live(), NOW)
    assert "publishing needs responsible_producer and safety_information" in messages(result)
    assert "RESPONSIBLE_PRODUCER_NOT_SPECIFIED" in messages(result)
    draft = plan(catalog({"MUG-1": {**bare, "status": "inactive"}}), live(), NOW)
    assert draft.errors == ()  # a draft may wait for them


def test_marketed_before_is_refused_for_a_new_product_and_spares_the_rest() -> None:
    flagged = mug(responsible_producer=None, safety_information=None, marketed_before_gpsr=True)
    new = plan(catalog({"MUG-1": flagged}), live(), NOW)
    assert "PRODUCT_MARKETED_BEFORE_GPSR_OBLIGATION_OPTION_NOT_ALLOWED" in messages(new)
    used = plan(catalog({"MUG-1": {**flagged, "parameters": {"Stan": "Używany"}}}), live(), NOW)
    assert used.errors == ()
    (change,) = used.changes
    assert change.request is not None
    assert change.request.body["productSet"][0]["marketedBeforeGPSRObligation"] is True


def test_unknown_producer_name_suggests_the_closest() -> None:
    result = plan(catalog({"MUG-1": mug(responsible_producer="Producent Demos")}), live(), NOW)
    assert "responsible producer 'Producent Demos' is neither in the catalog" in messages(result)
    assert "did you mean 'Producent Demo'?" in messages(result)


def test_producers_are_created_then_updated_in_place() -> None:
    wanted = with_resources({}, responsible_producers={"Kubki": PRODUCER})
    (created,) = plan(wanted, live(), NOW).changes
    assert (created.resource, created.action) == (Resource.RESPONSIBLE_PRODUCER, Action.CREATE)
    assert created.request is not None and created.request.path == "/sale/responsible-producers"
    assert created.request.body["producerData"]["address"]["postalCode"] == "30-001"

    data = {**PRODUCER, "contact": {"email": "stary@kubki.example"}}
    known = LiveResponsible(id="r-9", name="Kubki", data=data)
    state = live(responsible={"responsible_producer": {"Kubki": known}})
    (updated,) = plan(wanted, state, NOW).changes
    assert updated.action is Action.UPDATE and updated.id == "r-9"
    assert updated.request is not None and updated.request.method == "PUT"
    assert [d.field for d in updated.diffs] == ["contact"]
    moved = replace(state, responsible={"responsible_producer": {
        "Kubki": replace(known, data={**data, "trade_name": "Inna"})}})
    assert stale_changes(plan(wanted, state, NOW), moved) == [
        "responsible_producer Kubki: changed on Allegro since the plan"]


def test_a_new_producer_on_many_offers_goes_by_one_modification_command() -> None:
    state = live(
        offers={f"MUG-{i}": replace(live_mug(), id=f"7{i}") for i in range(3)},
        responsible={"responsible_producer": {
            "Producent Demo": LiveResponsible(id="p-1", name="Producent Demo", data={}),
            "Kubki": LiveResponsible(id="p-2", name="Kubki", data={})}},
    )
    result = plan(catalog({f"MUG-{i}": mug(responsible_producer="Kubki") for i in range(3)}),
                  state, NOW)
    assert [c.request for c in result.changes] == [None] * 3
    assert all(c.commands == result.changes[0].commands for c in result.changes)
    (command,) = result.changes[0].commands
    assert command.kind is CommandKind.MODIFICATION
    assert command.fields == {"responsible_producer": "Kubki"}
    assert result.references["responsible_producer"]["Kubki"] == "p-2"


def test_none_goes_by_patch_with_the_product_and_warns() -> None:
    state = live(offers={"MUG-1": live_mug()})
    result = plan(catalog({"MUG-1": mug(safety_information="none")}), state, NOW)
    (change,) = result.changes
    assert change.request is not None and change.request.method == "PATCH"
    assert change.request.body["productSet"] == [
        {"product": {"id": "p-mug"}, "safetyInformation": {"type": "NO_SAFETY_INFORMATION"}}]
    (warning,) = result.warnings
    assert "NO_SAFETY_INFORMATION_OPTION_NOT_ALLOWED" in warning.message


def test_safety_manuals_are_uploaded_once_then_named_by_id() -> None:
    wanted = catalog({"MUG-1": mug(safety_information=["manuals/kubek.pdf"])})
    pending = live(local_attachments={
        "manuals/kubek.pdf": LocalImage("manuals/kubek.pdf", "ab" * 32, None)})
    result = plan(wanted, pending, NOW)
    assert result.uploads == {f"attachment-{'ab' * 32}": "manuals/kubek.pdf"}
    uploaded = replace(pending, local_attachments={
        "manuals/kubek.pdf": LocalImage("manuals/kubek.pdf", "ab" * 32, "att-1")})
    (change,) = plan(wanted, uploaded, NOW).changes
    assert change.request is not None
    assert change.request.body["productSet"][0]["safetyInformation"] == {
        "type": "ATTACHMENTS", "attachments": [{"id": "att-1"}]}
    missing = live(local_attachments={
        "manuals/kubek.pdf": LocalImage("manuals/kubek.pdf", "", None)})
    assert "safety manual manuals/kubek.pdf does not exist" in messages(
        plan(wanted, missing, NOW))


@pytest.mark.parametrize(
    ("section", "entry", "message"),
    [
        ("responsible_producers", {**PRODUCER, "contact": {"phone": "1"}}, "email or form_url"),
        ("responsible_persons", {"name": "X", "address": {**PRODUCER["address"],
                                                          "country_code": "US"},
                                 "contact": {"email": "a@b.c"}}, "EU member state"),
    ],
)
def test_resource_data_is_checked_offline(section: str, entry: Any, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Catalog.model_validate({section: {"Kubki": entry}})
    assert message in str(caught.value)



def test_an_edit_of_a_published_offer_without_gpsr_data_must_bring_it() -> None:
    unmanaged = mug(responsible_producer=None, safety_information=None)
    bare = live_mug(responsible_producer=None, safety_information=None)
    state = live(offers={"MUG-1": bare})
    renamed = plan(catalog({"MUG-1": {**unmanaged, "name": "Kubek ceramiczny biały nowy"}}),
                   state, NOW)
    assert "editing this published offer needs responsible_producer and safety_information" in (
        messages(renamed))
    repriced = plan(catalog({"MUG-1": {**unmanaged, "price": "31.99"}}), state, NOW)
    assert repriced.errors == ()  # a price command is no edit of the offer's data
    brought = plan(catalog({"MUG-1": {**unmanaged, "name": "Kubek ceramiczny biały nowy",
                                      "responsible_producer": "Producent Demo",
                                      "safety_information": "Tekst."}}), state, NOW)
    assert brought.errors == ()
