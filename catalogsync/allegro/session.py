"""A run's session: the access token every API request carries, refreshed before it expires
and once after a 401 invalid_token."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from datetime import UTC, datetime

import httpx

from catalogsync.allegro.oauth import OAuth
from catalogsync.allegro.tokens import TokenSet

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
