"""OAuth endpoints under `/auth/oauth/`: form or query parameters, Basic client authentication,
plain JSON errors in OAuth's shape, `Cache-Control: no-store` (R5-R7)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from catalogsync.emulator.backend import Backend
from catalogsync.emulator.core.errors import OAuthError
from catalogsync.emulator.http.gate import (
    FULL_AUTHENTICATION,
    Endpoint,
    backend_of,
    oauth_response,
    traced,
)


@dataclass(frozen=True)
class OAuthCall:
    request: Request
    backend: Backend
    params: dict[str, str]  # query string and form body together
    client_id: str | None  # from Basic auth
    client_secret: str | None


OAuthHandler = Callable[[OAuthCall], Response]


def oauth(method: str, template: str, handler: OAuthHandler) -> Endpoint:
    """Wrap an OAuth endpoint: form/query parameters, Basic client auth, plain JSON errors."""
    key = f"{method} {template}"

    async def endpoint(request: Request) -> Response:
        backend = backend_of(request)
        backend.count_request(key)
        params = dict(request.query_params)
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            params.update(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        client_id, secret = _basic(request)
        try:
            response = handler(OAuthCall(request, backend, params, client_id, secret))
        except OAuthError as error:
            response = oauth_response(error)
        response.headers["Cache-Control"] = "no-store"
        return traced(response)

    return endpoint


def _basic(request: Request) -> tuple[str | None, str | None]:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None, None
    try:
        client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    return client_id, secret


def device_authorization(call: OAuthCall) -> Response:
    doc = call.backend.oauth.device_authorize(call.client_id, call.client_secret,
                                              call.params.get("client_id"),
                                              call.params.get("scope"))
    page = f"{call.request.url.scheme}://{call.request.url.netloc}/skojarz-aplikacje"
    doc["verification_uri"] = page
    doc["verification_uri_complete"] = f"{page}?code={doc['user_code']}"
    return JSONResponse(doc)


def token(call: OAuthCall) -> Response:
    return JSONResponse(call.backend.oauth.token(call.client_id, call.client_secret, call.params))


def authorize(call: OAuthCall) -> Response:
    """The browser step of the code flow: demo-seller is logged in and agrees at once."""
    redirect_uri = call.params.get("redirect_uri")
    code = call.backend.oauth.authorize(call.params.get("client_id"), redirect_uri,
                                        call.params.get("response_type"),
                                        call.params.get("scope"))
    query = {"code": code, **({"state": call.params["state"]} if "state" in call.params else {})}
    return RedirectResponse(f"{redirect_uri}?{urlencode(query)}", status_code=302)


def unknown_auth_path(call: OAuthCall) -> Response:
    """R7: a wrong token URL needs 'full authentication'."""
    raise OAuthError(401, "unauthorized", FULL_AUTHENTICATION)
