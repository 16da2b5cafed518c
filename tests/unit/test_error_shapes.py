"""Every shape Allegro (or a proxy in front of it) answers errors in is read and shown."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.errors import AllegroError, AuthError, ErrorsOnSuccess, error_details
from catalogsync.allegro.login_errors import OAuthRefusal, explain
from catalogsync.allegro.oauth import oauth_answer
from catalogsync.allegro.tokens import Client
from catalogsync.apply.polling import command_tasks, operation
from catalogsync.catalog.models import Environment
from tests.unit.mock_allegro import mock_client

pytestmark = pytest.mark.anyio
ENTRY = {"code": "VALIDATION_ERROR", "message": "stock too big", "userMessage": "Za duży stan"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def client(status: int, body: bytes, content_type: str = "application/json") -> AllegroClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"content-type": content_type})

    return mock_client(answer)


async def failure(status: int, body: Any, content_type: str = "application/json") -> str:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    with pytest.raises(AllegroError) as caught:
        await client(status, raw, content_type).request("POST", "/sale/product-offers", json={})
    return str(caught.value)


async def test_errors_list_and_bare_array_show_the_user_message() -> None:
    wrapped = await failure(422, {"errors": [ENTRY]})
    bare = await failure(422, [ENTRY, {**ENTRY, "userMessage": None, "message": "second"}])
    assert wrapped == "POST /sale/product-offers failed with 422: Za duży stan"
    assert bare == "POST /sale/product-offers failed with 422: Za duży stan; second"


async def test_oauth_shape_empty_body_and_proxy_html_are_explained() -> None:
    with pytest.raises(AuthError) as caught:
        await client(401, b'{"error":"invalid_token","error_description":"expired"}').get("/me")
    assert caught.value.codes == {"invalid_token"} and str(caught.value).endswith("expired")
    assert (await failure(503, b"")).endswith("failed with 503: an empty answer")
    html = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    assert (await failure(502, html, "text/html")).endswith(
        "an HTML page, not Allegro's JSON (from a proxy or gateway in between?): 502 Bad Gateway"
    )
    assert (await failure(500, b"upstream reset", "text/plain")).endswith(
        "not Allegro's JSON: upstream reset"
    )
    assert (await failure(500, {"unexpected": 1})).endswith(
        'an answer Allegro does not give: {"unexpected": 1}'
    )


async def test_an_errors_body_on_200_is_a_failure() -> None:
    assert (await failure(200, [ENTRY])).endswith("failed with 200: Za duży stan")
    assert (await failure(201, {"id": "1", "errors": [ENTRY]})).endswith("Za duży stan")
    ok = await client(200, b'{"id":"1","validation":{"errors":[]}}').request("GET", "/x")
    assert ok.json()["id"] == "1"


async def test_a_get_answered_200_with_errors_is_retried_like_a_5xx_a_post_is_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("catalogsync.allegro.client._backoff", lambda failures: 0.0)
    answers = [(200, [ENTRY]), (200, {"errors": [ENTRY]}), (200, {"id": "1"})]
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.method)
        status, body = answers.pop(0) if request.method == "GET" else (200, [ENTRY])
        return httpx.Response(status, json=body)

    allegro = mock_client(answer)
    assert (await allegro.get("/sale/offers/1")) == {"id": "1"} and sent == ["GET"] * 3
    with pytest.raises(ErrorsOnSuccess):
        await allegro.request("POST", "/sale/product-offers", json={})
    assert sent.count("POST") == 1


async def test_polls_answered_200_with_errors_fail_after_the_retries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("catalogsync.allegro.client._backoff", lambda failures: 0.0)
    errors = json.dumps([ENTRY]).encode()
    with pytest.raises(AllegroError, match="Za duży stan"):
        await command_tasks(client(200, errors), "offer-price-change-commands", "c1", ["1"])
    with pytest.raises(AllegroError, match="Za duży stan"):
        await operation(client(200, errors), "/sale/product-offers/1/operations/2", 0.0)


def test_details_of_each_shape() -> None:
    oauth = error_details("application/json", '{"error":"invalid_grant","error_description":"x"}')
    assert [(d.code, d.message) for d in oauth] == [("invalid_grant", "x")]
    lone = error_details("application/json", json.dumps(ENTRY))
    assert [str(d) for d in lone] == ["Za duży stan"]


class _Device:
    client = Client("app-without-device", "s3cret-value")
    environment = Environment.PRODUCTION
    auth_url = "https://allegro.pl"
    token_url = "https://allegro.pl/auth/oauth/token"


def test_device_endpoint_401_unauthorized_client_is_the_registration_not_the_secret() -> None:
    refusal = OAuthRefusal(401, "unauthorized_client", "Unauthorized grant type", device=True)
    message = str(explain(_Device(), refusal))
    assert "not registered for the device flow" in message
    assert "secret" not in message.lower()
    wrong_secret = OAuthRefusal(401, "invalid_client", "Bad client credentials", device=True)
    assert "CATALOGSYNC_CLIENT_SECRET" in str(explain(_Device(), wrong_secret))


def test_oauth_answers_from_a_proxy_are_described() -> None:
    page = b"<html><title>504 Gateway Time-out</title></html>"
    response = httpx.Response(504, content=page, headers={"content-type": "text/html"})
    with pytest.raises(OAuthRefusal) as caught:
        oauth_answer(response)
    assert caught.value.error == "HTTP 504"
    assert caught.value.description.endswith("in between?): 504 Gateway Time-out")
    with pytest.raises(OAuthRefusal) as empty:
        oauth_answer(httpx.Response(401, content=b""))
    assert empty.value.description == "an empty answer"


def test_device_grant_missing_is_told_by_allegros_reason_whatever_the_error_code() -> None:
    """Allegro's words name the missing grant even when its error code is a generic 401."""
    for error in ("unauthorized_client", "Unauthorized", "invalid_client"):
        refusal = OAuthRefusal(401, error, "Client does not have the device_code grant.")
        message = str(explain(_Device(), refusal))
        assert "not registered for the device flow" in message, error
        assert "secret" not in message.lower(), error
        assert message.endswith('"Client does not have the device_code grant."'), error


def test_a_refused_secret_keeps_allegros_reason() -> None:
    refusal = OAuthRefusal(401, "invalid_client", "Bad client credentials")
    message = str(explain(_Device(), refusal))
    assert "CATALOGSYNC_CLIENT_SECRET" in message
    assert message.endswith('"Bad client credentials"')
