"""Allegro's OAuth endpoints: the device code, the authorization-code exchange, and the
refresh that rotates single-use refresh tokens.

Nothing here prints: `cli/auth.py` and `connect.py` decide what the user sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from pydantic import SecretStr

from catalogsync.allegro.errors import error_details
from catalogsync.allegro.login_errors import LoginError, OAuthRefusal, explain
from catalogsync.allegro.redaction import redact, remember_secret
from catalogsync.allegro.tokens import Client, TokenSet
from catalogsync.catalog.models import Environment

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULT_EXPIRES_IN = 43199
#: What `auth login --read-only` asks for: everything plan and drift read, nothing that writes
#: offers, tables or producers (API_NOTES §1 "Scopes"). Allegro has one campaigns scope for
#: reading and changing alike; plans need it to see campaigns and Allegro Prices (R26).
READ_ONLY_SCOPES = (
    "allegro:api:profile:read", "allegro:api:sale:offers:read", "allegro:api:sale:settings:read",
    "allegro:api:orders:read", "allegro:api:campaigns",
)


@dataclass(frozen=True)
class DeviceCode:
    """Step 1 of the device flow: what the user confirms, and how long to poll for it."""

    device_code: str = field(repr=False)
    user_code: str
    verification_uri: str
    verification_uri_complete: str
    interval: int
    expires_in: int


class OAuth:
    """Allegro's OAuth endpoints for one application in one environment.

    Token calls carry Basic client auth and their parameters in the query string, the form
    Allegro documents (R7); the log filter of `redaction.py` keeps those out of `-v` output.
    """

    def __init__(
        self, http: httpx.AsyncClient, environment: Environment, auth_url: str, client: Client,
        scopes: tuple[str, ...] = (),
    ) -> None:
        self._http = http
        self.environment = environment
        self.auth_url = auth_url.rstrip("/")
        self.client = client
        #: asked for at login; none: every scope the application has (Allegro's default)
        self.scopes = scopes

    @property
    def token_url(self) -> str:
        return f"{self.auth_url}/auth/oauth/token"

    async def start_device(self) -> DeviceCode:
        """`POST /auth/oauth/device`: a code for the user to confirm on Allegro's page."""
        url = f"{self.auth_url}/auth/oauth/device"
        try:
            data = {"client_id": self.client.id}
            if self.scopes:
                data["scope"] = " ".join(self.scopes)
            body = oauth_answer(await self._post(url, data=data))
            interval, expires_in = int(body.get("interval") or 5), int(body["expires_in"])
            remember_secret(str(body["device_code"]))
            page = str(body.get("verification_uri") or "")
            return DeviceCode(
                device_code=str(body["device_code"]),
                user_code=str(body["user_code"]),
                verification_uri=page,
                verification_uri_complete=str(body.get("verification_uri_complete") or page),
                interval=interval,
                expires_in=expires_in,
            )
        except OAuthRefusal as refusal:
            refusal.device = True
            raise self.explain(refusal) from None
        except (KeyError, TypeError, ValueError):
            raise LoginError(f"{url} answered no device code: is this Allegro?") from None

    async def redeem_device(self, device: DeviceCode) -> TokenSet:
        """One poll; raises `OAuthRefusal` (authorization_pending until the user confirms)."""
        return await self._token({"grant_type": DEVICE_GRANT, "device_code": device.device_code})

    def authorize_url(self, redirect_uri: str, state: str, challenge: str) -> str:
        query = {
            "response_type": "code",
            "client_id": self.client.id,
            "redirect_uri": redirect_uri,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        if self.scopes:
            query["scope"] = " ".join(self.scopes)
        return f"{self.auth_url}/auth/oauth/authorize?{urlencode(query)}"

    async def exchange_code(self, code: str, redirect_uri: str, verifier: str) -> TokenSet:
        params = {"grant_type": "authorization_code", "code": code,
                  "redirect_uri": redirect_uri, "code_verifier": verifier}
        try:
            return await self._token(params)
        except OAuthRefusal as refusal:
            raise self.explain(refusal, redirect_uri) from None

    async def refresh(self, refresh_token: str, origin: str | None = None) -> TokenSet:
        """Trade a refresh token (single-use) for a new pair; the old pair dies with it."""
        params = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        try:
            return await self._token(params, origin)
        except OAuthRefusal as refusal:
            raise self.explain(refusal) from None

    async def _token(self, params: dict[str, str], origin: str | None = None) -> TokenSet:
        remember_secret(*(params.get(k) for k in ("code", "refresh_token", "device_code")))
        try:
            body = oauth_answer(await self._post(self.token_url, params=params))
        except OAuthRefusal as refusal:
            refusal.device = params.get("grant_type") == DEVICE_GRANT
            raise
        return self._token_set(body, origin)

    async def _post(self, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self._http.post(url, auth=self.client.basic(), **kwargs)
        except httpx.HTTPError as exc:
            raise LoginError(f"cannot reach {self.auth_url}: {exc.__class__.__name__}") from None

    def _token_set(self, body: dict[str, Any], origin: str | None) -> TokenSet:
        if not isinstance(body.get("access_token"), str):
            raise LoginError(f"{self.token_url} answered without an access token")
        remember_secret(body["access_token"], body.get("refresh_token"))
        expires_in = int(body.get("expires_in") or DEFAULT_EXPIRES_IN)
        refresh = body.get("refresh_token")
        return TokenSet(
            environment=self.environment,
            auth_url=self.auth_url,
            client_id=self.client.id,
            client_secret=SecretStr(self.client.secret),
            access_token=SecretStr(body["access_token"]),
            refresh_token=SecretStr(refresh) if isinstance(refresh, str) else None,
            expires_at=datetime.now(UTC) + timedelta(seconds=expires_in),
            scope=str(body.get("scope") or ""),
            origin=origin,
        )

    def explain(self, refusal: OAuthRefusal, redirect_uri: str | None = None) -> LoginError:
        """Turn an OAuth error into what happened and what to do (R5-R7 and the rest)."""
        return explain(self, refusal, redirect_uri)


def oauth_answer(response: httpx.Response) -> dict[str, Any]:
    """The JSON of a successful OAuth answer; `OAuthRefusal` for an error."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or (response.status_code >= 400 and "error" not in body):
        details = error_details(response.headers.get("content-type", ""), response.text)
        raise OAuthRefusal(response.status_code, f"HTTP {response.status_code}",
                           "; ".join(str(d) for d in details))
    if response.status_code >= 400:
        error = str(body.get("error") or f"HTTP {response.status_code}")
        description = redact(str(body.get("error_description") or ""))
        raise OAuthRefusal(response.status_code, error, description)
    return body
