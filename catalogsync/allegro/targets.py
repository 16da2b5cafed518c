"""Where one environment's API and OAuth live: Allegro over HTTPS, a URL given in the
environment (e.g. `catalogsync emulator serve`), or the emulator in-process; and the
environment variables that configure a run's connection and credentials.

Tests pass an emulator `Backend` as `emulator`: it then answers every environment's hosts
in-process and is the issuer their tokens must come from.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from catalogsync.allegro.client import MAX_CONNECTIONS
from catalogsync.allegro.login_flows import LOOPBACK
from catalogsync.catalog.models import Environment
from catalogsync.config import API_URL_ENV, ENDPOINTS, emulator_db, upload_host
from catalogsync.errors import ConfigError

ACCESS_TOKEN_ENV = "CATALOGSYNC_ACCESS_TOKEN"
REFRESH_TOKEN_ENV = "CATALOGSYNC_REFRESH_TOKEN"
REFRESH_TOKEN_FILE_ENV = "CATALOGSYNC_REFRESH_TOKEN_FILE"
#: Also write each new access token here: a protected CI job hands a short-lived (12 h),
#: read-only token to jobs that must never hold the refresh token (GitLab merge requests).
ACCESS_TOKEN_FILE_ENV = "CATALOGSYNC_ACCESS_TOKEN_FILE"
CLIENT_ID_ENV = "CATALOGSYNC_CLIENT_ID"
CLIENT_SECRET_ENV = "CATALOGSYNC_CLIENT_SECRET"
AUTH_URL_ENV = "CATALOGSYNC_AUTH_URL"
#: The HTTP client a target hands out, for callers that only pass it on.
Http = httpx.AsyncClient
_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


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
        return upload_host(self.environment)

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
