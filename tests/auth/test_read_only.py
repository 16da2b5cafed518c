"""`auth login --read-only`: a login with read scopes only, for the plan and drift jobs of CI.
It plans; every write is refused by Allegro's 403, which the emulator answers as Allegro does
(scopes per operation from the spec's `security`)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from catalogsync import exitcodes
from catalogsync.allegro.oauth import READ_ONLY_SCOPES
from catalogsync.emulator.backend import Backend
from tests.auth.conftest import LOCAL_CLIENT, LOGIN, Run, catalog

MEDIA_TYPE = "application/vnd.allegro.public.v1+json"


def test_read_only_login_plans_and_apply_is_refused(
    run: Run, backend: Backend, tmp_path: Path
) -> None:
    login = run(*LOGIN, "--read-only")
    assert login.exit_code == 0, login.output
    scopes = next(line for line in login.output.splitlines() if line.startswith("Scopes: "))
    assert set(scopes.split()[1:]) == set(READ_ONLY_SCOPES)
    assert ":write" not in scopes
    shop = catalog(tmp_path)
    assert run("plan", shop, "--detailed-exitcode").exit_code == exitcodes.CHANGES
    refused = run("apply", shop, "--auto-approve")
    assert refused.exit_code == exitcodes.FAILED
    assert "read scopes only" in refused.output and "auth login --env sandbox" in refused.output
    assert not [key for key in backend.stats if not key.startswith("GET ")
                and not key.startswith(("POST /auth/", "POST /_emulator/"))]
    assert run("plan", shop, "--detailed-exitcode").exit_code == exitcodes.CHANGES  # nothing done


def test_a_refresh_cannot_be_made_read_only(run: Run) -> None:
    refused = run(*LOGIN, "--flow", "refresh", "--read-only")
    assert refused.exit_code == exitcodes.USAGE
    assert "new login" in refused.output


@pytest.mark.anyio
async def test_emulator_refuses_writes_to_a_read_only_token_with_allegros_403(
    http: httpx.AsyncClient,
) -> None:
    base = "https://allegro.pl.allegrosandbox.pl"
    device = await http.post(f"{base}/auth/oauth/device", auth=LOCAL_CLIENT.basic(),
                             data={"client_id": LOCAL_CLIENT.id,
                                   "scope": " ".join(READ_ONLY_SCOPES)})
    code = device.json()
    await http.post(f"{base}/_emulator/device/approve", json={"user_code": code["user_code"]})
    token = (await http.post(
        f"{base}/auth/oauth/token", auth=LOCAL_CLIENT.basic(),
        params={"grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                "device_code": code["device_code"]},
    )).json()
    assert token["scope"].split() == [s for s in token["scope"].split() if ":write" not in s]
    api = "https://api.allegro.pl.allegrosandbox.pl"
    headers = {"Accept": MEDIA_TYPE, "Content-Type": MEDIA_TYPE,
               "Authorization": f"Bearer {token['access_token']}"}
    assert (await http.get(f"{api}/sale/offers", headers=headers)).status_code == 200
    for method, path in [("POST", "/sale/product-offers"), ("POST", "/sale/shipping-rates"),
                         ("PATCH", "/sale/product-offers/1")]:
        answer = await http.request(method, f"{api}{path}", headers=headers, json={})
        assert answer.status_code == 403, (method, path)
        (error,) = answer.json()["errors"]
        assert error["code"] == "AccessDenied" and error["message"] == "Access is denied"
    refreshed = (await http.post(
        f"{base}/auth/oauth/token", auth=LOCAL_CLIENT.basic(),
        params={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
    )).json()
    assert refreshed["scope"] == token["scope"]  # a refresh keeps the login's scopes
