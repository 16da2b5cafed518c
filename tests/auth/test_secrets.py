"""Tokens and the client secret never show: not in command output, `-v` logs, plan files or
error messages, even where Allegro echoes a token in its answer."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx
import pytest
from click.testing import Result

from catalogsync.allegro.session import BearerAuth, Session
from catalogsync.allegro.tokens import TokenSet, TokenStore
from catalogsync.emulator.backend import Backend
from tests.auth.conftest import LOGIN, Run, catalog, secrets_of, stored


def assert_clean(text: str, secrets: list[str]) -> None:
    assert secrets and "local-secret" in secrets
    for secret in secrets:
        assert secret not in text
    assert "eyJ" not in text  # nothing shaped like a JWT either


def outputs(*results: Result) -> str:
    return "\n".join(r.output for r in results)


def spend(backend: Backend, tokens: TokenSet) -> None:
    """Refresh behind catalogsync's back: its stored pair dies, as after a leaked CI secret."""
    grant = {"grant_type": "refresh_token", "refresh_token": str(tokens.refresh())}
    backend.oauth.token("catalogsync-local", "local-secret", grant)


def test_login_status_plan_and_logout_print_no_secret(
    run: Run, tmp_path: Path, backend: Backend, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, httpx's URL log included
    plan_file = tmp_path / "plan.json"
    device = run(*LOGIN, "--client-secret", "local-secret")
    first = stored()
    code = run(*LOGIN, "--flow", "code")
    second = stored()
    TokenStore().save(second.model_copy(update={"expires_at": first.expires_at.replace(year=2000)}))
    planned = run("-v", "plan", catalog(tmp_path), "-o", plan_file)  # refreshes, then plans
    third = stored()
    status = run("auth", "status")
    logout = run("auth", "logout")

    assert planned.exit_code in (0, 2), planned.output
    assert "catalogsync.auth: saved the sandbox tokens" in planned.output  # -v is on
    assert len({first.refresh(), second.refresh(), third.refresh()}) == 3
    secrets = secrets_of(first, second, third)
    assert_clean(outputs(device, code, planned, status, logout), secrets)
    assert_clean(plan_file.read_text(), secrets)
    assert_clean(caplog.text, secrets)
    assert "refresh_token=[redacted]" in caplog.text


def test_errors_that_echo_tokens_are_redacted(
    run: Run, tmp_path: Path, backend: Backend, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert run(*LOGIN).exit_code == 0
    tokens = stored()
    spend(backend, tokens)  # "Invalid access token: <token>", "Invalid refresh token: <token>"

    result = run("-v", "plan", catalog(tmp_path))

    assert result.exit_code == 1
    assert "Refresh tokens are single-use" in result.output
    assert_clean(result.output, secrets_of(tokens))
    assert_clean(caplog.text, secrets_of(tokens))


def test_expired_token_echoed_by_allegro_is_redacted_in_the_error(
    run: Run, tmp_path: Path, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(*LOGIN).exit_code == 0
    tokens = stored()
    monkeypatch.setenv("CATALOGSYNC_ACCESS_TOKEN", tokens.access())  # no refresh possible
    backend.advance_clock(13 * 3600)  # "Access token expired: <token>"

    result = run("plan", catalog(tmp_path))

    assert result.exit_code == 1
    assert "Access token expired: [redacted]" in result.output
    assert "could not be refreshed: log in again" in result.output
    assert_clean(result.output, secrets_of(tokens))


def test_wrong_client_secret_is_not_echoed(run: Run) -> None:
    result = run(*LOGIN, "--client-secret", "wrong-secret-123")

    assert result.exit_code == 1
    assert "did not accept client id catalogsync-local" in result.output
    assert "wrong-secret-123" not in result.output


def test_token_set_repr_hides_secrets() -> None:
    tokens = TokenSet.model_validate(
        {
            "environment": "sandbox",
            "auth_url": "https://allegro.pl.allegrosandbox.pl",
            "client_id": "app",
            "client_secret": "local-secret",
            "access_token": "access-123456",
            "refresh_token": "refresh-123456",
            "expires_at": "2030-01-01T00:00:00Z",
        }
    )

    for text in (repr(tokens), str(tokens), str(tokens.model_dump())):
        assert_clean(text, ["local-secret", "access-123456", "refresh-123456"])


def test_the_bearer_token_goes_only_to_allegros_hosts() -> None:
    tokens = TokenSet.model_validate(
        {
            "environment": "sandbox",
            "auth_url": "https://allegro.pl.allegrosandbox.pl",
            "client_id": "app",
            "client_secret": "local-secret",
            "access_token": "access-123456",
            "expires_at": "2030-01-01T00:00:00Z",
        }
    )
    seen: dict[str, str | None] = {}

    def answer(request: httpx.Request) -> httpx.Response:
        seen[str(request.url.host)] = request.headers.get("Authorization")
        return httpx.Response(200, json={})

    async def send() -> None:
        auth = BearerAuth(Session(tokens), frozenset({"api.allegro.pl.allegrosandbox.pl"}))
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer), auth=auth) as http:
            await http.get("https://api.allegro.pl.allegrosandbox.pl/sale/offers")
            await http.get("https://images.example.com/mug.jpg")

    asyncio.run(send())

    assert seen == {
        "api.allegro.pl.allegrosandbox.pl": "Bearer access-123456",
        "images.example.com": None,
    }
