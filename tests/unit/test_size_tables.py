"""Size tables and offer contacts: the catalog's models and YAML, their wire shapes, and the
plan (created, updated in place, a fixed template, offers naming them, the category rule)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from catalogsync.allegro.size_tables_wire import (
    contact_body,
    contact_data,
    reference_body,
    reference_fields,
    table_body,
    table_data,
)
from catalogsync.allegro.wire import command_body
from catalogsync.catalog.loader import load_catalog
from catalogsync.catalog.models import Catalog
from catalogsync.catalog.size_tables import OfferContact, SizeTable
from catalogsync.errors import CatalogError
from catalogsync.live.state import LiveResponsible
from catalogsync.plan.model import Action, CommandKind, Resource
from catalogsync.plan.planner import plan, stale_changes
from tests.unit.test_planner import NOW, catalog, live, live_mug, mug

TEMPLATES = {"Koszulki": LiveResponsible(id="tpl-1", name="Koszulki", data={}),
             "Buty": LiveResponsible(id="tpl-2", name="Buty", data={})}
TABLE = {"template": "Koszulki", "headers": ["Rozmiar", "Obwód"], "rows": [["S", "88"]]}
DATA = {"template": "Koszulki", "headers": ["Rozmiar", "Obwód"], "rows": [["S", "88"]]}


def with_entries(offers: dict[str, Any], **sections: Any) -> Catalog:
    declared = Catalog.model_validate(sections)
    return catalog(offers).model_copy(update={k: getattr(declared, k) for k in sections})


def state(**kinds: dict[str, LiveResponsible]) -> Any:
    return live(responsible={**live().responsible, "size_table_template": TEMPLATES, **kinds})


def test_yaml_typing_traps_stay_text_in_size_tables_and_contacts(tmp_path: Path) -> None:
    (tmp_path / "catalogsync.yaml").write_text("defaults: {contact: Biuro}\n")
    (tmp_path / "sizes.yaml").write_text(
        "size_tables:\n  Buty:\n    template: Buty\n    headers: [EU, cm]\n"
        "    rows:\n      - [on, 12:30]\n      - [0755, 26.50]\n"
        "contacts:\n  Biuro:\n    phones: +48512323495\n")
    loaded = load_catalog(tmp_path)
    assert loaded.size_tables["Buty"].rows == (("on", "12:30"), ("0755", "26.50"))
    assert loaded.contacts["Biuro"].phones == ("+48512323495",)


def test_bad_rows_and_contacts_are_errors_at_their_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "catalogsync.yaml").write_text("defaults: {}\n")
    (tmp_path / "sizes.yaml").write_text(
        "size_tables:\n  Buty:\n    template: Buty\n    headers: [EU, cm]\n"
        "    rows:\n      - [40]\n"
        "contacts:\n  Biuro:\n    email: nie-adres\n    phones: [1, 2, 3]\n")
    with pytest.raises(CatalogError) as raised:
        load_catalog(tmp_path)
    shown = "\n".join(str(p) for p in raised.value.problems)
    assert "sizes.yaml:3:" in shown and "row 1 has 1 cells for 2 headers" in shown
    assert "sizes.yaml:9:" in shown and "is not an e-mail address" in shown
    assert "sizes.yaml:10:" in shown


def test_contact_limits_follow_the_spec() -> None:
    assert OfferContact(email="a@b.pl").phones == ()
    with pytest.raises(ValidationError, match="at most 64"):
        OfferContact(email=f"{'x' * 65}@b.pl")
    with pytest.raises(ValidationError, match="give an email or phones"):
        OfferContact()
    with pytest.raises(ValidationError, match="at most 2 items"):
        OfferContact.model_validate({"phones": ["+48 1234567"] * 3})


def test_wire_shapes_round_trip() -> None:
    table = SizeTable.model_validate(TABLE)
    body = table_body("T", {"template": table.template, "headers": list(table.headers),
                            "rows": [list(r) for r in table.rows]}, "tpl-1")
    assert body == {"name": "T", "headers": [{"name": "Rozmiar"}, {"name": "Obwód"}],
                    "values": [{"cells": ["S", "88"]}], "template": {"id": "tpl-1"}}
    assert table_data({**body, "id": "x"}, {"tpl-1": "Koszulki"}) == DATA
    contact = {"email": "a@b.pl", "phones": ["+48 1234567"]}
    assert contact_data(contact_body("C", contact)) == contact
    assert reference_fields({"sizeTable": {"id": "s"}, "contact": None}) == {"size_table": "s"}
    assert reference_body({"size_table": "T", "contact": "C"}) == {
        "sizeTable": {"name": "T"}, "contact": {"name": "C"}}
    modification = command_body("offer-modification-commands", {"size_table": "T"}, ["1"], {},
                                {"size_table": {"T": "s-1"}})
    assert modification["modification"] == {"sizeTable": {"id": "s-1"}}


def test_size_tables_and_contacts_are_created_then_updated_in_place() -> None:
    wanted = with_entries({}, size_tables={"T": TABLE},
                          contacts={"C": {"email": "a@b.pl"}})
    table, contact = plan(wanted, state(), NOW).changes
    assert (table.resource, table.action) == (Resource.SIZE_TABLE, Action.CREATE)
    assert table.request is not None and table.request.body is not None
    assert table.request.body["template"] == {"id": "tpl-1"}
    assert (contact.resource, contact.request and contact.request.path) == (
        Resource.CONTACT, "/sale/offer-contacts")

    known = LiveResponsible(id="s-1", name="T", data={**DATA, "rows": [["S", "90"]]})
    now = state(size_table={"T": known}, contact={
        "C": LiveResponsible(id="c-1", name="C", data={"email": "a@b.pl", "phones": []})})
    (updated,) = plan(wanted, now, NOW).changes
    assert updated.action is Action.UPDATE and updated.request is not None
    assert updated.request.path == "/sale/size-tables/s-1"
    assert "template" not in (updated.request.body or {})
    assert [d.field for d in updated.diffs] == ["rows"]
    moved = replace(now, responsible={**now.responsible, "size_table": {
        "T": replace(known, data=DATA)}})
    assert stale_changes(plan(wanted, now, NOW), moved) == [
        "size_table T: changed on Allegro since the plan"]


def test_an_unknown_or_changed_template_is_an_error_not_a_request() -> None:
    unknown = plan(with_entries({}, size_tables={"T": {**TABLE, "template": "Czapki"}}),
                   state(), NOW)
    assert "template 'Czapki' is not one of Allegro's size-table templates" in str(
        unknown.errors)
    on_other = LiveResponsible(id="s-1", name="T", data={**DATA, "template": "Buty"})
    fixed = plan(with_entries({}, size_tables={"T": TABLE}), state(size_table={"T": on_other}),
                 NOW)
    assert fixed.changes == () and "a table's template cannot change" in str(fixed.errors)


def test_a_size_table_in_a_category_not_known_to_take_one_is_a_warning_naming_the_offer(
) -> None:
    wanted = with_entries({"MUG-1": mug(size_table="T")}, size_tables={"T": TABLE})
    result = plan(wanted, state(), NOW)
    assert result.errors == ()
    (warning,) = [w for w in result.warnings if "size table" in w.message]
    assert warning.subject == "offer MUG-1"
    assert "size table 'T' in category 67476" in warning.message


def test_a_size_table_change_of_existing_offers_is_one_modification_command() -> None:
    tshirt = {"category": "16248"}
    offers = {f"T-{i}": replace(live_mug(**tshirt), id=f"7{i}") for i in range(3)}
    known = {"T": LiveResponsible(id="s-1", name="T", data=DATA)}
    result = plan(with_entries({k: mug(size_table="T", product=None) for k in offers},
                               size_tables={"T": TABLE}),
                  replace(state(size_table=known), offers=offers), NOW)
    assert result.errors == ()
    assert [c.request for c in result.changes] == [None] * 3
    (command,) = result.changes[0].commands
    assert (command.kind, command.fields) == (CommandKind.MODIFICATION, {"size_table": "T"})
    assert result.references["size_table"] == {"T": "s-1"}
    assert "size_table_template" not in result.references


def test_an_unknown_contact_name_suggests_the_closest() -> None:
    result = plan(with_entries({"MUG-1": mug(contact="Biur")},
                               contacts={"Biuro": {"email": "a@b.pl"}}), state(), NOW)
    assert "contact 'Biur' is neither in the catalog (contacts:) nor on Allegro; did you " \
           "mean 'Biuro'?" in str(result.errors)
