"""What `catalogsync import` writes, as plain values: defaults factored out without imposing
them, and YAML whose identifiers come back as text."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml

from catalogsync.adopt.entries import Entry, factor_defaults, unmanage_invalid
from catalogsync.adopt.files import dump, offer_files
from catalogsync.catalog.loader import load_catalog


def entry(key: str, **fields: object) -> Entry:
    return Entry(key, f"id-{key}", "67476", {"status": "active", **fields})


def test_values_most_offers_share_become_defaults_and_the_others_stay_explicit() -> None:
    found = [
        entry("A", shipping_rates="Standard", handling_time="PT24H"),
        entry("B", shipping_rates="Standard", handling_time="P2D"),
        entry("C", shipping_rates="Gabaryt", status="inactive"),
        entry("D"),  # no table on Allegro
    ]

    defaults = factor_defaults(found, None)

    assert defaults["shipping_rates"] == "Standard"
    assert defaults["status"] == "active"
    assert "handling_time" not in defaults  # one offer each: no majority
    assert [e.yaml() for e in found] == [
        {"handling_time": "PT24H"},
        {"handling_time": "P2D"},
        {"shipping_rates": "Gabaryt", "status": "inactive"},
        {"ignore_fields": ["shipping_rates"]},  # the default must not give D a table
    ]


def test_an_existing_catalog_s_defaults_are_left_out_of_new_entries() -> None:
    found = [entry("A", invoice="VAT", shipping_rates="Standard"), entry("B", invoice="VAT")]

    factor_defaults(found, {"invoice": "VAT", "currency": "PLN", "shipping_rates": "Standard"})

    assert [e.yaml() for e in found] == [{}, {"ignore_fields": ["shipping_rates"]}]


def test_written_yaml_quotes_identifiers_so_they_load_back_as_the_same_text(
    tmp_path: Path,
) -> None:
    weird = ["0755", "12:30", "on", "no", "1e3", "007", "5901234123457"]
    found = [
        Entry(key, f"id-{key}", "67476",
              {"product": {"ean": "5901234123457"}, "price": Decimal("29.90"), "stock": 1})
        for key in weird
    ]
    (tmp_path / "catalogsync.yaml").write_text(dump({"environment": "local"}))
    files = offer_files(tmp_path, found, 3, "# imported\n")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    assert sorted(p.name for p in files) == [
        "category-67476-2.yaml", "category-67476-3.yaml", "category-67476.yaml"
    ]
    assert sorted(load_catalog(tmp_path).offers) == sorted(weird)
    raw = yaml.safe_load(next(iter(files.values())))
    assert all(isinstance(key, str) for key in raw["offers"])
    assert "price: 29.90" in next(iter(files.values()))


def test_a_value_the_catalog_would_refuse_is_left_unmanaged_with_a_note() -> None:
    found = [entry("A", name="Za krótka", product={"ean": "5901234123458"}, stock=3)]

    notes = unmanage_invalid(found)

    assert found[0].yaml() == {"status": "active", "stock": 3,
                               "ignore_fields": ["name", "product"]}
    assert [n.split(":")[0] for n in notes] == ["offer A", "offer A"]
    assert "name left unmanaged" in notes[0] and "product left unmanaged" in notes[1]
