"""Waiting for a batch command (apply/polling.py): the small report first, tasks only on failure."""

from __future__ import annotations

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


def report(done: bool, took: float = 0.3) -> dict[str, object]:
    counts = {"total": 1, "success": int(done), "failed": 0}
    completed = f"2026-12-07T10:00:{took:06.3f}Z" if done else None
    return {"createdAt": "2026-12-07T10:00:00.000Z", "completedAt": completed,
            "taskCount": counts}


class Allegro:
    """A simulated Allegro on a simulated clock: each request takes `rtt` seconds, each
    command takes `takes` seconds to process, its report says so."""

    def __init__(self, takes: float, rtt: float) -> None:
        self.now, self.takes, self.rtt = 0.0, takes, rtt
        self.created: dict[str, float] = {}
        self.polls = 0

    async def sleep(self, seconds: float) -> None:
        self.now += seconds

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.now += self.rtt
        self.polls += 1
        command = request.url.path.rsplit("/", 1)[1]
        return json_answer(report(self.now >= self.created[command] + self.takes, self.takes))


async def test_waits_stay_bounded_over_thousands_of_commands() -> None:
    """Each command is waited for as long as Allegro takes to process one, however many
    came before it: the total grows with the number of commands, not with its square."""
    allegro = Allegro(takes=0.3, rtt=0.02)
    client = mock_client(allegro.answer)
    waits = []
    for n in range(3000):
        command = f"c{n}"
        allegro.created[command] = allegro.now  # the PUT was answered just now
        started, polls = allegro.now, allegro.polls
        await command_tasks(client, KIND, command, ["1"], sleep=allegro.sleep,
                            clock=lambda: allegro.now)
        waits.append(allegro.now - started)
        assert allegro.polls - polls <= (5 if n == 0 else 1)
    assert max(waits[1:]) <= 0.3 + 0.02 + 1e-9
    assert sum(waits) < 3000 * 0.33


async def test_the_next_command_is_first_polled_when_allegro_said_the_last_one_took() -> None:
    allegro = Allegro(takes=0.3, rtt=0.0)
    client = mock_client(allegro.answer)
    for command in ("c1", "c2"):
        allegro.created[command], polls = allegro.now, allegro.polls
        await command_tasks(client, KIND, command, ["1"], sleep=allegro.sleep,
                            clock=lambda: allegro.now)
        # c1 at ages 0.05, 0.1, 0.2 and 0.4; c2 at 0.3, what Allegro said c1 took
        assert allegro.polls - polls == (4 if command == "c1" else 1)


async def test_a_running_command_is_polled_again_after_allegros_retry_after() -> None:
    allegro = Allegro(takes=10.0, rtt=0.0)

    def answer(request: httpx.Request) -> httpx.Response:
        response = allegro.answer(request)
        response.headers["Retry-After"] = "2"
        return response

    allegro.created["c1"] = 0.0
    client = mock_client(answer)
    await command_tasks(client, KIND, "c1", ["1"], sleep=allegro.sleep, clock=lambda: allegro.now)
    assert allegro.polls == 6  # at 0.05, then every 2 s until 10.05
