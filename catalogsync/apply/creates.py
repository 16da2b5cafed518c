"""Creates that survive faults, and the prerequisites a change waits for.

A create is not idempotent: sent twice, it makes two offers. So when its answer is lost (a
dropped connection) or it is refused by a transient failure (5xx, Allegro's errors on a 200, a
429 outlasting the client's own retries), the resource is first looked up (an offer by its
external id, a table or an after-sales condition by its name); only if Allegro does not have
it is the create sent again, with backoff, within the same run. A create that timed out may
still be under way on Allegro's side, so a look-up that misses it proves nothing: it is looked
up once more after a pause and otherwise reported as failed, and the next run looks it up
again before sending anything. A look-up that fails is tried again; if none answers, the
create is not repeated: a failure now is better than a duplicate.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.errors import (
    AllegroError,
    AnswerTimedOut,
    ErrorsOnSuccess,
    TransportError,
)
from catalogsync.allegro.size_tables_wire import RESOURCES
from catalogsync.allegro.wire import AFTER_SALES_KEYS
from catalogsync.apply.polling import operation
from catalogsync.errors import CatalogsyncError
from catalogsync.live.after_sales import read_conditions
from catalogsync.plan.model import CONDITIONS, Action, Change, Resource

#: Tries of one create (the first included) before it is reported as failed.
CREATE_ATTEMPTS = 6
#: How long a create that timed out is given to land before it is looked up again.
TIMED_OUT_PAUSE = 10.0


async def create(client: AllegroClient, change: Change, body: Any) -> tuple[str, bytes | None]:
    """POST the change's create: its new id, and Allegro's answer as sent (None when the
    create was found by a look-up). Raises the last error once out of tries."""
    assert change.request is not None
    attempt = 0
    while True:
        attempt += 1
        try:
            response = await client.request("POST", change.request.path, json=body)
            if response.status_code == 202:
                retry_after = float(response.headers.get("Retry-After", "1"))
                await operation(client, response.headers["Location"], retry_after)
            answered = response.status_code in (200, 201)
            return str(response.json()["id"]), response.content if answered else None
        except CatalogsyncError as exc:
            if not transient(exc):
                raise
            found = await _looked_up(client, change, exc)
            if found is not None:
                return found, None
            if attempt >= CREATE_ATTEMPTS or isinstance(exc, AnswerTimedOut):
                raise
        await asyncio.sleep(backoff(attempt))


async def _looked_up(client: AllegroClient, change: Change, exc: CatalogsyncError) -> str | None:
    """What the failed create made, if anything; a look-up that fails is tried again with
    backoff, and `exc` is raised if none gets an answer (the create is then not repeated)."""
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        try:
            found = await created_after_all(client, change)
            if found is None and isinstance(exc, AnswerTimedOut):
                await asyncio.sleep(TIMED_OUT_PAUSE)
                found = await created_after_all(client, change)
            return found
        except CatalogsyncError:
            if attempt == CREATE_ATTEMPTS:
                raise exc from None
        await asyncio.sleep(backoff(attempt))
    return None  # pragma: no cover - the loop returns or raises


def backoff(attempt: int) -> float:
    """Jittered exponential backoff between tries: 0.5 s, 1 s, 2 s … capped at 8 s."""
    return float(min(8.0, 0.5 * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0))


def transient(exc: CatalogsyncError) -> bool:
    """A failure that says nothing about the request itself: it may work if sent again."""
    if isinstance(exc, TransportError | ErrorsOnSuccess):
        return True
    return isinstance(exc, AllegroError) and (exc.status >= 500 or exc.status == 429)


async def created_after_all(client: AllegroClient, change: Change) -> str | None:
    """The id of what the create would have made, if Allegro has it already."""
    if change.resource is Resource.OFFER:
        found = await client.get("/sale/offers", params={"external.id": change.key})
        offers = found.get("offers") or [] if isinstance(found, dict) else []
        return str(offers[0]["id"]) if offers else None
    if change.resource is Resource.SHIPPING_RATES:
        tables = (await client.get("/sale/shipping-rates")).get("shippingRates") or []
        named = [t for t in tables if isinstance(t, dict) and t.get("name") == change.key]
        return str(named[0]["id"]) if named else None
    if change.resource in CONDITIONS:
        conditions = (await read_conditions(client, {}))[1].get(change.resource.value, {})
        return conditions[change.key].id if change.key in conditions else None
    if change.resource.value in RESOURCES:  # size tables and contacts, by name
        path, key = RESOURCES[change.resource.value]
        entries = (await client.get(path)).get(key) or []
        named = [e for e in entries if isinstance(e, dict) and e.get("name") == change.key]
        return str(named[0]["id"]) if named else None
    return None


def table_named(change: Change) -> str | None:
    """The shipping-rate table an offer change refers to by name (one made in this run)."""
    if change.request is not None and isinstance(change.request.body, dict):
        delivery = change.request.body.get("delivery") or {}
        name = (delivery.get("shippingRates") or {}).get("name")
        if isinstance(name, str):
            return name
    for command in change.commands:
        name = command.fields.get("shipping_rates")
        if isinstance(name, str):
            return name
    return None


def failed_key(change: Change, table_ids: dict[str, str]) -> str | None:
    """Under what the failure of an account resource's change is remembered, when offers
    name it by name and so cannot be sent without it: a table that has no id, by its name;
    an after-sales condition not created, by its address (`return_policy NAME`)."""
    if change.resource is Resource.SHIPPING_RATES:
        return None if change.key in table_ids else change.key
    if change.resource in CONDITIONS and change.action is Action.CREATE:
        return change.address
    return None


def referenced(change: Change) -> list[str]:
    """What an offer change names by name (a table, after-sales conditions), as `failed_key`
    remembers each."""
    table = table_named(change)
    named = [] if table is None else [table]
    body = change.request.body if change.request is not None else None
    services = (body.get("afterSalesServices") or {}) if isinstance(body, dict) else {}
    for kind, api in AFTER_SALES_KEYS.items():
        name = (services.get(api) or {}).get("name")
        if isinstance(name, str):
            named.append(f"{kind} {name}")
    return named


def blocked_by(change: Change, failed: dict[str, str]) -> str | None:
    """Why an offer change is not sent: a table or an after-sales condition it names by name
    failed first (`failed`: `failed_key` -> why)."""
    key = next((n for n in referenced(change) if n in failed), None)
    if key is None:
        return None
    kind, _, name = key.partition(" ")
    if kind in (c.value for c in CONDITIONS) and name:
        return f"not sent: {kind.replace('_', ' ')} '{name}' failed ({failed[key]})"
    return f"not sent: shipping-rate table '{key}' failed ({failed[key]})"


#: `external.id` values one offer-list request may filter by (API_NOTES §4)
_LOOKUP = 100
#: offers one page of the offer list holds at most
_PAGE = 1000


async def made_since_the_plan(client: AllegroClient, keys: list[str]) -> dict[str, str]:
    """External id -> offer id of the offers to create (`keys`) that the offer list already
    shows: made since the plan, e.g. by a run on another machine. The whole list is read
    when that takes fewer pages (1000 offers each) than asking by external id, 100 at a
    time: on an account with few other offers, one request."""
    if not keys:
        return {}
    wanted, found = set(keys), {}
    lookups = -(-len(keys) // _LOOKUP)
    try:
        first = await client.get("/sale/offers", params={"limit": _PAGE, "offset": 0})
        pages = -(-int(first.get("totalCount") or 0) // _PAGE)
        if pages <= lookups:
            rows, batch = list(first.get("offers") or []), first.get("offers") or []
            while len(batch) == _PAGE:
                page = {"limit": _PAGE, "offset": len(rows)}
                batch = (await client.get("/sale/offers", params=page)).get("offers") or []
                rows += batch
            return _live_ones(rows, wanted)
        for start in range(0, len(keys), _LOOKUP):
            params = [("external.id", k) for k in keys[start : start + _LOOKUP]]
            body = await client.get("/sale/offers", params=[*params, ("limit", str(_PAGE))])
            found.update(_live_ones(body.get("offers") or [], wanted))
    except CatalogsyncError:
        pass  # the creates' own lost-answer check still applies
    return found


def _live_ones(rows: list[dict[str, Any]], wanted: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for offer in rows:
        key = (offer.get("external") or {}).get("id")
        if key in wanted and (offer.get("publication") or {}).get("status") != "ENDED":
            found.setdefault(key, str(offer["id"]))
    return found
