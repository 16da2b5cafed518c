"""How many batch commands apply runs at once: bulk modification commands (25 offers each)
`apply.bulk.AT_ONCE`, the commands of up to 1000 offers `COMMANDS_AT_ONCE`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from catalogsync.apply.applier import Applier
from catalogsync.apply.batching import COMMANDS_AT_ONCE
from catalogsync.apply.bulk import AT_ONCE
from catalogsync.plan.model import CommandKind, Plan
from catalogsync.progress import Progress
from catalogsync.state.index import StateIndex
from tests.unit.mock_allegro import json_answer, mock_client


class _Phase:
    def advance(self, count: int = 1) -> None:
        pass


def _most_at_once(kind: CommandKind, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    plan = Plan(environment="local", marketplace="allegro-pl", fingerprint="f", changes=())
    applier = Applier(mock_client(lambda request: json_answer({})), plan, StateIndex(),
                      tmp_path / "state.json", {}, Progress(), tmp_path)
    running, most = 0, 0

    async def command(*args: Any) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)  # sent, then polled until it settles
        running -= 1

    monkeypatch.setattr(applier, "_send_bulk", command)
    monkeypatch.setattr(applier, "_send_command", command)

    async def many() -> None:
        await asyncio.gather(*(applier._command(kind, {}, [], phase=_Phase())
                               for _ in range(AT_ONCE * 2)))

    asyncio.run(many())
    return most


def test_bulk_commands_run_forty_at_once_the_others_ten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert AT_ONCE == 40 and COMMANDS_AT_ONCE == 10
    assert _most_at_once(CommandKind.BULK, tmp_path, monkeypatch) == AT_ONCE
    assert _most_at_once(CommandKind.PRICE, tmp_path, monkeypatch) == COMMANDS_AT_ONCE
