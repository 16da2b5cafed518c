"""Open an `AllegroClient` for a catalog's environment, logged in as its seller.

`local` talks to the embedded emulator and logs in by itself through its device flow.
`sandbox` and `production` take the first of: CATALOGSYNC_ACCESS_TOKEN (a ready access token,
never refreshed); CATALOGSYNC_REFRESH_TOKEN with CATALOGSYNC_CLIENT_ID/_SECRET (CI: refreshed
at once, the rotated pair saved before use, also to CATALOGSYNC_REFRESH_TOKEN_FILE); the tokens
`catalogsync auth login` stored. Before the first call the token is checked: an application
token without `user_name` is refused (R10), one from another environment too, as far as its
claims or its origin tell (R9). 401/403 answers are explained (R8-R10, R21).

Tests pass an emulator `Backend` as `emulator`: it then answers every environment's hosts
in-process and is the issuer their tokens must come from.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from catalogsync.allegro.client import MAX_CONNECTIONS, AllegroClient
from catalogsync.allegro.errors import AuthError, ErrorDetail
from catalogsync.allegro.login_errors import LoginError
from catalogsync.allegro.login_flows import LOOPBACK, device_login
from catalogsync.allegro.oauth import OAuth
from catalogsync.allegro.redaction import redact, remember_secret
from catalogsync.allegro.session import BearerAuth, Persist, Session
from catalogsync.allegro.tokens import (
    Client,
    TokenInfo,
    TokenSet,
    TokenStore,
    fingerprint,
    inspect_token,
    issuer_environment,
    write_private,
)
from catalogsync.catalog.models import Environment
from catalogsync.config import (
    ENDPOINTS,
    LOCAL_CLIENT_ID,
    LOCAL_CLIENT_SECRET,
    LOCAL_SELLER_ID,
    emulator_db,
)
from catalogsync.errors import ConfigError

ACCESS_TOKEN_ENV = "CATALOGSYNC_ACCESS_TOKEN"
REFRESH_TOKEN_ENV = "CATALOGSYNC_REFRESH_TOKEN"
REFRESH_TOKEN_FILE_ENV = "CATALOGSYNC_REFRESH_TOKEN_FILE"
CLIENT_ID_ENV = "CATALOGSYNC_CLIENT_ID"
CLIENT_SECRET_ENV = "CATALOGSYNC_CLIENT_SECRET"
API_URL_ENV = "CATALOGSYNC_API_URL"
AUTH_URL_ENV = "CATALOGSYNC_AUTH_URL"
_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
_EMPTY_USER = ("Empty user_name claim", "UserRepresentativeException", "EmptyUserIdException")

log = logging.getLogger("catalogsync.auth")


# --------------------------------------------------------------------------- where to talk


@dataclass(frozen=True)
class Target:
    """Where one environment's API and OAuth live, and how to reach them."""

    environment: Environment
    api_url: str
    auth_url: str
    transport: httpx.AsyncBaseTransport | None = None  # None: the network
    emulated: bool = False  # an in-process emulator answers
    overridden: bool = False  # CATALOGSYNC_API_URL / CATALOGSYNC_AUTH_URL in use

    @property
    def upload_url(self) -> str:
        return ENDPOINTS[self.environment].upload

    @property
    def issuer(self) -> str | None:
        """Who issues this target's tokens, as `issuer_environment` names it; None: unknown."""
        if self.emulated:
            return "emulator"
        return None if self.overridden else self.environment.value

    def http(self, base_url: str = "", auth: httpx.Auth | None = None) -> httpx.AsyncClient:
        limits = httpx.Limits(max_connections=MAX_CONNECTIONS)
        return httpx.AsyncClient(
            base_url=base_url, transport=self.transport, auth=auth, timeout=_TIMEOUT, limits=limits
        )


def target_for(environment: Environment, catalog_dir: Path | None, emulator: Any = None) -> Target:
    """The endpoints of `environment`: the embedded emulator, or Allegro over HTTPS.

    CATALOGSYNC_API_URL / CATALOGSYNC_AUTH_URL move sandbox or production elsewhere (e.g. to
    `catalogsync emulator serve`); `emulator` then answers those hosts in-process (tests).
    """
    endpoints = ENDPOINTS[environment]
    if environment is Environment.LOCAL:
        transport = _emulator_transport(catalog_dir, emulator)
        return Target(environment, endpoints.api, endpoints.auth, transport, emulated=True)
    api = os.environ.get(API_URL_ENV) or endpoints.api
    auth = os.environ.get(AUTH_URL_ENV) or os.environ.get(API_URL_ENV) or endpoints.auth
    require_secure(api, API_URL_ENV)
    require_secure(auth, AUTH_URL_ENV)
    overridden = (api, auth) != (endpoints.api, endpoints.auth)
    api, auth = api.rstrip("/"), auth.rstrip("/")
    if emulator is None:
        return Target(environment, api, auth, overridden=overridden)
    transport = _emulator_transport(None, emulator)
    return Target(environment, api, auth, transport, emulated=True, overridden=overridden)


def require_secure(url: str, name: str) -> None:
    """HTTPS only; plain HTTP just for an emulator on this machine's loopback."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in LOOPBACK:
        return
    raise ConfigError(
        f"{name}={url}: Allegro's sandbox and production are reached over HTTPS only; plain "
        "http is allowed only for an emulator on 127.0.0.1, localhost or ::1"
    )


def _emulator_transport(catalog_dir: Path | None, emulator: Any) -> httpx.ASGITransport:
    from catalogsync.emulator.app import create_app
    from catalogsync.emulator.backend import Backend

    if emulator is None:
        emulator = Backend(emulator_db(catalog_dir)) if catalog_dir else Backend()
    return httpx.ASGITransport(app=create_app(emulator))


# --------------------------------------------------------------------------- credentials


def app_client(
    target: Target, client_id: str | None = None, secret: str | None = None,
    stored: TokenSet | None = None,
) -> Client | None:
    """The application to log in with: options, then CATALOGSYNC_CLIENT_*, then the store."""
    if target.environment is Environment.LOCAL:
        return Client(LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET)
    client_id = client_id or os.environ.get(CLIENT_ID_ENV) or (stored.client_id if stored else None)
    secret = secret or os.environ.get(CLIENT_SECRET_ENV)
    if not secret and stored and stored.client_id == client_id:
        secret = stored.client_secret.get_secret_value()
    return Client(client_id, secret) if client_id and secret else None


def keeper(store: TokenStore | None, refresh_token_file: Path | None) -> Persist:
    """Where a new pair goes, before anything else uses it: the store, and the CI file."""

    def keep(tokens: TokenSet) -> None:
        if store is not None:
            path = store.save(tokens)
            log.info("saved the %s tokens to %s", tokens.environment.value, path)
        refresh = tokens.refresh()
        if refresh_token_file is not None and refresh:
            write_private(refresh_token_file, refresh + "\n")
            log.info("wrote the rotated refresh token to %s", refresh_token_file)

    return keep


def refresh_token_file() -> Path | None:
    value = os.environ.get(REFRESH_TOKEN_FILE_ENV)
    return Path(value) if value else None


async def open_session(target: Target, http: httpx.AsyncClient) -> Session:
    """The run's tokens: the local auto-login, a given token, a CI refresh token, or the store."""
    if target.environment is Environment.LOCAL:
        return await _local_session(target, http)
    given = os.environ.get(ACCESS_TOKEN_ENV)
    if given:
        return Session(_given_token(given, target))
    store = TokenStore()
    stored = store.load(target.environment)
    seed = os.environ.get(REFRESH_TOKEN_ENV)
    if seed and (stored is None or stored.origin != fingerprint(seed)):
        return await _seeded_session(target, http, seed, store, stored)
    if stored is None:
        raise _not_logged_in(target.environment)
    _check_origin(stored, target)
    client = app_client(target, stored=stored) or stored.client()
    oauth = OAuth(http, target.environment, target.auth_url, client)
    return Session(stored, oauth, keeper(store, refresh_token_file()))


async def _local_session(target: Target, http: httpx.AsyncClient) -> Session:
    """Log the local seller in through the emulator's device flow, approving it at once."""
    client = Client(LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET)
    oauth = OAuth(http, target.environment, target.auth_url, client)
    device = await oauth.start_device()
    await approve_on_emulator(http, target.auth_url, device.user_code, LOCAL_SELLER_ID)
    return Session(await device_login(oauth, device), oauth)


async def approve_on_emulator(
    http: httpx.AsyncClient, auth_url: str, user_code: str, seller: str
) -> None:
    """What a seller does on the verification page, through the emulator's steering route."""
    answer = await http.post(
        f"{auth_url}/_emulator/device/approve", json={"user_code": user_code, "user_id": seller}
    )
    if answer.status_code != 200:
        raise LoginError(f"the emulator did not approve the code: {answer.text}")


async def _seeded_session(
    target: Target, http: httpx.AsyncClient, seed: str, store: TokenStore,
    stored: TokenSet | None,
) -> Session:
    """CI: trade CATALOGSYNC_REFRESH_TOKEN for a pair at once and keep the rotated one."""
    remember_secret(seed)
    client = app_client(target, stored=stored)
    if client is None:
        raise ConfigError(
            f"{REFRESH_TOKEN_ENV} is set: set {CLIENT_ID_ENV} and {CLIENT_SECRET_ENV} too, "
            "the application the refresh token was issued to"
        )
    oauth = OAuth(http, target.environment, target.auth_url, client)
    keep = keeper(store, refresh_token_file())
    tokens = await oauth.refresh(seed, origin=fingerprint(seed))
    keep(tokens)
    log.info("refreshed the %s tokens from %s", target.environment.value, REFRESH_TOKEN_ENV)
    return Session(tokens, oauth, keep)


def _given_token(token: str, target: Target) -> TokenSet:
    remember_secret(token)
    info = inspect_token(token)
    if info is None:
        raise ConfigError(f"{ACCESS_TOKEN_ENV} is not an Allegro access token (not a JWT)")
    if info.expires_at is not None and info.expires_at <= datetime.now(UTC):
        raise ConfigError(
            f"{ACCESS_TOKEN_ENV} expired at {info.expires_at:%Y-%m-%d %H:%M} UTC: set a fresh "
            f"one, or let catalogsync refresh (`catalogsync auth login`, or {REFRESH_TOKEN_ENV})"
        )
    return TokenSet(
        environment=target.environment,
        auth_url=target.auth_url,
        client_id=info.client_id or "",
        client_secret=SecretStr(""),
        access_token=SecretStr(token),
        expires_at=info.expires_at or datetime.max.replace(tzinfo=UTC),
    )


def _not_logged_in(environment: Environment) -> ConfigError:
    env = environment.value
    return ConfigError(
        f"Log in once with `catalogsync auth login --env {env}` (the tokens are kept and "
        f"refreshed), or in CI set {REFRESH_TOKEN_ENV}, {CLIENT_ID_ENV} and {CLIENT_SECRET_ENV} "
        "(see README, Environments and credentials).\n"
        f"not logged in to Allegro {env}"
    )


# --------------------------------------------------------------------------- checks (R9, R10)


@dataclass(frozen=True)
class Seller:
    """Who a run acts as: the `user_name` of its token, in one environment."""

    user_name: str
    environment: Environment


def check_token(tokens: TokenSet, target: Target) -> Seller:
    """Refuse before the first call what Allegro would refuse: R10 and the R9 we can see."""
    info = inspect_token(tokens.access())
    env = target.environment.value
    if info is None:
        raise ConfigError(f"the {env} access token is not a JWT: not one of Allegro's")
    if info.user_name is None:
        raise ConfigError(r10_message(target.environment))
    issued_by = issuer_environment(info)
    if issued_by and target.issuer and issued_by != target.issuer:
        raise ConfigError(r9_message(target.environment, f"the {_issuer_name(issued_by)}"))
    _check_client_id(info, target)
    return Seller(info.user_name, target.environment)


def _check_client_id(info: TokenInfo, target: Target) -> None:
    """Sandbox and production apps have different ids: a token of another app is suspect."""
    configured = os.environ.get(CLIENT_ID_ENV)
    if target.emulated or not configured or not info.client_id or info.client_id == configured:
        return
    raise ConfigError(
        r9_message(target.environment, f"application {info.client_id}, not {configured} "
                   f"({CLIENT_ID_ENV})")
    )


def _check_origin(stored: TokenSet, target: Target) -> None:
    if stored.auth_url.rstrip("/") != target.auth_url:
        raise ConfigError(r9_message(target.environment, stored.auth_url))


def _issuer_name(kind: str) -> str:
    return "local emulator" if kind == "emulator" else f"Allegro {kind}"


def r10_message(environment: Environment) -> str:
    env = environment.value
    return (
        f"The {env} token has no user_name claim: it is an application token from the "
        "client_credentials grant and acts for no seller (R10). Offers belong to a seller, so "
        'Allegro answers every offer call made with it with "Empty user_name claim".\n'
        f"Log in as the seller with the device flow: `catalogsync auth login --env {env}` "
        "prints a code and a page of Allegro's; log in there as the seller and confirm the code. "
        f"In CI use the refresh token of such a login ({REFRESH_TOKEN_ENV}).\n"
        f"refusing to work on offers in {env} with an application (client_credentials) token"
    )


def r9_message(environment: Environment, issuer: str) -> str:
    env = environment.value
    return (
        f"The access token for {env} was issued by {issuer}. A token works only in the "
        "environment that issued it (R9): sandbox and production have separate accounts and "
        'applications, and Allegro answers a foreign token with "Cannot convert access token '
        f'to JSON". Log in to {env}: `catalogsync auth login --env {env}`.\n'
        f"the {env} access token comes from another environment"
    )


# --------------------------------------------------------------------------- explained errors

_OWNED = re.compile(r"^/sale/(?:product-offers|offers|shipping-rates)/([^/?]+)")


class SellerClient(AllegroClient):
    """An `AllegroClient` acting as `seller`, whose 401/403 errors say what to do."""

    def __init__(self, http: httpx.AsyncClient, seller: Seller) -> None:
        super().__init__(http, None)
        self.seller = seller

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return await super().request(method, path, **kwargs)
        except AuthError as error:
            raise explain(error, self.seller) from None


def explain(error: AuthError, seller: Seller) -> AuthError:
    """The same error, secrets redacted, with what it means for this seller (R8-R10, R21)."""
    details = [
        ErrorDetail(d.code, redact(d.message), d.path,
                    d.user_message and redact(d.user_message), d.metadata)
        for d in error.details
    ]
    why = ErrorDetail("catalogsync", _reason(error, seller))
    return AuthError(error.status, error.method, error.path, [*details, why])


def _reason(error: AuthError, seller: Seller) -> str:
    said = " ".join([*error.codes, *(d.message for d in error.details)])
    env = seller.environment.value
    if any(marker in said for marker in _EMPTY_USER):
        return (f'"Empty user_name claim": the {env} token acts for no seller, as a '
                "client_credentials token has no user_name (R10); log in as the seller with "
                f"the device flow, `catalogsync auth login --env {env}`")
    if "Cannot convert access token to JSON" in said:
        return (f"Allegro could not read the {env} access token: it was most likely issued by "
                "the other environment, and tokens work only where they were issued (R9); log "
                f"in to {env}: `catalogsync auth login --env {env}`")
    if error.status == 401 and "invalid_token" in error.codes:
        return (f"the {env} access token was rejected and could not be refreshed: log in again "
                f"with `catalogsync auth login --env {env}`")
    owned = _OWNED.match(error.path)
    if owned:
        return _ownership(error.path, owned.group(1), seller)
    return (f"this run acts as seller {seller.user_name} in {env}; the token may lack a scope "
            "for this call, or the resource belongs to another seller (R8)")


def _ownership(path: str, resource: str, seller: Seller) -> str:
    kind = "shipping-rate table" if "shipping-rates" in path else "offer"
    env = seller.environment.value
    return (
        f"{kind} {resource} belongs to another seller: this run acts as seller "
        f"{seller.user_name} (user_name of the {env} token), and a seller can read and change "
        f"only their own {kind}s (R8, R21). Log in as the seller who owns it "
        f"(`catalogsync auth login --env {env}`), or drop the id from "
        f".catalogsync/state-{env}.json if it was recorded for another account"
    )


# --------------------------------------------------------------------------- connect


@asynccontextmanager
async def connect(
    environment: Environment, catalog_dir: Path, emulator: Any = None
) -> AsyncIterator[SellerClient]:
    """Yield a client acting as the catalog's seller (`client.seller`), its token checked.

    For the local environment without `emulator`, the catalog's own emulator database under
    `.catalogsync/` is opened.
    """
    target = target_for(environment, catalog_dir, emulator)
    async with target.http() as oauth_http:
        session = await open_session(target, oauth_http)
        seller = check_token(session.tokens, target)
        log.info("acting as seller %s in %s", seller.user_name, environment.value)
        hosts = frozenset(str(httpx.URL(url).host) for url in (target.api_url, target.upload_url))
        async with target.http(target.api_url, BearerAuth(session, hosts)) as http:
            yield SellerClient(http, seller)
