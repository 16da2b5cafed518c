"""Bounded concurrent reads shared by the reading steps."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.errors import AllegroError

#: Detail reads in flight at once; well under the 20 sessions Allegro allows (R3).
CONCURRENCY = 10
PAGE = 1000
T = TypeVar("T")
K = TypeVar("K")


async def gather_map(keys: Iterable[K], fetch: Callable[[K], Awaitable[T]]) -> dict[K, T]:
    """Run `fetch` for each key with bounded concurrency; keep the keys' order."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(key: K) -> T:
        async with gate:
            return await fetch(key)

    keys = list(keys)
    results = await asyncio.gather(*(one(k) for k in keys))
    return dict(zip(keys, results, strict=True))


async def read_offer(client: AllegroClient, offer_id: str) -> dict[str, Any] | None:
    """One offer in detail; None when Allegro no longer has it (R20)."""
    try:
        doc: dict[str, Any] = await client.get(f"/sale/product-offers/{offer_id}")
    except AllegroError as exc:
        if exc.status == 404:
            return None
        raise
    return doc


def external_id(listing: dict[str, Any]) -> str | None:
    return (listing.get("external") or {}).get("id")


def status_of(listing: dict[str, Any]) -> str:
    return str((listing.get("publication") or {}).get("status") or "INACTIVE")


def product_id(doc: dict[str, Any]) -> str | None:
    """The catalogue product an offer sells (the first of its product set)."""
    for element in doc.get("productSet") or []:
        found = (element.get("product") or {}).get("id")
        if found:
            return str(found)
    return None
