"""apply(): carry a Plan out against Allegro and report per offer what happened.

Order: the account resources offers name (tables, GPSR entries, after-sales conditions, size
tables, contacts), local files, offer creates and edits, then the batch commands, each grouping
the offers that get the same value (R14). A failure of one offer never stops the others; the
next plan shows what is still to do."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.wire import command_body
from catalogsync.apply.batching import COMMANDS_AT_ONCE, MAX_OFFERS_PER_COMMAND, command_id
from catalogsync.apply.bulk import AT_ONCE, BulkCommand
from catalogsync.apply.cache_keeping import CacheKeeper
from catalogsync.apply.creates import blocked_by, create, failed_key, made_since_the_plan
from catalogsync.apply.ledger import Ledger, follow, record, table_names
from catalogsync.apply.pipeline import CommandPipeline, ends_first
from catalogsync.apply.polling import operation, task_message
from catalogsync.apply.report import ApplyReport, Outcome
from catalogsync.apply.sending import Journal, Outgoing, Part, send
from catalogsync.apply.stock import StockMarks
from catalogsync.apply.uploads import ATTACHMENT, UploadProblem, upload
from catalogsync.apply.variant_sets import reason, variant_set
from catalogsync.catalog.models import Environment
from catalogsync.config import live_cache_path
from catalogsync.errors import CatalogsyncError
from catalogsync.gcpause import settled
from catalogsync.images import placeholders, substitute
from catalogsync.live.cache import LiveCache, load_cache
from catalogsync.plan.checks import approved_values
from catalogsync.plan.model import Action, Change, Command, CommandKind, Plan, Resource
from catalogsync.progress import Phase, Progress
from catalogsync.state.index import (
    PendingCommand,
    StateIndex,
    forget_command,
    forget_id,
    record_command,
    record_id,
    save_index,
)
from catalogsync.wording import shown

#: Per-offer requests in flight at once (R2, R3: bounded per user and per client), leaving
#: the client's other slots (allegro/client.py) to commands and their polls.
CONCURRENCY = 7


class Applier:
    def __init__(
        self,
        client: AllegroClient,
        plan: Plan,
        index: StateIndex,
        index_path: Path,
        table_ids: dict[str, str],
        progress: Progress,
        catalog_dir: Path,
        upload_url: str = "/sale/images",
        cache: LiveCache | None = None,
    ) -> None:
        self.client = client
        self.plan = plan
        self.index = index
        self.index_path = index_path
        self.table_ids = dict(table_ids)
        self.progress = progress
        self.catalog_dir = catalog_dir
        #: POST /sale/images goes to the upload host (the same host for the emulator)
        self.upload_url = upload_url
        self.report = ApplyReport()
        #: GPSR kind -> name -> id, for modification commands (creates are added)
        self.references = {kind: dict(ids) for kind, ids in plan.references.items()}
        self.stock = StockMarks(plan, index, index_path)
        self.ledger = Ledger()
        #: what failed, by table name and by image content hash: changes using it wait
        self.failed_tables: dict[str, str] = {}
        self.failed_uploads: dict[str, str] = {}
        self._commands = asyncio.Semaphore(COMMANDS_AT_ONCE)
        self._bulk_commands = asyncio.Semaphore(AT_ONCE)
        self._journal = Journal(
            lambda uid, kind, offers: record_command(index_path, index, uid,
                                                     PendingCommand(kind=kind, offers=offers)),
            lambda uid: forget_command(index_path, index, uid))
        self._cache_path = live_cache_path(catalog_dir, Environment(plan.environment))
        #: the live cache the plan was read with (else the saved one): apply writes into it
        self._cache = cache
        #: what each uploaded file's placeholder stands for (image URLs, attachment ids),
        #: kept as uploads succeed rather than rebuilt for every request
        self._files = dict(index.images)
        self._files.update({f"{ATTACHMENT}{k}": v for k, v in index.attachments.items()})

    async def run(self) -> ApplyReport:
        started = time.perf_counter()
        settled()  # the plan lives as long as the run: not walked by each full collection
        cache = self._cache if self._cache is not None else load_cache(self._cache_path)
        feed = follow(self.client, cache, self.ledger)
        keeper = CacheKeeper(self._cache_path, cache, self.ledger, feed is not None,
                             self.client.pacer, lambda: table_names(self.plan, self.table_ids))
        try:
            await self._changes()
        except BaseException:
            keeper.cancel()
            if feed is not None:
                feed.cancel()
            raise
        await keeper.stop()
        names = {i: name for ids in self.references.values() for name, i in ids.items()}
        tables = table_names(self.plan, self.table_ids)
        await record(self._cache_path, self.ledger, tables, names, cache, feed, keeper.replayed)
        self.report.seconds = time.perf_counter() - started
        self.report.requests = dict(self.client.requests)
        self.report.throttled = self.client.throttled
        return self.report

    async def _changes(self) -> None:
        tables = [c for c in self.plan.changes if c.resource.before_offers]
        offers = [c for c in self.plan.changes if c.resource is Resource.OFFER]
        self._approve(offers)
        if tables:
            with self.progress.phase("resources offers name", len(tables)) as phase:
                for change in tables:
                    await self._request(change)
                    phase.advance()
        if self.plan.uploads:
            with self.progress.phase("file uploads", len(self.plan.uploads)) as phase:
                for digest, path in sorted(self.plan.uploads.items()):
                    await self._upload(digest, path)
                    phase.advance()
        offer_ids: dict[str, str | None] = {c.key: c.id for c in offers}
        made_since = await made_since_the_plan(
            self.client, [c.key for c in offers if c.action is Action.CREATE]
        )
        for change in offers:
            if change.key in made_since:
                offer_ids[change.key] = None
                self._record(Outcome(change.address, "POST /sale/product-offers", False,
                                     f"offer {made_since[change.key]} with this external id "
                                     "appeared since the plan (another run?); not created "
                                     "again: plan again"))
        offers = [c for c in offers if c.key not in made_since]
        steps = sum(len(c.commands) + (c.request is not None) for c in offers)
        if steps:
            with self.progress.phase("offer creates, edits and commands", steps) as phase:
                for group in ends_first(offers):  # a replaced offer ends before its successor
                    await self._offers(group, offer_ids, phase)
        sets = [c for c in self.plan.changes if c.resource is Resource.VARIANT_SET]
        if sets:  # after publication: a set holds active offers only (R24)
            with self.progress.phase("variant sets", len(sets)) as phase:
                for change in sets:
                    self._record(await variant_set(self.client, change, self.plan.fingerprint,
                                                    offer_ids, self.index.offers))
                    phase.advance()
        failed = {o.address for o in self.report.outcomes if not o.ok}
        for change in offers:
            if change.address not in failed:
                self.index.approved.pop(change.key, None)
        self.stock.settle()
        save_index(self.index_path, self.index)

    def _approve(self, offers: list[Change]) -> None:
        """Write down what this run sets out to change before sending anything: if it is
        stopped, the next run finishes the same changes without a safety-share refusal."""
        for change in offers:
            if change.action is not Action.CREATE:
                self.index.approved[change.key] = approved_values(change)
        save_index(self.index_path, self.index)

    async def _request(self, change: Change) -> str | None:
        """Send the change's own request; return the resource id, or None when it failed or
        was not sent because something it needs failed first."""
        request = change.request
        assert request is not None
        step = f"{request.method} {request.path}"
        needed = self._placeholders(request.body)
        blocked = self._blocked_by(change, needed)
        if blocked:
            self._record(Outcome(change.address, step, False, blocked, skipped=True))
            return None
        body = substitute(request.body, self._files) if needed else request.body
        try:
            if change.action is Action.CREATE:
                resource_id, answer = await create(self.client, change, body)
            else:  # a PATCH sets values, so a repeat after a transient failure is harmless
                response = await self.client.request(
                    request.method, request.path, json=body, idempotent=request.method == "PATCH"
                )
                if response.status_code == 202:
                    retry_after = float(response.headers.get("Retry-After", "1"))
                    await operation(self.client, response.headers["Location"], retry_after)
                resource_id = change.id or str(response.json()["id"])
                answer = response.content if response.status_code in (200, 201) else None
        except CatalogsyncError as exc:
            self._doubt(change, change.id)
            if (key := failed_key(change, self.table_ids)) is not None:
                self.failed_tables[key] = reason(exc)  # nothing of that name now
            self._record(Outcome(change.address, step, False, reason(exc)))
            return None
        if change.resource is Resource.OFFER and answer is not None:
            self.ledger.answered(resource_id, answer, created=change.action is Action.CREATE)
        else:
            self._doubt(change, resource_id)
        if change.action is Action.CREATE:
            self._remember(change, resource_id)
        elif change.action is Action.DELETE and change.resource is Resource.OFFER:
            forget_id(self.index_path, self.index, "offer", change.key)  # R20: never read again
        self.stock.requested(change, request.body)
        self._record(Outcome(change.address, step, True))
        return resource_id

    def _blocked_by(self, change: Change, needed: set[str] | None = None) -> str | None:
        """Why the change must not be sent: a table or a file it uses failed first;
        `needed`: the files its request names, when already known."""
        failed = blocked_by(change, self.failed_tables)
        if failed is not None:
            return failed
        if needed is None:
            request = change.request
            needed = self._placeholders(request.body if request else None)
        return self._missing_upload(needed)

    def _placeholders(self, body: Any) -> set[str]:
        """The files `body` waits for. The planner lists every file a placeholder in the plan
        stands for under `uploads`, so without uploads no body is walked."""
        return placeholders(body) if self.plan.uploads else set()

    def _missing_upload(self, needed: set[str]) -> str | None:
        missing = needed - self._files.keys()
        if not missing:
            return None
        key = min(missing)
        kind = "safety manual" if key.startswith(ATTACHMENT) else "image"
        why = self.failed_uploads.get(key, "not uploaded")
        return f"not sent: {kind} {shown(self.plan.uploads.get(key, ''))} failed ({why})"

    async def _upload(self, key: str, path: str) -> None:
        """Upload one local file and remember it by content hash at once."""
        manual = key.startswith(ATTACHMENT)
        address = f"{'safety manual' if manual else 'image'} {shown(path)}"
        step = "POST /sale/offer-attachments" if manual else "POST /sale/images"
        try:
            section, value = await upload(self.client, self.upload_url, self.catalog_dir, key, path)
        except (UploadProblem, CatalogsyncError) as exc:
            why = reason(exc) if isinstance(exc, CatalogsyncError) else str(exc)
            self.failed_uploads[key] = why
            self._record(Outcome(address, step, False, why))
            return
        record_id(self.index_path, self.index, section, key.removeprefix(ATTACHMENT), value)
        self._files[key] = value
        self._record(Outcome(address, step, True))

    def _remember(self, change: Change, resource_id: str) -> None:
        """Write the new id down at once: a crash now must not lead to a duplicate offer."""
        if change.resource is Resource.OFFER:
            record_id(self.index_path, self.index, "offer", change.key, resource_id)
        elif change.resource.named_by_offers:
            self.references.setdefault(change.resource.value, {})[change.key] = resource_id
        elif change.resource is Resource.SHIPPING_RATES:  # conditions: listed by name
            record_id(self.index_path, self.index, "shipping_rates", change.key, resource_id)
            self.table_ids[change.key] = resource_id

    async def _offers(
        self, offers: list[Change], offer_ids: dict[str, str | None], phase: Phase
    ) -> None:
        """Creates and edits, with each offer's commands sent as soon as it is ready."""
        commands = CommandPipeline(offers, lambda *batch: self._command(*batch, phase=phase))

        async def one(change: Change) -> None:
            offer_id = offer_ids[change.key] = await self._request(change)
            phase.advance()
            if offer_id is None:
                commands.dropped(change)
                why = self._blocked_by(change) or "not sent: its create failed"
                for command in change.commands:
                    self._record(Outcome(change.address, command.label, False, why, skipped=True))
            else:
                commands.ready(change, offer_id)

        for n, change in enumerate(offers, 1):
            if change.request is None and change.id is not None:
                commands.ready(change, change.id)
            if n % MAX_OFFERS_PER_COMMAND == 0:
                await asyncio.sleep(0)  # the commands full by now go out while the rest join
        queue = iter([c for c in offers if c.request])

        async def worker() -> None:
            for change in queue:  # shared: each offer is taken once, in the plan's order
                await one(change)

        # a few workers rather than a task per offer waiting its turn
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        await commands.finish()

    async def _command(
        self,
        kind: CommandKind,
        values: dict[str, Any],
        batch: list[tuple[Change, str]],
        *,
        phase: Phase,
    ) -> None:
        async with self._bulk_commands if kind is CommandKind.BULK else self._commands:
            if kind is CommandKind.BULK:
                await self._send_bulk(batch)
            else:
                await self._send_command(kind, values, batch)
        phase.advance(len(batch))

    async def _send_command(
        self, kind: CommandKind, values: dict[str, Any], batch: list[tuple[Change, str]]
    ) -> None:
        offer_ids = [offer_id for _, offer_id in batch]
        by_id = {offer_id: change for change, offer_id in batch}
        step = Command(kind=kind, fields=values).label
        needed = self._placeholders(values)
        blocked = self._missing_upload(needed)
        if blocked:
            for change in by_id.values():
                self._record(Outcome(change.address, step, False, blocked, skipped=True))
            return
        if needed:
            values = substitute(values, self._files)
        try:
            body = command_body(kind.value, values, offer_ids, self.table_ids, self.references)
        except KeyError as exc:
            name = str(exc.args[0])
            why = f"shipping-rate table {exc} failed ({self.failed_tables[name]})" \
                if name in self.failed_tables else f"{exc} has no id on Allegro yet"
            for change in by_id.values():
                self._record(Outcome(change.address, step, False, f"not sent: {why}",
                                     skipped=True))
            return
        uid = command_id(self.plan.fingerprint, kind.value, [json.dumps(body, sort_keys=True)])
        self.stock.sending(kind, values, list(by_id.values()))
        self.ledger.sent(offer_ids)

        def request(uid: str, parts: list[Part]) -> tuple[str, str, dict[str, Any]]:
            offers = [offer for offer, _ in parts]
            body = command_body(kind.value, values, offers, self.table_ids, self.references)
            return "PUT", f"/sale/{kind.value}/{uid}", body

        outgoing = Outgoing(kind.value, [(i, None) for i in offer_ids], request)
        try:
            tasks = await send(self.client, outgoing, uid, self._journal)
        except CatalogsyncError as exc:
            self._fail_all(by_id.values(), step, reason(exc))
            return
        for (offer_id, _), task in tasks.items():
            self._task_done(kind, values, by_id[offer_id], offer_id, task, step)

    async def _send_bulk(self, batch: list[tuple[Change, str]]) -> None:
        bulk = BulkCommand(batch, self.plan.marketplace)
        uid = command_id(self.plan.fingerprint, CommandKind.BULK.value, [bulk.digest])
        for offer_id, field in bulk.parts:
            self.stock.sending(*bulk.stands_for((offer_id, field)), [bulk.changes[offer_id]])
        self.ledger.sent(list(bulk.changes))
        try:
            tasks = await send(self.client, bulk.outgoing(), uid, self._journal)
        except CatalogsyncError as exc:
            self._fail_all(bulk.changes.values(), CommandKind.BULK.value, reason(exc))
            return
        for (offer_id, field), task in tasks.items():
            kind, values = bulk.stands_for((offer_id, field))
            self._task_done(kind, values, bulk.changes[offer_id], offer_id, task,
                            f"{CommandKind.BULK.value} {field}")

    def _task_done(self, kind: CommandKind, values: dict[str, Any], change: Change,
                   offer_id: str, task: dict[str, Any], step: str) -> None:
        """A command's task for the offer settled (a bulk task: as the command it replaces)."""
        ok = task.get("status") == "SUCCESS"
        self.stock.task(kind, change, ok)
        if not ok or "marketplace" in values:  # a price abroad: its verdict may change
            self.ledger.doubt(offer_id)
        elif kind is CommandKind.QUANTITY:  # the result depends on sales meanwhile
            self.ledger.restocked(offer_id, values)
        else:
            self.ledger.confirmed(offer_id, values)
        self._record(Outcome(change.address, step, ok, task_message(task)))

    def _doubt(self, change: Change, offer_id: str | None) -> None:
        if change.resource is Resource.OFFER and offer_id is not None:
            self.ledger.doubt(offer_id)

    def _fail_all(self, changes: Iterable[Change], step: str, message: str) -> None:
        for change in changes:
            self.stock.finished(change, False)
            self._record(Outcome(change.address, step, False, message))

    def _record(self, outcome: Outcome) -> None:
        self.report.outcomes.append(outcome)
        if not outcome.ok:
            self.progress.failure(f"{outcome.address}: {outcome.step}: {outcome.message}")

