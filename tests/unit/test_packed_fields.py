"""An offer's fields kept as the live cache's text (live/packed.py) read as the dict they are."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from catalogsync.live.cache import CachedOffer
from catalogsync.live.offer_list import Row
from catalogsync.live.packed import PackedFields, packed_text, plain, with_values
from catalogsync.live.reuse import from_cache
from catalogsync.live.state import LiveOffer, hashed_fields

FIELDS = {"name": "Kubek \u0142", "stock": 3, "price": "29.99 PLN",
          "description": [[{"type": "TEXT", "content": "<p>a</p>"}]], "location": {"city": "W"}}


def packed(fields: dict[str, object] = FIELDS) -> PackedFields:
    return PackedFields(json.dumps(fields, separators=(",", ":")))


def test_packed_fields_read_as_the_mapping_their_text_encodes() -> None:
    fields = packed()
    assert fields["name"] == "Kubek \u0142" and fields.get("stock") == 3
    assert fields.get("missing") is None and fields.get("missing", 7) == 7
    assert "price" in fields and "missing" not in fields
    assert list(fields) == list(FIELDS) and len(fields) == len(FIELDS)
    assert {**fields, "stock": 4} == {**FIELDS, "stock": 4}
    assert fields == FIELDS and fields == FIELDS and fields != {**FIELDS, "stock": 4}
    assert fields == packed() and fields != packed({"stock": 4})
    assert plain(fields) == FIELDS and plain(FIELDS) is FIELDS
    assert packed_text(fields) == fields.text and packed_text(FIELDS) is None


def test_an_offer_of_packed_fields_has_the_digest_of_its_dict() -> None:
    assert LiveOffer("1", "ACTIVE", packed()).digest == LiveOffer("1", "ACTIVE", FIELDS).digest
    verdicts = {**FIELDS, "marketplace_states": {"allegro-cz": {"state": "PENDING"}}}
    assert hashed_fields(packed(verdicts)) == FIELDS


def test_only_the_last_read_offers_stay_decoded() -> None:
    offers = [packed({**FIELDS, "stock": n}) for n in range(100)]
    assert [o["stock"] for o in offers] == list(range(100))
    assert offers[-1].decoded() is offers[-1].decoded()  # read again: not decoded again


def test_hot_fields_are_read_without_decoding_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    fields = PackedFields.of(packed().text, FIELDS, {})
    monkeypatch.setattr(PackedFields, "decoded", lambda self: pytest.fail("decoded"))
    assert fields.get("stock") == 3 and fields["price"] == "29.99 PLN"
    assert fields.get("product") is None and fields.get("product", 1) == 1
    assert "stock" in fields and "product" not in fields
    with pytest.raises(KeyError):
        fields["contact"]


def test_hot_strings_repeated_across_offers_are_one_object() -> None:
    strings: dict[str, str] = {}
    one, two = (PackedFields.of(packed().text, json.loads(packed().text), strings)
                for _ in range(2))
    assert one["price"] is two["price"] and one == two


def test_a_cached_offer_unsure_of_its_stock_stays_packed_where_the_list_agrees() -> None:
    fields = PackedFields.of(packed().text, FIELDS, {})
    cached = CachedOffer("ACTIVE", fields, unsure=("stock",))
    row = Row("1", "MUG", "ACTIVE", FIELDS["name"], ("29.99", "PLN"), 3, "5")
    assert from_cache("1", cached, row, "ACTIVE").fields is fields
    sold = from_cache("1", cached, replace(row, stock=2), "ACTIVE").fields
    assert sold == {**FIELDS, "stock": 2}


def test_packed_fields_with_values_over_them_stay_packed() -> None:
    fields = PackedFields.of(packed().text, FIELDS, {})
    named = with_values(fields, {"responsible_producer": "Producent"})
    assert isinstance(named, PackedFields)
    assert named == {**FIELDS, "responsible_producer": "Producent"}
    assert named.get("responsible_producer") == "Producent"  # a hot field
    assert with_values(FIELDS, {"stock": 1}) == {**FIELDS, "stock": 1}
