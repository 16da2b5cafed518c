"""SIGKILL a real apply process mid-run; a plain apply then converges with no duplicate.

The full measure (21 kill points on 1000 offers): `python benchmarks/kill_resume.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.kill_points import KillPoint, kill_and_resume
from tests.e2e.served import Emulator, served_emulator


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with served_emulator(tmp_path_factory.mktemp("serve")) as served:
        yield served


@pytest.mark.parametrize(
    "point",
    [
        KillPoint("creating", "POST /sale/product-offers", 20),
        KillPoint("polling", "GET /sale/offer-publication-commands/{commandId}", 1),
        KillPoint("command in flight", "POST /sale/offer-bulk-modification-commands", 1,
                  mass_change=True),
    ],
    ids=str,
)
def test_a_killed_apply_resumes_with_a_plain_apply(
    emulator: Emulator, tmp_path: Path, point: KillPoint
) -> None:
    outcome = kill_and_resume(emulator, tmp_path / "run", point, offers=50)
    assert outcome.killed
    assert outcome.converged, outcome
