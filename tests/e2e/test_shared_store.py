"""apply with a rate store set (`CATALOGSYNC_RATE_STORE`): through a real redis-server, and
with a store that cannot be reached, which the run survives, saying so once."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from tests.e2e.conftest import Run
from tests.redis_server import free_port


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
