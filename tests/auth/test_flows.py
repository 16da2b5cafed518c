"""Each login flow against the emulator: device (approved through the steering route),
authorization code (redirect caught on 127.0.0.1), refresh; then status and logout."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
import pytest

from catalogsync.allegro.login_errors import LoginError
from catalogsync.allegro.login_flows import code_login, device_login
from catalogsync.allegro.oauth import OAuth
from catalogsync.allegro.tokens import Client, TokenStore, inspect_token
from catalogsync.catalog.models import Environment
from catalogsync.emulator.backend import Backend
from tests.auth.conftest import (
    LOGIN,
    SANDBOX_AUTH,
    SELLER,
    WEB_CLIENT,
    Run,
    approve,
    catalog,
    stored,
)

pytestmark = pytest.mark.anyio


async def test_device_flow_polls_at_the_interval_until_the_seller_confirms(
    oauth: OAuth, http: httpx.AsyncClient
) -> None:
    device = await oauth.start_device()
    assert device.interval == 5 and device.user_code in device.verification_uri_complete
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 2:  # two polls answered authorization_pending
            await approve(http, device.user_code)

    tokens = await device_login(oauth, device, pause)

    assert pauses == [5.0, 5.0]
    info = inspect_token(tokens.access())
    assert info is not None and info.user_name == SELLER and tokens.refresh()
    assert "allegro:api:sale:offers:write" in info.scopes


async def test_device_code_used_twice_is_explained(oauth: OAuth, http: httpx.AsyncClient) -> None:
    device = await oauth.start_device()
    await approve(http, device.user_code)
    await device_login(oauth, device)

    with pytest.raises(LoginError) as caught:
        await device_login(oauth, device)
    assert "expired or was already used" in str(caught.value)
    assert '"Invalid device code"' in str(caught.value)


async def test_app_without_device_grant_is_told_what_to_do(http: httpx.AsyncClient) -> None:
    oauth = OAuth(http, Environment.SANDBOX, SANDBOX_AUTH, WEB_CLIENT)
    with pytest.raises(LoginError) as caught:
        await oauth.start_device()
    message = str(caught.value)
    assert "not registered for the device flow" in message and "--flow code" in message
    assert "apps.developer.allegro.pl.allegrosandbox.pl" in message
    assert message.endswith('"Client does not have the device_code grant."')


async def test_wrong_client_secret_names_the_variables(http: httpx.AsyncClient) -> None:
    wrong = Client("catalogsync-web", "wrong-secret")
    oauth = OAuth(http, Environment.SANDBOX, SANDBOX_AUTH, wrong)
    with pytest.raises(LoginError) as caught:
        await oauth.start_device()
    assert "CATALOGSYNC_CLIENT_SECRET" in str(caught.value)
    assert "wrong-secret" not in str(caught.value)


async def test_code_flow_catches_the_redirect_on_loopback(
    oauth: OAuth, http: httpx.AsyncClient
) -> None:
    async def browser(url: str) -> None:  # the seller logs in; Allegro redirects
        answer = await http.get(url)
        assert answer.status_code == 302
        location = answer.headers["location"].replace("localhost", "127.0.0.1")
        async with httpx.AsyncClient(trust_env=False) as real:
            page = await real.get(location)
        assert page.status_code == 200

    tokens = await code_login(oauth, "http://localhost:8765/callback", browser, timeout=10)

    info = inspect_token(tokens.access())
    assert info is not None and info.user_name == SELLER and tokens.refresh()


def test_cli_device_login_prints_code_and_page_and_stores_tokens(
    run: Run, environment: Path
) -> None:
    result = run(*LOGIN)

    assert result.exit_code == 0, result.output
    assert "open\n  https://allegro.pl.allegrosandbox.pl/skojarz-aplikacje?code=" in result.output
    assert "confirm the code" in result.output and "checking every 5 s" in result.output
    assert "Logged in to Allegro sandbox as seller 1000001" in result.output
    path = environment / "catalogsync" / "tokens" / "sandbox" / "1000001.json"
    assert f"Tokens saved to {path} (mode 0600)." in result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stored().client_id == "catalogsync-local"


def test_cli_device_login_with_an_app_lacking_the_grant(run: Run) -> None:
    result = run(
        "auth",
        "login",
        "--env",
        "sandbox",
        "--client-id",
        "catalogsync-web",
        "--client-secret",
        "web-secret",
    )

    assert result.exit_code == 1
    assert "not registered for the device flow" in result.output
    refused = 'Error: Allegro refused the device login: "Client does not have the device_code'
    assert refused in result.output
    assert "web-secret" not in result.output
    assert TokenStore().load(Environment.SANDBOX) is None


def test_cli_code_flow_logs_in_through_the_redirect(run: Run) -> None:
    result = run(*LOGIN, "--flow", "code")

    assert result.exit_code == 0, result.output
    assert "Waiting for Allegro's redirect to http://localhost:8765/callback" in result.output
    assert "Logged in to Allegro sandbox as seller 1000001" in result.output


def test_cli_local_login_needs_no_setup_and_stores_nothing(run: Run, environment: Path) -> None:
    result = run("auth", "login", "--env", "local")

    assert result.exit_code == 0, result.output
    assert "Logged in to Allegro local as seller 1000001" in result.output
    assert "not stored" in result.output
    assert not (environment / "catalogsync" / "tokens").exists()


def test_cli_refresh_flow_rotates_the_stored_pair(run: Run) -> None:
    assert run(*LOGIN).exit_code == 0
    before = stored()

    result = run("auth", "login", "--env", "sandbox", "--flow", "refresh")

    assert result.exit_code == 0, result.output
    after = stored()
    assert after.refresh() != before.refresh() and after.access() != before.access()


def test_status_shows_seller_scopes_and_expiry_then_logout_forgets(run: Run) -> None:
    assert run(*LOGIN).exit_code == 0

    status = run("auth", "status", "--env", "sandbox")
    assert status.exit_code == 0, status.output
    assert "sandbox: logged in" in status.output
    assert "seller          1000001 (user_name in the token)" in status.output
    assert "application     catalogsync-local" in status.output
    assert "allegro:api:sale:offers:write" in status.output
    assert "valid until" in status.output and "h " in status.output
    assert "(mode 0600)" in status.output

    logout = run("auth", "logout", "--env", "sandbox")
    assert logout.exit_code == 0 and "Logged out of sandbox" in logout.output
    after = run("auth", "status", "--env", "sandbox")
    assert after.exit_code == 1 and "not logged in" in after.output


def test_plan_after_login_acts_as_the_logged_in_seller(
    run: Run, tmp_path: Path, backend: Backend
) -> None:
    assert run(*LOGIN).exit_code == 0

    result = run("plan", catalog(tmp_path), "--detailed-exitcode")

    assert result.exit_code == 2, result.output
    assert "Plan:" in result.output


def test_plan_without_login_says_how_to_log_in(run: Run, tmp_path: Path) -> None:
    result = run("plan", catalog(tmp_path))

    assert result.exit_code == 1
    assert "`catalogsync auth login --env sandbox`" in result.output
    assert "Error: not logged in to Allegro sandbox" in result.output
