"""Offer tax settings: the YAML form, the wire form, and the plan's checks against what the
category allows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from catalogsync.allegro.tax_wire import tax_body, tax_fields
from catalogsync.catalog.loader import load_catalog
from catalogsync.catalog.tax import TaxSettings
from catalogsync.live.state import CategoryTax
from catalogsync.live.tax import category_tax
from catalogsync.plan.planner import plan
from tests.unit.test_loader import problems, write
from tests.unit.test_planner import NOW, catalog, live, live_mug, mug

ALLOWED = CategoryTax(rates={"PL": {"23.00": False, "8.00": False, "EXEMPT": True},
                             "CZ": {"21.00": False}},
                      subjects=("GOODS", "SERVICE"), exemptions=("MONEY_EQUIVALENT",))


def state(**fields: Any) -> Any:
    return live(tax_settings={"67476": ALLOWED}, offers={"MUG-1": live_mug(**fields)})


def test_rates_are_written_as_allegro_lists_them_whatever_the_yaml_typing() -> None:
    tax = TaxSettings.model_validate({"rates": {"PL": 23, "CZ": "21.0", "SK": "5%"}})
    assert tax.canonical() == {"rates": {"CZ": "21.00", "PL": "23.00", "SK": "5.00"}}
    assert TaxSettings.model_validate({"rates": {"PL": "EXEMPT"}}).rates == {"PL": "EXEMPT"}
    for wrong in ({"rates": {"PL": True}}, {"rates": {"PL": "twenty"}}, {"rates": {}},
                  {"rates": {"pl": 23}}, {"rates": {"PL": 123}}):
        with pytest.raises(ValidationError):
            TaxSettings.model_validate(wrong)


def test_a_subject_not_in_capitals_says_how_allegro_writes_it() -> None:
    with pytest.raises(ValidationError) as raised:
        TaxSettings.model_validate({"rates": {"PL": 23}, "subject": "on"})
    assert "'on' is not written as Allegro lists it: capitals, like GOODS" in str(raised.value)
    assert TaxSettings.model_validate({"rates": {"PL": 23}, "subject": "GOODS"}).subject == "GOODS"


def test_the_wire_form_round_trips() -> None:
    canonical = {"rates": {"CZ": "21.00", "PL": "23.00"}, "subject": "GOODS"}
    body = tax_body(canonical)
    assert body == {"rates": [{"rate": "21.00", "countryCode": "CZ"},
                              {"rate": "23.00", "countryCode": "PL"}], "subject": "GOODS"}
    assert tax_fields({"taxSettings": body}) == {"tax": canonical}
    assert tax_fields({"taxSettings": None}) == {}


def test_category_tax_settings_are_read_from_allegros_answer() -> None:
    answer = {"subjects": [{"label": "Towar", "value": "GOODS"}, {"label": "x", "value": None}],
              "rates": [{"countryCode": "PL", "values": [
                  {"value": "23.00", "exemptionRequired": False},
                  {"value": None}]}],
              "exemptions": [{"value": "MARGIN_SCHEME"}]}
    assert category_tax(answer) == CategoryTax(rates={"PL": {"23.00": False}},
                                               subjects=("GOODS",), exemptions=("MARGIN_SCHEME",))


def test_a_tax_change_is_an_in_place_patch_of_tax_settings() -> None:
    current = state(tax={"rates": {"PL": "23.00"}})
    wanted = mug(tax={"rates": {"PL": 8}})
    (change,) = plan(catalog({"MUG-1": wanted}), current, NOW).changes
    assert change.request is not None and change.request.method == "PATCH"
    assert change.request.body == {"taxSettings": {"rates": [{"rate": "8.00",
                                                              "countryCode": "PL"}]}}
    assert plan(catalog({"MUG-1": mug(tax={"rates": {"PL": 23}})}), current, NOW).changes == ()


def test_defaults_give_tax_to_offers_without_their_own() -> None:
    wanted = catalog({"MUG-1": mug()}, settings={"defaults": {
        "shipping_rates": "Standard", "tax": {"rates": {"CZ": 21}}}})
    (change,) = plan(wanted, state(), NOW).changes
    assert change.request is not None
    assert change.request.body["taxSettings"]["rates"] == [{"rate": "21.00", "countryCode": "CZ"}]


@pytest.mark.parametrize(("tax", "message"), [
    ({"rates": {"PL": 5}}, "tax: rate 5.00 is not allowed for PL in category 67476; "
                           "allowed: 23.00, 8.00, EXEMPT"),
    ({"rates": {"HU": 27}}, "tax: Allegro lists no VAT rates for country HU in category 67476; "
                            "countries: CZ, PL"),
    ({"rates": {"PL": 23}, "subject": "RENT"}, "tax: subject RENT is not one Allegro takes in "
                                               "category 67476; allowed: GOODS, SERVICE"),
    ({"rates": {"PL": "EXEMPT"}}, "tax: the chosen rate needs an exemption (Allegro marks it "
                                  "exemptionRequired); add tax.exemption"),
])
def test_what_the_category_does_not_allow_is_an_error_and_nothing_is_sent(
    tax: dict[str, Any], message: str
) -> None:
    result = plan(catalog({"MUG-1": mug(tax=tax)}), state(), NOW)
    assert [e.message for e in result.errors] == [message]
    assert result.errors[0].subject == "offer MUG-1"


def test_yaml_typing_traps_under_tax_and_translations_keep_the_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    catalog = load_catalog(write({
        "catalogsync.yaml": "defaults: {tax: {rates: {NO: 25, PL: 08}, exemption: ON_SALE}}\n",
        "o.yaml": """
            offers:
              A:
                stock: 1
                translations:
                  cs-CZ: {name: yes no on 12:30}
        """,
    }))
    tax = catalog.settings.defaults.tax
    assert tax is not None and tax.rates == {"NO": "25.00", "PL": "8.00"}
    translations = catalog.offers["A"].translations
    assert translations["cs-CZ"].name == "yes no on 12:30"


def test_a_bad_rate_is_reported_at_its_line(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    found = problems(write({"catalogsync.yaml": "environment: local\n", "o.yaml": """
        offers:
          A:
            stock: 1
            tax:
              rates: {PL: 23 %}
    """}))
    assert len(found) == 1
    assert found[0].startswith("cat/o.yaml:5:")
    assert "'23 %' is not a tax rate" in found[0]
