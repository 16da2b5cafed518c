"""apply(): carry a Plan out against Allegro and report per resource what happened.

Order: shipping-rate tables, then offer creates (drafts) and per-offer edits, then batched
publication commands. A failure of one offer never stops the others; the next plan shows
what is still to do.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.errors import AllegroError
from catalogsync.apply.batching import chunks, command_id
from catalogsync.apply.polling import command_tasks, operation
from catalogsync.errors import CatalogsyncError
from catalogsync.plan.model import Action, Change, Plan, Resource
from catalogsync.state import StateIndex, save_index

#: Per-offer requests in flight at once (R2, R3: bounded per user and per client).
CONCURRENCY = 10
PUBLICATION = "offer-publication-commands"


@dataclass(frozen=True)
class Outcome:
    address: str
    step: str
    ok: bool
    message: str = ""


@dataclass
class ApplyReport:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    requests: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]


class Applier:
    def __init__(
        self,
        client: AllegroClient,
        plan: Plan,
        index: StateIndex,
        index_path: Path,
        echo: Callable[[str], None],
    ) -> None:
        self.client = client
        self.plan = plan
        self.index = index
        self.index_path = index_path
        self.echo = echo
        self.report = ApplyReport()
        self._gate = asyncio.Semaphore(CONCURRENCY)

    async def run(self) -> ApplyReport:
        started = time.perf_counter()
        tables = [c for c in self.plan.changes if c.resource is Resource.SHIPPING_RATES]
        offers = [c for c in self.plan.changes if c.resource is Resource.OFFER]
        for change in tables:  # offers may name these tables, so they go first
            await self._request(change)
        ids = await asyncio.gather(*(self._offer_request(c) for c in offers))
        for action in ("ACTIVATE", "END"):
            targets = [
                (c, offer_id)
                for c, offer_id in zip(offers, ids, strict=True)
                if c.publication == action and offer_id
            ]
            await self._publication(action, targets)
        self.report.seconds = time.perf_counter() - started
        self.report.requests = dict(self.client.requests)
        return self.report

    async def _offer_request(self, change: Change) -> str | None:
        async with self._gate:
            if change.request is None:
                return change.id
            return await self._request(change)

    async def _request(self, change: Change) -> str | None:
        """Send the change's own request; return the resource id, or None when it failed."""
        request = change.request
        assert request is not None
        step = f"{request.method} {request.path}"
        try:
            response = await self.client.request(request.method, request.path, json=request.body)
            if response.status_code == 202:
                await operation(
                    self.client,
                    response.headers["Location"],
                    float(response.headers.get("Retry-After", "1")),
                )
        except CatalogsyncError as exc:
            self._record(Outcome(change.address, step, False, _reason(exc)))
            return None
        resource_id = change.id or str(response.json()["id"])
        if change.action is Action.CREATE:
            self._remember(change, resource_id)
        self._record(Outcome(change.address, step, True))
        return resource_id

    def _remember(self, change: Change, resource_id: str) -> None:
        """Write the new id down at once: a crash now must not lead to a duplicate offer."""
        if change.resource is Resource.OFFER:
            self.index.offers[change.key] = resource_id
        else:
            self.index.shipping_rates[change.key] = resource_id
        save_index(self.index_path, self.index)

    async def _publication(self, action: str, targets: list[tuple[Change, str]]) -> None:
        for batch in chunks(targets):
            offer_ids = [offer_id for _, offer_id in batch]
            by_id = {offer_id: change for change, offer_id in batch}
            kind_id = command_id(self.plan.fingerprint, f"{PUBLICATION}:{action}", offer_ids)
            body: dict[str, Any] = {
                "offerCriteria": [
                    {"type": "CONTAINS_OFFERS", "offers": [{"id": i} for i in offer_ids]}
                ],
                "publication": {"action": action},
            }
            step = f"{PUBLICATION} {action}"
            try:
                await self.client.request(
                    "PUT", f"/sale/{PUBLICATION}/{kind_id}", json=body, ok=(201, 409)
                )
                tasks = await command_tasks(self.client, PUBLICATION, kind_id, len(offer_ids))
            except CatalogsyncError as exc:
                for change in by_id.values():
                    self._record(Outcome(change.address, step, False, _reason(exc)))
                continue
            for task in tasks:
                target = by_id.get(str((task.get("offer") or {}).get("id")))
                if target is not None:
                    ok = task.get("status") == "SUCCESS"
                    self._record(Outcome(target.address, step, ok, _task_message(task)))

    def _record(self, outcome: Outcome) -> None:
        self.report.outcomes.append(outcome)
        if not outcome.ok:
            self.echo(f"failed: {outcome.address}: {outcome.step}: {outcome.message}")


def _reason(exc: CatalogsyncError) -> str:
    if isinstance(exc, AllegroError):
        return "; ".join(str(d) for d in exc.details) or str(exc)
    return str(exc)


def _task_message(task: dict[str, Any]) -> str:
    errors = task.get("errors") or []
    texts = [e.get("userMessage") or e.get("message") for e in errors if isinstance(e, dict)]
    return "; ".join(t for t in texts if t) or str(task.get("message") or "")
