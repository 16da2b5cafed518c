"""The pacer's sliding windows, on a fake clock."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from catalogsync.allegro.pacing import PAD, Pacer, Window, allegro_windows


def test_a_full_window_frees_a_slot_a_padded_window_after_the_oldest() -> None:
    window = Window("test", 3, 10.0, lambda m, p: True)
    for moment in (0.0, 1.0, 2.0):
        assert window.wait_for(moment, 1) == 0.0
        window.take(moment, 1)
    assert window.wait_for(3.0, 1) == pytest.approx(10.0 * (1 + PAD) - 3.0)
    assert window.wait_for(10.0 * (1 + PAD) + 0.01, 1) == 0.0


def test_weighted_units_wait_until_enough_have_expired() -> None:
    window = Window("changes", 9000, 60.0, lambda m, p: True, weighted=True)
    window.take(0.0, 5000)
    window.take(5.0, 4000)
    assert window.wait_for(6.0, 1000) == pytest.approx(60.0 * (1 + PAD) - 6.0)


def fake_time() -> tuple[list[float], list[float], Callable[[float], Awaitable[None]]]:
    """A clock at 0 (`now[0]`), and a sleep that moves it on and notes how long it slept."""
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    return now, slept, sleep


def test_acquire_waits_on_the_tightest_limit_and_after_a_block() -> None:
    now, slept, sleep = fake_time()
    pacer = Pacer(allegro_windows(count_scale=0.001), 60.0, clock=lambda: now[0], sleep=sleep)

    async def run() -> None:
        for _ in range(3):  # product-offer writes: 2490 * 0.001 -> 2 a minute
            await pacer.acquire("POST", "/sale/product-offers")
        pacer.blocked(None)
        await pacer.acquire("GET", "/sale/offers")

    asyncio.run(run())
    assert slept[0] == pytest.approx(60.0 * (1 + PAD))
    assert now[0] >= slept[0] + 60.0  # the block (60 s) was waited out as well


def test_a_new_run_counts_what_the_last_run_sent() -> None:
    now = [1000.0]
    first = Pacer(allegro_windows(count_scale=0.001), clock=lambda: now[0])
    first.windows[2].take(now[0], 2)  # product-offer writes: both slots of the minute used
    state = first.export()
    now[0] += 5.0
    second = Pacer(allegro_windows(count_scale=0.001), clock=lambda: now[0])
    second.restore(state)
    assert second.windows[2].wait_for(now[0], 1) > 50.0
    now[0] += 120.0
    third = Pacer(allegro_windows(count_scale=0.001), clock=lambda: now[0])
    third.restore(state)
    assert third.windows[2].wait_for(now[0], 1) == 0.0


def test_bulk_modifications_count_their_modifications_a_minute() -> None:
    """9000 offer changes a minute in bulk commands: 360 commands of 25, then a wait."""
    now, slept, sleep = fake_time()
    pacer = Pacer(allegro_windows(), 60.0, clock=lambda: now[0], sleep=sleep)

    async def run() -> None:
        for _ in range(361):
            await pacer.acquire("POST", "/sale/offer-bulk-modification-commands", offers=25)

    asyncio.run(run())
    assert slept == [pytest.approx(60.0 * (1 + PAD))]


def test_price_automation_goes_at_5_requests_a_second() -> None:
    now, slept, sleep = fake_time()
    pacer = Pacer(allegro_windows(), 60.0, clock=lambda: now[0], sleep=sleep)

    async def run() -> None:
        for _ in range(20):
            await pacer.acquire("GET", "/sale/offers")  # not counted there
        for _ in range(6):
            await pacer.acquire("PUT", "/sale/price-automation/rules/r1")

    asyncio.run(run())
    assert slept == [pytest.approx(1.0 * (1 + PAD))]


def test_a_slot_counts_from_the_answer_not_the_send() -> None:
    """Allegro counts a request when it arrives, before it answers: a slow answer keeps the
    slot until a window after it, so a long network delay never frees a slot too early."""
    now, slept, sleep = fake_time()
    pacer = Pacer(allegro_windows(count_scale=0.001), 60.0, clock=lambda: now[0], sleep=sleep)

    async def run() -> None:
        for _ in range(2):  # product-offer writes: 2 a minute
            slots = await pacer.acquire("POST", "/sale/product-offers")
            now[0] += 3.0  # the answer takes 3 s
            pacer.answered(slots)
        await pacer.acquire("POST", "/sale/product-offers")

    asyncio.run(run())
    assert now[0] == pytest.approx(3.0 + 60.0 * (1 + PAD))  # a window after the first answer
    assert slept == [pytest.approx(3.0 + 60.0 * (1 + PAD) - 6.0)]
    assert 60.0 * PAD <= 0.5  # what is left of the pad: the clocks, not the network


def test_a_slot_dated_later_by_its_answer_holds_the_ones_after_it() -> None:
    window = Window("test", 2, 10.0, lambda m, p: True)
    late = window.take(0.0, 1)
    window.take(1.0, 1)
    late[0] = 5.0  # its answer came at 5 s, after the second request's
    span = 10.0 * (1 + PAD)
    assert window.wait_for(2.0 + span, 1) == pytest.approx(5.0 + span - (2.0 + span))
    assert window.wait_for(5.0 + span, 1) == 0.0


def test_a_429_without_retry_after_holds_for_r1s_window_scaled_with_it() -> None:
    """Allegro blocks a client id for a minute, R1's window (API_NOTES §3): a pacer whose
    windows are scaled for a scaled emulator holds as long as its R1 window."""
    now, slept, sleep = fake_time()
    pacer = Pacer(allegro_windows(time_scale=0.25), clock=lambda: now[0], sleep=sleep)
    assert Pacer().block_seconds == 60.0

    async def run() -> None:
        await pacer.acquire("GET", "/sale/offers")
        pacer.blocked(None)
        await pacer.acquire("GET", "/sale/offers")

    asyncio.run(run())
    assert slept == [pytest.approx(15.0)]


def test_an_answer_dates_the_shared_take_again() -> None:
    redated: list[int] = []

    class Budget:
        async def take(self, windows: list[Window], units: list[int]
                       ) -> tuple[float, Callable[[], None] | None]:
            return 0.0, lambda: redated.append(len(units))

        def blocked(self, seconds: float) -> None:
            raise AssertionError("no 429 here")

    pacer = Pacer()
    pacer.shared = Budget()
    slots = asyncio.run(pacer.acquire("POST", "/sale/product-offers"))
    assert redated == []
    pacer.answered(slots)
    assert redated == [3]  # R1, the writes a minute and an hour, in one take


def test_a_runner_that_goes_alone_counts_r1_full_for_a_window_then_its_share() -> None:
    window = Window("client id (R1)", 90, 60.0, lambda m, p: True)
    window.take(0.0, 20)
    window.share(3, now=10.0)  # what the other two took lately is unknown
    window.share(3, now=11.0)  # once
    assert window.count == 30
    assert window.wait_for(12.0, 1) == pytest.approx(10.0 + 60.0 * (1 + PAD) - 12.0)
    assert window.wait_for(10.0 + 60.0 * (1 + PAD) + 0.01, 30) == 0.0
