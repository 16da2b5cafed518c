"""Record every exchange with the emulator's REST routes for the whole run (contract suite).

`tests/contract/test_recorded.py::test_every_exchange_of_the_run_conforms` is moved to the end
of the run and checks them all against Allegro's spec.
"""

from __future__ import annotations

import pytest

from catalogsync.emulator import conformance


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "run_last: run after every other collected test")
    conformance.RECORDER = conformance.Recorder()


def pytest_unconfigure(config: pytest.Config) -> None:
    conformance.RECORDER = None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("run_last") is not None)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if conformance.RECORDER is not None:
        conformance.RECORDER.test = item.nodeid
