"""The state index's drift digests are decoded together and share what repeats
(state/records.py), without reading one line into its neighbour."""

from __future__ import annotations

import json

from catalogsync.state.records import NOT_JSON, committed_digests, decoded


def test_digests_decode_as_each_line_alone_would_and_share_equal_strings() -> None:
    texts = ['{"location":"73842b75","name":"281ea6e1"}',
             '{"location":"73842b75","name":"9f0c1d2e"}',
             '{"parameters.Materia\\u0142":"0a1b2c3d"}', "{}"]
    found = decoded(texts)
    assert found == [json.loads(text) for text in texts]
    first, second = found[0], found[1]
    assert first["location"] is second["location"]
    assert next(iter(first)) is next(iter(second))  # one string per field name


def test_a_line_that_is_not_json_is_marked_and_the_others_are_still_read() -> None:
    texts = ['{"price":"1"}', "not json", '{"price":"2"', '{"price":"3"}']
    assert decoded(texts) == [{"price": "1"}, NOT_JSON, NOT_JSON, {"price": "3"}]


def test_lines_that_would_read_as_one_when_joined_are_each_read_alone() -> None:
    # joined with a comma, these two make one valid object, or two shifted ones
    texts = ['{"a":"x}', '{","b":"y"}']
    assert decoded(texts) == [NOT_JSON, NOT_JSON]
    shifted = ['{"a":"x\\"}', '{"b":"y"}']  # an escaped quote: the first string runs on
    assert decoded(shifted) == [NOT_JSON, {"b": "y"}]
    nested = ['{"a":{"b":"1"}', '{"c":"2"}}']
    assert decoded(nested) == [NOT_JSON, NOT_JSON]
    arrays = ['{"a":["1"]}', "[1]", '"text"', "3"]
    assert decoded(arrays) == [{"a": ["1"]}, [1], "text", 3]


def test_committed_digests_leave_out_lines_that_cannot_be_read_or_disagree() -> None:
    entries = [("applied", "A", '{"price":"1"}'), ("applied", "B", '{"price":"2"}'),
               ("applied", "B", '{"price":"3"}'), ("applied", "C", '{"price":"1"'),
               ("applied", "D", '{"price":{"x":"1"}}'), ("offer", "A", "111")]
    assert committed_digests(entries) == {"A": {"price": "1"}, "D": {"price": {"x": "1"}}}

