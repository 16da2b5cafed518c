"""Counts in messages agree with their nouns."""

from __future__ import annotations

from catalogsync.wording import plural


def test_one_is_singular_everything_else_plural() -> None:
    assert plural(1, "offer") == "1 offer"
    assert plural(0, "offer") == "0 offers"
    assert plural(2, "API request") == "2 API requests"
    assert plural(3, "entry", "entries") == "3 entries"
