"""Apply against an emulator that limits and fails like Allegro: paced, retried, convergent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from catalogsync.allegro import client as client_module
from catalogsync.allegro.pacing import Pacer, allegro_windows
from catalogsync.apply.applier import CONCURRENCY
from catalogsync.catalog.models import Environment
from catalogsync.config import live_cache_path
from catalogsync.emulator.backend import Backend
from catalogsync.live.cache import store_path
from catalogsync.state.recordstore import remove
from catalogsync.synthetic import write_catalog
from tests.e2e.conftest import Run

TIME_SCALE = 0.01  # a minute lasts 0.6 s
COUNT_SCALE = 0.02  # 2490 writes a minute become 50


@pytest.fixture
def pacer(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Pacer]]:
    """Every client gets a pacer scaled like the emulator; the list holds them for asserts."""
    made: list[Pacer] = []
    original = client_module.Pacer

    def scaled() -> Pacer:
        made.append(original(allegro_windows(TIME_SCALE, COUNT_SCALE), 60 * TIME_SCALE))
        return made[-1]

    monkeypatch.setattr(client_module, "Pacer", scaled)
    yield made


def scale_limits(backend: Backend) -> None:
    backend.update_settings({"time_scale": TIME_SCALE, "limits_scale": COUNT_SCALE})


def test_r1_pacing_keeps_apply_under_every_limit_with_no_429(
    run: Run, tmp_path: Path, backend: Backend, pacer: list[Pacer]
) -> None:
    scale_limits(backend)
    catalog = write_catalog(tmp_path / "shop", 120)
    result = run("apply", catalog, "--auto-approve")
    assert result.exit_code == 0, result.output
    limits = backend.limiter.summary()
    assert limits["throttled"] == 0 and limits["blocks"] == 0
    assert sum(p.waited for p in pacer) > 0  # it did have to wait: the limits bound
    assert run("plan", catalog, "--detailed-exitcode").exit_code == 0


def test_r1_a_block_is_waited_out_not_hammered(
    run: Run, tmp_path: Path, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    scale_limits(backend)
    backend.update_settings({"client_rpm": 1500})  # R1: 30 requests per (scaled) minute
    # A client that does not know the limits: only its 429 handling protects the account.
    monkeypatch.setattr(client_module, "Pacer", lambda: Pacer([], 60 * TIME_SCALE))
    catalog = write_catalog(tmp_path / "shop", 60)
    result = run("apply", catalog, "--auto-approve")
    assert result.exit_code == 0, result.output
    limits = backend.limiter.summary()
    blocks, throttled = int(str(limits["blocks"])), int(str(limits["throttled"]))
    assert blocks >= 1
    # After a 429 nothing new is sent until the block is over: only requests already in
    # flight (at most CONCURRENCY) meet each block. Hammering would refuse far more.
    assert throttled <= blocks * (CONCURRENCY + 1), (blocks, throttled)
    assert run("plan", catalog, "--detailed-exitcode").exit_code == 0


def test_transient_errors_and_dropped_connections_are_retried_or_resumed(
    run: Run, catalog_dir: Path, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client_module, "_backoff", lambda failures: 0.001)
    backend.faults.configure({"error_rate": 0.15, "drop_rate": 0.1, "seed": 7})
    outcomes = [run("apply", catalog_dir, "--auto-approve") for _ in range(6)]
    backend.faults.configure({})
    assert any(o.exit_code == 0 for o in outcomes), outcomes[-1].output
    assert all("Traceback" not in o.output for o in outcomes)
    final = run("plan", catalog_dir, "--detailed-exitcode")
    assert final.exit_code == 0, final.output
    listing = backend.offers.find("1000001", {"limit": ["1000"]})["offers"]
    skus = [o["external"]["id"] for o in listing]
    assert len(skus) == len(set(skus)) == 6
    assert backend.faults.stats["errors"] > 0 and backend.faults.stats["drops"] > 0


def test_consecutive_runs_share_the_limits_like_allegro_does(
    run: Run, tmp_path: Path, backend: Backend, pacer: list[Pacer]
) -> None:
    scale_limits(backend)  # product-offer reads: 70 per 0.6 s
    catalog = write_catalog(tmp_path / "shop", 50)
    assert run("apply", catalog, "--auto-approve").exit_code == 0
    for _ in range(3):  # 150 reads in quick succession, each run a new process-like client
        remove(store_path(live_cache_path(catalog, Environment.LOCAL)))  # the live cache
        assert run("plan", catalog, "--detailed-exitcode").exit_code == 0
    assert backend.limiter.summary()["throttled"] == 0
