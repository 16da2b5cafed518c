"""What a fresh clone trusts from catalogsync.lock: the feed line, the vouched offers, and how
the plan completes them from the catalog (plain values)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from catalogsync.live.cache import CachedOffer, LiveCache
from catalogsync.live.committed import committed_cache, feed_line
from catalogsync.live.state import LiveOffer
from catalogsync.plan.drift import desire, settled
from catalogsync.plan.offers import Lookups
from catalogsync.plan.vouched import fill_vouched
from catalogsync.state.index import StateIndex, load_index
from catalogsync.state.lockfile import LockFile
from tests.unit.test_planner import NOW, catalog, live, mug

READ_AT = NOW - timedelta(minutes=5)


def _cache(**offers: CachedOffer) -> LiveCache:
    return LiveCache(fed=True, event_cursor="e-9", read_at=READ_AT, offers=dict(offers),
                     tables={"t-1": "Standard"})


def test_the_feed_line_names_offers_the_cache_lost_and_is_kept_while_young() -> None:
    cache = _cache(**{"o-1": CachedOffer("ACTIVE", {})})
    line = feed_line(cache, NOW, {"A": "o-1", "B": "o-2"})
    assert line is not None
    assert json.loads(line) == {"cursor": "e-9", "read_at": READ_AT.isoformat(),
                                "tables": {"t-1": "Standard"}, "responsible": {},
                                "unsure": ["B"]}
    assert feed_line(LiveCache(), NOW, {}) is None  # the feed was not followed
    assert feed_line(cache, NOW + timedelta(hours=11), {}, kept=line) == line
    renewed = feed_line(replace(cache, read_at=NOW + timedelta(hours=13)),
                        NOW + timedelta(hours=13), {}, kept=line)
    assert renewed != line


def test_the_committed_cache_vouches_for_applied_offers_but_not_unsure_ones() -> None:
    line = feed_line(_cache(**{"o-1": CachedOffer("ACTIVE", {})}), NOW, {"A": "o-1", "B": "o-2"})
    index = StateIndex(offers={"A": "o-1", "B": "o-2", "C": "o-3"},
                       applied={"A": {"name": "x"}, "B": {"name": "y"}}, feed=line)
    cache = committed_cache(index)
    assert cache is not None and cache.usable(NOW) and cache.event_cursor == "e-9"
    assert list(cache.offers) == ["o-1"] and cache.offers["o-1"].vouched
    assert committed_cache(StateIndex(feed="{")) is None
    assert committed_cache(StateIndex()) is None


def test_two_feed_lines_after_a_merge_are_no_cursor(tmp_path: Path) -> None:
    lock = LockFile(tmp_path / "catalogsync.lock", "local")
    lock.write([("feed", "", '{"read_at":"1"}'), ("offer", "A", "o-1")])
    assert load_index(tmp_path / "state.json", lock).feed == '{"read_at":"1"}'
    lock.append("feed", "", '{"read_at":"2"}')
    assert load_index(tmp_path / "state.json", lock).feed is None


def test_a_vouched_offer_is_completed_from_the_catalog_where_the_digests_match() -> None:
    wanted = catalog({"MUG": mug(stock=None)})
    state = live()
    desired = desire("MUG", wanted.offers["MUG"], wanted, state, NOW, Lookups(state))
    digests = settled(desired, desired.fields, None)
    listed = {"name": desired.fields["name"], "price": desired.fields["price"]}
    vouched = LiveOffer(id="o-1", status="ACTIVE", fields=listed, vouched=True)
    state = replace(state, offers={"MUG": vouched}, applied={"MUG": digests})

    filled, unread = fill_vouched(wanted, state, NOW)
    assert unread == frozenset()
    assert filled.offers["MUG"].fields == {**desired.fields, "status": "active"}

    moved = {**digests, "images": "00000000"}  # the last apply left other images
    assert fill_vouched(wanted, replace(state, applied={"MUG": moved}), NOW)[1] == {"MUG"}
    repriced = catalog({"MUG": mug(stock=None, price="35.00")})  # the plan changes it
    assert fill_vouched(repriced, state, NOW)[1] == {"MUG"}
    assert fill_vouched(wanted, replace(state, applied={}), NOW)[1] == {"MUG"}
