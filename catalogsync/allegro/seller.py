"""Who a run acts as, checked before the first call, and its 401/403 answers explained.

An application token without `user_name` is refused (R10), one from another environment too,
as far as its claims or its origin tell (R9). 401/403 answers say what they mean for this
seller (R8-R10, R21).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

import httpx

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.errors import AuthError, ErrorDetail
from catalogsync.allegro.redaction import redact
from catalogsync.allegro.targets import CLIENT_ID_ENV, REFRESH_TOKEN_ENV, Target
from catalogsync.allegro.tokens import TokenInfo, TokenSet, inspect_token, issuer_environment
from catalogsync.catalog.models import Environment
from catalogsync.errors import ConfigError

_EMPTY_USER = ("Empty user_name claim", "UserRepresentativeException", "EmptyUserIdException")


@dataclass(frozen=True)
class Seller:
    """Who a run acts as: the `user_name` of its token, in one environment."""

    user_name: str
    environment: Environment
    #: the token's scopes, as far as it shows them (none known: assume it may write)
    scopes: tuple[str, ...] = ()

    def check_writes(self) -> None:
        """Refuse to start an apply with a login that can only read (`--read-only`)."""
        if self.scopes and not any(scope.endswith(":write") for scope in self.scopes):
            env = self.environment.value
            raise ConfigError(
                f"the {env} login has read scopes only (`auth login --read-only`, for plans): "
                f"Allegro would refuse every change with 403. Apply with a login that may "
                f"write: `catalogsync auth login --env {env}` (in CI: the apply job's own secret)"
            )


def check_token(tokens: TokenSet, target: Target) -> Seller:
    """Refuse before the first call what Allegro would refuse: R10 and the R9 we can see."""
    info = inspect_token(tokens.access())
    env = target.environment.value
    if info is None:
        raise ConfigError(f"the {env} access token is not a JWT: not one of Allegro's")
    if info.user_name is None:
        raise ConfigError(r10_message(target.environment))
    issued_by = issuer_environment(info)
    if issued_by and target.issuer and issued_by != target.issuer:
        raise ConfigError(r9_message(target.environment, f"the {_issuer_name(issued_by)}"))
    _check_client_id(info, target)
    return Seller(info.user_name, target.environment, info.scopes)


def _check_client_id(info: TokenInfo, target: Target) -> None:
    """Sandbox and production apps have different ids: a token of another app is suspect."""
    configured = os.environ.get(CLIENT_ID_ENV)
    if target.emulated or not configured or not info.client_id or info.client_id == configured:
        return
    raise ConfigError(
        r9_message(target.environment, f"application {info.client_id}, not {configured} "
                   f"({CLIENT_ID_ENV})")
    )


def check_origin(stored: TokenSet, target: Target) -> None:
    if stored.auth_url.rstrip("/") != target.auth_url:
        raise ConfigError(r9_message(target.environment, stored.auth_url))


def _issuer_name(kind: str) -> str:
    return "local emulator" if kind == "emulator" else f"Allegro {kind}"


def r10_message(environment: Environment) -> str:
    env = environment.value
    return (
        f"The {env} token has no user_name claim: it is an application token from the "
        "client_credentials grant and acts for no seller (R10). Offers belong to a seller, so "
        'Allegro answers every offer call made with it with "Empty user_name claim".\n'
        f"Log in as the seller with the device flow: `catalogsync auth login --env {env}` "
        "prints a code and a page of Allegro's; log in there as the seller and confirm the code. "
        f"In CI use the refresh token of such a login ({REFRESH_TOKEN_ENV}).\n"
        f"refusing to work on offers in {env} with an application (client_credentials) token"
    )


def r9_message(environment: Environment, issuer: str) -> str:
    env = environment.value
    return (
        f"The access token for {env} was issued by {issuer}. A token works only in the "
        "environment that issued it (R9): sandbox and production have separate accounts and "
        'applications, and Allegro answers a foreign token with "Cannot convert access token '
        f'to JSON". Log in to {env}: `catalogsync auth login --env {env}`.\n'
        f"the {env} access token comes from another environment"
    )


# --------------------------------------------------------------------------- explained errors

_OWNED = re.compile(r"^/sale/(?:product-offers|offers|shipping-rates)/([^/?]+)")


class SellerClient(AllegroClient):
    """An `AllegroClient` acting as `seller`, whose 401/403 errors say what to do."""

    def __init__(self, http: httpx.AsyncClient, seller: Seller) -> None:
        super().__init__(http, None)
        self.seller = seller

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return await super().request(method, path, **kwargs)
        except AuthError as error:
            raise explain(error, self.seller) from None


def explain(error: AuthError, seller: Seller) -> AuthError:
    """The same error, secrets redacted, with what it means for this seller (R8-R10, R21)."""
    details = [
        ErrorDetail(d.code, redact(d.message), d.path,
                    d.user_message and redact(d.user_message), d.metadata)
        for d in error.details
    ]
    why = ErrorDetail("catalogsync", _reason(error, seller))
    return AuthError(error.status, error.method, error.path, [*details, why])


def _reason(error: AuthError, seller: Seller) -> str:
    said = " ".join([*error.codes, *(d.message for d in error.details)])
    env = seller.environment.value
    if any(marker in said for marker in _EMPTY_USER):
        return (f'"Empty user_name claim": the {env} token acts for no seller, as a '
                "client_credentials token has no user_name (R10); log in as the seller with "
                f"the device flow, `catalogsync auth login --env {env}`")
    if "Cannot convert access token to JSON" in said:
        return (f"Allegro could not read the {env} access token: it was most likely issued by "
                "the other environment, and tokens work only where they were issued (R9); log "
                f"in to {env}: `catalogsync auth login --env {env}`")
    if error.status == 401 and "invalid_token" in error.codes:
        return (f"the {env} access token was rejected and could not be refreshed: log in again "
                f"with `catalogsync auth login --env {env}`")
    owned = _OWNED.match(error.path)
    if owned:
        return _ownership(error.path, owned.group(1), seller)
    return (f"this run acts as seller {seller.user_name} in {env}; the token may lack a scope "
            "for this call, or the resource belongs to another seller (R8)")


def _ownership(path: str, resource: str, seller: Seller) -> str:
    kind = "shipping-rate table" if "shipping-rates" in path else "offer"
    env = seller.environment.value
    return (
        f"{kind} {resource} belongs to another seller: this run acts as seller "
        f"{seller.user_name} (user_name of the {env} token), and a seller can read and change "
        f"only their own {kind}s (R8, R21). Log in as the seller who owns it "
        f"(`catalogsync auth login --env {env}`), or drop the id from "
        f".catalogsync/state-{env}.json if it was recorded for another account"
    )
