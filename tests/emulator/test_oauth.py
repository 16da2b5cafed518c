"""The emulator's OAuth endpoints and the gate every REST call passes (R5-R10)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import jwt
import pytest

from catalogsync.emulator.app import create_app
from catalogsync.emulator.backend import Backend
from catalogsync.emulator.core.errors import OAuthError

pytestmark = pytest.mark.anyio

MEDIA_TYPE = "application/vnd.allegro.public.v1+json"
CLIENT = ("catalogsync-local", "local-secret")
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
REDIRECT = "http://localhost:8765/callback"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Backend())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://allegro.local") as client:
        yield client


async def token_request(http: httpx.AsyncClient, **params: str) -> httpx.Response:
    return await http.post("/auth/oauth/token", params=params, auth=CLIENT)


async def device_login(http: httpx.AsyncClient, user_id: str = "1000001") -> dict[str, str]:
    device = await http.post("/auth/oauth/device", data={"client_id": CLIENT[0]}, auth=CLIENT)
    code = device.json()
    approval = await http.post(
        "/_emulator/device/approve", json={"user_code": code["user_code"], "user_id": user_id}
    )
    assert approval.status_code == 200
    token = await token_request(http, grant_type=DEVICE_GRANT, device_code=code["device_code"])
    assert token.status_code == 200, token.text
    return dict(token.json())


def bearer(token: str) -> dict[str, str]:
    return {"Accept": MEDIA_TYPE, "Authorization": f"Bearer {token}"}


async def test_device_flow_is_pending_until_approved_and_answers_once(
    http: httpx.AsyncClient,
) -> None:
    device = await http.post("/auth/oauth/device", data={"client_id": CLIENT[0]}, auth=CLIENT)
    assert device.status_code == 200
    code = device.json()
    assert code["expires_in"] == 3600 and code["interval"] == 5
    complete = f"{code['verification_uri']}?code={code['user_code']}"
    assert code["verification_uri_complete"] == complete

    pending = await token_request(http, grant_type=DEVICE_GRANT, device_code=code["device_code"])
    assert pending.status_code == 400
    assert pending.json() == {
        "error": "authorization_pending",
        "error_description": "User has not authorized the device code yet.",
    }

    await http.post("/_emulator/device/approve", json={"user_code": code["user_code"]})
    granted = await token_request(http, grant_type=DEVICE_GRANT, device_code=code["device_code"])
    body = granted.json()
    assert granted.status_code == 200
    assert body["token_type"] == "bearer" and body["expires_in"] == 43199
    assert body["allegro_api"] is True and body["refresh_token"] and body["jti"]
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["user_name"] == "1000001"
    assert claims["client_id"] == CLIENT[0] and claims["iss"] == "allegro-emulator"
    assert claims["jti"] == body["jti"]

    again = await token_request(http, grant_type=DEVICE_GRANT, device_code=code["device_code"])
    assert again.status_code == 400
    assert again.json() == {"error": "invalid_request", "error_description": "Invalid device code"}


async def test_wrong_client_credentials_are_unauthorized(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/auth/oauth/device", data={"client_id": CLIENT[0]}, auth=(CLIENT[0], "wrong")
    )
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized", "error_description": "Unauthorized"}


async def test_refresh_token_is_single_use_and_kills_the_old_pair(http: httpx.AsyncClient) -> None:
    first = await device_login(http)
    assert (await http.get("/me", headers=bearer(first["access_token"]))).status_code == 200
    second = await token_request(
        http, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]

    reused = await token_request(
        http, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"
    assert reused.json()["error_description"].startswith("Invalid refresh token: ")

    old = await http.get("/me", headers=bearer(first["access_token"]))
    assert old.status_code == 401 and old.json()["error"] == "invalid_token"
    new = await http.get("/me", headers=bearer(second.json()["access_token"]))
    assert new.status_code == 200 and new.json()["login"] == "demo-seller"


async def test_r10_client_credentials_token_has_no_user_and_cannot_touch_offers(
    http: httpx.AsyncClient,
) -> None:
    response = await token_request(http, grant_type="client_credentials")
    body = response.json()
    assert "refresh_token" not in body
    assert "user_name" not in jwt.decode(body["access_token"], options={"verify_signature": False})

    offers = await http.get("/sale/offers", headers=bearer(body["access_token"]))
    assert offers.status_code == 401
    [error] = offers.json()["errors"]
    assert error["code"] == "UserRepresentativeException"
    assert error["message"] == "Empty user_name claim"
    # Delivery methods and category parameters accept application tokens.
    methods = await http.get("/sale/delivery-methods", headers=bearer(body["access_token"]))
    assert methods.status_code == 200


async def test_r5_r6_authorization_code_flow(http: httpx.AsyncClient) -> None:
    query = {"response_type": "code", "client_id": CLIENT[0], "state": "xyz"}
    foreign = await http.get(
        "/auth/oauth/authorize", params={**query, "redirect_uri": "http://evil.example/cb"}
    )
    assert foreign.status_code == 400  # R5

    redirect = await http.get("/auth/oauth/authorize", params={**query, "redirect_uri": REDIRECT})
    assert redirect.status_code == 302
    target = httpx.URL(redirect.headers["location"])
    assert str(target).startswith(REDIRECT) and target.params["state"] == "xyz"
    code = target.params["code"]

    missing = await token_request(http, grant_type="authorization_code", redirect_uri=REDIRECT)
    assert missing.status_code == 400  # R6
    assert missing.json()["error_description"] == "An authorization code must be supplied"
    mismatch = await token_request(
        http, grant_type="authorization_code", code=code, redirect_uri="http://other/cb"
    )
    assert mismatch.status_code == 400 and mismatch.json()["error"] == "invalid_grant"
    granted = await token_request(
        http, grant_type="authorization_code", code=code, redirect_uri=REDIRECT
    )
    assert granted.status_code == 200 and granted.json()["refresh_token"]


async def test_r7_wrong_token_url_needs_full_authentication(http: httpx.AsyncClient) -> None:
    response = await http.post("/auth/oauth/tokens", params={"grant_type": "client_credentials"})
    assert response.status_code == 401
    assert response.json()["error_description"] == (
        "Full authentication is required to access this resource"
    )


def test_a_token_another_process_revoked_is_refused_by_this_one(tmp_path: Path) -> None:
    """Two emulator processes serving one database file: a token this one has already accepted
    is refused once the other revokes it (its refresh token was spent there)."""
    here, there = Backend(tmp_path / "emulator.db"), Backend(tmp_path / "emulator.db")
    code = there.oauth.device_authorize(*CLIENT, CLIENT[0])
    there.oauth.approve_device(code["user_code"], "1000001")
    pair = there.oauth.token(*CLIENT, {"grant_type": DEVICE_GRANT,
                                       "device_code": code["device_code"]})
    assert here.oauth.principal(pair["access_token"]).user_id == "1000001"
    there.oauth.token(*CLIENT, {"grant_type": "refresh_token",
                                "refresh_token": pair["refresh_token"]})
    with pytest.raises(OAuthError) as refused:
        here.oauth.principal(pair["access_token"])
    assert refused.value.description == f"Invalid access token: {pair['access_token']}"


async def test_r9_foreign_or_garbage_token_cannot_be_converted(http: httpx.AsyncClient) -> None:
    other_key = "a signing key of another environment, 32+ bytes"
    foreign = jwt.encode({"user_name": "1", "exp": 4_000_000_000}, other_key, algorithm="HS256")
    response = await http.get("/me", headers=bearer(foreign))
    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_token",
        "error_description": "Cannot convert access token to JSON",
    }


async def test_access_token_expires_after_12_hours_on_the_emulator_clock(
    http: httpx.AsyncClient,
) -> None:
    token = (await device_login(http))["access_token"]
    assert (await http.get("/me", headers=bearer(token))).status_code == 200
    await http.post("/_emulator/clock", json={"advance_seconds": 12 * 3600})
    expired = await http.get("/me", headers=bearer(token))
    assert expired.status_code == 401
    assert expired.json()["error_description"] == f"Access token expired: {token}"


async def test_gate_406_then_401_then_415_and_trace_id(http: httpx.AsyncClient) -> None:
    token = (await device_login(http))["access_token"]
    no_accept = await http.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert no_accept.status_code == 406
    assert no_accept.json()["errors"][0]["code"] == "NotAcceptableException"

    no_token = await http.get("/me", headers={"Accept": MEDIA_TYPE})
    assert no_token.status_code == 401 and no_token.json()["error"] == "unauthorized"

    plain_json = await http.post("/sale/shipping-rates", headers=bearer(token), json={})
    assert plain_json.status_code == 415

    ok = await http.get("/me", headers=bearer(token))
    assert ok.headers["content-type"] == MEDIA_TYPE
    assert ok.headers["trace-id"]


async def test_unknown_route_and_method_answer_in_allegro_error_shape(
    http: httpx.AsyncClient,
) -> None:
    token = (await device_login(http))["access_token"]
    missing = await http.get("/sale/nothing-here", headers=bearer(token))
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "NOT_FOUND"
    # R4: shipping-rate tables can never be deleted.
    delete = await http.delete("/sale/shipping-rates/x", headers=bearer(token))
    assert delete.status_code == 405
