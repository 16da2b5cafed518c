"""Waiting for a batch command (apply/polling.py): the small report first, tasks only on failure."""

from __future__ import annotations

import time

import httpx
import pytest

from catalogsync.allegro.client import AllegroClient
from catalogsync.apply.polling import command_tasks
from tests.unit.mock_allegro import json_answer, mock_client

pytestmark = pytest.mark.anyio
KIND = "offer-price-change-commands"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def allegro(reports: list[dict[str, int]], tasks: list[dict[str, object]], seen: list[str]
            ) -> AllegroClient:
    """Answers the command's report with `reports` in turn (the last one from then on)."""

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path.endswith("/tasks"):
            body: object = {"tasks": tasks}
        else:
            counts = reports.pop(0) if len(reports) > 1 else reports[0]
            body = {"id": "c1", "taskCount": counts}
        return json_answer(body)

    return mock_client(answer)


async def test_every_task_succeeded_is_known_from_the_report_alone() -> None:
    seen: list[str] = []
    running = {"total": 2, "success": 1, "failed": 0}
    done = {"total": 2, "success": 2, "failed": 0}
    client = allegro([{"total": 0, "success": 0, "failed": 0}, running, done], [], seen)
    tasks = await command_tasks(client, KIND, "c1", ["1", "2"])
    assert [(t["offer"], t["status"]) for t in tasks] == [({"id": "1"}, "SUCCESS"),
                                                          ({"id": "2"}, "SUCCESS")]
    assert seen == [f"/sale/{KIND}/c1"] * 3


async def test_a_failed_task_is_read_from_the_task_list_for_its_message() -> None:
    seen: list[str] = []
    failed = {"offer": {"id": "2"}, "status": "FAIL", "message": "The offer does not exist."}
    listed = [{"offer": {"id": "1"}, "status": "SUCCESS"}, failed]
    client = allegro([{"total": 2, "success": 1, "failed": 1}], listed, seen)
    assert await command_tasks(client, KIND, "c1", ["1", "2"]) == listed
    assert seen == [f"/sale/{KIND}/c1", f"/sale/{KIND}/c1/tasks"]


async def test_the_next_command_is_first_polled_when_the_last_one_had_settled() -> None:
    seen: list[str] = []
    settles_at: dict[str, float] = {}

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        done = int(time.monotonic() >= settles_at[request.url.path.rsplit("/", 1)[1]])
        body = {"taskCount": {"total": 1, "success": done, "failed": 0}}
        return json_answer(body)

    client = mock_client(answer)
    for command in ("c1", "c2"):
        seen.clear()
        settles_at[command] = time.monotonic() + 0.3
        await command_tasks(client, KIND, command, ["1"])
        polls = len(seen)
        assert polls == (3 if command == "c1" else 1)  # 0.05 s, 0.15 s, 0.35 s; then 0.35 s
