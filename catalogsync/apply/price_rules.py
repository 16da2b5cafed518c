"""Price automation, applied after the offers (they must exist, and be offered on the
marketplace, before a rule is set there): the catalog's rules created or updated, then each
marketplace's offers put under their rule by `POST /sale/offer-price-automation-commands`
(1000 offers a command), polled to the end. A rule that failed stops only the offers that
follow it; a rule a stopped run made is found by its name (Allegro answers 409 to a second),
never made twice."""

from __future__ import annotations

import uuid

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.price_rules_wire import COMMANDS, RULES, command_body
from catalogsync.apply.polling import command_tasks
from catalogsync.apply.report import ApplyReport, Outcome
from catalogsync.apply.variant_sets import reason
from catalogsync.catalog.limits import OFFERS_PER_COMMAND
from catalogsync.errors import CatalogsyncError
from catalogsync.plan.model import Action, Change, Plan, Resource
from catalogsync.state.index import StateIndex

KIND = COMMANDS.removeprefix("/sale/")


async def apply_price_rules(client: AllegroClient, plan: Plan, index: StateIndex,
                            report: ApplyReport) -> None:
    """Carry out the plan's price rule changes, each outcome into `report`."""
    rules = [c for c in plan.changes if c.resource is Resource.PRICE_RULE]
    uses = [c for c in plan.changes if c.resource is Resource.OFFER_PRICE_RULES]
    if not rules and not uses:
        return
    ids: dict[str, str | None] = {c.payload["rule"]: c.id for c in uses if c.id and c.payload}
    failed: dict[str, str] = {}
    for change in rules:
        step = change.via[0]
        try:
            ids[change.key] = await _rule(client, change)
            report.outcomes.append(Outcome(change.address, step, True))
        except CatalogsyncError as exc:
            failed[change.key] = reason(exc)
            ids.pop(change.key, None)
            report.outcomes.append(Outcome(change.address, step, False, reason(exc)))
    done_offers = {o.address for o in report.outcomes}
    for change in uses:
        await _use(client, change, ids, failed, index, report, done_offers)
    report.requests = dict(client.requests)


async def _rule(client: AllegroClient, change: Change) -> str:
    assert change.request is not None
    request = change.request
    if change.action is Action.CREATE:
        response = await client.request("POST", request.path, json=request.body,
                                        ok=(201, 409))
        if response.status_code == 201:
            return str(response.json()["id"])
        found = {r["name"]: r["id"] for r in (await client.get(RULES)).get("rules") or []}
        if change.key in found:  # made by a run that stopped before it heard the answer
            return str(found[change.key])
        raise CatalogsyncError(f"price rule {change.key}: Allegro answered 409 and has no "
                               "rule of that name")
    await client.request(request.method, request.path, json=request.body)
    assert change.id is not None
    return change.id


async def _use(client: AllegroClient, change: Change, ids: dict[str, str | None],
               failed: dict[str, str], index: StateIndex, report: ApplyReport,
               done_offers: set[str]) -> None:
    assert change.payload is not None
    marketplace, rule = change.payload["marketplace"], change.payload["rule"]
    step = f"POST {COMMANDS} ({marketplace}: {rule})"
    offers: dict[str, str] = {}
    for sku, offer_id in change.payload["offers"].items():
        offer_id = offer_id or index.offers.get(sku)
        why = (f"not sent: price rule '{rule}' failed ({failed[rule]})" if rule in failed
               else "not sent: the offer was not created" if offer_id is None else None)
        if why is None and f"offer {sku}" in done_offers and not _offer_ok(report, sku):
            why = "not sent: the offer's own changes failed"
        if why:
            report.outcomes.append(Outcome(f"offer {sku}", step, False, why, skipped=True))
        elif offer_id:
            offers[offer_id] = sku
    rule_id = ids.get(rule)
    if not offers or rule_id is None:
        return
    chunk = list(offers)
    for start in range(0, len(chunk), OFFERS_PER_COMMAND):
        part = chunk[start:start + OFFERS_PER_COMMAND]
        command_id = str(uuid.uuid4())
        try:
            await client.request("POST", COMMANDS,  # a repeat of the same id: 409, no harm
                                 json=command_body(command_id, marketplace, rule_id, part),
                                 ok=(201, 409), idempotent=True)
            tasks = await command_tasks(client, KIND, command_id, part)
        except CatalogsyncError as exc:
            report.outcomes += [Outcome(f"offer {offers[i]}", step, False, reason(exc))
                                for i in part]
            continue
        for task in tasks:
            offer_id = str((task.get("offer") or {}).get("id"))
            if offer_id not in offers:
                continue
            ok = task.get("status") == "SUCCESS"
            report.outcomes.append(Outcome(f"offer {offers[offer_id]}", step, ok,
                                           "" if ok else str(task.get("message") or "")))


def _offer_ok(report: ApplyReport, sku: str) -> bool:
    return not any(o.address == f"offer {sku}" and not o.ok for o in report.outcomes)
