"""What remember_applied compares each offer with, worked out while apply waits (apply/applied.py
`Preparing`), gives the digests worked out at the end (plain values)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from types import SimpleNamespace
from typing import Any, cast

import pytest

from catalogsync.apply.applied import Outcomes, Preparing, fields_after
from catalogsync.apply.applier import Applier
from catalogsync.apply.ledger import Ledger
from catalogsync.live.state import LiveState
from catalogsync.plan.drift import applied_digests, desire, digest, settled, wanted_digests
from catalogsync.plan.model import Resource
from catalogsync.plan.offers import Lookups
from catalogsync.state.index import StateIndex
from tests.unit.test_planner import NOW, catalog, live, live_mug, mug


def test_wanted_digests_are_the_digests_settled_remembers() -> None:
    state = live(offers={"MUG": live_mug()})
    desired = desire("MUG", catalog({"MUG": mug()}).offers["MUG"], catalog({"MUG": mug()}),
                     state, NOW, Lookups(state))
    wanted = wanted_digests(desired)
    assert wanted["name"] == digest("Kubek ceramiczny biały 330 ml")
    fields = live_mug().fields
    assert settled(desired, fields, None, wanted) == settled(desired, fields, None)
    # a digest handed in is the one remembered (it is not worked out again)
    assert settled(desired, fields, None, {**wanted, "name": "feedbeef"})["name"] == "feedbeef"


def test_prepared_offers_give_the_digests_of_offers_worked_out_at_the_end() -> None:
    shop = catalog({"MUG": mug(), "MUG-2": mug(price="31.00"),
                    "MUG-3": mug(name="Kubek ceramiczny zielony")})
    state = live(offers={"MUG": live_mug()})
    after = {sku: live_mug().fields for sku in shop.offers}
    last = {"MUG-3": {"name": "00000000"}}

    async def prepare(paced: list[bool]) -> Preparing:
        with Preparing.meanwhile(shop, state, lambda: paced[0]) as preparing:
            await asyncio.sleep(0.05)
            assert preparing.done == {}  # not before apply waits for Allegro's windows
            paced[0] = True
            await asyncio.sleep(Preparing.LOOK * 3)
        return preparing

    preparing = asyncio.run(prepare([False]))
    assert set(preparing.done) == set(shop.offers)
    assert (applied_digests(shop, state, after, last, NOW, preparing.done)
            == applied_digests(shop, state, after, last, NOW))
    partly = dict(list(preparing.done.items())[:1])  # the rest worked out at the end
    assert (applied_digests(shop, state, after, last, NOW, partly)
            == applied_digests(shop, state, after, last, NOW))


def test_preparing_stops_with_its_block() -> None:
    shop, state, paced = catalog({"MUG": mug()}), live(), [False]

    async def stopped() -> Preparing:
        with Preparing.meanwhile(shop, state, lambda: paced[0]) as preparing:
            await asyncio.sleep(0)
        paced[0] = True  # too late: the block is over
        await asyncio.sleep(Preparing.LOOK * 3)
        return preparing

    assert asyncio.run(stopped()).done == {}


def test_preparing_keeps_at_most_its_share_and_the_rest_is_worked_out_at_the_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Preparing, "AT_MOST", 2)
    shop = catalog({f"MUG-{i}": mug(price=f"3{i}.00") for i in range(3)})
    state = live()
    after = {sku: live_mug().fields for sku in shop.offers}

    async def prepare() -> Preparing:
        with Preparing.meanwhile(shop, state, lambda: True) as preparing:
            await asyncio.sleep(Preparing.LOOK)
        return preparing

    preparing = asyncio.run(prepare())
    assert len(preparing.done) == 2
    assert (applied_digests(shop, state, after, {}, NOW, preparing.done)
            == applied_digests(shop, state, after, {}, NOW))


def outcomes_of(state: LiveState, index: StateIndex, ledger: Ledger, planned: list[str]
                ) -> tuple[Outcomes, Applier]:
    """Outcomes over an applier's ledger, names and the offers its plan changes (a stand-in:
    nothing else is used)."""
    changes = [SimpleNamespace(key=sku, resource=Resource.OFFER) for sku in planned]
    applier = cast(Applier, SimpleNamespace(ledger=ledger, table_ids={"Standard": "t-1"},
                                            references={}, plan=SimpleNamespace(changes=changes)))
    return Outcomes(state, index, applier), applier


def test_digests_worked_out_as_commands_report_are_those_worked_out_at_the_end() -> None:
    shop = catalog({f"MUG-{i}": mug(price=f"3{i}.00") for i in range(6)})
    ids = {f"MUG-{i}": f"o-{i}" for i in range(6)}
    state = live(offers={sku: replace(live_mug(), id=ids[sku]) for sku in list(shop.offers)[:5]})
    last = {"MUG-0": {"price": "00000000"}, "MUG-3": {"price": "11111111"},
            "MUG-5": {"name": "22222222"}}
    index = StateIndex(offers=ids, applied=last)
    ledger = Ledger()
    outcomes, applier = outcomes_of(state, index, ledger, ["MUG-0", "MUG-1", "MUG-2", "MUG-3"])
    ledger.confirmed("o-0", {"price": "30.00 PLN"})  # reported before the last commands
    ledger.sent(["o-1", "o-2"])

    def at_the_end() -> dict[str, dict[str, str]]:
        after = fields_after(state, index, applier)
        return applied_digests(shop, state, after, index.applied, NOW)

    async def apply() -> Preparing:
        with Preparing.meanwhile(shop, state, lambda: True, outcomes) as preparing:
            await asyncio.sleep(Preparing.LOOK)
            # offers the plan leaves alone, and those whose commands reported; not those
            # in flight, nor those apply has done nothing of yet
            assert set(preparing.remembered) == {"MUG-0", "MUG-4", "MUG-5"}
            ledger.confirmed("o-1", {"price": "31.00 PLN"})  # the last commands report
            ledger.doubt("o-2")
            ledger.unsettled.discard("o-2")
            ledger.confirmed("o-0", {"price": "30.50 PLN"})  # a second step of an offer
            await asyncio.sleep(Preparing.AGAIN * 2)
            assert all(preparing.remembered[sku][0] == outcomes.key(sku)  # in the wait
                       for sku in ("MUG-0", "MUG-1", "MUG-2"))
            assert preparing.digests(NOW) == at_the_end()
            ledger.confirmed("o-3", {"price": "33.00 PLN"})  # and one after: at the end
            index.applied["MUG-4"] = {"price": "44444444"}  # a rename moved its digests
        return preparing

    preparing = asyncio.run(apply())
    assert preparing.digests(NOW) == at_the_end()
    digests = preparing.digests(NOW)
    assert digests["MUG-1"]["price"] == digest("31.00 PLN")
    assert "MUG-2" not in digests  # in doubt, and no digests before: none
    assert digests["MUG-5"] == {"name": "22222222"}  # not read: it keeps its own


def test_digests_worked_out_in_the_wait_that_are_the_last_ones_are_not_a_second_copy() -> None:
    shop = catalog({"MUG": mug()})
    state = live(offers={"MUG": replace(live_mug(), id="o-1")})
    before = asyncio.run(_digests_after_a_wait(shop, state, StateIndex(offers={"MUG": "o-1"})))
    index = StateIndex(offers={"MUG": "o-1"}, applied={"MUG": dict(before["MUG"])})
    after = asyncio.run(_digests_after_a_wait(shop, state, index))
    assert after == before and after["MUG"] is index.applied["MUG"]


async def _digests_after_a_wait(shop: Any, state: LiveState, index: StateIndex
                                ) -> dict[str, dict[str, str]]:
    outcomes, _ = outcomes_of(state, index, Ledger(), [])
    with Preparing.meanwhile(shop, state, lambda: True, outcomes) as preparing:
        await asyncio.sleep(Preparing.LOOK)
        return preparing.digests(NOW)
