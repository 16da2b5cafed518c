"""apply with a rate store set (`CATALOGSYNC_RATE_STORE`): through a real redis-server, and
with a store that cannot be reached, which the run survives, saying so once."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from tests.e2e.conftest import Run
from tests.e2e.processes import Served, catalog_repository, seller, served
from tests.e2e.served import ROOT
from tests.redis_server import free_port

__all__ = ["seller", "served"]


def test_apply_paces_through_the_store(
    run: Run, catalog_dir: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    redis.Redis.from_url(redis_url).flushall()
    monkeypatch.setenv("CATALOGSYNC_RATE_STORE", redis_url)
    result = run("apply", catalog_dir, "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "rate store" not in result.output
    keys = [k.decode() for k in redis.Redis.from_url(redis_url).keys("catalogsync:rate:*")]
    assert any("client id (R1)" in k and ":seller:" not in k for k in keys)
    assert any(":seller:" in k and "product-offer writes" in k for k in keys)


def test_apply_with_a_store_that_is_down_finishes_and_says_so_once(
    run: Run, catalog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CATALOGSYNC_RATE_STORE", f"redis://:hunter2@127.0.0.1:{free_port()}/0")
    result = run("apply", catalog_dir, "--auto-approve")
    assert result.exit_code == 0, result.output
    assert result.output.count("the rate store redis://127.0.0.1:") == 1
    assert "hunter2" not in result.output
    assert "+ offer" in result.output


def _machine(seller: Served, state: Path, store: str) -> dict[str, str]:
    return {**seller.env(), "XDG_STATE_HOME": str(state), "CATALOGSYNC_RATE_STORE": store}


def test_two_machines_sharing_a_store_apply_one_at_a_time_and_duplicate_nothing(
    seller: Served, tmp_path: Path, redis_url: str
) -> None:
    redis.Redis.from_url(redis_url).flushall()
    origin = catalog_repository(seller, tmp_path)
    one, two = tmp_path / "one", tmp_path / "two"
    for clone in (one, two):
        seller.git("clone", "-q", origin, clone, cwd=tmp_path)
    # a first apply slow enough to outlast the second's start and its plan on a busy machine
    seller.steer("/faults", {"latency_seconds": 1.0})
    first = subprocess.Popen(
        [sys.executable, "-m", "catalogsync", "apply", str(one), "--auto-approve"],
        cwd=ROOT, env=_machine(seller, tmp_path / "state-one", redis_url),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        store = redis.Redis.from_url(redis_url)
        deadline = time.monotonic() + 60
        while not store.keys("catalogsync:runlock:*") and time.monotonic() < deadline:
            time.sleep(0.05)
        two_env = _machine(seller, tmp_path / "state-two", redis_url)
        second = subprocess.run(
            [sys.executable, "-m", "catalogsync", "apply", str(two), "--auto-approve"],
            cwd=ROOT, env=two_env, capture_output=True, text=True, timeout=120)
        looked = subprocess.run([sys.executable, "-m", "catalogsync", "plan", str(two)],
                                cwd=ROOT, env=two_env, capture_output=True, text=True,
                                timeout=120)
    finally:
        seller.steer("/faults", {})  # the first may finish now
        _, err = first.communicate(timeout=120)

    assert first.returncode == 0, err
    assert second.returncode == 1, second.stderr
    assert f"another run holds this account: `catalogsync apply {one}`" in second.stderr
    assert f"(pid {first.pid}) since 20" in second.stderr
    assert f"Note: `catalogsync apply {one}`" in looked.stderr  # plan reads, and says so
    assert "is running against this account right now" in looked.stderr
    counts = seller.external_ids()
    assert len(counts) == 6 and set(counts.values()) == {1}


@pytest.mark.parametrize("url", ["http://:pw123@cache:6379", "redis://:pw123@cache:port/0"])
def test_a_store_url_redis_cannot_use_is_refused_without_its_password(
    run: Run, catalog_dir: Path, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("CATALOGSYNC_RATE_STORE", url)
    result = run("plan", catalog_dir)
    assert result.exit_code != 0
    assert "CATALOGSYNC_RATE_STORE:" in result.output and "not a usable" in result.output
    assert "pw123" not in result.output and "Traceback" not in result.output
