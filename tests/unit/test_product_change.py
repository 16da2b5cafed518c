"""A change of an offer's product: the whole product set goes out, shown by name and EAN."""

from __future__ import annotations

from typing import Any

from catalogsync.live.product_labels import label
from catalogsync.live.state import ProductCandidate, ProductLabel
from catalogsync.plan.model import FieldDiff
from catalogsync.plan.products import product_change, product_set

SAFETY = {"type": "TEXT", "description": "Myć ręcznie."}
LIVE = {"product": "old", "responsible_producer": "Fabryka", "safety_information": SAFETY}


def test_a_new_product_carries_the_offers_gpsr_data() -> None:
    sent: dict[str, Any] = {"product": "new"}
    product_set(sent, {"product": "new", "responsible_person": "Jan"}, LIVE, frozenset())
    assert sent == {"product": "new", "responsible_producer": "Fabryka",
                    "responsible_person": "Jan", "safety_information": SAFETY}


def test_an_ignored_gpsr_field_goes_out_as_the_offer_has_it() -> None:
    sent: dict[str, Any] = {"product": "new"}
    catalog = {"product": "new", "responsible_producer": "Inna"}
    product_set(sent, catalog, LIVE, frozenset({"responsible_producer"}))
    assert sent["responsible_producer"] == "Fabryka"


def test_no_product_change_sends_nothing_more() -> None:
    sent: dict[str, Any] = {"price": "1.00 PLN"}
    product_set(sent, {"price": "1.00 PLN"}, LIVE, frozenset())
    assert sent == {"price": "1.00 PLN"}


def test_products_are_shown_by_name_and_ean_and_a_new_category_warned() -> None:
    labels = {"old": ProductLabel("Kubek biały", "5901234123457", "67476"),
              "new": ProductLabel("Koszulka S", "5907000000014", "16248")}
    new = ProductCandidate("new", "Koszulka S", "16248", {})
    shown, warning = product_change(FieldDiff(field="product", old="old", new="new"), labels, new)
    assert (shown.old, shown.new) == ("Kubek biały (EAN 5901234123457)",
                                      "Koszulka S (EAN 5907000000014)")
    assert warning is not None and "moves to category 16248" in warning
    same = ProductCandidate("new", "Koszulka S", "67476", {})
    assert product_change(FieldDiff(field="product", old="old", new="new"), labels, same)[1] is None
    unknown = product_change(FieldDiff(field="product", old="x", new="y"), {}, None)
    assert unknown == (FieldDiff(field="product", old="x", new="y"), None)


def test_a_label_is_the_products_name_single_gtin_and_category() -> None:
    doc = {"id": "p", "name": "Kubek", "category": {"id": "67476"}, "parameters": [
        {"name": "EAN (GTIN)", "values": ["5901234123457"], "options": {"isGTIN": True}},
        {"name": "Kolor", "values": ["biały"], "options": {"isGTIN": False}}]}
    assert label(doc) == ProductLabel("Kubek", "5901234123457", "67476")
    assert str(ProductLabel("Kubek", "", "1")) == "Kubek"
