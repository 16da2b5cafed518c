"""Tokens: what an access token's JWT says, one login's tokens, and the private
per-environment store that keeps them.

Tokens and the client secret are `SecretStr` or `repr=False` in memory, and each one is
remembered by `redaction.redact` as soon as it is built.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError, field_serializer

from catalogsync.allegro.redaction import remember_secret
from catalogsync.catalog.models import Environment
from catalogsync.errors import ConfigError

EMULATOR_ISSUER = "allegro-emulator"
#: Which stored login a catalog whose lock file names no seller yet uses.
SELLER_ENV = "CATALOGSYNC_SELLER"
#: Access tokens live 12 h; refresh this long before they expire.
REFRESH_MARGIN = timedelta(minutes=5)

log = logging.getLogger("catalogsync.tokens")


@dataclass(frozen=True)
class TokenInfo:
    """What an access token's JWT payload says; checking its signature is Allegro's job."""

    user_name: str | None
    client_id: str | None
    scopes: tuple[str, ...]
    expires_at: datetime | None
    issuer: str | None


def inspect_token(token: str) -> TokenInfo | None:
    """Read a JWT's claims without verifying it; None when `token` is no JWT."""
    claims = _claims(token)
    if claims is None:
        return None
    scope = claims.get("scope")
    scopes = scope.split() if isinstance(scope, str) else [str(s) for s in scope or ()]
    exp = claims.get("exp")
    return TokenInfo(
        user_name=_text(claims.get("user_name")),
        client_id=_text(claims.get("client_id")),
        scopes=tuple(scopes),
        expires_at=datetime.fromtimestamp(exp, UTC) if isinstance(exp, int | float) else None,
        issuer=_text(claims.get("iss")),
    )


def _claims(token: str) -> dict[str, Any] | None:
    """A JWT's payload, unverified (decoded here: PyJWT and `cryptography` beneath it would
    add 50 ms to the start of every run)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header, claims = (json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
                          for p in parts[:2])
    except (ValueError, binascii.Error):
        return None
    return claims if isinstance(header, dict) and isinstance(claims, dict) else None


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def issuer_environment(info: TokenInfo) -> str | None:
    """Who issued a token, from `iss`: "emulator", "sandbox", "production", or None (unknown).

    The emulator signs `iss` "allegro-emulator". The Allegro tokens shown in its threads carry
    no `iss` (exp, user_name, jti, client_id, scope, ati: [I#1578]); should one appear, an
    issuer on allegrosandbox.pl means sandbox and any other on allegro.pl production.
    """
    issuer = (info.issuer or "").lower()
    if issuer == EMULATOR_ISSUER:
        return "emulator"
    if "allegrosandbox.pl" in issuer:
        return "sandbox"
    return "production" if "allegro.pl" in issuer else None


@dataclass(frozen=True)
class Client:
    """An application registered with Allegro: its id and its secret (never shown)."""

    id: str
    secret: str = field(repr=False)

    def __post_init__(self) -> None:
        remember_secret(self.secret)

    def basic(self) -> httpx.BasicAuth:
        return httpx.BasicAuth(self.id, self.secret)


class TokenSet(BaseModel):
    """One login's tokens in one environment, as the token store keeps them."""

    model_config = ConfigDict(frozen=True)

    environment: Environment
    auth_url: str
    client_id: str
    client_secret: SecretStr
    access_token: SecretStr
    refresh_token: SecretStr | None = None
    expires_at: datetime
    scope: str = ""
    #: fingerprint of the CI refresh token (CATALOGSYNC_REFRESH_TOKEN) this chain grew from
    origin: str | None = None

    def model_post_init(self, context: Any) -> None:
        remember_secret(self.client_secret.get_secret_value(), self.access(), self.refresh())

    @field_serializer("client_secret", "access_token", "refresh_token", when_used="json")
    def reveal_in_file(self, value: SecretStr | None) -> str | None:
        return None if value is None else value.get_secret_value()

    def access(self) -> str:
        return self.access_token.get_secret_value()

    def refresh(self) -> str | None:
        return None if self.refresh_token is None else self.refresh_token.get_secret_value()

    def client(self) -> Client:
        return Client(self.client_id, self.client_secret.get_secret_value())

    def expires_soon(self, now: datetime) -> bool:
        return self.expires_at - REFRESH_MARGIN <= now


def config_dir() -> Path:
    """`$XDG_CONFIG_HOME/catalogsync`, or `~/.config/catalogsync`."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / "catalogsync"


def fingerprint(secret: str) -> str:
    """A stable, non-reversible name for a secret (to recognise a CI token already used)."""
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def private_dir(path: Path) -> None:
    """Create `path` and any missing parents as 0700, whatever the umask (a umask can only
    take bits away, and `mkdir(parents=True)` ignores the mode for the parents)."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for directory in reversed(missing):
        directory.mkdir(mode=0o700, exist_ok=True)
        os.chmod(directory, 0o700)


def write_private(path: Path, text: str) -> None:
    """Replace `path` atomically with `text`, readable by the owner only from the start."""
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            if hasattr(os, "fchmod"):
                os.fchmod(out.fileno(), 0o600)  # exactly 0600, whatever the umask
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class TokenStore:
    """Tokens per environment and seller: `tokens/<env>/<seller id>.json`, mode 0600, each
    replaced atomically, so that a run refreshing one seller's login never rewrites another's.

    A store from before several logins were kept holds one file per environment
    (`tokens/<env>.json`): it is moved under its seller (the token's `user_name`) when the
    environment is first read, and works on unchanged.
    """

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or config_dir() / "tokens"

    def path(self, environment: Environment, seller: str) -> Path:
        return self.directory / environment.value / f"{seller}.json"

    def sellers(self, environment: Environment) -> list[str]:
        """The sellers logged in to `environment`, by id."""
        self._migrate(environment)
        folder = self.directory / environment.value
        return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []

    def load(self, environment: Environment, seller: str | None = None) -> TokenSet | None:
        """`seller`'s login; without one, the environment's only login (None: no login).
        Several logins and no seller to choose is refused: using the wrong seller's login
        would act on another account."""
        sellers = self.sellers(environment)
        if seller is None:
            if len(sellers) > 1:
                raise ConfigError(_which_seller(environment, sellers))
            seller = sellers[0] if sellers else None
        if seller is None or seller not in sellers:
            return None
        return self._read(self.path(environment, seller), environment)

    def save(self, tokens: TokenSet) -> Path:
        path = self.path(tokens.environment, seller_of(tokens))
        write_private(path, tokens.model_dump_json(indent=1) + "\n")
        return path

    def delete(self, environment: Environment, seller: str) -> bool:
        path = self.path(environment, seller)
        existed = path.exists()
        path.unlink(missing_ok=True)
        return existed

    def _read(self, path: Path, environment: Environment) -> TokenSet:
        _keep_private(path)
        try:
            return TokenSet.model_validate_json(path.read_bytes())
        except (ValidationError, ValueError, OSError) as exc:
            raise ConfigError(
                f"{path} is unreadable ({exc.__class__.__name__}): "
                f"run `catalogsync auth login --env {environment.value}` again"
            ) from None

    def _migrate(self, environment: Environment) -> None:
        """The one login of an older store goes under its seller (kept where that seller
        has logged in again since: the newer login wins)."""
        legacy = self.directory / f"{environment.value}.json"
        if not legacy.exists():
            return
        tokens = self._read(legacy, environment)
        target = self.path(environment, seller_of(tokens))
        if not target.exists():
            private_dir(target.parent)
            os.replace(legacy, target)
            log.info("moved the %s login to %s", environment.value, target)
        else:
            legacy.unlink()


def seller_of(tokens: TokenSet) -> str:
    """The seller a login acts for (`user_name`; an application token's file is `_app`)."""
    info = inspect_token(tokens.access())
    user = info.user_name if info is not None else None
    return user if user and user.isalnum() else "_app"


def _which_seller(environment: Environment, sellers: list[str]) -> str:
    env = environment.value
    return (
        f"several sellers are logged in to {env} ({', '.join(sellers)}) and this catalog's "
        f"catalogsync.lock names none yet: set {SELLER_ENV} to the seller id this catalog "
        f"belongs to (its first apply records it), or `catalogsync auth logout --env {env} "
        "--seller ID` the others\n"
        f"which {env} seller is this catalog's?"
    )


def _keep_private(path: Path) -> None:
    """A token file others can read is made private again, with a word; one that is not
    ours to fix is refused."""
    try:
        mode = path.stat().st_mode & 0o777
        if not mode & 0o077:
            return
        os.chmod(path, 0o600)
    except OSError as exc:
        raise ConfigError(
            f"{path} can be read by other users and cannot be made private "
            f"({exc.strerror or exc}); fix its mode with `chmod 600 {path}`"
        ) from None
    log.warning(
        "%s could be read by other users (mode %04o); made it 0600. Its tokens may have been "
        "seen: if in doubt, run `catalogsync auth logout` and log in again", path, mode,
    )
