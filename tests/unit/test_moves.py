"""Renames (`moved_from`) with plain values: the catalog's checks, the index the reading step
sees, the plan's change, and the state moved once Allegro confirms."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogsync.apply.moves import move_confirmed
from catalogsync.catalog.loader import load_catalog
from catalogsync.catalog.models import Catalog
from catalogsync.catalog.moves import moved_issues, renamed_to
from catalogsync.errors import CatalogError
from catalogsync.live.moves import as_renamed, moved_index
from catalogsync.live.state import LiveOffer, LiveResponsible, LiveState
from catalogsync.plan.model import Action, Change, Resource, Severity
from catalogsync.plan.moves import forgotten_notes, renamed, unmoved_creates
from catalogsync.plan.responsible import canonical, plan_responsible
from catalogsync.state.index import StateIndex, StockMark, forget_offer, load_index, save_index
from catalogsync.state.lockfile import LockFile


def _catalog(**offers: dict[str, object]) -> Catalog:
    return Catalog.model_validate({"offers": offers})


def _index() -> StateIndex:
    index = StateIndex(offers={"OLD": "1", "KEEP": "2"}, applied={"OLD": {"price": "ab"}})
    index.stock.offers["OLD"] = StockMark(declared=5, expected=4)
    return index


def test_moved_from_takes_one_key_or_several() -> None:
    catalog = _catalog(A={"moved_from": "0755"}, B={"moved_from": ["X", "Y"]})
    assert catalog.offers["A"].moved_from == ("0755",)
    assert catalog.offers["B"].moved_from == ("X", "Y")


def test_a_moved_from_still_in_the_catalog_or_claimed_twice_is_an_issue() -> None:
    catalog = _catalog(A={"moved_from": "B"}, B={}, C={"moved_from": "OLD"},
                       D={"moved_from": ["OLD", "OTHER"]})
    origins = {k: (Path(f"{k}.yaml"), 1, 1) for k in catalog.offers}
    issues = moved_issues(catalog.offers, origins)
    assert [(i.file.name, i.path, i.message.split(";")[0]) for i in issues] == [
        ("A.yaml", ("offers", "A", "moved_from"), "'B' is still an offer of the catalog"),
        ("D.yaml", ("offers", "D", "moved_from"), "'OLD' is claimed by offer 'C' too"),
    ]


def test_the_reading_step_sees_a_pending_rename_under_its_new_key() -> None:
    index = _index()
    view = moved_index(_catalog(NEW={"moved_from": "OLD"}, KEEP={}), index)
    assert view.offers == {"NEW": "1", "KEEP": "2"}
    assert view.applied == {"NEW": {"price": "ab"}}
    assert view.stock.offers == {"NEW": StockMark(declared=5, expected=4)}
    assert index.offers == {"OLD": "1", "KEEP": "2"}  # the state itself is untouched


def test_a_done_rename_and_a_new_key_with_an_offer_of_its_own_leave_the_index_as_it_is() -> None:
    done = StateIndex(offers={"NEW": "1"})
    assert moved_index(_catalog(NEW={"moved_from": "OLD"}), done) is done
    taken = StateIndex(offers={"NEW": "9", "OLD": "1"})
    assert moved_index(_catalog(NEW={"moved_from": "OLD"}), taken).offers == taken.offers


def test_a_change_of_an_offer_still_under_its_old_key_is_a_rename() -> None:
    offer = _catalog(NEW={"moved_from": "OLD"}).offers["NEW"]
    change = Change(resource=Resource.OFFER, key="NEW", action=Action.UPDATE, id="1")
    old = LiveOffer("1", "ACTIVE", {}, rekey_from="OLD", rekey=True)
    other = LiveOffer("1", "ACTIVE", {}, rekey_from="ELSE", rekey=True)
    assert renamed(change, offer, old) == change.model_copy(update={"renamed_from": "OLD"})
    assert renamed(change, offer, other) == change
    assert renamed(None, offer, old) is None


def test_the_state_moves_once_allegro_confirms_the_new_key(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    index = _index()
    save_index(path, index)
    catalog = _catalog(NEW={"moved_from": "OLD"}, KEEP={})
    assert move_confirmed(path, index, catalog, {"NEW": "7"}) == []  # another offer: no move
    assert move_confirmed(path, index, catalog, {"NEW": "1"}) == ["NEW"]
    for loaded in (index, load_index(path)):  # the journal replays the move
        assert loaded.offers == {"NEW": "1", "KEEP": "2"}
        assert loaded.stock.offers == {"NEW": StockMark(declared=5, expected=4)}
    assert index.applied == {"NEW": {"price": "ab"}}


def test_forgetting_drops_what_the_state_knows_and_remembers_the_offer_id() -> None:
    index = _index()
    index.approved["OLD"] = {"price": "1"}
    forget_offer(index, "OLD")
    assert index.offers == {"KEEP": "2"}
    assert (index.applied, index.stock.offers, index.approved) == ({}, {}, {})
    assert index.forgotten == {"OLD": "1"}


def test_the_plan_notes_a_forgotten_offer_unless_the_catalog_took_it_back() -> None:
    live = LiveState(forgotten={"GONE": "1", "BACK": "2"})
    notes = forgotten_notes(_catalog(BACK={}), live)
    assert [(n.severity, n.subject) for n in notes] == [(Severity.NOTE, "offer GONE")]
    assert "offer 1 stays on Allegro" in notes[0].message


def test_a_renamed_offer_the_state_has_no_id_for_is_not_created_silently() -> None:
    catalog = _catalog(NEW={"moved_from": "OLD"}, FRESH={}, BACK={"moved_from": "X"})
    changes = [Change(resource=Resource.OFFER, key=k, action=Action.CREATE)
               for k in ("NEW", "FRESH", "BACK")]
    errors = unmoved_creates(catalog, LiveState(gone=frozenset({"BACK"})), changes)
    assert [(e.severity, e.subject) for e in errors] == [(Severity.ERROR, "offer NEW")]
    assert "moved_from OLD: the state knows no offer of that key" in errors[0].message


def test_an_offer_forgotten_on_another_machine_leaves_this_working_copy(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    save_index(path, _index())  # this machine's working copy still manages OLD
    lock = LockFile(tmp_path / "catalogsync.lock", "local")
    lock.write([("offer-forgotten", "OLD", "1"), ("offer", "KEEP", "2")])
    index = load_index(path, lock)
    assert index.offers == {"KEEP": "2"}
    assert index.stock.offers == {} and index.applied == {}
    assert index.forgotten == {"OLD": "1"}


def test_an_old_key_left_beside_its_new_one_is_no_offer_removed_from_the_catalog() -> None:
    kept = StateIndex(offers={"NEW": "1", "OLD": "1", "GONE": "3"})  # moved_from deleted since
    assert moved_index(_catalog(NEW={}), kept).offers == {"NEW": "1", "GONE": "3"}


def _resources() -> Catalog:
    address = {"country_code": "PL", "street": "Ul 1", "postal_code": "00-001", "city": "W"}
    return Catalog.model_validate({
        "shipping_rates": {"Nowy": {"moved_from": "Stary", "rates": [
            {"delivery_method": "DPD", "first_item": "9"}]},
                           "Inny": {"renamed_from": "Dawny", "rates": [
            {"delivery_method": "DPD", "first_item": "9"}]}},
        "responsible_producers": {"Fabryka SA": {
            "moved_from": "Fabryka", "trade_name": "F", "address": address,
            "contact": {"email": "a@b.pl"}}},
    })


def test_offers_read_a_renamed_table_or_producer_under_its_new_name() -> None:
    catalog = _resources()
    assert as_renamed({"t1": "Stary", "t2": "Dawny", "t3": "X"}, catalog, "tables") == {
        "t1": "Nowy", "t2": "Inny", "t3": "X"}
    assert as_renamed({"p1": "Fabryka"}, catalog, "gpsr") == {"p1": "Fabryka SA"}
    assert renamed_to("Stary", catalog.shipping_rates) == "Nowy"
    assert renamed_to("Nowy", catalog.shipping_rates) is None


def test_a_renamed_producer_is_put_in_place_under_its_id() -> None:
    catalog = _resources()
    data = canonical(catalog.responsible_producers["Fabryka SA"])
    assert "moved_from" not in data
    live = LiveState(responsible={"responsible_producer": {
        "Fabryka": LiveResponsible(id="p-1", name="Fabryka", data=data)}})
    (change,) = plan_responsible(catalog, live)
    assert (change.action, change.id, change.renamed_from) == (Action.UPDATE, "p-1", "Fabryka")
    assert change.request is not None and change.request.path.endswith("/p-1")
    assert change.request.body["name"] == "Fabryka SA"
    assert [(d.field, d.old, d.new) for d in change.diffs] == [("name", "Fabryka", "Fabryka SA")]


def test_a_renamed_table_moves_in_the_index_once_allegro_has_the_new_name(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.json"
    index = StateIndex(shipping_rates={"Stary": "t1"})
    catalog = _resources()
    assert move_confirmed(path, index, catalog, {"shipping_rates Stary": "t1"}) == []
    assert move_confirmed(path, index, catalog, {"shipping_rates Nowy": "t1"}) == ["Nowy"]
    assert index.shipping_rates == {"Nowy": "t1"}
    assert load_index(path).shipping_rates == {"Nowy": "t1"}


def test_a_table_or_producer_moved_from_a_name_still_in_the_catalog_or_claimed_twice(
    tmp_path: Path,
) -> None:
    rates = "    rates: [{delivery_method: DPD, first_item: 9}]\n"
    (tmp_path / "catalogsync.yaml").write_text("environment: local\n")
    (tmp_path / "shipping.yaml").write_text(
        "shipping_rates:\n  A:\n" + rates + "  B:\n    moved_from: A\n" + rates
        + "  C:\n    moved_from: X\n" + rates + "  D:\n    renamed_from: X\n" + rates)
    with pytest.raises(CatalogError) as error:
        load_catalog(tmp_path)
    assert [str(p).split(": ", 1)[1] for p in error.value.problems] == [
        "shipping_rates.B.moved_from: 'A' is still in shipping_rates; a rename takes the old "
        "name out of it",
        "shipping_rates.D.renamed_from: 'X' is claimed by 'C' too; one entry takes over an "
        "old name",
    ]
