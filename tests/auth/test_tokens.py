"""The token store (private, atomic, per environment) and refresh-token rotation: before
expiry, after a 401, in CI, and across a crash right after a refresh."""

from __future__ import annotations

import asyncio
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from catalogsync.allegro import connect
from catalogsync.allegro.login_flows import device_login
from catalogsync.allegro.oauth import DEVICE_GRANT, OAuth
from catalogsync.allegro.session import Session
from catalogsync.allegro.tokens import TokenSet, TokenStore, write_private
from catalogsync.catalog.models import Environment
from catalogsync.emulator.backend import Backend
from catalogsync.emulator.core.errors import OAuthError
from tests.auth.conftest import LOGIN, SELLER, Run, approve, catalog, stored

pytestmark = pytest.mark.anyio


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def expire(tokens: TokenSet) -> None:
    """Make the stored access token look due for a refresh."""
    TokenStore().save(tokens.model_copy(update={"expires_at": datetime.now(UTC)}))


def assert_dead(backend: Backend, refresh_token: str) -> None:
    grant = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    with pytest.raises(OAuthError) as caught:
        backend.oauth.token("catalogsync-local", "local-secret", grant)
    assert caught.value.error == "invalid_grant"


def device_pair(backend: Backend) -> dict[str, Any]:
    """A user token pair straight from the emulator (what a CI secret is made from)."""
    code = backend.oauth.device_authorize("catalogsync-local", "local-secret", "catalogsync-local")
    backend.oauth.approve_device(code["user_code"], SELLER)
    grant = {"grant_type": DEVICE_GRANT, "device_code": code["device_code"]}
    return backend.oauth.token("catalogsync-local", "local-secret", grant)


# --------------------------------------------------------------------------- the store


def test_store_lives_under_xdg_config_home_with_mode_0600(run: Run, environment: Path) -> None:
    assert run(*LOGIN).exit_code == 0

    path = environment / "catalogsync" / "tokens" / "sandbox" / "1000001.json"
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["1000001.json"]  # no temp file left


def test_store_file_is_0600_from_creation_whatever_the_umask(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: list[int] = []
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        seen.append(mode(Path(src)))  # the temp file, before it takes the real name
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    target = tmp_path / "private" / "token"
    target.parent.mkdir()
    target.write_text("old")
    target.chmod(0o644)
    old_umask = os.umask(0)
    try:
        write_private(target, "new")
    finally:
        os.umask(old_umask)

    assert seen == [0o600] and mode(target) == 0o600 and target.read_text() == "new"


def test_failed_write_leaves_the_old_file_and_no_temp(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "token"
    write_private(target, "old")

    def crash(src: Any, dst: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        write_private(target, "new")

    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["token"]


def test_store_falls_back_to_dot_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))

    assert TokenStore().path(Environment.PRODUCTION, "42") == (
        tmp_path / ".config" / "catalogsync" / "tokens" / "production" / "42.json"
    )


def test_refresh_token_out_and_no_save(run: Run, tmp_path: Path, environment: Path) -> None:
    out = tmp_path / "ci" / "refresh-token"

    result = run(*LOGIN, "--no-save", "--refresh-token-out", out)

    assert result.exit_code == 0, result.output
    assert mode(out) == 0o600 and len(out.read_text().strip()) > 20
    assert "Refresh token written to" in result.output
    assert not (environment / "catalogsync" / "tokens").exists()


# --------------------------------------------------------------------------- rotation


def test_access_token_is_refreshed_before_expiry_and_the_pair_saved(
    run: Run, tmp_path: Path, backend: Backend
) -> None:
    assert run(*LOGIN).exit_code == 0
    before = stored()
    expire(before)

    result = run("plan", catalog(tmp_path), "--detailed-exitcode")

    assert result.exit_code == 2, result.output
    after = stored()
    assert after.refresh() != before.refresh()
    assert after.expires_at > datetime.now(UTC) + timedelta(hours=11)
    assert_dead(backend, str(before.refresh()))


def test_401_invalid_token_refreshes_once_and_retries(
    run: Run, tmp_path: Path, backend: Backend
) -> None:
    assert run(*LOGIN).exit_code == 0
    before = stored()
    backend.advance_clock(13 * 3600)  # Allegro's clock says expired; ours does not know yet

    result = run("plan", catalog(tmp_path), "--detailed-exitcode")

    assert result.exit_code == 2, result.output
    assert stored().refresh() != before.refresh()


def test_crash_right_after_a_refresh_keeps_the_new_pair(
    run: Run, tmp_path: Path, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(*LOGIN).exit_code == 0
    before = stored()
    expire(before)
    real_renew = Session.renew

    async def renew_then_die(self: Session, rejected: str) -> bool:
        await real_renew(self, rejected)
        raise KeyboardInterrupt  # the process dies the moment the refresh returned

    with monkeypatch.context() as patch:
        patch.setattr(Session, "renew", renew_then_die)
        crashed = run("plan", catalog(tmp_path))
    assert crashed.exit_code == 130, crashed.output

    after = stored()
    assert after.refresh() != before.refresh()  # the new pair is on disk
    assert_dead(backend, str(before.refresh()))  # and the old refresh token is dead
    rerun = run("plan", catalog(tmp_path), "--detailed-exitcode")
    assert rerun.exit_code == 2, rerun.output  # no new login needed


def test_ci_refresh_token_is_traded_and_the_rotated_one_handed_back(
    run: Run, tmp_path: Path, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = device_pair(backend)["refresh_token"]
    out = tmp_path / "rotated"
    monkeypatch.setenv("CATALOGSYNC_REFRESH_TOKEN", seed)
    monkeypatch.setenv("CATALOGSYNC_CLIENT_ID", "catalogsync-local")
    monkeypatch.setenv("CATALOGSYNC_REFRESH_TOKEN_FILE", str(out))

    first = run("plan", catalog(tmp_path), "--detailed-exitcode")
    assert first.exit_code == 2, first.output
    rotated = out.read_text().strip()
    assert rotated != seed and mode(out) == 0o600 and stored().refresh() == rotated
    assert_dead(backend, seed)

    second = run("plan", catalog(tmp_path), "--detailed-exitcode")  # same job, same secret
    assert second.exit_code == 2, second.output  # the stored successor is used, not the seed

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "next-job"))  # next job: new machine
    monkeypatch.setenv("CATALOGSYNC_REFRESH_TOKEN", out.read_text().strip())
    assert run("plan", catalog(tmp_path), "--detailed-exitcode").exit_code == 2


def test_ci_reusing_a_spent_refresh_token_explains_rotation(
    run: Run, tmp_path: Path, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair = device_pair(backend)
    spend = {"grant_type": "refresh_token", "refresh_token": pair["refresh_token"]}
    backend.oauth.token("catalogsync-local", "local-secret", spend)  # another job used it already
    monkeypatch.setenv("CATALOGSYNC_REFRESH_TOKEN", pair["refresh_token"])
    monkeypatch.setenv("CATALOGSYNC_CLIENT_ID", "catalogsync-local")

    result = run("plan", catalog(tmp_path))

    assert result.exit_code == 1
    assert "Refresh tokens are single-use" in result.output
    assert "CATALOGSYNC_REFRESH_TOKEN_FILE" in result.output
    assert "Error: Allegro refused the refresh token for sandbox (invalid_grant)" in result.output
    assert pair["refresh_token"] not in result.output


def test_crash_in_ci_right_after_the_refresh_still_hands_the_token_back(
    run: Run, tmp_path: Path, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = device_pair(backend)["refresh_token"]
    out = tmp_path / "rotated"
    monkeypatch.setenv("CATALOGSYNC_REFRESH_TOKEN", seed)
    monkeypatch.setenv("CATALOGSYNC_CLIENT_ID", "catalogsync-local")
    monkeypatch.setenv("CATALOGSYNC_REFRESH_TOKEN_FILE", str(out))

    def die(*args: Any) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(connect, "check_token", die)  # the first thing after the refresh
        assert run("plan", catalog(tmp_path)).exit_code == 130

    assert_dead(backend, seed)
    grant = {"grant_type": "refresh_token", "refresh_token": out.read_text().strip()}
    assert backend.oauth.token("catalogsync-local", "local-secret", grant)["access_token"]


async def test_concurrent_401s_refresh_only_once(oauth: OAuth, http: httpx.AsyncClient) -> None:
    device = await oauth.start_device()
    await approve(http, device.user_code)
    tokens = await device_login(oauth, device)
    saved: list[TokenSet] = []
    session = Session(tokens, oauth, saved.append)

    renewed = await asyncio.gather(*(session.renew(tokens.access()) for _ in range(5)))

    assert renewed == [True] * 5 and len(saved) == 1
    assert session.tokens.refresh() == saved[0].refresh() != tokens.refresh()


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o777])
def test_config_directories_are_created_0700_whatever_the_umask(
    tmp_path: Path, umask: int
) -> None:
    target = tmp_path / "config" / "catalogsync" / "tokens" / "sandbox.json"
    old_umask = os.umask(umask)
    try:
        write_private(target, "{}")
    finally:
        os.umask(old_umask)
    assert [mode(p) for p in (target.parents[2], target.parents[1], target.parent)] == [
        0o700, 0o700, 0o700,
    ]
    assert mode(target) == 0o600


def test_a_token_file_others_can_read_is_made_private_with_a_word(
    run: Run, environment: Path
) -> None:
    assert run(*LOGIN).exit_code == 0
    path = environment / "catalogsync" / "tokens" / "sandbox" / "1000001.json"
    path.chmod(0o644)
    status = run("auth", "status")
    assert status.exit_code == 0, status.output
    assert f"{path} could be read by other users (mode 0644); made it 0600" in status.output
    assert mode(path) == 0o600
    assert "could be read" not in run("auth", "status").output  # said once, when repaired
