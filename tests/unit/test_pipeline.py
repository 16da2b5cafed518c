"""Batch commands go out as soon as their offers are ready (apply/pipeline.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from catalogsync.apply.pipeline import CommandPipeline, Member, ends_first
from catalogsync.plan.model import Action, Change, Command, CommandKind, Resource

ACTIVATE = Command(kind=CommandKind.PUBLICATION, fields={"status": "active"})
PRICE = Command(kind=CommandKind.PRICE, fields={"price": "9.99 PLN"})


def change(number: int, *commands: Command) -> Change:
    return Change(
        resource=Resource.OFFER, key=f"SKU-{number}", action=Action.CREATE, commands=commands
    )


def test_a_full_batch_is_activated_before_later_creates_are_ready() -> None:
    sent: list[tuple[CommandKind, int]] = []

    async def send(kind: CommandKind, values: dict[str, Any], members: list[Member]) -> None:
        sent.append((kind, len(members)))

    async def run() -> list[tuple[CommandKind, int]]:
        offers = [change(i, ACTIVATE) for i in range(2500)]
        pipeline = CommandPipeline(offers, send)
        for number, offer in enumerate(offers[:1000]):
            pipeline.ready(offer, str(number))
        await asyncio.sleep(0)
        before_the_rest = list(sent)
        for number, offer in enumerate(offers[1000:], start=1000):
            pipeline.ready(offer, str(number))
        await pipeline.finish()
        return before_the_rest

    assert asyncio.run(run()) == [(CommandKind.PUBLICATION, 1000)]
    assert sent == [(CommandKind.PUBLICATION, 1000)] * 2 + [(CommandKind.PUBLICATION, 500)]


def test_an_offer_runs_its_commands_in_order_and_a_dropped_one_holds_nothing_back() -> None:
    order: list[tuple[str, CommandKind]] = []

    async def send(kind: CommandKind, values: dict[str, Any], members: list[Member]) -> None:
        order.extend((offer_id, kind) for _, offer_id in members)

    async def run() -> None:
        offers = [change(1, PRICE, ACTIVATE), change(2, ACTIVATE), change(3, ACTIVATE)]
        pipeline = CommandPipeline(offers, send)
        pipeline.ready(offers[1], "2")
        pipeline.dropped(offers[2])  # its create failed
        pipeline.ready(offers[0], "1")
        await pipeline.finish()

    asyncio.run(run())
    assert order.index(("1", CommandKind.PRICE)) < order.index(("1", CommandKind.PUBLICATION))
    assert sorted(order) == [
        ("1", CommandKind.PRICE),
        ("1", CommandKind.PUBLICATION),
        ("2", CommandKind.PUBLICATION),
    ]


def test_two_commands_of_one_kind_for_one_offer_each_go_out_once() -> None:
    """A price on allegro.pl and one on allegro.cz are two price commands for the offer."""
    sent: list[dict[str, Any]] = []
    abroad = Command(kind=CommandKind.PRICE, fields={"price": "169.00 CZK",
                                                     "marketplace": "allegro-cz"})

    async def send(kind: CommandKind, values: dict[str, Any], members: list[Member]) -> None:
        sent.append(values)

    async def run() -> None:
        offer = change(1, abroad, PRICE, ACTIVATE)
        pipeline = CommandPipeline([offer], send)
        pipeline.ready(offer, "1")
        await asyncio.wait_for(pipeline.finish(), timeout=5)

    asyncio.run(run())
    assert sent == [abroad.fields, PRICE.fields, ACTIVATE.fields]


def test_ends_settle_before_creates_only_when_a_plan_has_both() -> None:
    def change(key: str, action: Action) -> Change:
        return Change(resource=Resource.OFFER, key=key, action=action)

    end, create, update = (change("A", Action.END), change("B", Action.CREATE),
                           change("C", Action.UPDATE))
    assert ends_first([create, update, end]) == [[end], [create, update]]
    assert ends_first([update, end]) == [[update, end]]
    assert ends_first([create, update]) == [[create, update]]
