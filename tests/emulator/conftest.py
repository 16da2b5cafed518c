"""Fixtures of the emulator's tests: an in-memory backend with instant processing, an
in-process HTTP client for its app, and demo-seller logged in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from catalogsync.emulator import seed
from catalogsync.emulator.app import create_app
from catalogsync.emulator.backend import Backend
from tests.emulator.support import Seller, user_token


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def backend() -> Backend:
    emulator = Backend()
    emulator.settings.processing_delay = 0.0
    return emulator


@pytest.fixture
async def http(backend: Backend) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(backend))
    async with httpx.AsyncClient(transport=transport, base_url="http://allegro.local") as client:
        yield client


@pytest.fixture
def seller(http: httpx.AsyncClient, backend: Backend) -> Seller:
    return Seller(http, user_token(backend, seed.DEMO_SELLER_ID))
