"""A batch command sent and waited for (apply/sending.py): an id Allegro already knows (409)
is an earlier run's command, taken as its outcome, except for the parts whose task failed:
those go again under a new id, so a reported failure is never answered with itself again."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from catalogsync.apply.sending import MAX_ATTEMPTS, Journal, Outgoing, Part, by_part, send
from tests.unit.mock_allegro import json_answer, mock_client

pytestmark = pytest.mark.anyio
KIND = "offer-publication-commands"
USED = {"errors": [{"code": "CONFLICT", "message": "Command id was already used"}]}
FAIL = {"status": "FAIL", "message": "The offer cannot be activated.",
        "errors": [{"code": "VALIDATION_ERROR",
                    "userMessage": "Offer can be activated only with stock being greater than 0."}]}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Allegro:
    """Commands by id, each with its tasks' statuses by offer; `known` are an earlier run's."""

    def __init__(self, known: dict[str, dict[str, str]], fails: set[str]) -> None:
        self.commands = known
        self.fails = fails  # offers whose task fails in a new command
        self.sent: list[tuple[str, list[str], int]] = []

    def answer(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.split("/")
        uid = parts[3]
        if request.method == "PUT":
            offers = [o["id"] for o in json.loads(request.content)["offerCriteria"][0]["offers"]]
            used = uid in self.commands
            self.sent.append((uid, offers, 409 if used else 201))
            if used:
                return json_answer(USED, 409)
            self.commands[uid] = {o: "FAIL" if o in self.fails else "SUCCESS" for o in offers}
            return json_answer({"id": uid, "taskCount": {"total": 0, "success": 0, "failed": 0}},
                               201)
        tasks = self.commands[uid]
        if parts[-1] == "tasks":
            return json_answer({"tasks": [{"offer": {"id": o}, **(FAIL if s == "FAIL" else
                                                                     {"status": s})}
                                          for o, s in tasks.items()]})
        failed = sum(s == "FAIL" for s in tasks.values())
        return json_answer({"id": uid, "createdAt": "2026-12-07T10:00:00Z",
                            "completedAt": "2026-12-07T10:00:00Z",
                            "taskCount": {"total": len(tasks), "success": len(tasks) - failed,
                                          "failed": failed}})


def outgoing(offers: list[str]) -> Outgoing:
    def request(uid: str, parts: list[Part]) -> tuple[str, str, dict[str, Any]]:
        criteria = [{"type": "CONTAINS_OFFERS", "offers": [{"id": o} for o, _ in parts]}]
        return "PUT", f"/sale/{KIND}/{uid}", {"offerCriteria": criteria,
                                              "publication": {"action": "ACTIVATE"}}

    return Outgoing(KIND, [(o, None) for o in offers], request)


async def sent(allegro: Allegro, offers: list[str]) -> tuple[dict[Part, Any], list[str]]:
    journal: list[str] = []
    pending = Journal(lambda uid, kind, offers: journal.append(uid), journal.remove)
    tasks = await send(mock_client(allegro.answer), outgoing(offers), "c1", pending)
    assert journal == []  # every command written down was forgotten once settled
    return tasks, [uid for uid, _, _ in allegro.sent]


async def test_a_failed_task_is_reported_in_allegros_words() -> None:
    allegro = Allegro({}, fails={"2"})
    tasks, ids = await sent(allegro, ["1", "2"])
    assert tasks[("1", None)]["status"] == "SUCCESS"
    assert tasks[("2", None)]["status"] == "FAIL"
    assert ids == ["c1"]


async def test_a_failure_an_earlier_run_reported_is_sent_again_under_a_new_id() -> None:
    """The run after a FAIL plans the same command (same live state, same id): Allegro
    answers 409; the failed offer goes again, the one that succeeded does not."""
    allegro = Allegro({"c1": {"1": "SUCCESS", "2": "FAIL"}}, fails=set())
    tasks, ids = await sent(allegro, ["1", "2"])
    assert {p: t["status"] for p, t in tasks.items()} == {("1", None): "SUCCESS",
                                                          ("2", None): "SUCCESS"}
    assert [(offers, status) for _, offers, status in allegro.sent] == [(["1", "2"], 409),
                                                                          (["2"], 201)]
    assert ids[1] != "c1"


async def test_a_command_an_interrupted_run_sent_is_found_not_sent_twice() -> None:
    allegro = Allegro({"c1": {"1": "SUCCESS", "2": "SUCCESS"}}, fails=set())
    tasks, ids = await sent(allegro, ["1", "2"])
    assert all(t["status"] == "SUCCESS" for t in tasks.values())
    assert ids == ["c1"]  # the 409 alone: its tasks are the outcome


async def test_each_earlier_failure_is_passed_under_ids_derived_one_from_another() -> None:
    first = Allegro({"c1": {"2": "FAIL"}}, fails={"2"})
    _, ids = await sent(first, ["2"])
    second = Allegro({uid: {"2": "FAIL"} for uid in ids}, fails=set())
    tasks, more = await sent(second, ["2"])
    assert more[: len(ids)] == ids and len(more) == len(ids) + 1  # the same ids, then a new one
    assert tasks[("2", None)]["status"] == "SUCCESS"


def test_bulk_tasks_are_told_apart_by_offer_and_field() -> None:
    tasks = [{"subject": {"offerId": "1", "field": "prices"}, "status": "SUCCESS"},
             {"subject": {"offerId": "1", "field": "stock"}, "status": "FAIL"}]
    found = by_part(tasks, [("1", "prices"), ("1", "stock"), ("2", "stock")])
    assert [found[p]["status"] for p in found] == ["SUCCESS", "FAIL", "FAIL"]


async def test_a_bulk_part_that_failed_before_is_sent_again_alone() -> None:
    """An offer's stock succeeded and its price failed in an earlier run's bulk command: the
    409 brings both outcomes, and only the price goes again (a GAIN is never added twice)."""
    from catalogsync.apply.bulk import BulkCommand
    from catalogsync.plan.model import Action, Change, Command, CommandKind, Resource

    fields = {"prices": {"allegro-pl": "19.99 PLN"}, "stock": {"change": "GAIN", "value": 5}}
    change = Change(resource=Resource.OFFER, key="MUG", action=Action.UPDATE, id="1",
                    commands=(Command(kind=CommandKind.BULK, fields=fields),))
    bulk = BulkCommand([(change, "1")], "allegro-pl")
    posted: list[tuple[str, list[dict[str, Any]], str]] = []
    earlier = [{"subject": {"offerId": "1", "field": "prices"}, **FAIL},
               {"subject": {"offerId": "1", "field": "stock"}, "status": "SUCCESS"}]

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            body = json.loads(request.content)
            posted.append((body["commandId"], body["modifications"],
                           request.headers["content-type"]))
            if body["commandId"] == "c1":
                return json_answer(USED, 409)
            return json_answer({"id": body["commandId"]}, 201)
        if request.url.path.endswith("/tasks"):
            return json_answer({"tasks": earlier})
        done = 2 if request.url.path.endswith("/c1") else 1
        failed = 1 if done == 2 else 0
        return json_answer({"taskCount": {"total": done, "success": done - failed,
                                          "failed": failed}})

    pending = Journal(lambda *_: None, lambda _: None)
    tasks = await send(mock_client(answer), bulk.outgoing(), "c1", pending)
    assert {p: t["status"] for p, t in tasks.items()} == {("1", "prices"): "SUCCESS",
                                                         ("1", "stock"): "SUCCESS"}
    assert [m for _, m, _ in posted] == [
        [{"offerId": "1", "prices": {"allegro-pl": {"changeType": "FIXED", "value": {
            "amount": "19.99", "currency": "PLN"}}}},
         {"offerId": "1", "stock": {"changeType": "GAIN", "value": 5}}],
        [{"offerId": "1", "prices": {"allegro-pl": {"changeType": "FIXED", "value": {
            "amount": "19.99", "currency": "PLN"}}}}]]
    assert posted[1][0] != "c1"
    assert {media for _, _, media in posted} == {"application/vnd.allegro.beta.v1+json"}


async def test_a_change_that_failed_in_every_earlier_command_gives_up_and_says_so() -> None:
    class Failed(dict[str, dict[str, str]]):
        def __contains__(self, uid: object) -> bool:
            return True

        def __getitem__(self, uid: str) -> dict[str, str]:
            return {"2": "FAIL"}

    allegro = Allegro(Failed(), fails=set())
    tasks, ids = await sent(allegro, ["2"])
    assert len(ids) == MAX_ATTEMPTS and len(set(ids)) == MAX_ATTEMPTS
    assert tasks[("2", None)]["status"] == "FAIL"
    assert "earlier commands with this change failed" in tasks[("2", None)]["message"]
