"""Auth fixtures: a fresh emulator, a private config dir, the CLI and an OAuth client on it."""

from __future__ import annotations

import logging
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from catalogsync.allegro.oauth import OAuth
from catalogsync.allegro.tokens import Client, TokenSet, TokenStore
from catalogsync.catalog.models import Environment
from catalogsync.emulator.app import create_app
from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run as Run  # re-exported for the auth tests

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "catalog"
SANDBOX_AUTH = "https://allegro.pl.allegrosandbox.pl"
LOCAL_CLIENT = Client("catalogsync-local", "local-secret")
WEB_CLIENT = Client("catalogsync-web", "web-secret")
SELLER, OTHER_SELLER = "1000001", "1000002"
OTHER_OFFER = "20000000001"
LOGIN = ("auth", "login", "--env", "sandbox", "--client-id", "catalogsync-local")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private XDG_CONFIG_HOME, and no CATALOGSYNC_* credentials from the outside."""
    config = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    for name in (
        "ACCESS_TOKEN",
        "REFRESH_TOKEN",
        "REFRESH_TOKEN_FILE",
        "CLIENT_ID",
        "CLIENT_SECRET",
        "API_URL",
        "AUTH_URL",
    ):
        monkeypatch.delenv(f"CATALOGSYNC_{name}", raising=False)
    monkeypatch.setenv("CATALOGSYNC_CLIENT_SECRET", "local-secret")
    return config


@pytest.fixture(autouse=True)
def verbose_handlers() -> Iterator[None]:
    """`-v` adds a handler to the `catalogsync` logger per run: drop them after each test."""
    logger = logging.getLogger("catalogsync")
    handlers, level = list(logger.handlers), logger.level
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)


@pytest.fixture
def store() -> TokenStore:
    return TokenStore()


@pytest.fixture
async def http(backend: Backend) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(backend))
    async with httpx.AsyncClient(transport=transport) as client:
        yield client


@pytest.fixture
def oauth(http: httpx.AsyncClient) -> OAuth:
    return OAuth(http, Environment.SANDBOX, SANDBOX_AUTH, LOCAL_CLIENT)


def catalog(tmp_path: Path, environment: str = "sandbox") -> Path:
    """The example catalog, pointed at `environment`."""
    target = tmp_path / f"catalog-{environment}"
    if target.exists():
        return target
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".catalogsync"))
    settings = target / "catalogsync.yaml"
    settings.write_text(
        settings.read_text().replace("environment: local", f"environment: {environment}")
    )
    return target


def stored(environment: Environment = Environment.SANDBOX) -> TokenSet:
    tokens = TokenStore().load(environment)
    assert tokens is not None
    return tokens


def secrets_of(*token_sets: TokenSet) -> list[str]:
    """Everything that must never be printed: tokens and the client secret."""
    found = []
    for tokens in token_sets:
        found += [tokens.access(), tokens.refresh() or "", tokens.client_secret.get_secret_value()]
    return [s for s in found if s]


async def approve(http: httpx.AsyncClient, user_code: str, seller: str = SELLER) -> None:
    """The steering route standing in for the seller on Allegro's verification page."""
    answer = await http.post(
        f"{SANDBOX_AUTH}/_emulator/device/approve", json={"user_code": user_code, "user_id": seller}
    )
    assert answer.status_code == 200, answer.text
