"""`catalogsync auth`: log in to Allegro (device or authorization-code flow), show the login,
log out. The flows live in allegro/login_flows.py, the token store in allegro/tokens.py;
nothing secret is printed."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import click

from catalogsync.allegro.credentials import (
    app_client,
    approve_on_emulator,
    follow_emulator_login,
    keeper,
)
from catalogsync.allegro.login_flows import LOOPBACK, Browser, Pause, code_login, device_login
from catalogsync.allegro.oauth import READ_ONLY_SCOPES, DeviceCode, OAuth
from catalogsync.allegro.session import Persist
from catalogsync.allegro.targets import (
    ACCESS_TOKEN_ENV,
    CLIENT_ID_ENV,
    CLIENT_SECRET_ENV,
    REFRESH_TOKEN_ENV,
    REFRESH_TOKEN_FILE_ENV,
    Http,
    Target,
    target_for,
)
from catalogsync.allegro.tokens import (
    SELLER_ENV,
    Client,
    TokenSet,
    TokenStore,
    fingerprint,
    inspect_token,
    issuer_environment,
    seller_of,
)
from catalogsync.catalog.models import Environment
from catalogsync.config import LOCAL_SELLER_ID
from catalogsync.errors import ConfigError

T = TypeVar("T")
ENVIRONMENTS = click.Choice([e.value for e in Environment])
DEFAULT_REDIRECT = "http://localhost:8765/callback"
CODE_TIMEOUT = 300.0


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def _say(text: str) -> None:
    click.echo(text, err=True)


@click.group()
def auth() -> None:
    """Log in to Allegro, see who you are logged in as, log out.

    Tokens are kept per environment and seller in $XDG_CONFIG_HOME/catalogsync/tokens/ (default
    ~/.config/catalogsync/tokens/), readable by you only; plan and apply refresh them.
    The local environment needs none of this: it logs in to the embedded emulator by itself.
    """


# --------------------------------------------------------------------------- login


@auth.command()
@click.option("--env", "env_name", type=ENVIRONMENTS, default="sandbox", show_default=True,
              help="The Allegro to log in to.")
@click.option("--flow", type=click.Choice(["device", "code", "refresh"]),
              help="device: confirm a code on Allegro's page (default). code: log in in a "
              "browser that Allegro redirects to this machine. refresh: trade "
              f"{REFRESH_TOKEN_ENV} (or the stored refresh token) for a new pair "
              f"(default when {REFRESH_TOKEN_ENV} is set).")
@click.option("--client-id", envvar=CLIENT_ID_ENV, show_envvar=True,
              help="The application's client id (default: the stored one).")
@click.option("--client-secret", envvar=CLIENT_SECRET_ENV, show_envvar=True,
              help="The application's secret; prefer the variable (asked for on a terminal).")
@click.option("--redirect-uri", default=DEFAULT_REDIRECT, show_default=True,
              help="--flow code: the redirect URI registered for the application, exactly (R5).")
@click.option("--no-browser", is_flag=True, help="--flow code: print the page, do not open it.")
@click.option("--refresh-token-out", type=click.Path(dir_okay=False, path_type=Path),
              envvar=REFRESH_TOKEN_FILE_ENV, show_envvar=True,
              help="Also write the refresh token to FILE (mode 0600), e.g. for a CI secret.")
@click.option("--no-save", is_flag=True,
              help="Keep nothing in the token store (a login for CI: use --refresh-token-out).")
@click.option("--read-only", is_flag=True,
              help="Ask Allegro for read scopes only: enough for plan and drift, refused "
              "(403) by every write, e.g. for the plan jobs of CI.")
@click.pass_context
def login(
    ctx: click.Context, env_name: str, flow: str | None, client_id: str | None,
    client_secret: str | None, redirect_uri: str, no_browser: bool,
    refresh_token_out: Path | None, no_save: bool, read_only: bool,
) -> None:
    """Log in as a seller and keep the tokens for plan and apply.

    The device flow prints a code and a page of Allegro's: open the page, log in as the
    seller, confirm the code; catalogsync polls until you have. The code flow opens Allegro's
    login in a browser and catches its redirect on 127.0.0.1; the application must have
    that redirect URI registered, character for character.
    """
    environment = Environment(env_name)
    target = target_for(environment, None, getattr(ctx.obj, "emulator", None))
    store = TokenStore()
    stored = _stored(store, environment) if environment is not Environment.LOCAL else None
    client = _client(target, client_id, client_secret, stored)
    chosen = flow or ("refresh" if os.environ.get(REFRESH_TOKEN_ENV) and not read_only
                      else "device")
    if read_only and chosen == "refresh":
        raise click.UsageError("--read-only asks for scopes at a new login (--flow device or "
                               "code); a refresh keeps the scopes of the login it came from")
    scopes = READ_ONLY_SCOPES if read_only else ()
    local = environment is Environment.LOCAL
    keep = keeper(None if no_save or local else store, refresh_token_out)
    tokens = _run(_login(target, client, chosen, stored, keep, redirect_uri, no_browser, scopes))
    saved = None if no_save or local else store.path(environment, seller_of(tokens))
    _report(tokens, saved, refresh_token_out)


def _stored(store: TokenStore, environment: Environment) -> TokenSet | None:
    """A stored login to take the application (and, for `--flow refresh`, the refresh token)
    from: CATALOGSYNC_SELLER's, or the first seller's."""
    sellers = store.sellers(environment)
    chosen = os.environ.get(SELLER_ENV) or (sellers[0] if sellers else None)
    return store.load(environment, chosen) if chosen else None


def _client(
    target: Target, client_id: str | None, secret: str | None, stored: TokenSet | None
) -> Client:
    client = app_client(target, client_id, secret, stored)
    if client is not None:
        return client
    client_id = client_id or os.environ.get(CLIENT_ID_ENV) or (stored.client_id if stored else None)
    if not client_id:
        raise ConfigError(
            "Register an application for catalogsync in Allegro's application manager "
            "(https://apps.developer.allegro.pl, sandbox: "
            "https://apps.developer.allegro.pl.allegrosandbox.pl).\n"
            f"no client id: pass --client-id or set {CLIENT_ID_ENV}"
        )
    if not sys.stdin.isatty():
        raise ConfigError(f"no client secret for {client_id}: set {CLIENT_SECRET_ENV}")
    return Client(client_id, click.prompt(f"Client secret of {client_id}", hide_input=True))


async def _login(
    target: Target, client: Client, flow: str, stored: TokenSet | None, keep: Persist,
    redirect_uri: str, no_browser: bool, scopes: tuple[str, ...] = (),
) -> TokenSet:
    """Run one flow; the new pair is kept (store, CI file) before anything else happens."""
    async with target.http() as http:
        oauth = OAuth(http, target.environment, target.auth_url, client, scopes)
        if flow == "device":
            tokens = await _device_flow(oauth, target, http)
        elif flow == "code":
            tokens = await _code_flow(oauth, target, http, redirect_uri, no_browser)
        else:
            tokens = await _refresh_flow(oauth, stored)
        keep(tokens)
        return tokens


async def _device_flow(oauth: OAuth, target: Target, http: Http) -> TokenSet:
    device = await oauth.start_device()
    _say(
        f"To log in to Allegro {target.environment.value}, open\n"
        f"  {device.verification_uri_complete}\n"
        f"log in as the seller and confirm the code {device.user_code} "
        f"(valid {device.expires_in // 60} min)."
    )
    pause = _emulator_pause(http, target, device) if target.emulated else _polling(target, device)
    _say(f"Waiting for the confirmation (checking every {device.interval} s) ...")
    return await device_login(oauth, device, pause)


def _emulator_pause(http: Http, target: Target, device: DeviceCode) -> Pause:
    """The emulator has no login page: confirm the code as its demo seller, then poll on."""

    seller = os.environ.get(SELLER_ENV) or LOCAL_SELLER_ID

    async def pause(seconds: float) -> None:
        _say(f"The emulator has no login page: confirming the code as seller {seller}.")
        await approve_on_emulator(http, target.auth_url, device.user_code, seller)

    return pause


def _polling(target: Target, device: DeviceCode) -> Pause:
    if urlsplit(target.auth_url).hostname in LOOPBACK:
        _say(
            "An emulator on this machine? Confirm with: curl -X POST "
            f"{target.auth_url}/_emulator/device/approve -H 'Content-Type: application/json' "
            f"-d '{{\"user_code\": \"{device.user_code}\"}}'"
        )

    async def pause(seconds: float) -> None:
        await asyncio.sleep(seconds)

    return pause


async def _code_flow(
    oauth: OAuth, target: Target, http: Http, redirect_uri: str, no_browser: bool
) -> TokenSet:
    if target.emulated:
        browser = _emulator_browser(http, oauth, redirect_uri)
    else:
        browser = _real_browser(no_browser)
    _say(f"Waiting for Allegro's redirect to {redirect_uri} ...")
    return await code_login(oauth, redirect_uri, browser, CODE_TIMEOUT)


def _real_browser(no_browser: bool) -> Browser:
    async def browse(url: str) -> None:
        _say(f"Log in as the seller on Allegro's page:\n  {url}")
        if not no_browser:
            click.launch(url)

    return browse


def _emulator_browser(http: Http, oauth: OAuth, redirect_uri: str) -> Browser:
    async def browse(url: str) -> None:
        _say(f"The emulator logs seller {LOCAL_SELLER_ID} in at once; following its redirect.")
        await follow_emulator_login(http, oauth, url, redirect_uri)

    return browse


async def _refresh_flow(oauth: OAuth, stored: TokenSet | None) -> TokenSet:
    seed = os.environ.get(REFRESH_TOKEN_ENV)
    origin = fingerprint(seed) if seed else (stored.origin if stored else None)
    if stored is not None and (not seed or stored.origin == origin):
        seed = stored.refresh()  # CI's token was traded already: its successor is stored
    if not seed:
        raise ConfigError(
            f"nothing to refresh with: set {REFRESH_TOKEN_ENV}, or log in with the device flow"
        )
    return await oauth.refresh(seed, origin)


def _report(tokens: TokenSet, saved: Path | None, refresh_out: Path | None) -> None:
    info = inspect_token(tokens.access())
    seller = info.user_name if info and info.user_name else "none (an application token)"
    env = tokens.environment.value
    click.echo(f"Logged in to Allegro {env} as seller {seller} "
               f"(application {tokens.client_id}).")
    if info and info.scopes:
        click.echo(f"Scopes: {' '.join(info.scopes)}")
    click.echo(f"The access token is valid until {_when(tokens.expires_at)}; plan and apply "
               "refresh it.")
    if tokens.environment is Environment.LOCAL:
        click.echo("Local logins are not stored: plan and apply log in to the emulator themselves.")
    elif saved is not None:
        click.echo(f"Tokens saved to {saved} (mode 0600).")
    if refresh_out is not None and tokens.refresh():
        click.echo(
            f"Refresh token written to {refresh_out} (mode 0600). It is single-use: give it to "
            f"CI as {REFRESH_TOKEN_ENV} and store the rotated one after every run (README)."
        )


def _when(moment: datetime) -> str:
    left = moment - datetime.now(UTC)
    if left.total_seconds() <= 0:
        return f"{moment:%Y-%m-%d %H:%M} UTC (expired)"
    hours, minutes = divmod(int(left.total_seconds()) // 60, 60)
    return f"{moment:%Y-%m-%d %H:%M} UTC ({hours} h {minutes} min left)"


# --------------------------------------------------------------------------- status, logout


@auth.command()
@click.option("--env", "env_name", type=ENVIRONMENTS, help="One environment (default: all).")
@click.pass_context
def status(ctx: click.Context, env_name: str | None) -> None:
    """Show each environment's login: seller (user_name), application, scopes, expiry.

    Reads only the token store and the CATALOGSYNC_* variables; calls nothing. Exits 1 when
    --env names an environment with no login.
    """
    store = TokenStore()
    chosen = [Environment(env_name)] if env_name else list(Environment)
    found = False
    for environment in chosen:
        lines, logged_in = _status(environment, store)
        found = found or logged_in
        for line in lines:
            click.echo(line)
    if env_name and not found:
        ctx.exit(1)


def _status(environment: Environment, store: TokenStore) -> tuple[list[str], bool]:
    env = environment.value
    if environment is Environment.LOCAL:
        return [f"local: logs in by itself to the embedded emulator as seller {LOCAL_SELLER_ID}; "
                "nothing stored"], True
    given = os.environ.get(ACCESS_TOKEN_ENV)
    if given:
        return [f"{env}: {ACCESS_TOKEN_ENV} is set (used as is, never refreshed)",
                *_describe(given, None)], True
    sellers = store.sellers(environment)
    logins = [store.load(environment, seller) for seller in sellers]
    lines = _seed_lines([t for t in logins if t is not None])
    if not sellers:
        hint = f"{env}: not logged in; run `catalogsync auth login --env {env}`"
        return [hint, *lines], bool(lines)
    out = [f"{env}: logged in" + (f" as {len(sellers)} sellers" if len(sellers) > 1 else "")]
    for seller, stored in zip(sellers, logins, strict=True):
        assert stored is not None
        path = store.path(environment, seller)
        mode = path.stat().st_mode & 0o777
        refresh = "stored (single-use: every refresh rotates it)" if stored.refresh() else "none"
        out += [*_describe(stored.access(), stored.expires_at),
                f"  refresh token   {refresh}",
                f"  token file      {path} (mode {mode:04o})"]
    return [*out, *lines], True


def _seed_lines(stored: list[TokenSet]) -> list[str]:
    seed = os.environ.get(REFRESH_TOKEN_ENV)
    if not seed:
        return []
    if any(tokens.origin == fingerprint(seed) for tokens in stored):
        return [f"  {REFRESH_TOKEN_ENV} was traded already; its successor is stored"]
    return [f"  {REFRESH_TOKEN_ENV} is set: the next plan or apply refreshes with it"]


def _describe(access: str, expires_at: datetime | None) -> list[str]:
    info = inspect_token(access)
    if info is None:
        return ["  token           not a JWT, so not Allegro's"]
    seller = f"{info.user_name} (user_name in the token)" if info.user_name else (
        "none: an application token (client_credentials); plan and apply refuse it (R10)"
    )
    lines = [f"  seller          {seller}",
             f"  application     {info.client_id or 'unknown'}"]
    issuer = issuer_environment(info)
    if info.issuer:
        lines.append(f"  issuer          {info.issuer} ({issuer or 'unknown environment'})")
    lines.append(f"  scopes          {' '.join(info.scopes) or 'none'}")
    expiry = info.expires_at or expires_at
    if expiry is not None:
        lines.append(f"  access token    valid until {_when(expiry)}")
    return lines


@auth.command()
@click.option("--env", "env_name", type=ENVIRONMENTS, help="One environment (default: all).")
@click.option("--seller", help="One seller's login, by id (default: every seller's).")
def logout(env_name: str | None, seller: str | None) -> None:
    """Delete the stored tokens of one environment, or of all; of one seller, or of all.

    Allegro keeps a refresh token valid until it expires (3 months unused); to cut it off at
    once, remove the application's access in the seller's Allegro account settings.
    """
    store = TokenStore()
    chosen = [Environment(env_name)] if env_name else list(Environment)
    deleted = [(env, who) for env in chosen for who in store.sellers(env)
               if seller in (None, who) and store.delete(env, who)]
    for environment, who in deleted:
        click.echo(f"Logged out of {environment.value} as seller {who}: deleted "
                   f"{store.path(environment, who)}.")
    if not deleted:
        whose = f" of seller {seller}" if seller else ""
        click.echo(f"No stored login{whose} for {env_name or 'any environment'}; "
                   "nothing to delete.")
    for name in (ACCESS_TOKEN_ENV, REFRESH_TOKEN_ENV):
        if os.environ.get(name):
            click.echo(f"{name} is still set in this shell; plan and apply will use it.")
