"""The account's run lock across machines, in a real redis-server (state/storelock.py): "machines"
are separate state directories, which share nothing but the store."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import redis

from catalogsync.state.runlock import Holder, LockHeld
from catalogsync.state.storelock import store_holder, store_lock
from tests.redis_server import free_port


def _machine(tmp_path: Path, name: str) -> Path:
    """The account's local lock file as machine `name` has it (same name, its own disk)."""
    return tmp_path / name / "catalogsync" / "locks" / "sandbox-1001-0123456789abcdef.lock"


def test_a_second_machine_is_refused_naming_the_holder(tmp_path: Path, redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushall()
    one, two = _machine(tmp_path, "one"), _machine(tmp_path, "two")
    with store_lock(redis_url, one, "catalogsync apply catalog", 0, lambda h: None):
        assert (store_holder(redis_url, two) or Holder("", 0, "", "", "")).command == (
            "catalogsync apply catalog")
        with pytest.raises(LockHeld) as refused, store_lock(
            redis_url, two, "catalogsync apply other", 0, lambda h: None
        ):
            pass
    assert "another run holds this account: `catalogsync apply catalog` by" in str(refused.value)
    assert "Nothing was changed" in str(refused.value)
    assert store_holder(redis_url, two) is None  # released at the end of the block
    with store_lock(redis_url, two, "catalogsync apply other", 0, lambda h: None):
        pass


def test_a_live_holder_renews_its_lease(tmp_path: Path, redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushall()
    with store_lock(redis_url, _machine(tmp_path, "one"), "apply", 0, lambda h: None, lease=0.6):
        time.sleep(1.5)  # 2.5 leases
        with pytest.raises(LockHeld), store_lock(
            redis_url, _machine(tmp_path, "two"), "apply", 0, lambda h: None
        ):
            pass


def test_a_dead_holder_s_lease_runs_out_and_a_waiting_run_takes_the_lock(
    tmp_path: Path, redis_url: str
) -> None:
    store = redis.Redis.from_url(redis_url)
    store.flushall()
    dead = {"host": "build-3", "pid": 4711, "user": "ci", "command": "catalogsync apply x",
            "since": "2026-12-07T06:40:12+00:00", "token": "gone"}
    store.set("catalogsync:runlock:sandbox-1001-0123456789abcdef", json.dumps(dead), px=700)
    waited: list[Holder] = []
    started = time.monotonic()
    with store_lock(redis_url, _machine(tmp_path, "two"), "apply", 10, waited.append):
        assert time.monotonic() - started >= 0.5
    assert [h.host for h in waited] == ["build-3"]


def test_an_unreachable_store_leaves_the_local_lock_only_said_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    with store_lock(url, _machine(tmp_path, "one"), "apply", 0, lambda h: None):
        pass
    err = capsys.readouterr().err
    assert err.count("cannot be reached") == 1 and "on this machine only" in err
    assert "hunter2" not in err
