"""Creates under faults: a lost answer is looked up before anything is sent again, and a
create that timed out (it may still land on Allegro's side) is never sent twice in a run."""

from __future__ import annotations

from typing import Any, cast

import pytest

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.errors import (
    AllegroError,
    AnswerTimedOut,
    ErrorDetail,
    ErrorsOnSuccess,
    TransportError,
)
from catalogsync.apply import creates
from catalogsync.plan.model import Action, Change, Request, Resource

pytestmark = pytest.mark.anyio
CHANGE = Change(resource=Resource.OFFER, key="SKU-1", action=Action.CREATE,
                request=Request(method="POST", path="/sale/product-offers", body={}))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(creates, "backoff", lambda attempt: 0.0)
    monkeypatch.setattr(creates, "TIMED_OUT_PAUSE", 0.0)


class Allegro:
    """Fails the first POSTs as told; the offer lands `lands_after` look-ups later if set."""

    def __init__(self, failures: list[Exception], lands_after: int | None = None) -> None:
        self.failures, self.lands_after = failures, lands_after
        self.posts = self.lookups = 0

    async def request(self, method: str, path: str, **_: Any) -> Any:
        self.posts += 1
        if self.failures:
            raise self.failures.pop(0)
        return _Created()

    async def get(self, path: str, params: Any = None) -> Any:
        self.lookups += 1
        landed = self.lands_after is not None and self.lookups > self.lands_after
        return {"offers": [{"id": "777"}] if landed else []}


class _Created:
    status_code = 201
    content = b'{"id": "900"}'

    def json(self) -> Any:
        return {"id": "900"}


async def test_a_create_lost_to_5xx_or_a_drop_is_looked_up_then_sent_again() -> None:
    allegro = Allegro([AllegroError(503, "POST", "/x", [ErrorDetail("", "busy")]),
                       TransportError("connection dropped")])
    made = await creates.create(cast(AllegroClient, allegro), CHANGE, {})
    assert made == ("900", b'{"id": "900"}')
    assert (allegro.posts, allegro.lookups) == (3, 2)


async def test_a_create_whose_answer_was_lost_but_which_happened_is_not_sent_again() -> None:
    allegro = Allegro([TransportError("connection dropped")], lands_after=0)
    assert await creates.create(cast(AllegroClient, allegro), CHANGE, {}) == ("777", None)
    assert allegro.posts == 1


async def test_a_create_answered_200_with_errors_is_looked_up_like_a_5xx() -> None:
    refused = ErrorsOnSuccess(200, "POST", "/x", [ErrorDetail("", "busy")])
    landed = Allegro([refused], lands_after=0)
    assert await creates.create(cast(AllegroClient, landed), CHANGE, {}) == ("777", None)
    missing = Allegro([refused])
    assert await creates.create(cast(AllegroClient, missing), CHANGE, {}) == (
        "900", b'{"id": "900"}')
    assert (landed.posts, missing.posts, missing.lookups) == (1, 2, 1)


async def test_a_timed_out_create_is_looked_up_twice_and_never_sent_twice() -> None:
    landing = Allegro([AnswerTimedOut("no answer in time")], lands_after=1)
    assert await creates.create(cast(AllegroClient, landing), CHANGE, {}) == ("777", None)
    assert (landing.posts, landing.lookups) == (1, 2)
    lost = Allegro([AnswerTimedOut("no answer in time")])
    with pytest.raises(AnswerTimedOut):
        await creates.create(cast(AllegroClient, lost), CHANGE, {})
    assert lost.posts == 1


async def test_a_table_create_whose_answer_was_lost_is_found_by_name() -> None:
    table = Change(resource=Resource.SHIPPING_RATES, key="Standard", action=Action.CREATE,
                   request=Request(method="POST", path="/sale/shipping-rates", body={}))

    class Tables(Allegro):
        async def get(self, path: str, params: Any = None) -> Any:
            self.lookups += 1
            return {"shippingRates": [{"id": "t-9", "name": "Standard"}, {"id": "t-1"}]}

    allegro = Tables([TransportError("connection dropped")])
    assert await creates.create(cast(AllegroClient, allegro), table, {}) == ("t-9", None)
    assert (allegro.posts, allegro.lookups) == (1, 1)


class _Entries:
    """An account whose size table and contact landed although their answers were lost."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def request(self, method: str, path: str, **_: Any) -> Any:
        raise TransportError("connection dropped")

    async def get(self, path: str, params: Any = None) -> Any:
        self.paths.append(path)
        return {"tables": [{"id": "s-1", "name": "Koszulki"}],
                "contacts": [{"id": "c-1", "name": "Biuro"}]}


@pytest.mark.parametrize(("resource", "key", "path", "found"), [
    (Resource.SIZE_TABLE, "Koszulki", "/sale/size-tables", "s-1"),
    (Resource.CONTACT, "Biuro", "/sale/offer-contacts", "c-1"),
])
async def test_a_size_table_or_contact_whose_answer_was_lost_is_found_by_name(
    resource: Resource, key: str, path: str, found: str
) -> None:
    allegro = _Entries()
    change = Change(resource=resource, key=key, action=Action.CREATE,
                    request=Request(method="POST", path=path, body={}))

    made, answer = await creates.create(cast(AllegroClient, allegro), change, {})

    assert (made, answer, allegro.paths) == (found, None, [path])
