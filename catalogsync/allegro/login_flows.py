"""The two ways a seller logs in: the device flow (a code confirmed on Allegro's page) and
the authorization-code flow with PKCE (a browser redirected to this machine)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import time
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl, urlsplit

from catalogsync.allegro.login_errors import DECLINED, LoginError, OAuthRefusal, r5_rule
from catalogsync.allegro.oauth import DeviceCode, OAuth
from catalogsync.allegro.redaction import redact, remember_secret
from catalogsync.allegro.tokens import TokenSet

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
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
