"""What a refused login or refresh means and what to do about it (R5-R7 and the rest).

Allegro's OAuth errors are terse (`invalid_grant`, "Full authentication is required"); each
explanation here names the likely cause for this application in this environment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from catalogsync.allegro.tokens import Client
from catalogsync.catalog.models import Environment
from catalogsync.errors import ConfigError

APP_MANAGERS = {
    Environment.PRODUCTION: "https://apps.developer.allegro.pl",
    Environment.SANDBOX: "https://apps.developer.allegro.pl.allegrosandbox.pl",
    Environment.LOCAL: "the emulator's seed (catalogsync/emulator/seed/accounts.py)",
}


class LoginError(ConfigError):
    """Allegro refused a login or a refresh; the message says why and what to do."""


class OAuthRefusal(Exception):
    """An answer in OAuth's shape `{"error", "error_description"}`, description redacted."""

    def __init__(self, status: int, error: str, description: str, *, device: bool = False) -> None:
        super().__init__(f"{error}: {description}")
        self.status = status
        self.error = error
        self.description = description
        self.device = device  # answered to the device flow (its code or its token poll)


class Endpoint(Protocol):
    """The OAuth endpoints an error came from (`oauth.OAuth`)."""

    client: Client
    environment: Environment
    auth_url: str

    @property
    def token_url(self) -> str: ...


Explain = Callable[[Endpoint, OAuthRefusal, str | None], str]


def _bad_client(oauth: Endpoint, refusal: OAuthRefusal, redirect_uri: str | None) -> str:
    return (
        f"Allegro did not accept client id {oauth.client.id} with this secret in "
        f"{oauth.environment.value}. Check --client-id/--client-secret (or "
        "CATALOGSYNC_CLIENT_ID/CATALOGSYNC_CLIENT_SECRET): sandbox and production "
        "applications are registered separately, with their own ids "
        f"({APP_MANAGERS[oauth.environment]}).\n"
        f"Allegro refused the application's credentials ({refusal.status} {refusal.error})"
        + (f': "{refusal.description}"' if refusal.description else "")
    )


def _no_device_grant(oauth: Endpoint, refusal: OAuthRefusal, redirect_uri: str | None) -> str:
    return (
        f"The application {oauth.client.id} is not registered for the device flow in "
        f"{oauth.environment.value}. Give it the device type in Allegro's application manager "
        f"({APP_MANAGERS[oauth.environment]}), or log in with `--flow code` through the "
        "redirect URI it is registered with.\n"
        f'Allegro refused the device login: "{refusal.description}"'
    )


def _r5_redirect(oauth: Endpoint, refusal: OAuthRefusal, redirect_uri: str | None) -> str:
    return f"{r5_rule(redirect_uri)}\nAllegro refused the redirect URI: \"{refusal.description}\""


def r5_rule(redirect_uri: str | None) -> str:
    """The R5 rule, for every error that may come from a redirect URI mismatch."""
    used = f" This login used {redirect_uri}." if redirect_uri else ""
    return (
        "The redirect URI must be exactly the one registered for the application (R5): same "
        "scheme, host (localhost is not 127.0.0.1), port, path and trailing slash." + used
        + " Register exactly that URI for the app, or pass the registered one with "
        "--redirect-uri (http://localhost:PORT/... or http://127.0.0.1:PORT/..., so "
        "catalogsync can listen for the redirect)."
    )


def _r6_no_code(oauth: Endpoint, refusal: OAuthRefusal, redirect_uri: str | None) -> str:
    return (
        "The token request reached Allegro without an authorization code (R6: a missing or "
        "misspelled `code` parameter). catalogsync builds that request itself from the "
        "redirect's ?code=; log in again, and let the browser finish on the redirect page.\n"
        'Allegro answered "An authorization code must be supplied"'
    )


def _r7_wrong_url(oauth: Endpoint, refusal: OAuthRefusal, redirect_uri: str | None) -> str:
    return (
        f"The request did not reach Allegro's token endpoint as an OAuth call (R7). catalogsync "
        f"builds the URL itself: {oauth.token_url}?grant_type=authorization_code&code={{code}}"
        "&redirect_uri={redirect_uri}, with the client's Basic credentials. If you set "
        "CATALOGSYNC_AUTH_URL, it must be the bare host (https://allegro.pl or "
        "https://allegro.pl.allegrosandbox.pl), without a path.\n"
        f'Allegro answered "{refusal.description}" at {oauth.token_url}'
    )


def _dead_device_code(oauth: Endpoint, refusal: OAuthRefusal, redirect_uri: str | None) -> str:
    return (
        "The device code expired or was already used: a code logs in once, within the time "
        "Allegro gave it. Run `catalogsync auth login` again for a new code.\n"
        f'Allegro refused the device code: "{refusal.description}"'
    )


DECLINED = "The login was declined on Allegro's page; nothing was stored"


def _declined(oauth: Endpoint, refusal: OAuthRefusal, redirect_uri: str | None) -> str:
    return DECLINED


def _dead_refresh_token(oauth: Endpoint, refusal: OAuthRefusal, redirect_uri: str | None) -> str:
    env = oauth.environment.value
    return (
        "Refresh tokens are single-use: every refresh returns a new pair and the old refresh "
        "token dies at once (they also expire after 3 months, and on logout from all devices "
        "or a password change). This one was used already: by another run or machine, or by a "
        "CI job whose rotated token was not stored (CATALOGSYNC_REFRESH_TOKEN_FILE, see the "
        f"README). Log in again: `catalogsync auth login --env {env}`.\n"
        f"Allegro refused the refresh token for {env} (invalid_grant)"
    )


def _dead_code(oauth: Endpoint, refusal: OAuthRefusal, redirect_uri: str | None) -> str:
    return (
        "The authorization code expired or was already used: it lives seconds and works once. "
        "Log in again.\nAllegro refused the authorization code (invalid_grant)"
    )


def _grant_missing(oauth: Endpoint, refusal: OAuthRefusal, redirect_uri: str | None) -> str:
    return (
        f"The application {oauth.client.id} is not registered for this grant in "
        f"{oauth.environment.value} ({APP_MANAGERS[oauth.environment]}).\n"
        f'Allegro answered "{refusal.description}"'
    )


def _said(text: str) -> Callable[[OAuthRefusal], bool]:
    return lambda r: text.lower() in r.description.lower()


_EXPLANATIONS: list[tuple[Callable[[OAuthRefusal], bool], Explain]] = [
    (_said("Full authentication is required"), _r7_wrong_url),
    # unauthorized_client is the application's registration, not its secret, even on a 401;
    # Allegro's own words name the missing grant whatever its error code
    (lambda r: (r.error == "unauthorized_client" and (r.device or _said("device")(r)))
     or _said("device_code grant")(r), _no_device_grant),
    (lambda r: r.error != "unauthorized_client" and (
        r.status == 401 or r.error in ("Unauthorized", "invalid_client")), _bad_client),
    (_said("authorization code must be supplied"), _r6_no_code),
    (_said("redirect"), _r5_redirect),
    (_said("Invalid device code"), _dead_device_code),
    (lambda r: r.error == "expired_token", _dead_device_code),
    (lambda r: r.error == "access_denied", _declined),
    (_said("refresh token"), _dead_refresh_token),
    (_said("authorization code"), _dead_code),
    (lambda r: r.error in ("unsupported_grant_type", "unauthorized_client"), _grant_missing),
]


def explain(oauth: Endpoint, refusal: OAuthRefusal, redirect_uri: str | None = None
            ) -> LoginError:
    """Turn an OAuth error into what happened and what to do."""
    for matches, explanation in _EXPLANATIONS:
        if matches(refusal):
            return LoginError(explanation(oauth, refusal, redirect_uri))
    return LoginError(
        f"Allegro refused the login at {oauth.auth_url} ({refusal.status} {refusal.error}): "
        f"{refusal.description}"
    )
