"""The tokens a run uses for `sandbox` and `production`, the first of: CATALOGSYNC_ACCESS_TOKEN
(a ready access token, never refreshed); CATALOGSYNC_REFRESH_TOKEN with
CATALOGSYNC_CLIENT_ID/_SECRET (CI: refreshed at once, the rotated pair saved before use, also to
CATALOGSYNC_REFRESH_TOKEN_FILE, and the access token to CATALOGSYNC_ACCESS_TOKEN_FILE); the
tokens `catalogsync auth login` stored. `local` logs in
by itself through the emulator's device flow.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
from pydantic import SecretStr

from catalogsync.allegro.login_errors import LoginError, OAuthRefusal
from catalogsync.allegro.login_flows import device_login
from catalogsync.allegro.oauth import OAuth, oauth_answer
from catalogsync.allegro.redaction import remember_secret
from catalogsync.allegro.seller import check_origin
from catalogsync.allegro.session import Persist, Session
from catalogsync.allegro.targets import (
    ACCESS_TOKEN_ENV,
    ACCESS_TOKEN_FILE_ENV,
    CLIENT_ID_ENV,
    CLIENT_SECRET_ENV,
    REFRESH_TOKEN_ENV,
    REFRESH_TOKEN_FILE_ENV,
    Target,
)
from catalogsync.allegro.tokens import (
    SELLER_ENV,
    Client,
    TokenSet,
    TokenStore,
    fingerprint,
    inspect_token,
    write_private,
)
from catalogsync.catalog.models import Environment
from catalogsync.config import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, LOCAL_SELLER_ID
from catalogsync.errors import ConfigError

log = logging.getLogger("catalogsync.auth")


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
        access_file = os.environ.get(ACCESS_TOKEN_FILE_ENV)
        if access_file:
            write_private(Path(access_file), tokens.access() + "\n")
            log.info("wrote the new access token to %s", access_file)

    return keep


def refresh_token_file() -> Path | None:
    value = os.environ.get(REFRESH_TOKEN_FILE_ENV)
    return Path(value) if value else None


async def open_session(
    target: Target, http: httpx.AsyncClient, seller: str | None = None
) -> Session:
    """The run's tokens: the local auto-login, a given token, a CI refresh token, or the
    store's login of `seller` (the catalog's, from its lock file; else CATALOGSYNC_SELLER,
    else the environment's only login)."""
    if target.environment is Environment.LOCAL:
        return await _local_session(target, http, seller)
    given = os.environ.get(ACCESS_TOKEN_ENV)
    if given:
        return Session(_given_token(given, target))
    store = TokenStore()
    stored = store.load(target.environment, seller or os.environ.get(SELLER_ENV) or None)
    seed = os.environ.get(REFRESH_TOKEN_ENV)
    if seed and (stored is None or stored.origin != fingerprint(seed)):
        return await _seeded_session(target, http, seed, store, stored)
    if stored is None:
        raise _not_logged_in(target.environment, seller)
    check_origin(stored, target)
    client = app_client(target, stored=stored) or stored.client()
    oauth = OAuth(http, target.environment, target.auth_url, client)
    return Session(stored, oauth, keeper(store, refresh_token_file()))


async def _local_session(
    target: Target, http: httpx.AsyncClient, seller: str | None
) -> Session:
    """Log the local seller (the one the lock file names, else the demo seller) in through the
    emulator's device flow, approving it at once. A seller the emulator does not know is left
    to the account check, which names it."""
    client = Client(LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET)
    oauth = OAuth(http, target.environment, target.auth_url, client)
    device = await oauth.start_device()
    try:
        await approve_on_emulator(http, target.auth_url, device.user_code,
                                  seller or LOCAL_SELLER_ID)
    except LoginError:
        if seller in (None, LOCAL_SELLER_ID):
            raise
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


async def follow_emulator_login(
    http: httpx.AsyncClient, oauth: OAuth, url: str, redirect_uri: str
) -> None:
    """The emulator's authorize page logs its demo seller in at once: follow its redirect to
    our callback on the loopback address."""
    answer = await http.get(url)
    location = answer.headers.get("location")
    if answer.status_code != 302 or not location:
        try:
            oauth_answer(answer)
        except OAuthRefusal as refusal:
            raise oauth.explain(refusal, redirect_uri) from None
        raise LoginError(f"the emulator's authorize page answered {answer.status_code}")
    parts = urlsplit(location)
    async with httpx.AsyncClient(trust_env=False) as browser:
        await browser.get(urlunsplit(parts._replace(netloc=f"127.0.0.1:{parts.port}")))


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


def _not_logged_in(environment: Environment, seller: str | None) -> ConfigError:
    env = environment.value
    if seller is not None:
        return ConfigError(
            f"Log in as seller {seller} once: `catalogsync auth login --env {env}`, and confirm "
            "the code logged in as that seller (each seller's login is kept apart).\n"
            f"not logged in to Allegro {env} as seller {seller}, whom this catalog's "
            "catalogsync.lock names"
        )
    return ConfigError(
        f"Log in once with `catalogsync auth login --env {env}` (the tokens are kept and "
        f"refreshed), or in CI set {REFRESH_TOKEN_ENV}, {CLIENT_ID_ENV} and {CLIENT_SECRET_ENV} "
        "(see README, Environments and credentials).\n"
        f"not logged in to Allegro {env}"
    )
