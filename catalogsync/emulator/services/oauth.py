"""OAuth as Allegro runs it for the emulator's applications (R5-R10, API_NOTES §1).

The device flow (`POST /auth/oauth/device`, approved through steering), the authorization-code
flow (`GET /auth/oauth/authorize` as if demo-seller agreed at once), refresh tokens (single-use:
the pair they belonged to dies with them) and client credentials. Access tokens are HS256 JWTs
signed with a secret kept in the store across resets; `principal` checks a bearer token.
"""

from __future__ import annotations

import json
import secrets
import string
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from catalogsync.emulator.core.errors import Doc, OAuthError, iso
from catalogsync.emulator.core.reference import Reference
from catalogsync.emulator.core.store import Store
from catalogsync.emulator.seed import DEMO_SELLER_ID

SCHEMA = """
CREATE TABLE IF NOT EXISTS grants (
    kind TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (kind, key));
"""
ISSUER = "allegro-emulator"
SCOPES = (
    "allegro:api:profile:read allegro:api:sale:offers:read allegro:api:sale:offers:write "
    "allegro:api:sale:settings:read allegro:api:sale:settings:write allegro:api:campaigns "
    "allegro:api:orders:read"
)
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
ACCESS_TTL = timedelta(hours=12)
EXPIRES_IN = 43199
REFRESH_TTL = timedelta(days=90)
DEVICE_TTL = 3600
DEVICE_INTERVAL = 5
DECODED_KEPT = 1024  # decoded tokens kept (the cache starts over when full)


def granted(requested: str | None) -> str:
    """The scopes a login gets: those asked for that the application has, or all of them
    when none were asked for (as Allegro does since 2022: allegro-api#5314)."""
    asked = (requested or "").split()
    return " ".join(s for s in SCOPES.split() if s in asked) if asked else SCOPES


@dataclass(frozen=True)
class Principal:
    """Who a bearer token speaks for; `user_id` is None for client_credentials tokens."""

    client_id: str
    user_id: str | None
    scopes: frozenset[str] = frozenset(SCOPES.split())


class OAuth:
    """Grants (device codes, authorization codes, access and refresh tokens), kept in the
    `grants` table; a reset of the emulator keeps them, so running clients carry on."""

    def __init__(self, store: Store, reference: Reference) -> None:
        self._store = store
        self._reference = reference
        store.create(SCHEMA)
        self._secret = str(store.set_default("jwt_secret", secrets.token_hex(32)))
        #: token -> its claims, for tokens that decoded (see `_claims`)
        self._decoded: dict[str, Doc] = {}

    def approve_device(self, user_code: str, user_id: str) -> None:
        """What the user does on the verification page: bind the device code to a seller."""
        with self._store.session() as now:
            if user_id not in self._reference.users:
                raise ValueError(f"no user {user_id}")
            link = self._grant("user_code", user_code)
            code = str(link["device_code"]) if link else ""
            device = self._grant("device", code)
            if device is None or device["consumed"] or device["expiresAt"] < iso(now):
                raise LookupError(f"no pending device code for user code {user_code}")
            device["user"] = user_id
            self._put_grant("device", code, device)

    def _grant(self, kind: str, key: str) -> Doc | None:
        row = self._store.db.execute(
            "SELECT doc FROM grants WHERE kind = ? AND key = ?", (kind, key)
        ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def _put_grant(self, kind: str, key: str, doc: Doc) -> None:
        self._store.db.execute(
            "INSERT OR REPLACE INTO grants (kind, key, doc) VALUES (?, ?, ?)",
            (kind, key, json.dumps(doc)),
        )

    def _client(self, client_id: str | None, secret: str | None) -> Doc:
        client = self._reference.clients.get(client_id or "")
        if client is None or not secrets.compare_digest(client["secret"], secret or ""):
            raise OAuthError(401, "Unauthorized", "Unauthorized")
        return client

    def device_authorize(self, client_id: str | None, secret: str | None, requested: str | None,
                         scope: str | None = None) -> Doc:
        """`POST /auth/oauth/device`: codes for the device flow (no verification URIs)."""
        with self._store.session() as now:
            client = self._client(client_id, secret)
            if requested != client["id"]:
                raise OAuthError(400, "invalid_request", "Missing or wrong client_id parameter")
            if DEVICE_GRANT not in client["grants"]:
                raise OAuthError(  # 401, as Allegro answers it ([I#5171] states no status)
                    401, "unauthorized_client", "Client does not have the device_code grant."
                )
            device_code = secrets.token_urlsafe(24)
            alphabet = string.ascii_lowercase + string.digits
            user_code = "".join(secrets.choice(alphabet) for _ in range(9))
            expires = iso(now + timedelta(seconds=DEVICE_TTL))
            self._put_grant("device", device_code, {
                "client": client["id"], "user": None, "expiresAt": expires, "consumed": False,
                "scope": granted(scope),
            })
            self._put_grant("user_code", user_code, {"device_code": device_code})
            return {"device_code": device_code, "expires_in": DEVICE_TTL, "user_code": user_code,
                    "interval": DEVICE_INTERVAL}

    def authorize(self, client_id: str | None, redirect_uri: str | None, response_type: str | None,
                  scope: str | None = None) -> str:
        """`GET /auth/oauth/authorize` as if demo-seller logged in and agreed: a code."""
        with self._store.session() as now:
            client = self._reference.clients.get(client_id or "")
            if client is None:
                raise OAuthError(401, "invalid_client", f"Bad client credentials: {client_id}")
            if response_type != "code":
                raise OAuthError(400, "unsupported_response_type",
                                 f"Unsupported response types: [{response_type}]")
            if redirect_uri != client["redirect_uri"]:  # R5
                raise OAuthError(400, "invalid_request", f"Invalid redirect: {redirect_uri} "
                                 "does not match one of the registered values.")
            code = secrets.token_urlsafe(16)
            self._put_grant("code", code, {
                "client": client["id"], "user": DEMO_SELLER_ID, "redirectUri": redirect_uri,
                "expiresAt": iso(now + timedelta(minutes=10)), "used": False,
                "scope": granted(scope),
            })
            return code

    def token(self, client_id: str | None, secret: str | None, params: Mapping[str, str]) -> Doc:
        """`POST /auth/oauth/token` for every grant the emulator's application has."""
        with self._store.session() as now:
            client = self._client(client_id, secret)
            grant_type = params.get("grant_type")
            if not grant_type:
                raise OAuthError(400, "invalid_request", "Missing grant type")
            if grant_type not in client["grants"]:
                raise OAuthError(400, "unsupported_grant_type",
                                 f"Unsupported grant type: {grant_type}")
            if grant_type == "client_credentials":
                return self._issue(now, client["id"], None, SCOPES)
            grant = {
                DEVICE_GRANT: self._redeem_device,
                "refresh_token": self._redeem_refresh,
                "authorization_code": self._redeem_code,
            }[grant_type](now, client, params)
            return self._issue(now, client["id"], str(grant["user"]), grant.get("scope", SCOPES))

    def _redeem_device(self, now: datetime, client: Doc, params: Mapping[str, str]) -> Doc:
        code = params.get("device_code") or ""
        device = self._grant("device", code)
        if (device is None or device["consumed"] or device["client"] != client["id"]
                or device["expiresAt"] < iso(now)):
            raise OAuthError(400, "invalid_request", "Invalid device code")
        if device["user"] is None:
            raise OAuthError(
                400, "authorization_pending", "User has not authorized the device code yet."
            )
        device["consumed"] = True
        self._put_grant("device", code, device)
        return device

    def _redeem_refresh(self, now: datetime, client: Doc, params: Mapping[str, str]) -> Doc:
        """Refresh tokens are single-use; the pair they belonged to dies with them. The new
        pair has the scopes of the login it descends from."""
        token = params.get("refresh_token") or ""
        refresh = self._grant("refresh", token)
        if (refresh is None or refresh["used"] or refresh["client"] != client["id"]
                or refresh["expiresAt"] < iso(now)):
            raise OAuthError(400, "invalid_grant", f"Invalid refresh token: {token}")
        refresh["used"] = True
        self._put_grant("refresh", token, refresh)
        access = self._grant("access", refresh["access"])
        if access is not None:
            self._put_grant("access", refresh["access"], {**access, "revoked": True})
        return refresh

    def _redeem_code(self, now: datetime, client: Doc, params: Mapping[str, str]) -> Doc:
        code = params.get("code")
        if not code:  # R6
            raise OAuthError(400, "invalid_request", "An authorization code must be supplied")
        grant = self._grant("code", code)
        if (grant is None or grant["used"] or grant["client"] != client["id"]
                or grant["expiresAt"] < iso(now)):
            raise OAuthError(400, "invalid_grant", f"Invalid authorization code: {code}")
        if params.get("redirect_uri") != grant["redirectUri"]:  # R5
            raise OAuthError(400, "invalid_grant", "Redirect URI mismatch.")
        grant["used"] = True
        self._put_grant("code", code, grant)
        return grant

    def _issue(self, now: datetime, client_id: str, user_id: str | None, scope: str) -> Doc:
        jti = str(uuid.uuid4())
        claims: Doc = {
            "client_id": client_id,
            "scope": scope.split(),
            "allegro_api": True,
            "iss": ISSUER,
            "exp": int((now + ACCESS_TTL).timestamp()),
            "jti": jti,
        }
        if user_id is not None:
            claims["user_name"] = user_id
        self._put_grant("access", jti, {"client": client_id, "user": user_id, "revoked": False})
        body: Doc = {
            "access_token": jwt.encode(claims, self._secret, algorithm="HS256"),
            "token_type": "bearer",
            "expires_in": EXPIRES_IN,
            "scope": scope,
            "allegro_api": True,
            "jti": jti,
        }
        if user_id is not None:
            refresh = secrets.token_urlsafe(32)
            self._put_grant("refresh", refresh, {
                "client": client_id, "user": user_id, "access": jti, "used": False,
                "expiresAt": iso(now + REFRESH_TTL), "scope": scope,
            })
            body["refresh_token"] = refresh
        return body

    def principal(self, token: str) -> Principal:
        """Check a bearer token; OAuth-shaped 401s as Allegro's resource servers send them.
        Expiry (on the emulator's clock) and revocation (in the grants table, which another
        process serving the same database may change) are checked on every call."""
        with self._store.lock:
            claims = self._claims(token)
            if claims["exp"] <= self._store.clock.now().timestamp():
                raise OAuthError(401, "invalid_token", f"Access token expired: {token}")
            access = self._grant("access", str(claims["jti"]))
            if access is None or access["revoked"]:
                raise OAuthError(401, "invalid_token", f"Invalid access token: {token}")
            user = claims.get("user_name")
            return Principal(client_id=str(claims["client_id"]), user_id=user and str(user),
                             scopes=frozenset(claims.get("scope") or ()))

    def _claims(self, token: str) -> Doc:
        """The claims of a token signed with our secret (401 otherwise), decoded once: only
        tokens `_issue` signed pass, and those carry no time claim that decoding checks (no
        `nbf`, `iat`; `exp` is checked by `principal`), so a token's claims never change."""
        claims = self._decoded.get(token)
        if claims is None:
            try:
                claims = jwt.decode(
                    token, self._secret, algorithms=["HS256"], issuer=ISSUER,
                    options={"verify_exp": False, "require": ["exp", "jti", "client_id"]},
                )
            except jwt.PyJWTError as exc:  # R9: e.g. a token of another environment
                raise OAuthError(
                    401, "invalid_token", "Cannot convert access token to JSON"
                ) from exc
            if len(self._decoded) >= DECODED_KEPT:
                self._decoded.clear()
            self._decoded[token] = claims
        return claims
