"""The emulator over real HTTP: `catalogsync emulator serve --port N` under uvicorn.

Every other emulator test talks to the app in-process through `httpx.ASGITransport`; this one
starts the command as a subprocess on a free loopback port and talks to it over TCP, including a
dropped connection and the R3 cap with requests truly in parallel.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.served import served_emulator
from tests.emulator.support import CLIENT, DEVICE_GRANT, MEDIA_TYPE, rate

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`catalogsync emulator serve` on a free port; its base URL once it answers."""
    with served_emulator(tmp_path_factory.mktemp("serve")) as emulator:
        yield emulator.base


@pytest.fixture
def server(serve: str) -> str:
    """The served emulator, reset, with the default R3 cap."""
    httpx.post(f"{serve}/_emulator/reset").raise_for_status()
    httpx.post(f"{serve}/_emulator/settings", json={"client_concurrency": 20}).raise_for_status()
    return serve


async def login(http: httpx.AsyncClient) -> dict[str, str]:
    device = (
        await http.post("/auth/oauth/device", data={"client_id": CLIENT[0]}, auth=CLIENT)
    ).json()
    approved = await http.post("/_emulator/device/approve", json={"user_code": device["user_code"]})
    assert approved.status_code == 200
    token = await http.post(
        "/auth/oauth/token",
        auth=CLIENT,
        params={"grant_type": DEVICE_GRANT, "device_code": device["device_code"]},
    )
    assert token.status_code == 200, token.text
    return {"Accept": MEDIA_TYPE, "Authorization": f"Bearer {token.json()['access_token']}"}


async def test_emulator_serve_answers_over_real_http(server: str) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=10) as http:
        headers = await login(http)
        me = await http.get("/me", headers=headers)
        assert me.status_code == 200 and me.json()["login"] == "demo-seller"
        assert me.headers["content-type"] == MEDIA_TYPE and me.headers["trace-id"]
        table = await http.post(
            "/sale/shipping-rates",
            headers={**headers, "Content-Type": MEDIA_TYPE},
            json={"name": "Standard", "rates": [rate()]},
        )
        assert table.status_code == 201

        await http.post("/_emulator/faults", json={"drop_rate": 1.0})
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get("/me", headers=headers)
        await http.post("/_emulator/faults", json={})
        assert (await http.get("/me", headers=headers)).status_code == 200


async def test_r3_cap_holds_for_parallel_requests_over_real_http(server: str) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=10) as http:
        headers = await login(http)
        await http.post("/_emulator/settings", json={"client_concurrency": 2})
        await http.post("/_emulator/faults", json={"latency_seconds": 0.2})
        answers = await asyncio.gather(*(http.get("/me", headers=headers) for _ in range(3)))
        assert sorted(a.status_code for a in answers) == [200, 200, 429]
        stats = (await http.get("/_emulator/stats")).json()
        assert stats["throttled_by"] == {"R3": 1}
