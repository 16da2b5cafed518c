"""R1: the catalogs one process runs at once share the client id's window (and a 429), and
each seller's own limits stay its own."""

from __future__ import annotations

import asyncio

import pytest

from catalogsync.allegro.pacing import Pacer, allegro_windows
from catalogsync.allegro.process_budget import join, one_budget

API = "https://api.allegro.pl.allegrosandbox.pl"


def pacer(now: list[float]) -> Pacer:
    return Pacer(allegro_windows(count_scale=0.001), clock=lambda: now[0])


def r1_wait(p: Pacer, now: float) -> float:
    return p.windows[0].wait_for(now, 1)


def test_r1_catalogs_of_one_process_share_the_client_id_window() -> None:
    now = [0.0]
    first, second, other_app = pacer(now), pacer(now), pacer(now)
    with one_budget():
        join(first, API, "app", "1000001")
        join(second, API, "app", "1000002")
        join(other_app, API, "another-app", "1000003")
    for _ in range(9):  # R1 scaled: 9 a minute
        first.windows[0].take(0.0, 1)

    assert r1_wait(second, 1.0) > 0  # the same client id: full
    assert r1_wait(other_app, 1.0) == 0  # another application counts apart
    writes = next(w for w in second.windows if w.name == "product-offer writes")
    assert writes is not next(w for w in first.windows if w.name == "product-offer writes")


def test_r1_one_seller_in_two_catalogs_shares_its_seller_limits_too() -> None:
    now = [0.0]
    first, second = pacer(now), pacer(now)
    with one_budget():
        join(first, API, "app", "1000001")
        join(second, API, "app", "1000001")

    assert first.windows == second.windows and all(
        a is b for a, b in zip(first.windows, second.windows, strict=True))


def test_r1_a_429_holds_every_catalog_of_the_client_id() -> None:
    now = [0.0]
    first, second = pacer(now), pacer(now)
    with one_budget():
        join(first, API, "app", "1000001")
        join(second, API, "app", "1000002")
    first.blocked(30.0)

    assert second.export()["blocked_until"] == 30.0


def test_r1_a_single_catalog_keeps_its_own_windows() -> None:
    now = [0.0]
    first, second = pacer(now), pacer(now)
    join(first, API, "app", "1000001")
    join(second, API, "app", "1000002")
    first.windows[0].take(0.0, 9)

    assert r1_wait(second, 1.0) == 0 and second.peers == [second]


def test_r1_saved_usage_restored_by_each_catalog_counts_once() -> None:
    now = [10.0]
    first, second = pacer(now), pacer(now)
    saved = {"windows": {"client id (R1)": [[5.0, 4]]}}
    with one_budget():
        join(first, API, "app", "1000001")
        join(second, API, "app", "1000002")
    first.restore(saved)
    second.restore(saved)

    assert first.windows[0]._used == 4


def test_r1_a_shared_window_shrinks_to_one_share_however_many_runs_fall_back() -> None:
    now = [0.0]
    first, second = pacer(now), pacer(now)
    with one_budget():
        join(first, API, "app", "1000001")
        join(second, API, "app", "1000002")
    for p in (first, second):  # each catalog's store fell back: ratestore.RedisBudget
        for window in p.windows:
            window.share(3)

    assert first.windows[0].count == 3  # R1 scaled: 9, a third of it once


def test_r3_catalogs_of_one_client_id_share_its_requests_in_flight() -> None:
    now = [0.0]
    first, second, alone = pacer(now), pacer(now), pacer(now)

    async def joined() -> None:
        with one_budget():
            join(first, API, "app", "1000001", processes=3)
            join(second, API, "app", "1000002", processes=3)
        held = [first.flight.__aenter__() for _ in range(6)]  # 20 // 3 in this process
        await asyncio.gather(*held)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(second.flight.__aenter__(), 0.05)
        async with alone.flight:  # a single catalog: no cap of ours beyond the client's
            pass

    asyncio.run(joined())
