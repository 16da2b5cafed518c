"""Allegro OAuth: the device and authorization-code flows, single-use refresh tokens that
rotate, a private per-environment token store, and reading the JWT an access token is.

Nothing here prints: `auth_cli.py` and `connect.py` decide what the user sees. Tokens and the
client secret are `SecretStr` or `repr=False` in memory, and every one that passes through is
remembered by `redact`, which scrubs error messages and the `httpx` log (Allegro echoes tokens
in its 401 and invalid_grant answers, API_NOTES §1).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import os
import re
import secrets
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import jwt
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError, field_serializer

from catalogsync.catalog.models import Environment
from catalogsync.errors import ConfigError

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
EMULATOR_ISSUER = "allegro-emulator"
REDACTED = "[redacted]"
#: Access tokens live 12 h; refresh this long before they expire.
REFRESH_MARGIN = timedelta(minutes=5)
DEFAULT_EXPIRES_IN = 43199
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
APP_MANAGERS = {
    Environment.PRODUCTION: "https://apps.developer.allegro.pl",
    Environment.SANDBOX: "https://apps.developer.allegro.pl.allegrosandbox.pl",
    Environment.LOCAL: "the emulator's seed (catalogsync/emulator/seed/accounts.py)",
}

# --------------------------------------------------------------------------- secrets

_secrets: set[str] = set()
_JWT = re.compile(r"eyJ[\w-]*\.[\w-]+\.[\w-]*")
_URL_SECRET = re.compile(
    r"\b((?:code|refresh_token|device_code|access_token|client_secret|code_verifier)=)"
    r"[^&\s\"']+"
)


def remember_secret(*values: str | None) -> None:
    """Add values that `redact` must never let through (tokens, client secrets, codes)."""
    _secrets.update(v for v in values if v and len(v) >= 6)


def redact(text: str) -> str:
    """`text` with every remembered secret and anything shaped like a JWT replaced."""
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return _JWT.sub(REDACTED, text)


class _RedactLog(logging.Filter):
    """Scrub records of `httpx`, which logs every URL with its query string (`-v`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = _URL_SECRET.sub(rf"\1{REDACTED}", redact(message))
        if clean != message:
            record.msg, record.args = clean, None
        return True


for _logger in ("httpx", "httpcore"):
    logging.getLogger(_logger).addFilter(_RedactLog())

# --------------------------------------------------------------------------- the JWT


@dataclass(frozen=True)
class TokenInfo:
    """What an access token's JWT payload says; checking its signature is Allegro's job."""

    user_name: str | None
    client_id: str | None
    scopes: tuple[str, ...]
    expires_at: datetime | None
    issuer: str | None


def inspect_token(token: str) -> TokenInfo | None:
    """Read a JWT's claims without verifying it; None when `token` is no JWT."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False, "verify_exp": False})
    except jwt.PyJWTError:
        return None
    scope = claims.get("scope")
    scopes = scope.split() if isinstance(scope, str) else [str(s) for s in scope or ()]
    exp = claims.get("exp")
    return TokenInfo(
        user_name=_text(claims.get("user_name")),
        client_id=_text(claims.get("client_id")),
        scopes=tuple(scopes),
        expires_at=datetime.fromtimestamp(exp, UTC) if isinstance(exp, int | float) else None,
        issuer=_text(claims.get("iss")),
    )


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def issuer_environment(info: TokenInfo) -> str | None:
    """Who issued a token, from `iss`: "emulator", "sandbox", "production", or None (unknown).

    The emulator signs `iss` "allegro-emulator". The Allegro tokens shown in its threads carry
    no `iss` (exp, user_name, jti, client_id, scope, ati: [I#1578]); should one appear, an
    issuer on allegrosandbox.pl means sandbox and any other on allegro.pl production.
    """
    issuer = (info.issuer or "").lower()
    if issuer == EMULATOR_ISSUER:
        return "emulator"
    if "allegrosandbox.pl" in issuer:
        return "sandbox"
    return "production" if "allegro.pl" in issuer else None


# --------------------------------------------------------------------------- the token store


@dataclass(frozen=True)
class Client:
    """An application registered with Allegro: its id and its secret (never shown)."""

    id: str
    secret: str = field(repr=False)

    def __post_init__(self) -> None:
        remember_secret(self.secret)

    def basic(self) -> httpx.BasicAuth:
        return httpx.BasicAuth(self.id, self.secret)


class TokenSet(BaseModel):
    """One login's tokens in one environment, as the token store keeps them."""

    model_config = ConfigDict(frozen=True)

    environment: Environment
    auth_url: str
    client_id: str
    client_secret: SecretStr
    access_token: SecretStr
    refresh_token: SecretStr | None = None
    expires_at: datetime
    scope: str = ""
    #: fingerprint of the CI refresh token (CATALOGSYNC_REFRESH_TOKEN) this chain grew from
    origin: str | None = None

    def model_post_init(self, context: Any) -> None:
        remember_secret(self.client_secret.get_secret_value(), self.access(), self.refresh())

    @field_serializer("client_secret", "access_token", "refresh_token", when_used="json")
    def reveal_in_file(self, value: SecretStr | None) -> str | None:
        return None if value is None else value.get_secret_value()

    def access(self) -> str:
        return self.access_token.get_secret_value()

    def refresh(self) -> str | None:
        return None if self.refresh_token is None else self.refresh_token.get_secret_value()

    def client(self) -> Client:
        return Client(self.client_id, self.client_secret.get_secret_value())

    def expires_soon(self, now: datetime) -> bool:
        return self.expires_at - REFRESH_MARGIN <= now


def config_dir() -> Path:
    """`$XDG_CONFIG_HOME/catalogsync`, or `~/.config/catalogsync`."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / "catalogsync"


def fingerprint(secret: str) -> str:
    """A stable, non-reversible name for a secret (to recognise a CI token already used)."""
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def write_private(path: Path, text: str) -> None:
    """Replace `path` atomically with `text`, readable by the owner only from the start."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            if hasattr(os, "fchmod"):
                os.fchmod(out.fileno(), 0o600)  # exactly 0600, whatever the umask
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class TokenStore:
    """Tokens per environment: one JSON file each, mode 0600, replaced atomically."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or config_dir() / "tokens"

    def path(self, environment: Environment) -> Path:
        return self.directory / f"{environment.value}.json"

    def load(self, environment: Environment) -> TokenSet | None:
        path = self.path(environment)
        if not path.exists():
            return None
        try:
            return TokenSet.model_validate_json(path.read_bytes())
        except (ValidationError, ValueError, OSError) as exc:
            raise ConfigError(
                f"{path} is unreadable ({exc.__class__.__name__}): "
                f"run `catalogsync auth login --env {environment.value}` again"
            ) from None

    def save(self, tokens: TokenSet) -> Path:
        path = self.path(tokens.environment)
        write_private(path, tokens.model_dump_json(indent=1) + "\n")
        return path

    def delete(self, environment: Environment) -> bool:
        path = self.path(environment)
        existed = path.exists()
        path.unlink(missing_ok=True)
        return existed


# --------------------------------------------------------------------------- OAuth endpoints


class LoginError(ConfigError):
    """Allegro refused a login or a refresh; the message says why and what to do."""


class OAuthRefusal(Exception):
    """An answer in OAuth's shape `{"error", "error_description"}`, description redacted."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.status = status
        self.error = error
        self.description = description


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
    Allegro documents (R7); the log filter above keeps those out of `-v` output.
    """

    def __init__(
        self, http: httpx.AsyncClient, environment: Environment, auth_url: str, client: Client
    ) -> None:
        self._http = http
        self.environment = environment
        self.auth_url = auth_url.rstrip("/")
        self.client = client

    @property
    def token_url(self) -> str:
        return f"{self.auth_url}/auth/oauth/token"

    async def start_device(self) -> DeviceCode:
        """`POST /auth/oauth/device`: a code for the user to confirm on Allegro's page."""
        url = f"{self.auth_url}/auth/oauth/device"
        try:
            body = oauth_answer(await self._post(url, data={"client_id": self.client.id}))
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
        body = oauth_answer(await self._post(self.token_url, params=params))
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
        for matches, explain in _EXPLANATIONS:
            if matches(refusal):
                return LoginError(explain(self, refusal, redirect_uri))
        return LoginError(
            f"Allegro refused the login at {self.auth_url} ({refusal.status} {refusal.error}): "
            f"{refusal.description}"
        )


def oauth_answer(response: httpx.Response) -> dict[str, Any]:
    """The JSON of a successful OAuth answer; `OAuthRefusal` for an error."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise OAuthRefusal(response.status_code, f"HTTP {response.status_code}",
                           "the answer is not OAuth JSON")
    if response.status_code >= 400:
        error = str(body.get("error") or f"HTTP {response.status_code}")
        description = redact(str(body.get("error_description") or ""))
        raise OAuthRefusal(response.status_code, error, description)
    return body


# --------------------------------------------------------------------------- explanations

Explain = Callable[[OAuth, OAuthRefusal, str | None], str]


def _bad_client(oauth: OAuth, refusal: OAuthRefusal, redirect_uri: str | None) -> str:
    return (
        f"Allegro did not accept client id {oauth.client.id} with this secret in "
        f"{oauth.environment.value}. Check --client-id/--client-secret (or "
        "CATALOGSYNC_CLIENT_ID/CATALOGSYNC_CLIENT_SECRET): sandbox and production "
        "applications are registered separately, with their own ids "
        f"({APP_MANAGERS[oauth.environment]}).\n"
        f"Allegro refused the application's credentials ({refusal.status} {refusal.error})"
    )


def _no_device_grant(oauth: OAuth, refusal: OAuthRefusal, redirect_uri: str | None) -> str:
    return (
        f"The application {oauth.client.id} is not registered for the device flow in "
        f"{oauth.environment.value}. Give it the device type in Allegro's application manager "
        f"({APP_MANAGERS[oauth.environment]}), or log in with `--flow code` through the "
        "redirect URI it is registered with.\n"
        f'Allegro refused the device login: "{refusal.description}"'
    )


def _r5_redirect(oauth: OAuth, refusal: OAuthRefusal, redirect_uri: str | None) -> str:
    return f"{r5_rule(redirect_uri)}\nAllegro refused the redirect URI: \"{refusal.description}\""


def r5_rule(redirect_uri: str | None) -> str:
    """The R5 rule, for every error that may come from a redirect URI mismatch."""
    used = f" This login used {redirect_uri}." if redirect_uri else ""
    return (
        "The redirect URI must be exactly the one registered for the application (R5): same "
        "scheme, host (localhost is not 127.0.0.1), port, path and trailing slash." + used
        + " Register exactly that URI for the app, or pass the registered one with "
        "--redirect-uri (http://localhost:PORT/... or http://127.0.0.1:PORT/..., so "
        "catalogsync can listen for the redirect)."
    )


def _r6_no_code(oauth: OAuth, refusal: OAuthRefusal, redirect_uri: str | None) -> str:
    return (
        "The token request reached Allegro without an authorization code (R6: a missing or "
        "misspelled `code` parameter). catalogsync builds that request itself from the "
        "redirect's ?code=; log in again, and let the browser finish on the redirect page.\n"
        'Allegro answered "An authorization code must be supplied"'
    )


def _r7_wrong_url(oauth: OAuth, refusal: OAuthRefusal, redirect_uri: str | None) -> str:
    return (
        f"The request did not reach Allegro's token endpoint as an OAuth call (R7). catalogsync "
        f"builds the URL itself: {oauth.token_url}?grant_type=authorization_code&code={{code}}"
        "&redirect_uri={redirect_uri}, with the client's Basic credentials. If you set "
        "CATALOGSYNC_AUTH_URL, it must be the bare host (https://allegro.pl or "
        "https://allegro.pl.allegrosandbox.pl), without a path.\n"
        f'Allegro answered "{refusal.description}" at {oauth.token_url}'
    )


def _dead_device_code(oauth: OAuth, refusal: OAuthRefusal, redirect_uri: str | None) -> str:
    return (
        "The device code expired or was already used: a code logs in once, within the time "
        "Allegro gave it. Run `catalogsync auth login` again for a new code.\n"
        f'Allegro refused the device code: "{refusal.description}"'
    )


DECLINED = "The login was declined on Allegro's page; nothing was stored"


def _declined(oauth: OAuth, refusal: OAuthRefusal, redirect_uri: str | None) -> str:
    return DECLINED


def _dead_refresh_token(oauth: OAuth, refusal: OAuthRefusal, redirect_uri: str | None) -> str:
    env = oauth.environment.value
    return (
        "Refresh tokens are single-use: every refresh returns a new pair and the old refresh "
        "token dies at once (they also expire after 3 months, and on logout from all devices "
        "or a password change). This one was used already: by another run or machine, or by a "
        "CI job whose rotated token was not stored (CATALOGSYNC_REFRESH_TOKEN_FILE, see the "
        f"README). Log in again: `catalogsync auth login --env {env}`.\n"
        f"Allegro refused the refresh token for {env} (invalid_grant)"
    )


def _dead_code(oauth: OAuth, refusal: OAuthRefusal, redirect_uri: str | None) -> str:
    return (
        "The authorization code expired or was already used: it lives seconds and works once. "
        "Log in again.\nAllegro refused the authorization code (invalid_grant)"
    )


def _grant_missing(oauth: OAuth, refusal: OAuthRefusal, redirect_uri: str | None) -> str:
    return (
        f"The application {oauth.client.id} is not registered for this grant in "
        f"{oauth.environment.value} ({APP_MANAGERS[oauth.environment]}).\n"
        f'Allegro answered "{refusal.description}"'
    )


def _said(text: str) -> Callable[[OAuthRefusal], bool]:
    return lambda r: text.lower() in r.description.lower()


_EXPLANATIONS: list[tuple[Callable[[OAuthRefusal], bool], Explain]] = [
    (_said("Full authentication is required"), _r7_wrong_url),
    (lambda r: r.status == 401 or r.error in ("Unauthorized", "invalid_client"), _bad_client),
    (lambda r: r.error == "unauthorized_client" and "device" in r.description, _no_device_grant),
    (_said("authorization code must be supplied"), _r6_no_code),
    (_said("redirect"), _r5_redirect),
    (_said("Invalid device code"), _dead_device_code),
    (lambda r: r.error == "expired_token", _dead_device_code),
    (lambda r: r.error == "access_denied", _declined),
    (_said("refresh token"), _dead_refresh_token),
    (_said("authorization code"), _dead_code),
    (lambda r: r.error in ("unsupported_grant_type", "unauthorized_client"), _grant_missing),
]

# --------------------------------------------------------------------------- the flows

Pause = Callable[[float], Awaitable[None]]
Browser = Callable[[str], Awaitable[None]]


async def _sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def device_login(oauth: OAuth, device: DeviceCode, pause: Pause = _sleep) -> TokenSet:
    """Poll every `interval` s until the user confirms the code (§1 device flow, step 3)."""
    interval = float(max(device.interval, 1))
    deadline = time.monotonic() + device.expires_in
    while True:
        try:
            return await oauth.redeem_device(device)
        except OAuthRefusal as refusal:
            if refusal.error == "slow_down":  # RFC 8628; unconfirmed for Allegro
                interval += 5
            elif refusal.error != "authorization_pending":
                raise oauth.explain(refusal) from None
        if time.monotonic() + interval > deadline:
            raise LoginError("The code was not confirmed in time; run the login again")
        await pause(interval)


class RedirectListener:
    """A one-shot HTTP server on 127.0.0.1 that catches Allegro's redirect with `?code=`."""

    def __init__(self, redirect_uri: str) -> None:
        parts = urlsplit(redirect_uri)
        if parts.scheme != "http" or parts.hostname not in LOOPBACK or not parts.port:
            raise LoginError(
                f"--redirect-uri {redirect_uri}: catalogsync can only catch a redirect to this "
                "machine, http://localhost:PORT/... or http://127.0.0.1:PORT/...; register such "
                "a URI for the application (R5: it must match exactly)"
            )
        self.port, self.path = parts.port, parts.path or "/"
        self._result: asyncio.Future[dict[str, str]] | None = None
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> RedirectListener:
        self._result = asyncio.get_running_loop().create_future()
        try:
            self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        except OSError as exc:
            raise LoginError(
                f"cannot listen on 127.0.0.1:{self.port} for the redirect ({exc.strerror}); "
                "free the port or register another redirect URI"
            ) from None
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def wait(self, timeout: float) -> dict[str, str]:
        """The redirect's query parameters; `TimeoutError` if none came in `timeout` s."""
        assert self._result is not None, "use `async with`"
        return await asyncio.wait_for(asyncio.shield(self._result), timeout)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = await asyncio.wait_for(reader.readline(), 10)
            while await reader.readline() not in (b"\r\n", b"\n", b""):
                pass
            target = urlsplit(request_line.decode("latin-1").split(" ")[1])
            waiting = self._result is not None and not self._result.done()
            found = target.path == self.path and waiting
            if found and self._result is not None:
                self._result.set_result(dict(parse_qsl(target.query)))
            writer.write(_page(found))
            await writer.drain()
        except (IndexError, OSError, TimeoutError):
            pass
        finally:
            writer.close()


def _page(found: bool) -> bytes:
    status, text = ("200 OK", "catalogsync got the answer: go back to the terminal.")
    if not found:
        status, text = "404 Not Found", "Not the login redirect."
    body = f"<!doctype html><title>catalogsync</title><p>{text}</p>".encode()
    head = f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
    return f"{head}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


async def code_login(
    oauth: OAuth, redirect_uri: str, browser: Browser, timeout: float = 300.0
) -> TokenSet:
    """The authorization-code flow with PKCE: a browser login redirected to this machine."""
    verifier, challenge = _pkce()
    state = secrets.token_urlsafe(16)
    async with RedirectListener(redirect_uri) as listener:
        await browser(oauth.authorize_url(redirect_uri, state, challenge))
        try:
            query = await listener.wait(timeout)
        except TimeoutError:
            raise LoginError(
                f"{r5_rule(redirect_uri)}\nno redirect reached {redirect_uri} within "
                f"{timeout:.0f} s (if Allegro's page showed an error, it is most likely R5)"
            ) from None
    return await oauth.exchange_code(_code_of(query, state, redirect_uri), redirect_uri, verifier)


def _code_of(query: dict[str, str], state: str, redirect_uri: str) -> str:
    """The code from a redirect, or what went wrong (denied, forged, R5, R6)."""
    if "error" in query:
        refusal = OAuthRefusal(400, query["error"], redact(query.get("error_description", "")))
        if refusal.error == "access_denied":
            raise LoginError(DECLINED)
        raise LoginError(
            f"{r5_rule(redirect_uri)}\nAllegro redirected back with {refusal.error}: "
            f"{refusal.description}"
        )
    if query.get("state") != state:
        raise LoginError("the redirect does not belong to this login (state differs); log in again")
    code = query.get("code", "")
    if not code:
        raise LoginError(
            "Allegro's redirect came back without a `code` parameter (R6: the token request "
            "needs it); log in again\nno authorization code in the redirect"
        )
    remember_secret(code)
    return code

# --------------------------------------------------------------------------- a run's session

Persist = Callable[[TokenSet], None]


class Session:
    """The tokens one run uses: refreshed before expiry and after a 401 invalid_token.

    A rotated pair goes to `persist` before it is used: the refresh token it replaces is
    already dead, so losing the new one would lock the seller out until the next login.
    """

    def __init__(
        self, tokens: TokenSet, oauth: OAuth | None = None, persist: Persist | None = None
    ) -> None:
        self._tokens, self._oauth, self._persist = tokens, oauth, persist
        self._lock = asyncio.Lock()

    @property
    def tokens(self) -> TokenSet:
        return self._tokens

    def can_refresh(self) -> bool:
        return self._oauth is not None and self._tokens.refresh() is not None

    async def access_token(self) -> str:
        if self._tokens.expires_soon(datetime.now(UTC)) and self.can_refresh():
            await self.renew(self._tokens.access())
        return self._tokens.access()

    async def renew(self, rejected: str) -> bool:
        """Replace the access token `rejected`; False when there is nothing to refresh with."""
        async with self._lock:
            if self._tokens.access() != rejected:
                return True  # another request refreshed already
            if not self.can_refresh():
                return False
            assert self._oauth is not None
            fresh = await self._oauth.refresh(str(self._tokens.refresh()), self._tokens.origin)
            if self._persist is not None:
                self._persist(fresh)
            self._tokens = fresh
            return True


class BearerAuth(httpx.Auth):
    """Sends the session's access token; after a 401 invalid_token, refreshes once and resends.

    "Cannot convert access token to JSON" is left alone: a token of the other environment
    (R9) does not get better by refreshing it. The token goes to `hosts` only (API, upload).
    """

    def __init__(self, session: Session, hosts: frozenset[str]) -> None:
        self._session = session
        self._hosts = hosts

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if request.url.host not in self._hosts:
            yield request
            return
        token = await self._session.access_token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            await response.aread()
        if _refreshable(response) and await self._session.renew(token):
            request.headers["Authorization"] = f"Bearer {await self._session.access_token()}"
            yield request


def _refreshable(response: httpx.Response) -> bool:
    if response.status_code != 401:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return (
        isinstance(body, dict)
        and body.get("error") == "invalid_token"
        and "Cannot convert" not in str(body.get("error_description"))
    )
