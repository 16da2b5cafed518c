"""Shared fixtures: an in-memory emulator and the CLI talking to it in-process.

Also records every exchange with the emulator's REST routes for the whole run (contract
suite): `tests/contract/test_recorded.py::test_every_exchange_of_the_run_conforms` is moved to
the end of the run and checks them all against Allegro's spec.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from catalogsync.cli.main import CliContext, cli
from catalogsync.emulator import conformance
from catalogsync.emulator.backend import Backend
from catalogsync.emulator.recording import Recorder
from tests.redis_server import redis_server


@pytest.fixture
def backend() -> Backend:
    emulator = Backend()
    emulator.settings.processing_delay = 0.0
    return emulator


@pytest.fixture
def run(backend: Backend) -> Callable[..., Result]:
    """The CLI with `backend` answering every environment's hosts in-process."""

    def invoke(*args: str | Path) -> Result:
        return CliRunner().invoke(cli, [str(a) for a in args], obj=CliContext(emulator=backend))

    return invoke


def pytest_configure(config: pytest.Config) -> None:
    # The suite runs in CI (CI=true), where plan and apply refuse `environment: local` unless
    # asked (runs/local_in_ci.py); its tests drive the emulator on purpose, so CI is not set for
    # them (and for the processes they start); tests of the refusal set it themselves.
    os.environ.pop("CI", None)
    config.addinivalue_line("markers", "run_last: run after every other collected test")
    conformance.RECORDER = Recorder()


def pytest_unconfigure(config: pytest.Config) -> None:
    conformance.RECORDER = None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("run_last") is not None)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if conformance.RECORDER is not None:
        conformance.RECORDER.test = item.nodeid


@pytest.fixture(autouse=True)
def _private_state_home(tmp_path_factory: pytest.TempPathFactory,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Run locks (state/runlock.py) go to a private XDG_STATE_HOME, never the user's."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state-home")))
    monkeypatch.delenv("CATALOGSYNC_RATE_STORE", raising=False)  # the default: no store
    monkeypatch.delenv("CATALOGSYNC_RUNNERS", raising=False)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server for the whole run (skipped, saying why, where none exists)."""
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url
