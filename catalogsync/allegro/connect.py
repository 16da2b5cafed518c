"""Open an `AllegroClient` for a catalog's environment: real HTTPS, or the embedded emulator."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from catalogsync.allegro.client import MAX_CONNECTIONS, AllegroClient
from catalogsync.allegro.errors import parse_error_body
from catalogsync.catalog.models import Environment
from catalogsync.config import (
    ENDPOINTS,
    LOCAL_CLIENT_ID,
    LOCAL_CLIENT_SECRET,
    LOCAL_SELLER_ID,
    emulator_db,
)
from catalogsync.errors import ConfigError

TOKEN_ENV = "CATALOGSYNC_ACCESS_TOKEN"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


@asynccontextmanager
async def connect(
    environment: Environment, catalog_dir: Path, emulator: Any = None
) -> AsyncIterator[AllegroClient]:
    """Yield a client acting as the catalog's seller.

    For the local environment `emulator` is an emulator `Backend` to talk to in-process;
    without one, the catalog's own emulator database under `.catalogsync/` is opened.
    """
    endpoints = ENDPOINTS[environment]
    limits = httpx.Limits(max_connections=MAX_CONNECTIONS)
    if environment is Environment.LOCAL:
        transport = _local_transport(catalog_dir, emulator)
        async with httpx.AsyncClient(
            base_url=endpoints.api, transport=transport, timeout=_TIMEOUT, limits=limits
        ) as http:
            yield AllegroClient(http, await _local_login(http))
        return
    token = os.environ.get(TOKEN_ENV)
    if not token:
        raise ConfigError(
            f"no access token for {environment.value}: set {TOKEN_ENV} to a user token "
            "obtained with Allegro's device flow"
        )
    async with httpx.AsyncClient(base_url=endpoints.api, timeout=_TIMEOUT, limits=limits) as http:
        yield AllegroClient(http, token)


def _local_transport(catalog_dir: Path, emulator: Any) -> httpx.ASGITransport:
    from catalogsync.emulator.app import create_app
    from catalogsync.emulator.backend import Backend

    backend = emulator if emulator is not None else Backend(emulator_db(catalog_dir))
    return httpx.ASGITransport(app=create_app(backend))


async def _local_login(http: httpx.AsyncClient) -> str:
    """Log the local seller in through the emulator's device flow, approving it at once."""
    auth = (LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET)
    device = await http.post("/auth/oauth/device", data={"client_id": LOCAL_CLIENT_ID}, auth=auth)
    _raise_for_oauth(device)
    code = device.json()
    approval = await http.post(
        "/_emulator/device/approve",
        json={"user_code": code["user_code"], "user_id": LOCAL_SELLER_ID},
    )
    approval.raise_for_status()
    token = await http.post(
        "/auth/oauth/token",
        params={"grant_type": DEVICE_GRANT, "device_code": code["device_code"]},
        auth=auth,
    )
    _raise_for_oauth(token)
    return str(token.json()["access_token"])


def _raise_for_oauth(response: httpx.Response) -> None:
    if response.status_code >= 400:
        details = parse_error_body(response.json())
        reason = "; ".join(f"{d.code}: {d.message}" for d in details) or response.text
        raise ConfigError(f"could not log in to the local emulator: {reason}")
