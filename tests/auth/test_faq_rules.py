"""The FAQ's auth rules (FAQ_RULES.md R5-R10, R21): each failure becomes a sentence that says
what happened and what to do."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from pydantic import SecretStr

from catalogsync.allegro.errors import AuthError
from catalogsync.allegro.login_errors import LoginError
from catalogsync.allegro.login_flows import code_login
from catalogsync.allegro.oauth import OAuth
from catalogsync.allegro.seller import Seller, SellerClient, check_token
from catalogsync.allegro.targets import target_for
from catalogsync.allegro.tokens import TokenSet, TokenStore
from catalogsync.catalog.models import Environment
from catalogsync.emulator.backend import Backend
from catalogsync.errors import ConfigError
from tests.auth.conftest import (
    LOCAL_CLIENT,
    LOGIN,
    OTHER_OFFER,
    SANDBOX_AUTH,
    SELLER,
    Run,
    catalog,
)

pytestmark = pytest.mark.anyio
REDIRECT = "http://localhost:8765/callback"


def rest_calls(backend: Backend) -> list[str]:
    return [key for key in backend.stats if " /sale/" in key or " /me" in key]


def forged(claims: dict[str, object]) -> str:
    """A JWT with the given claims, signed by nobody Allegro or the emulator knows."""
    exp = int((datetime.now(UTC) + timedelta(hours=12)).timestamp())
    return jwt.encode(
        {"exp": exp, "jti": "j", "client_id": "catalogsync-local", **claims},
        "someone-elses-key-of-32-bytes-len",
        algorithm="HS256",
    )


def store_token(access: str, environment: Environment = Environment.SANDBOX) -> None:
    TokenStore().save(
        TokenSet(
            environment=environment,
            auth_url=SANDBOX_AUTH,
            client_id="catalogsync-local",
            client_secret=SecretStr("local-secret"),
            access_token=SecretStr(access),
            refresh_token=SecretStr("a-refresh-token-nobody-issued"),
            expires_at=datetime.now(UTC) + timedelta(hours=12),
        )
    )


def client_credentials_token(backend: Backend) -> str:
    grant = {"grant_type": "client_credentials"}
    answer = backend.oauth.token("catalogsync-local", "local-secret", grant)
    return str(answer["access_token"])


# --------------------------------------------------------------------------- R5


def test_r5_unregistered_redirect_uri_is_refused_with_the_rule(run: Run) -> None:
    result = run(*LOGIN, "--flow", "code", "--redirect-uri", "http://localhost:8766/callback")

    assert result.exit_code == 1
    assert "must be exactly the one registered for the application (R5)" in result.output
    assert "localhost is not 127.0.0.1" in result.output
    assert "This login used http://localhost:8766/callback" in result.output
    assert "Error: Allegro refused the redirect URI" in result.output


async def test_r5_token_exchange_with_another_redirect_uri(
    oauth: OAuth, http: httpx.AsyncClient
) -> None:
    answer = await http.get(oauth.authorize_url(REDIRECT, "s", "c"))
    code = httpx.URL(answer.headers["location"]).params["code"]

    with pytest.raises(LoginError) as caught:
        await oauth.exchange_code(code, "http://127.0.0.1:8765/callback", "v")

    assert "(R5)" in str(caught.value) and '"Redirect URI mismatch."' in str(caught.value)


async def test_r5_no_redirect_in_time_reminds_of_the_rule(oauth: OAuth) -> None:
    async def browser(url: str) -> None:  # Allegro showed its error page; no redirect comes
        return None

    with pytest.raises(LoginError) as caught:
        await code_login(oauth, "http://localhost:8767/callback", browser, timeout=0.2)

    assert "(R5)" in str(caught.value) and "no redirect reached" in str(caught.value)


def test_r5_redirect_uri_off_this_machine_cannot_be_caught(run: Run) -> None:
    result = run(*LOGIN, "--flow", "code", "--redirect-uri", "https://shop.example/callback")

    assert result.exit_code == 1
    assert "can only catch a redirect to this machine" in result.output and "R5" in result.output


# --------------------------------------------------------------------------- R6


async def test_r6_token_request_without_code_is_explained(oauth: OAuth) -> None:
    with pytest.raises(LoginError) as caught:
        await oauth.exchange_code("", REDIRECT, "v")

    message = str(caught.value)
    assert "without an authorization code (R6" in message
    assert message.endswith('Allegro answered "An authorization code must be supplied"')


async def test_r6_redirect_without_code_is_refused_before_calling_allegro(oauth: OAuth) -> None:
    async def browser(url: str) -> None:  # a redirect that lost its ?code=
        state = httpx.URL(url).params["state"]
        async with httpx.AsyncClient(trust_env=False) as real:
            await real.get(f"http://127.0.0.1:8765/callback?state={state}")

    with pytest.raises(LoginError) as caught:
        await code_login(oauth, REDIRECT, browser, timeout=10)

    assert "without a `code` parameter (R6" in str(caught.value)


# --------------------------------------------------------------------------- R7


async def test_r7_wrong_token_url_is_explained(http: httpx.AsyncClient) -> None:
    wrong = OAuth(http, Environment.SANDBOX, f"{SANDBOX_AUTH}/auth", LOCAL_CLIENT)

    with pytest.raises(LoginError) as caught:
        await wrong.refresh("any-refresh-token")

    message = str(caught.value)
    assert "(R7)" in message and "builds the URL itself" in message
    assert "grant_type=authorization_code&code={code}&redirect_uri={redirect_uri}" in message
    assert "Full authentication is required to access this resource" in message


def test_r7_auth_url_with_a_path_is_explained_by_login(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CATALOGSYNC_AUTH_URL", "http://127.0.0.1:9/auth")

    result = run(*LOGIN)

    assert result.exit_code == 1
    assert "(R7)" in result.output and "must be the bare host" in result.output


# --------------------------------------------------------------------------- R8, R21


def test_r8_403_on_an_offer_names_the_seller_the_run_acts_as(
    run: Run, tmp_path: Path, backend: Backend
) -> None:
    directory = catalog(tmp_path, "local")
    index = directory / ".catalogsync" / "state-local.json"
    index.parent.mkdir()
    index.write_text(json.dumps({"offers": {"MUG-WHITE-330": OTHER_OFFER}}))

    result = run("plan", directory)

    assert result.exit_code == 1
    assert f"offer {OTHER_OFFER} belongs to another seller" in result.output
    assert f"this run acts as seller {SELLER}" in result.output and "(R8, R21)" in result.output


def test_r8_verbose_plan_shows_which_seller_it_acts_as(run: Run, tmp_path: Path) -> None:
    assert run(*LOGIN).exit_code == 0

    result = run("-v", "plan", catalog(tmp_path))

    assert f"acting as seller {SELLER} in sandbox" in result.output


async def test_r21_reading_another_sellers_offer_explains_ownership(
    http: httpx.AsyncClient, backend: Backend
) -> None:
    token = backend.oauth.token(
        "catalogsync-local",
        "local-secret",
        {
            "grant_type": "authorization_code",
            "redirect_uri": REDIRECT,
            "code": backend.oauth.authorize("catalogsync-local", REDIRECT, "code"),
        },
    )["access_token"]
    http.headers["Authorization"] = f"Bearer {token}"
    http.base_url = httpx.URL("https://api.allegro.pl.allegrosandbox.pl")
    client = SellerClient(http, Seller(SELLER, Environment.SANDBOX))

    with pytest.raises(AuthError) as caught:
        await client.get(f"/sale/product-offers/{OTHER_OFFER}")

    assert caught.value.status == 403
    message = str(caught.value)
    assert f"offer {OTHER_OFFER} belongs to another seller" in message
    assert f"seller {SELLER} (user_name of the sandbox token)" in message
    assert "only their own offers (R8, R21)" in message


# --------------------------------------------------------------------------- R9


def test_r9_token_of_another_environment_is_refused_before_the_first_call(
    run: Run, tmp_path: Path, backend: Backend
) -> None:
    store_token(forged({"user_name": SELLER, "iss": "https://allegro.pl"}))

    result = run("plan", catalog(tmp_path))

    assert result.exit_code == 1
    assert "issued by the Allegro production" in result.output and "(R9)" in result.output
    assert "Cannot convert access token to JSON" in result.output
    assert "Error: the sandbox access token comes from another environment" in result.output
    assert rest_calls(backend) == []


def test_r9_emulator_token_is_refused_for_the_real_sandbox() -> None:
    emulated = forged({"user_name": SELLER, "iss": "allegro-emulator"})
    tokens = TokenSet(
        environment=Environment.SANDBOX,
        auth_url=SANDBOX_AUTH,
        client_id="catalogsync-local",
        client_secret=SecretStr(""),
        access_token=SecretStr(emulated),
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    )
    with pytest.raises(ConfigError) as caught:
        check_token(tokens, target_for(Environment.SANDBOX, None))

    assert "issued by the local emulator" in str(caught.value) and "(R9)" in str(caught.value)


def test_r9_token_of_another_application_is_suspected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOGSYNC_CLIENT_ID", "production-app")
    tokens = TokenSet(
        environment=Environment.PRODUCTION,
        auth_url="https://allegro.pl",
        client_id="sandbox-app",
        client_secret=SecretStr(""),
        access_token=SecretStr(forged({"user_name": SELLER, "client_id": "sandbox-app"})),
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    )
    with pytest.raises(ConfigError) as caught:
        check_token(tokens, target_for(Environment.PRODUCTION, None))

    assert "application sandbox-app, not production-app" in str(caught.value)


def test_r9_cannot_convert_access_token_to_json_is_explained(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    foreign = Backend()  # another emulator: another signing key, like the other environment
    answer = foreign.oauth.token(
        "catalogsync-local",
        "local-secret",
        {
            "grant_type": "authorization_code",
            "redirect_uri": REDIRECT,
            "code": foreign.oauth.authorize("catalogsync-local", REDIRECT, "code"),
        },
    )
    monkeypatch.setenv("CATALOGSYNC_ACCESS_TOKEN", answer["access_token"])

    result = run("plan", catalog(tmp_path))

    assert result.exit_code == 1
    assert "Cannot convert access token to JSON" in result.output
    assert "tokens work only where they were issued (R9)" in result.output
    assert answer["access_token"] not in result.output


# --------------------------------------------------------------------------- R10


def test_r10_client_credentials_token_is_refused_before_plan(
    run: Run, tmp_path: Path, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = client_credentials_token(backend)
    monkeypatch.setenv("CATALOGSYNC_ACCESS_TOKEN", token)

    result = run("plan", catalog(tmp_path))

    assert result.exit_code == 1
    assert "has no user_name claim" in result.output and "(R10)" in result.output
    assert "device flow" in result.output
    assert "catalogsync auth login --env sandbox" in result.output
    assert "Error: refusing to work on offers in sandbox with an application" in result.output
    assert rest_calls(backend) == []
    assert token not in result.output


def test_r10_status_warns_about_an_application_token(
    run: Run, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CATALOGSYNC_ACCESS_TOKEN", client_credentials_token(backend))

    result = run("auth", "status", "--env", "sandbox")

    assert "client_credentials); plan and apply refuse it (R10)" in result.output


async def test_r10_empty_user_name_answer_is_explained(
    http: httpx.AsyncClient, backend: Backend
) -> None:
    http.headers["Authorization"] = f"Bearer {client_credentials_token(backend)}"
    http.base_url = httpx.URL("https://api.allegro.pl.allegrosandbox.pl")
    client = SellerClient(http, Seller(SELLER, Environment.SANDBOX))

    with pytest.raises(AuthError) as caught:
        await client.get("/sale/offers")

    assert "Empty user_name claim" in str(caught.value) and "(R10)" in str(caught.value)
