"""Open an `AllegroClient` for a catalog's environment, logged in as its seller.

Where to talk is `targets.py`; which tokens to use, `credentials.py`; who the run acts as,
checked before the first call and named in 401/403 errors, `seller.py`; the rate budget it
shares with other processes, if a store is set, `ratestore.py`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any

import httpx

from catalogsync.allegro.credentials import open_session
from catalogsync.allegro.process_budget import join
from catalogsync.allegro.seller import SellerClient, check_token
from catalogsync.allegro.session import BearerAuth
from catalogsync.allegro.targets import CLIENT_ID_ENV, target_for
from catalogsync.allegro.tokens import inspect_token
from catalogsync.catalog.models import Environment
from catalogsync.state.storelock import store_url

log = logging.getLogger("catalogsync.auth")


@asynccontextmanager
async def connect(
    environment: Environment, catalog_dir: Path, emulator: Any = None,
    owner: str | None = None,
) -> AsyncIterator[SellerClient]:
    """Yield a client acting as the catalog's seller (`client.seller`), its token checked:
    the login of `owner` (the seller id its lock file names) where one login per seller is kept.

    For the local environment without `emulator`, the catalog's own emulator database under
    `.catalogsync/` is opened.
    """
    target = target_for(environment, catalog_dir, emulator)
    async with target.http() as oauth_http:
        session = await open_session(target, oauth_http, owner)
        seller = check_token(session.tokens, target)
        log.info("acting as seller %s in %s", seller.user_name, environment.value)
        hosts = frozenset(str(httpx.URL(url).host) for url in (target.api_url, target.upload_url))
        info = inspect_token(session.tokens.access())
        client_id = (info and info.client_id) or os.environ.get(CLIENT_ID_ENV, "")
        async with target.http(target.api_url, BearerAuth(session, hosts)) as http:
            client = SellerClient(http, seller)
            async with _budget(client, target.api_url, client_id):
                yield client


def _budget(client: SellerClient, api_url: str, client_id: str
            ) -> AbstractAsyncContextManager[object]:
    """Join this process's budget; with a store, share the client id's with the others (the
    store's module, and redis with it, is imported only then: 0.15 s of every start-up)."""
    seller = client.seller.user_name
    if not store_url():
        join(client.pacer, api_url, client_id, seller, 1)
        return nullcontext()
    from catalogsync.allegro.ratestore import runners, shared_budget

    join(client.pacer, api_url, client_id, seller, runners())
    return shared_budget(client.pacer, api_url, client_id, seller)
