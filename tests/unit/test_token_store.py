"""The token store keeps one login per environment and seller; a store from before (one file
per environment) is moved under its seller and keeps working."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from pydantic import SecretStr

from catalogsync.allegro.tokens import TokenSet, TokenStore
from catalogsync.catalog.models import Environment
from catalogsync.errors import ConfigError

SANDBOX = Environment.SANDBOX


def login(seller: str, refresh: str = "r") -> TokenSet:
    access = jwt.encode({"user_name": seller, "client_id": "app", "scope": "a:write"}, "k" * 32)
    return TokenSet(
        environment=SANDBOX, auth_url="https://allegro.pl.allegrosandbox.pl", client_id="app",
        client_secret=SecretStr("s"), access_token=SecretStr(access),
        refresh_token=SecretStr(f"{refresh}-{seller}"),
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    )


def test_each_seller_login_is_kept_apart(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    first, second = store.save(login("1000001")), store.save(login("1000002"))

    assert first != second and stat.S_IMODE(second.stat().st_mode) == 0o600
    assert store.sellers(SANDBOX) == ["1000001", "1000002"]
    loaded = store.load(SANDBOX, "1000002")
    assert loaded is not None and loaded.refresh() == "r-1000002"
    assert store.load(SANDBOX, "1000003") is None
    store.delete(SANDBOX, "1000001")
    assert store.sellers(SANDBOX) == ["1000002"]


def test_without_a_seller_the_only_login_is_used(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    assert store.load(SANDBOX) is None
    store.save(login("1000001"))

    loaded = store.load(SANDBOX)

    assert loaded is not None and loaded.refresh() == "r-1000001"


def test_several_logins_and_no_seller_is_refused(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    store.save(login("1000001"))
    store.save(login("1000002"))

    with pytest.raises(ConfigError, match=r"several sellers .* \(1000001, 1000002\).*"
                       "CATALOGSYNC_SELLER"):
        store.load(SANDBOX)


def test_a_store_of_one_login_per_environment_migrates(tmp_path: Path) -> None:
    legacy = tmp_path / "sandbox.json"
    legacy.write_text(login("1000001").model_dump_json())
    legacy.chmod(0o600)
    store = TokenStore(tmp_path)

    loaded = store.load(SANDBOX)

    moved = tmp_path / "sandbox" / "1000001.json"
    assert loaded is not None and loaded.refresh() == "r-1000001"
    assert not legacy.exists() and stat.S_IMODE(moved.stat().st_mode) == 0o600
    assert store.load(SANDBOX, "1000001") == loaded


def test_migration_keeps_a_newer_login_of_the_same_seller(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    store.save(login("1000001", refresh="newer"))
    legacy = tmp_path / "sandbox.json"
    legacy.write_text(login("1000001", refresh="older").model_dump_json())
    legacy.chmod(0o600)

    loaded = store.load(SANDBOX, "1000001")

    assert loaded is not None and loaded.refresh() == "newer-1000001"
    assert not legacy.exists()


def test_an_unreadable_legacy_store_says_to_log_in_again(tmp_path: Path) -> None:
    (tmp_path / "sandbox.json").write_text("{not json")
    (tmp_path / "sandbox.json").chmod(0o600)

    with pytest.raises(ConfigError, match=r"sandbox.json is unreadable.*auth login --env sandbox"):
        TokenStore(tmp_path).sellers(SANDBOX)
