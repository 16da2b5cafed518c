"""Validated offers are kept as lean records (catalog/records.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from catalogsync.catalog.models import Catalog, ImageItem, Offer, Product, TextItem


def offer(number: int) -> dict[str, object]:
    return {
        "name": f"Kubek ceramiczny nr {number:04d}",
        "product": {"ean": "5901234123457", "parameters": {"Kolor": "biały"}},
        "price": "29.99",
        "images": [f"https://img.example.com/{number}.jpg"],
        "description": [
            {"text": "<p>Można myć w zmywarce.</p>"},
            [{"image": f"https://img.example.com/{number}.jpg"}, {"text": f"<p>{number}</p>"}],
        ],
    }


def test_offers_are_slotted_records_and_share_what_repeats() -> None:
    catalog = Catalog.model_validate({"offers": {"A": offer(1), "B": offer(2)}})
    first, second = catalog.offers["A"], catalog.offers["B"]
    assert isinstance(first, Offer) and not hasattr(first, "__dict__")
    assert first.product == Product(ean="5901234123457", parameters={"Kolor": ("biały",)})
    assert first.product is second.product
    assert first.price == Decimal("29.99") and first.price is second.price
    assert first.description == (
        (TextItem("<p>Można myć w zmywarce.</p>"),),
        (ImageItem("https://img.example.com/1.jpg"), TextItem("<p>1</p>")),
    )
    assert first.description is not None and second.description is not None
    assert first.description[0][0] is second.description[0][0]
    with pytest.raises(AttributeError):
        first.name = "changed"  # type: ignore[misc]


def test_validation_errors_still_name_the_offer_field() -> None:
    with pytest.raises(ValidationError) as caught:
        Catalog.model_validate({"offers": {"A": {**offer(1), "stock": -1}}})
    assert caught.value.errors()[0]["loc"] == ("offers", "A", "stock")


def test_offers_that_set_no_drift_wins_share_one_empty_mapping() -> None:
    catalog = Catalog.model_validate({"offers": {
        "A": offer(1), "B": offer(2), "C": {**offer(3), "drift_wins": {"price": "allegro"}}}})
    first, second, third = (catalog.offers[k] for k in "ABC")
    assert first.drift_wins == {} and first.drift_wins is second.drift_wins
    assert third.drift_wins == {"price": "allegro"}
