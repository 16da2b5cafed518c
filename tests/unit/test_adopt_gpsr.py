"""What `catalogsync import` makes of GPSR data and additional marketplaces: the values the
loader reads back as they were, what it cannot write left unmanaged with a reason, and
defaults that never impose a value an offer does not have."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from catalogsync.adopt.command import catalog_defaults
from catalogsync.adopt.entries import Entry, factor_defaults
from catalogsync.adopt.files import dump, offer_files, responsible_file
from catalogsync.adopt.gpsr import gpsr_and_marketplaces, responsible_resources
from catalogsync.catalog.gpsr import SafetyText
from catalogsync.catalog.loader import load_catalog
from catalogsync.live.state import LiveResponsible

KNOWN = {"responsible_producer": {"Fabryka Demo"}, "responsible_person": {"Przedstawiciel UE"}}
ADDRESS = {"country_code": "PL", "street": "Prosta 1", "postal_code": "00-950",
           "city": "Warszawa"}


def text(description: str) -> dict[str, Any]:
    return {"safety_information": {"type": "TEXT", "description": description}}


def test_text_none_the_flag_names_and_marketplace_prices_are_written_as_the_catalog_says_them(
) -> None:
    live = {"responsible_producer": "Fabryka Demo", "responsible_person": "Przedstawiciel UE",
            "marketed_before_gpsr": False,
            "marketplaces": {"allegro-sk": "7.49 EUR", "allegro-cz": None}, **text("Uwaga.")}

    written, unmanaged = gpsr_and_marketplaces(live, KNOWN)

    assert written == {
        "responsible_producer": "Fabryka Demo", "responsible_person": "Przedstawiciel UE",
        "safety_information": "Uwaga.", "marketed_before_gpsr": False,
        "marketplaces": {"allegro-cz": None, "allegro-sk": Decimal("7.49")},
    }
    assert unmanaged == {}
    none, _ = gpsr_and_marketplaces(
        {"safety_information": {"type": "NO_SAFETY_INFORMATION"}}, KNOWN)
    assert none == {"safety_information": "none"}


def test_what_cannot_be_written_back_as_it_is_is_left_unmanaged_with_the_reason() -> None:
    manuals = {"safety_information": {"type": "ATTACHMENTS", "attachments": ["a-1"]}}
    for live, reason in [
        (manuals, "safety manuals kept on Allegro cannot become local files"),
        (text(" Uwaga. "), "would not read back"),  # the loader strips a text
        (text("None"), "would not read back"),  # the loader reads it as no information
        ({"responsible_producer": "3f0c-unknown-id"}, "not among the account's"),
    ]:
        written, unmanaged = gpsr_and_marketplaces(live, KNOWN)
        assert written == {}
        (field, why), = unmanaged.items()
        assert field in live and reason in why


def test_gpsr_and_marketplaces_become_defaults_without_imposing_them() -> None:
    shared = {"responsible_producer": "Fabryka Demo", "safety_information": "Uwaga.",
              "marketplaces": {"allegro-cz": Decimal("179.00")}}
    found = [
        Entry("A", "1", "67476", {"status": "active", **shared}),
        Entry("B", "2", "67476", {"status": "active", **shared}),
        # manuals left unmanaged by `entries`; no producer, no marketplaces on Allegro
        Entry("C", "3", "67476", {"status": "active"}, ignore=["safety_information"]),
    ]

    defaults = factor_defaults(found, None)

    assert {k: defaults[k] for k in shared} == shared
    assert [e.yaml() for e in found] == [{}, {}, {"ignore_fields": [
        "marketplaces", "responsible_producer", "safety_information"]}]


def test_an_existing_catalog_s_gpsr_defaults_compare_with_what_import_writes(
    tmp_path: Path,
) -> None:
    (tmp_path / "catalogsync.yaml").write_text(dump({"defaults": {
        "safety_information": "Uwaga.", "marketplaces": {"allegro-cz": 179.0},
        "marketed_before_gpsr": True}}))
    found = [Entry("A", "1", "67476", {
        "status": "active", "safety_information": "Uwaga.", "marketed_before_gpsr": False,
        "marketplaces": {"allegro-cz": Decimal("179.00")}})]

    factor_defaults(found, catalog_defaults(load_catalog(tmp_path)))

    assert found[0].yaml() == {"marketed_before_gpsr": False}


def test_written_offers_load_back_into_the_same_values(tmp_path: Path) -> None:
    fields = {"safety_information": "Uwaga.", "marketplaces": {"allegro-cz": Decimal("179.00")}}
    found = [
        Entry("A", "1", "67476", dict(fields)),
        Entry("B", "2", "67476", {"safety_information": "none",
                                  "marketplaces": {"allegro-hu": None}}),
    ]
    (tmp_path / "catalogsync.yaml").write_text(dump({"environment": "local"}))
    for path, written in offer_files(tmp_path, found, 10, "").items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(written)
        assert "marketplaces:\n    - allegro-hu" in written  # a price left to Allegro

    offers = load_catalog(tmp_path).offers

    assert offers["A"].safety_information == SafetyText(text="Uwaga.")
    assert offers["A"].marketplaces == {"allegro-cz": Decimal("179.00")}
    assert offers["B"].safety_information == "none"
    assert offers["B"].marketplaces == {"allegro-hu": None}


def test_only_producers_offers_name_and_the_catalog_lacks_are_written_and_load_back(
    tmp_path: Path,
) -> None:
    contact = {"email": "a@b.example"}
    account = {"responsible_producer": {
        name: LiveResponsible(f"id-{name}", name, {
            "trade_name": f"{name} sp. z o.o.", "address": ADDRESS, "contact": reach})
        for name, reach in [("Used", contact), ("Declared", contact), ("Unused", contact),
                            ("Unreachable", {})]  # from before e-mail or form were required
    }}
    used = {"responsible_producer": {"Used", "Declared", "Unreachable"}}

    sections, notes = responsible_resources(
        account, used, {"responsible_producer": {"Declared"}})

    assert list(sections["responsible_producers"]) == ["Used"]
    assert len(notes) == 1 and notes[0].startswith("responsible producer Unreachable left out")
    (tmp_path / "catalogsync.yaml").write_text(dump({"environment": "local"}))
    for path, written in responsible_file(tmp_path, sections, "").items():
        path.write_text(written)
    loaded = load_catalog(tmp_path)
    assert loaded.responsible_producers["Used"].model_dump(exclude_none=True) == (
        account["responsible_producer"]["Used"].data)
