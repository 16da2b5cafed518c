"""An access token's claims are read without verifying it; anything that is not a JWT reads as
no token info, never as an error."""

from __future__ import annotations

from datetime import UTC, datetime

import jwt
import pytest

from catalogsync.allegro.tokens import inspect_token


def test_claims_of_a_jwt_signed_with_any_key() -> None:
    token = jwt.encode({"user_name": "1000001", "client_id": "app", "scope": "a:read a:write",
                        "exp": 2_000_000_000, "iss": "allegro-emulator"}, "k" * 32)

    info = inspect_token(token)

    assert info is not None
    assert (info.user_name, info.client_id, info.scopes, info.issuer) == (
        "1000001", "app", ("a:read", "a:write"), "allegro-emulator")
    assert info.expires_at == datetime.fromtimestamp(2_000_000_000, UTC)


def test_scopes_as_a_list_and_missing_claims() -> None:
    info = inspect_token(jwt.encode({"scope": ["x", "y"]}, "k" * 32))

    assert info is not None
    assert info.scopes == ("x", "y") and info.user_name is None and info.expires_at is None


@pytest.mark.parametrize("token", [
    "", "opaque-token", "a.b.c", "a.b", "W10.W10.sig",  # payloads that are lists
    "eyJhbGciOiJub25lIn0.bm90IGpzb24.sig",  # a payload that is no JSON
    "eyJhbGciOiJub25lIn0.eyJ1c2VyX25hbWUiOiAieCJ9.sig.extra",
])
def test_anything_else_is_no_token_info(token: str) -> None:
    assert inspect_token(token) is None
