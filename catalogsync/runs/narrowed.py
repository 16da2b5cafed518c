"""A plan of the few catalog files that changed since the last plan, the rest taken from it.

When everything the last settled plan (runs/settled.py) stood on still holds but some files
that declare offers only, the whole plan would differ from it only in those files' offers:
their desired state changed, nothing on Allegro did. So those offers alone are loaded (with
`catalogsync.yaml` and every file declaring anything else), their state index records and
live cache rows alone are read, and they are planned; the other offers' part of the plan
(their diagnostics, stock marks) is the last plan's, and the checks that count every offer
count them too.

Anything this cannot vouch for plans in full: a changed file that now declares something
else or another set of offers (a create, a delete, a rename), variant sets or `moved_from`
anywhere, state records of these offers that the store alone does not give as the last
plan saw them, a read that found reason to page the offer list, a change this plan makes to
anything but those offers, a note of the account's the last plan did not have, or a mass
change. Nothing is written: the memo stays for the next plan, the cache and the schedule
as they were.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from catalogsync.allegro.seller import SellerClient
from catalogsync.catalog.loader import load_catalog
from catalogsync.catalog.models import Catalog
from catalogsync.config import live_cache_path, lock_file, state_index_path, work_dir
from catalogsync.errors import CatalogsyncError
from catalogsync.live.cache import LiveCache, load_some
from catalogsync.live.state import LiveState
from catalogsync.plan.checks import mass_change
from catalogsync.plan.model import Diagnostic, Mark, Plan, Resource, StockBook
from catalogsync.plan.planner import plan as make_plan
from catalogsync.runs.chained import remember_narrowed
from catalogsync.runs.guards import check_account
from catalogsync.runs.narrowing import files_of, index_digest, spanning
from catalogsync.runs.settled import Inputs, Standing, confirmed, read_line, replay, standing
from catalogsync.safe_text import visible
from catalogsync.state.index import StateIndex
from catalogsync.state.partial import load_partial
from catalogsync.wording import plural

#: Changes a narrowed plan may make: of its offers (translations `SKU/language`), and the
#: offers put under a price rule (the last plan put none: all are its offers).
_OFFER_RESOURCES = (Resource.OFFER, Resource.OFFER_TRANSLATION)

Read = Callable[[Catalog, StateIndex, LiveCache], Awaitable[LiveState]]


@dataclass(frozen=True)
class Ready:
    """A narrowed run's catalog, state and cache, loaded before Allegro is asked."""

    lines: list[bytes]  # the memo's
    narrow: dict[str, Any]
    catalog: Catalog
    offers: dict[str, list[str]]  # each loaded file's offer keys
    notes: list[str]
    index: StateIndex
    cache: LiveCache


async def last_plan(directory: Path, inputs: Inputs, client: SellerClient, marks: bool,
                    read: Read) -> Plan | None:
    """The last plan when nothing it stood on has changed (runs/settled.py), or narrowed to
    the offers of the files that changed; None: plan in full. `read` reads Allegro for a
    catalog, state index and cache, saving nothing; `marks`: the plan is shown as JSON, with
    its stock marks. What is local is checked before Allegro is asked anything."""
    stood = standing(directory, inputs, client)
    ready = None if stood is None or not stood.changed else prepared(directory, inputs, stood)
    if stood is None or (stood.changed and ready is None):
        return None
    stood = await confirmed(stood, client)
    if stood is None:
        return None
    if ready is None:
        return replay(stood, marks)
    check_account(client, directory, inputs.environment)
    client.heard = {}  # what the read asks beyond the memo's, for remembering it
    live = await read(ready.catalog, ready.index, ready.cache)
    found = narrowed(directory, inputs, stood, ready, live, marks)
    if found is not None:
        remember_narrowed(directory, inputs, stood, ready, live, found, client)
    return found


def prepared(directory: Path, inputs: Inputs, stood: Standing) -> Ready | None:
    """The changed files' offers, loaded with what they need, and their state index records
    and live cache rows (state/partial.py); None: the last plan's memo does not allow it."""
    try:
        with stood.path.open("rb") as memo_file:
            lines = [memo_file.readline() for _ in range(5)]
        narrow = json.loads(lines[4])
    except (OSError, ValueError):
        return None
    if narrow["whole"]:
        return None
    unchanged = set(narrow["files"]) - set(stood.changed)
    notes: list[str] = []
    try:
        catalog = load_catalog(directory, notes, work_dir(directory) / "load",
                               only=[Path(f) for f in inputs.files if f not in unchanged])
    except (CatalogsyncError, OSError):
        return None  # the whole load says why
    offers, other = files_of(catalog)
    if spanning(catalog) or any(
            f in other or sorted(offers.get(f, ())) != sorted(narrow["files"][f])
            for f in stood.changed):
        return None
    environment = inputs.environment
    index = load_partial(state_index_path(directory, environment), list(catalog.offers),
                         lock_file(directory, environment))
    if index is None or index_digest(index, ()) != narrow["index"][""] or any(
            index_digest(index, keys) != narrow["index"].get(f) for f, keys in offers.items()):
        return None
    ids = [index.offers[k] for k in catalog.offers if k in index.offers]
    cache = load_some(live_cache_path(directory, environment), ids)
    if cache is None:
        return None
    return Ready(lines, narrow, catalog, offers, notes, index, cache)


def narrowed(directory: Path, inputs: Inputs, stood: Standing, ready: Ready, live: LiveState,
             marks: bool) -> Plan | None:
    """The plan of the changed files' offers with the last plan's for the rest (its stock
    marks only with `marks`: of these offers alone without)."""
    catalog, narrow = ready.catalog, ready.narrow
    if live.read.startswith("Read the offer list") or live.gone or live.duplicates:
        return None
    made = make_plan(catalog, live, datetime.now(UTC),
                     replace(inputs.options, allow_mass_change=True))
    if not inputs.options.allow_mass_change and mass_change(
            catalog, live, list(made.changes), narrow["managed"]):
        return None  # the whole plan says so, of every offer
    last = json.loads(ready.lines[2])
    if marks:
        last["stock"]["marks"] = json.loads(ready.lines[3])
    order = {k: n for n, k in enumerate(
        k for f in inputs.files for k in ready.offers.get(f) or narrow["files"].get(f, ()))}
    found = _merged(Plan.model_validate(last), made, catalog, live, order)
    if found is None:
        return None
    for note in ready.notes:
        click.echo(visible(note), err=True)
    names = ", ".join(visible(_shown(directory, f)) for f in stood.changed)
    rest = (f"planned the {plural(len(catalog.offers), 'offer')} of "
            f"{plural(len(stood.changed), 'changed file')} ({names}) anew, and the other "
            f"{len(stood.offers) - len(catalog.offers)}")
    # what the read of these offers read in detail: those the feed named (an apply's)
    counts = re.match(r"Read (\d+) offers? in detail \(event feed: (\d+) ", live.read)
    detail, changed = (int(counts[1]), int(counts[2])) if counts else (0, 0)
    return found.model_copy(update={"read": read_line(stood, rest, "them", detail, changed)})


def _merged(last: Plan, made: Plan, catalog: Catalog, live: LiveState, order: dict[str, int]
            ) -> Plan | None:
    """The last plan with `made` (of `catalog`'s offers) in place of its part for them;
    `order`: every offer key's place in the whole catalog."""
    keys = set(catalog.offers)
    if made.stock is None or last.stock is None or any(
            c.resource is not Resource.OFFER_PRICE_RULES
            and (c.resource not in _OFFER_RESOURCES or c.key.partition("/")[0] not in keys)
            for c in made.changes):
        return None

    def mine(d: Diagnostic) -> bool:
        kind, _, key = d.subject.partition(" ")
        return kind in _OFFER_RESOURCES and key.partition("/")[0] in keys

    def plain(d: Diagnostic) -> tuple[str, str, str, str | None]:
        return d.severity.value, d.subject, d.message, d.rule

    kept = [d for d in last.diagnostics if not mine(d)]
    # Allegro's per-marketplace counts are of every offer: the last plan's hold
    known = {plain(d) for d in kept}
    if any(plain(d) not in known and d.subject not in live.marketplaces
           for d in made.diagnostics if not mine(d)):
        return None  # something beyond these offers reads otherwise: plan in full
    fresh = [d for d in made.diagnostics if mine(d)]
    marks = {k: m for k, m in last.stock.marks.items() if k not in keys}
    marks.update(made.stock.marks)
    return last.model_copy(update={
        "changes": made.changes,
        "diagnostics": in_catalog_order(kept, fresh, order),
        "uploads": made.uploads,
        "stock": StockBook(position=made.stock.position, marks=_ordered(marks, last.stock.marks)),
    })


def in_catalog_order(kept: list[Diagnostic], fresh: list[Diagnostic], order: dict[str, int]
              ) -> tuple[Diagnostic, ...]:
    """The last plan's diagnostics with `fresh` among them where a whole plan puts them:
    an offer's in the catalog's order of offers, before anything not of an offer."""
    def rank(d: Diagnostic) -> float:
        kind, _, key = d.subject.partition(" ")
        return order.get(key.partition("/")[0], -1) if kind in _OFFER_RESOURCES else float("inf")

    out: list[Diagnostic] = []
    i = 0
    for d in fresh:
        while i < len(kept) and rank(kept[i]) <= rank(d):
            out.append(kept[i])
            i += 1
        out.append(d)
    return (*out, *kept[i:])


def _ordered(marks: dict[str, Mark], last: dict[str, Mark]) -> dict[str, Mark]:
    """`marks` in the order of the last plan's, new ones after."""
    return {**{k: marks[k] for k in last if k in marks}, **marks}


def _shown(directory: Path, file: str) -> str:
    try:
        return str(Path(file).relative_to(directory))
    except ValueError:
        return file
