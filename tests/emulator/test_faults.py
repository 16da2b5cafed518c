"""Injected faults: 5xx errors, latency, slow answers, dropped connections and 429 storms,
repeatable by seed."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from catalogsync.emulator.backend import Backend
from tests.emulator.support import Seller, make_table, mug

pytestmark = pytest.mark.anyio


async def faults(http: httpx.AsyncClient, **plan: Any) -> httpx.Response:
    return await http.post("/_emulator/faults", json=plan)


async def statuses(seller: Seller, count: int) -> list[int]:
    return [(await seller.get("/me")).status_code for _ in range(count)]


async def test_faults_error_rate_gives_5xx_the_same_way_for_the_same_seed(
    seller: Seller, http: httpx.AsyncClient
) -> None:
    assert (await faults(http, error_rate=0.5, error_status=503, seed=7)).status_code == 200
    first = await statuses(seller, 20)
    assert set(first) == {200, 503}
    await faults(http, error_rate=0.5, error_status=503, seed=7)
    assert await statuses(seller, 20) == first
    await faults(http, error_rate=0.5, error_status=503, seed=8)
    assert await statuses(seller, 20) != first
    injected = (await http.get("/_emulator/stats")).json()["faults"]["errors"]

    await faults(http, error_rate=1.0, error_status=500)
    failed = await seller.get("/me")
    assert failed.status_code == 500
    assert failed.json()["errors"][0]["code"] == "InternalServerError"
    assert (await http.get("/_emulator/stats")).json()["faults"]["errors"] == injected + 1

    await faults(http, error_rate=1.0, error_status=200)  # errors on a success
    failed = await seller.get("/me")
    assert failed.status_code == 200 and failed.json()["errors"][0]["code"]


async def test_faults_latency_is_added_to_every_request(
    seller: Seller, http: httpx.AsyncClient
) -> None:
    await faults(http, latency_seconds=0.05)
    started = time.perf_counter()
    assert (await seller.get("/me")).status_code == 200
    assert time.perf_counter() - started >= 0.05
    await faults(http)  # {} switches every fault off
    assert (await http.get("/_emulator/faults")).json()["latency_seconds"] == 0


async def test_faults_dropped_connection_is_a_transport_error(
    seller: Seller, http: httpx.AsyncClient
) -> None:
    await faults(http, drop_rate=1.0)
    with pytest.raises(httpx.TransportError):
        await seller.get("/me")
    assert (await http.get("/_emulator/stats")).json()["faults"] == {"drops": 1}
    # Steering and OAuth are never faulted.
    assert (await http.get("/_emulator/faults")).json()["drop_rate"] == 1.0


async def test_faults_429_storm_lasts_n_seconds_of_the_emulator_clock(
    seller: Seller, http: httpx.AsyncClient, backend: Backend
) -> None:
    await faults(http, storm_seconds=30)
    stormed = await seller.get("/me")
    assert stormed.status_code == 429
    assert stormed.json()["errors"][0]["code"] == "TooManyRequestsException"
    assert (await http.get("/_emulator/faults")).json()["storm_seconds"] > 29
    backend.advance_clock(31)
    assert (await seller.get("/me")).status_code == 200


@pytest.mark.parametrize(
    "plan",
    [
        {"error_rate": 2},
        {"drop_rate": -0.1},
        {"error_status": 404},
        {"latency_seconds": "1"},
        {"error_rate": 0.6, "drop_rate": 0.6},
        {"seed": 1.5},
        {"hurricane": True},
    ],
)
async def test_faults_steering_refuses_a_bad_plan(
    http: httpx.AsyncClient, plan: dict[str, Any]
) -> None:
    assert (await faults(http, **plan)).status_code == 400


async def test_reset_switches_faults_off_and_forgets_limits(
    seller: Seller, http: httpx.AsyncClient
) -> None:
    await faults(http, error_rate=1.0)
    await http.post("/_emulator/settings", json={"client_rpm": 1})
    assert (await seller.get("/me")).status_code == 503
    assert (await seller.get("/me")).status_code == 429
    await http.post("/_emulator/reset")
    assert (await seller.get("/me")).status_code == 200


async def test_faults_slow_answer_comes_late_but_the_work_is_done(
    seller: Seller, http: httpx.AsyncClient, backend: Backend
) -> None:
    await make_table(seller)
    await faults(http, slow_rate=1.0, slow_seconds=0.2)
    started = time.perf_counter()
    created = await seller.call("POST", "/sale/product-offers", mug())
    assert time.perf_counter() - started >= 0.2
    await faults(http)
    assert created.status_code in (201, 202)
    assert backend.offers.find("1000001", {"limit": ["10"]})["offers"][0]["external"]["id"] == (
        "MUG-WHITE-330"
    )
    assert (await http.get("/_emulator/stats")).json()["faults"]["slow"] == 1


def test_an_injected_task_failure_is_allegros_own_error_and_counted() -> None:
    from catalogsync.emulator.core.faults import Faults

    faults = Faults(time.monotonic)
    assert not faults.task_fails()
    faults.configure({"task_error_rate": 1.0})
    assert faults.task_fails() and faults.stats["task_errors"] == 1
    with pytest.raises(ValueError, match="task_error_rate"):
        faults.configure({"task_error_rate": 2})
