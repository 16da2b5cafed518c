"""An apply of the few catalog files that changed since the last settled plan: their offers
alone are loaded, read, planned and applied, and every write is of their records.

It runs exactly when `plan` would be narrowed (runs/narrowed.py): no saved plan, no
`--refresh`, `--target` or feeds, and the last settled plan's memo standing but for some files
of offers only. Under the run lock, on top of the plan's checks, it also needs:
- no command pending, no offer forgotten, an account line in `catalogsync.lock`: the whole
  apply's steps for those (settle_pending, claim_account) are of every offer;
- the event feed naming no offer since the memo's cursor when the read is done: the read
  looks for other offers the feed names among these offers' keys only, so an event of another
  offer would go unseen while the cursor moved past it; with none, the cursor the read leaves
  is the memo's and every other offer's cache row is as true as then;
- no unit sold since the stock ledger's position: the ledger moves to the read's position
  while the other offers keep their marks, which holds only when nothing was bought since.
Like a whole apply it makes no rotating check (apply looks for no drift of offers it leaves
alone). An event of another offer while it applies drops that offer's cache row, as a whole
apply does, and the feed line in the lock (a fresh clone then reads every offer: which
offers the cache lacks is not known here). Anything else applies in full.

What it writes: the state index's records of these offers and of no offer
(state/partial.py), their lines of `catalogsync.lock` (once, at the end), their live cache
rows and the cache's meta (live/cache.py), their digests, and the feed line with the other
offers' doubts kept (apply/applied.py). Nothing of another offer is loaded,
so nothing of it can be written. Last, the memo the plan after it narrows on
(runs/chained.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from catalogsync.allegro.seller import SellerClient
from catalogsync.apply.found import record_found
from catalogsync.apply.report import ApplyReport
from catalogsync.catalog.models import Catalog
from catalogsync.config import lock_file, state_index_path
from catalogsync.live.cache import LiveCache
from catalogsync.live.sales import read_sales
from catalogsync.live.state import LiveState
from catalogsync.plan.options import Options
from catalogsync.runs import feeds as feed_runs
from catalogsync.runs import plan_apply
from catalogsync.runs.chained import after_apply
from catalogsync.runs.guards import check_account, run_lock
from catalogsync.runs.narrowed import Read, Ready, narrowed, prepared
from catalogsync.runs.options import CliContext
from catalogsync.runs.settled import Inputs, confirmed, standing
from catalogsync.state import recordstore
from catalogsync.state.index import StateIndex, lock_written_once, store_path

Done = tuple[ApplyReport, int] | None
WHOLE: Literal["whole"] = "whole"


async def apply_settled(
    obj: CliContext, directory: Path, inputs: Inputs, approved: bool, lock_timeout: float,
    prepare: Callable[[], tuple[Catalog, Options]],
) -> Done:
    """`apply` of the changed files' offers when the last settled plan allows it; else the
    catalog `prepare` loads, applied in full."""
    async with plan_apply._session(obj, directory, inputs.environment) as client:
        client.seller.check_writes()

        async def read(catalog: Catalog, index: StateIndex, cache: LiveCache) -> LiveState:
            try:
                return await plan_apply._read_with(client, catalog, index, directory, cache,
                                                   datetime.now(UTC), rotate=False, save=False)
            finally:  # the checks' answers were for this read: what apply reads, it asks
                client.answers.clear()

        with run_lock(client, directory, inputs.environment, lock_timeout):
            found = await _narrowed(obj, client, directory, inputs, approved, read)
        client.answers.clear()  # held when the checks passed but the read never came
        if found != WHOLE:
            return found
        catalog, options, feeds = feed_runs.prepare(directory, *prepare())
        return await plan_apply.apply_with(client, obj, directory, catalog, None, approved,
                                           options, lock_timeout, feeds)


async def _narrowed(obj: CliContext, client: SellerClient, directory: Path, inputs: Inputs,
                    approved: bool, read: Read) -> Done | Literal["whole"]:
    """The narrowed apply's report (as `apply`'s), or WHOLE: apply in full."""
    if inputs.options.refresh:
        return WHOLE
    stood = standing(directory, inputs, client)
    ready = prepared(directory, inputs, stood) if stood is not None and stood.changed else None
    if stood is None or ready is None or not _local(directory, inputs, ready):
        return WHOLE
    stood = await confirmed(stood, client, rotate=False)  # as a whole apply: no drift check
    if stood is None:
        return WHOLE
    check_account(client, directory, inputs.environment)
    live = await read(ready.catalog, ready.index, ready.cache)
    if ready.cache.event_cursor != stood.cursor or not ready.cache.fed:
        return WHOLE  # the feed named an offer since the checks: the others' rows may be stale
    sales = await read_sales(client, ready.index.stock.position)
    if isinstance(sales, str) or sales.sold:
        return WHOLE  # the other offers' marks would need the units sold
    result = narrowed(directory, inputs, stood, ready, live, False)
    if result is None:
        return WHOLE
    index_path = state_index_path(directory, inputs.environment)
    with lock_written_once(index_path, ready.index) as index:
        record_found(index_path, index, live)
        done = await plan_apply.carry_out(obj, client, directory, ready.catalog, live,
                                          ready.cache, index, lambda: result, None, approved)
    after_apply(directory, inputs, stood, ready, done)  # the memo the next plan narrows on
    return done


def _local(directory: Path, inputs: Inputs, ready: Ready) -> bool:
    """What the whole apply does of every offer before it reads has nothing to do."""
    index = ready.index
    store = store_path(state_index_path(directory, inputs.environment))
    try:
        forgotten = recordstore.section(store, "offer-forgotten")
    except recordstore.StoreUnreadable:
        return False
    return (not index.commands and not forgotten
            and lock_file(directory, inputs.environment).account() is not None)
