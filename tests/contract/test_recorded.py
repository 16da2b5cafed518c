"""The whole run's exchanges with the emulator, checked against Allegro's spec (runs last)."""

from __future__ import annotations

import pytest

from catalogsync.emulator import conformance
from tests.contract import checks


@pytest.mark.run_last
def test_every_exchange_of_the_run_conforms() -> None:
    recorder = conformance.RECORDER
    if recorder is None:
        pytest.skip("tests/conftest.py installs the recorder; it is not loaded")
    problems = checks.problems_of(recorder.exchanges)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])
