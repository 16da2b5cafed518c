"""R24: a legacy variant set waits for Allegro to process freshly activated offers, backing off
to a bound, and then says what to do instead of hammering or failing silently."""

from __future__ import annotations

from typing import Any, cast

import pytest

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.errors import AllegroError, ErrorDetail
from catalogsync.apply.polling import VARIANT_WAIT_SECONDS, put_variant_set
from catalogsync.errors import ApplyError

pytestmark = pytest.mark.anyio
PROCESSING = ErrorDetail("VALIDATION_ERROR", "Offers 1, 2 have not been processed yet. Try again.")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Processing:
    """Answers 422 "not processed yet" for `busy` virtual seconds, then accepts the set."""

    def __init__(self, busy: float) -> None:
        self.busy, self.now, self.puts = busy, 0.0, 0

    async def request(self, method: str, path: str, **_: Any) -> None:
        self.puts += 1
        if self.now < self.busy:
            raise AllegroError(422, method, path, [PROCESSING])

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_r24_waits_with_backoff_until_the_offers_are_processed() -> None:
    server = Processing(busy=200.0)
    client = cast(AllegroClient, server)
    await put_variant_set(client, "s1", {"name": "Kubki"}, server.sleep, lambda: server.now)
    assert server.now >= 200.0 and server.puts <= 9  # 2, 4, 8 … 60 s apart, not every 5 s


async def test_r24_gives_up_at_the_bound_and_says_to_apply_again() -> None:
    server = Processing(busy=3600.0)
    client = cast(AllegroClient, server)
    with pytest.raises(ApplyError) as caught:
        await put_variant_set(client, "s1", {"name": "Kubki"}, server.sleep, lambda: server.now)
    assert server.now <= VARIANT_WAIT_SECONDS and server.puts <= 10
    message = str(caught.value)
    assert "still processing the offers of variant set 'Kubki'" in message
    assert "Run `catalogsync apply` again later" in message


async def test_r24_other_refusals_are_not_waited_for() -> None:
    class Refusing(Processing):
        async def request(self, method: str, path: str, **_: Any) -> None:
            self.puts += 1
            raise AllegroError(422, method, path, [ErrorDetail("X", "name too long")])

    server = Refusing(busy=0)
    with pytest.raises(AllegroError):
        await put_variant_set(cast(AllegroClient, server), "s1", {}, server.sleep)
    assert server.puts == 1
