"""A plan counts a description's bytes as JSON only where it may be over Allegro's limit
(plan/offers.py): the same verdict as counting every one."""

from __future__ import annotations

from catalogsync.catalog.limits import DESCRIPTION_MAX_BYTES, description_bytes
from catalogsync.plan.offers import _description_size


def test_a_description_is_counted_as_json_only_when_it_may_be_over_the_limit() -> None:
    short = [[{"type": "TEXT", "content": "<p>Można myć w zmywarce.</p>"}]]
    assert _description_size(short) == 0
    for length in range(6640, 6680):  # around the limit, with characters JSON writes as \u0001
        sections = [[{"type": "TEXT", "content": "\x01" * length}]]
        real = description_bytes(sections)
        counted = _description_size(sections)
        assert (counted > DESCRIPTION_MAX_BYTES) == (real > DESCRIPTION_MAX_BYTES)
        assert counted in (0, real)
    long = [[{"type": "TEXT", "content": "ż" * 30_000}], [{"type": "IMAGE", "url": "x"}]]
    assert _description_size(long) == description_bytes(long) > DESCRIPTION_MAX_BYTES
