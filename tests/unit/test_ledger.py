"""What apply confirmed, replayed onto the live cache (apply/ledger.py)."""

from __future__ import annotations

import json
from dataclasses import replace

from catalogsync.apply.ledger import Ledger, settle, settle_early
from catalogsync.live.cache import CachedOffer, LiveCache

TABLES = {"t-1": "Standard"}


def draft_doc(offer_id: str) -> bytes:
    return json.dumps({
        "id": offer_id,
        "name": "Kubek",
        "sellingMode": {"price": {"amount": "29.99", "currency": "PLN"}},
        "stock": {"available": 5},
        "delivery": {"shippingRates": {"id": "t-1"}},
        "publication": {"status": "INACTIVE"},
    }).encode()


def live(price: str = "29.99 PLN") -> CachedOffer:
    return CachedOffer(status="ACTIVE", fields={"price": price, "stock": 5, "status": "active"})


def test_a_created_and_activated_offer_is_cached_as_activating_and_expects_its_event() -> None:
    ledger, cache = Ledger(), LiveCache()
    ledger.answered("1", draft_doc("1"))
    ledger.sent(["1"])
    ledger.confirmed("1", {"status": "active"})
    settle(cache, ledger, TABLES)
    offer = cache.offers["1"]
    assert offer.status == "ACTIVATING"
    assert offer.fields["price"] == "29.99 PLN" and offer.fields["shipping_rates"] == "Standard"
    assert offer.fields["status"] == "active"
    assert offer.expect == ["OFFER_ACTIVATED"]


def test_changes_to_a_live_offer_expect_one_event_each_and_drafts_none() -> None:
    cache = LiveCache(offers={"1": live(), "2": replace(live(), status="INACTIVE")})
    ledger = Ledger()
    for offer_id in ("1", "2"):
        ledger.confirmed(offer_id, {"price": "31.99 PLN"})
        ledger.confirmed(offer_id, {"handling_time": "PT48H"})
    settle(cache, ledger, TABLES)
    assert cache.offers["1"].expect == ["OFFER_PRICE_CHANGED", "OFFER_CHANGED"]
    assert cache.offers["2"].expect == []
    assert cache.offers["1"].fields["price"] == "31.99 PLN"


def test_unconfirmed_or_failed_offers_leave_the_cache() -> None:
    cache = LiveCache(offers={"1": live(), "2": live(), "3": live()})
    ledger = Ledger()
    ledger.sent(["1", "2"])
    ledger.confirmed("1", {"price": "31.99 PLN"})  # "2" never reported
    ledger.doubt("3")
    settle(cache, ledger, TABLES)
    assert set(cache.offers) == {"1"}


def test_a_renamed_table_forgets_every_offer() -> None:
    cache = LiveCache(offers={"1": live()})
    settle(cache, Ledger(), None)
    assert cache.offers == {}


def test_expected_events_are_consumed_once_and_others_mark_the_offer_changed() -> None:
    offer = live()
    offer.expect = ["OFFER_PRICE_CHANGED"]
    cache = LiveCache(offers={"1": offer, "2": live()})
    events = [("1", "OFFER_PRICE_CHANGED"), ("1", "OFFER_PRICE_CHANGED"), ("2", "OFFER_CHANGED")]
    assert cache.unexplained(events) == {"1", "2"}
    assert cache.offers["1"].expect == []


def test_a_quantity_task_leaves_the_stock_it_set_and_expects_its_event() -> None:
    """GAIN: the cached stock plus the change; FIXED: the value. A purchase meanwhile sends
    an event of its own beyond the one expected, so the offer is read again."""
    cache = LiveCache(offers={"1": live(), "2": replace(live(), status="INACTIVE"),
                              "3": live()})
    ledger = Ledger()
    ledger.sent(["1", "2", "3"])
    ledger.restocked("1", {"change": "GAIN", "value": 3})
    ledger.restocked("2", {"change": "GAIN", "value": -2})
    ledger.restocked("3", {"change": "FIXED", "value": 40})
    settle(cache, ledger, TABLES)
    assert cache.offers["1"].fields == {**live().fields, "stock": 8}
    assert cache.offers["1"].expect == ["OFFER_STOCK_CHANGED"] and not cache.offers["1"].unsure
    assert cache.offers["2"].fields["stock"] == 3 and cache.offers["2"].expect == []
    assert cache.offers["3"].fields["stock"] == 40
    bought = [("1", "OFFER_STOCK_CHANGED"), ("1", "OFFER_STOCK_CHANGED"),
              ("3", "OFFER_STOCK_CHANGED")]
    assert cache.unexplained(bought) == {"1"}


def test_a_gain_on_a_stock_not_known_leaves_it_to_the_offer_list() -> None:
    unknown = replace(live(), unsure=("stock",))
    cache = LiveCache(offers={"1": unknown})
    ledger = Ledger()
    ledger.restocked("1", {"change": "GAIN", "value": 3})
    settle(cache, ledger, TABLES)
    assert cache.offers["1"].unsure == ("stock",) and cache.offers["1"].fields["stock"] == 5
    assert cache.offers["1"].expect == ["OFFER_STOCK_CHANGED"]


def test_an_answer_that_is_not_an_offer_leaves_the_offer_to_be_read_again() -> None:
    """Answers are parsed when the run ends: one that is not a JSON offer must not stop the
    cache from being written, only drop that offer from it."""
    cache = LiveCache(offers={"1": live(), "2": live(), "3": live()})
    ledger = Ledger()
    ledger.answered("1", b"<html>Service Unavailable</html>")
    ledger.answered("2", b'["not", "an", "offer"]')
    ledger.answered("3", draft_doc("3"))
    settle(cache, ledger, TABLES)
    assert set(cache.offers) == {"3"}


def test_only_steps_that_may_put_an_event_in_the_feed_count_towards_reading_it() -> None:
    """Apply reads the next page of the feed once a page's worth of events may be there:
    a created draft causes none, an edit or a command task one."""
    ledger = Ledger()
    ledger.answered("1", draft_doc("1"), created=True)
    assert ledger.confirmations == 0
    ledger.answered("2", draft_doc("2"))
    ledger.confirmed("1", {"status": "active"})
    ledger.restocked("2", {"change": "GAIN", "value": 1})
    assert ledger.confirmations == 3


def test_settling_early_then_at_the_end_leaves_the_cache_of_one_settle_at_the_end() -> None:
    def start() -> LiveCache:
        return LiveCache(offers={str(i): live() for i in range(1, 6)})

    ledger, early = Ledger(), start()
    replayed: dict[str, int] = {}
    ledger.sent(["1", "2", "3"])
    ledger.confirmed("1", {"price": "31.99 PLN"})  # reported
    ledger.confirmed("2", {"price": "32.99 PLN"})
    ledger.sent(["2"])  # its next command is in flight: kept as read for now
    ledger.doubt("4")
    assert settle_early(early, ledger, TABLES, replayed) == 2  # "1" replayed, "4" dropped
    assert early.offers["1"].fields["price"] == "31.99 PLN"
    assert early.offers["2"] == live() and "4" not in early.offers
    assert settle_early(early, ledger, TABLES, replayed) == 0  # nothing is replayed twice
    ledger.confirmed("2", {"handling_time": "PT48H"})
    ledger.confirmed("1", {"handling_time": "PT24H"})  # a later step of a settled offer
    ledger.answered("5", draft_doc("5"))
    ledger.sent(["5"])  # "3" and "5" never report
    settle(early, ledger, TABLES, replayed)
    at_once = start()
    settle(at_once, ledger, TABLES)
    assert early == at_once
    assert early.offers["1"].expect == ["OFFER_PRICE_CHANGED", "OFFER_CHANGED"]
    assert set(early.offers) == {"1", "2"}
