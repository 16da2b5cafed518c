"""What apply will cost, as the plan says it (plan/cost.py)."""

from __future__ import annotations

from catalogsync.plan.cost import estimate
from catalogsync.plan.model import Action, Change, Command, CommandKind, Request, Resource

ACTIVATE = Command(kind=CommandKind.PUBLICATION, fields={"status": "active"})


def create(number: int) -> Change:
    return Change(
        resource=Resource.OFFER, key=f"SKU-{number}", action=Action.CREATE,
        request=Request(method="POST", path="/sale/product-offers", body={}),
        commands=(ACTIVATE,),
    )


def test_creates_count_their_posts_the_look_up_the_command_its_poll_and_the_feed() -> None:
    requests, _ = estimate([create(i) for i in range(150)])
    # 150 POSTs, 2 look-ups (100 external ids each), 1 command + 1 poll, 1 event-feed read
    assert requests == 150 + 2 + 2 + 1


def test_uploads_count_one_per_image_and_two_per_safety_manual() -> None:
    table = Change(resource=Resource.SHIPPING_RATES, key="Standard", action=Action.CREATE,
                   request=Request(method="POST", path="/sale/shipping-rates", body={}))
    assert estimate([table])[0] == 1
    assert estimate([table], ["a1b2", "c3d4", "attachment-e5f6"])[0] == 1 + 1 + 1 + 2
