"""A plan that nothing could have changed is the last plan again, at the cost of checking.

A plan that finds nothing to change remembers what it stood on (`settled-ENV.json` in the
work folder): the digest of the catalog's files, `catalogsync.lock`, the options and
catalogsync's own source; the stamps of the state index and the live cache (any write to
either changes them); every GET it sent for anything but offers, with the digest of the
answer; where the event and order feeds were; the ids of the offers it read; the digest of
each local image and safety manual. The next `plan` checks, stopping at the first difference,
that the files are the same, that no run wrote the state or the cache since, that the list
check is not due, that the event feed names no offer and the order feed no sale since, that
every remembered GET answers the same bytes, and that the rotating check's slice reads as
cached. Then nothing the plan reads has changed, so its plan is that plan, shown with what
was read; else the whole plan runs, as always.

When all of that holds but some files that declare offers only changed, the plan is
narrowed to their offers (runs/narrowed.py, from what runs/narrowing.py keeps in the memo);
its read takes the answers the checks just confirmed instead of sending those GETs again.
After a narrowed apply the memo is the one it left (runs/chained.py): the feed may name the
offers it touched (`touched`), whose files count as changed.
So a plan of an unchanged catalog costs the rotating check and a dozen reads, whatever the
size of the catalog; `--refresh`, `--target`, a saved plan (`--out`) and feeds always run the
whole plan (a refreshed plan is remembered).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from catalogsync.allegro.client import AllegroClient, Answer
from catalogsync.allegro.seller import SellerClient
from catalogsync.catalog.load_cache import source_digest
from catalogsync.catalog.loader import catalog_file_list, load_settings
from catalogsync.catalog.models import Catalog, Environment
from catalogsync.config import live_cache_path, lock_file, state_index_path, work_dir
from catalogsync.errors import CatalogsyncError
from catalogsync.live import cache as live_cache
from catalogsync.live.cache import LiveCache
from catalogsync.live.events import offer_events
from catalogsync.live.gpsr import named
from catalogsync.live.packed import plain as plain_fields
from catalogsync.live.quiet import hours, read_in_detail
from catalogsync.live.reuse import pending
from catalogsync.live.sales import read_sales
from catalogsync.live.schedule import (
    ReadSchedule,
    load_schedule,
    rotating_slice,
    save_schedule,
    schedule_beside,
)
from catalogsync.live.state import LiveState
from catalogsync.plan.model import Plan
from catalogsync.plan.options import Options
from catalogsync.runs.narrowing import narrowing
from catalogsync.state import recordstore
from catalogsync.state.index import OrderPosition, StateIndex
from catalogsync.state.index import store_path as index_store

#: What the offers' own checks cover (the event feed, the rotating check), not the GETs kept.
OFFER_READS = re.compile(
    r"/sale/(offers|offer-events|product-offers/[^/?]+)(\?.*)?|/order/events.*")
FORMAT = 3


@dataclass(frozen=True)
class Inputs:
    """What the catalog side of a plan stands on, before anything is read from Allegro."""

    environment: Environment
    #: the digest of all but the files' contents (catalogsync's source, the options, which
    #: files there are), and each file's own (catalogsync.lock's included)
    frame: str
    files: dict[str, str]
    options: Options


def inputs(directory: Path, options: Options, emulator: int) -> Inputs | None:
    """The digest of everything local a plan reads; None when a plan of these options is
    neither taken from the last one nor remembered (or the catalog's settings do not load:
    the whole plan says why)."""
    if options.targets:
        return None
    try:
        settings = load_settings(directory)
        if settings.feeds:
            return None
        files = [*catalog_file_list(directory), lock_file(directory, settings.environment).path]
    except (CatalogsyncError, OSError):
        return None
    frame = hashlib.sha256(source_digest())
    frame.update(f"{sys.version}\0{emulator}\0".encode())
    plain = asdict(replace(options, refresh=False))  # a refreshed plan stands for the next
    frame.update(json.dumps(plain, sort_keys=True, default=sorted).encode())
    frame.update("\0".join(map(str, files)).encode())
    digests = {str(path): file_digest(path) for path in files}  # the lock: 50 MB, streamed
    return Inputs(settings.environment, frame.hexdigest(), digests, options)


def remember(directory: Path, inputs: Inputs | None, client: SellerClient, cache: LiveCache,
             live: LiveState, made: Plan, state_before: str | None, catalog: Catalog,
             index: StateIndex) -> None:
    """Keep what this plan stood on, when it found nothing to do, nothing it read is re-read
    by every plan anyway (offers the cache is unsure of), and no other run wrote the state
    while it planned (`state_before`: the state's stamp as the plan began)."""
    path = _path(directory, inputs.environment) if inputs else None
    if path is not None:
        path.unlink(missing_ok=True)
    if (path is None or inputs is None or client.heard is None or made.changes or made.errors
            or made.stock is None or not cache.fed or cache.read_at is None
            or state_stamp(directory, inputs.environment) != state_before):
        return
    schedule = load_schedule(schedule_beside(live_cache_path(directory, inputs.environment)))
    if schedule.strangers or schedule.duplicates or any(
            o.unsure or o.vouched or pending(o.fields) for o in cache.offers.values()):
        return
    offers = sorted((o.id, sku) for sku, o in live.offers.items())
    stock = made.stock.model_dump(mode="json")
    narrow = narrowing(catalog, index, live)
    memo = {
        "format": FORMAT,
        "frame": inputs.frame,
        "catalog": inputs.files,
        "due": due(catalog),
        "offer_files": {f: len(keys) for f, keys in sorted(narrow["files"].items())},
        "stamps": stamps(directory, inputs.environment),
        "seller": client.seller.user_name,
        "base": client.base_url,
        "read_at": cache.read_at.isoformat(),
        "cursor": cache.event_cursor,
        "position": stock["position"],
        "heard": {a: d for a, d in sorted(client.heard.items()) if not OFFER_READS.fullmatch(a)},
        "files": {i.path: i.sha256 for i in [*live.local_images.values(),
                                             *live.local_attachments.values()] if not i.outside},
    }
    # one line each, read only as far as needed: the offers for the rotating check, the plan
    # once everything checked out, its stock marks (one per offer) only to show it as JSON
    # and what a plan of a few changed files takes from this one (runs/narrowed.py)
    lines = [memo, [[i for i, _ in offers], [sku for _, sku in offers]],
             made.model_dump(mode="json", exclude={"stock": {"marks"}}), stock["marks"],
             narrow]
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text("".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines))
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class Standing:
    """The last plan's memo, when nothing it stood on has changed but `changed`: catalog
    files that held offers only (`checked`: how many offers the rotating check read; None:
    none was made, as apply makes none)."""

    memo: dict[str, Any]
    path: Path
    changed: tuple[str, ...]
    offers: dict[str, str]  # offer id -> external id, as the last plan read them
    read_at: datetime
    now: datetime
    schedule: ReadSchedule
    cache_path: Path
    checked: int | None = 0
    cursor: str | None = None  # the event feed's, past what the checks read of it


def standing(directory: Path, inputs: Inputs, client: SellerClient) -> Standing | None:
    """What the last plan stood on, when all of it that is local holds but the files of
    offers only (None: plan again); `confirmed` asks Allegro about the rest."""
    path = _path(directory, inputs.environment)
    try:
        with path.open("rb") as memo_file:
            memo = json.loads(memo_file.readline())
            if (memo.get("format") != FORMAT or memo["frame"] != inputs.frame
                    or memo["stamps"] != stamps(directory, inputs.environment)
                    or memo["seller"] != client.seller.user_name or memo["base"] != client.base_url
                    or any(file_digest(directory / f) != d for f, d in memo["files"].items())):
                return None
            changed = tuple(f for f, d in inputs.files.items() if memo["catalog"].get(f) != d)
            if changed and not _narrowable(changed, memo):
                return None
            read_at = datetime.fromisoformat(memo["read_at"])
            now = datetime.now(UTC)
            cache_path = live_cache_path(directory, inputs.environment)
            schedule = load_schedule(schedule_beside(cache_path))
            if (now - read_at >= live_cache.MAX_AGE or schedule.list_due(now)
                    or schedule.strangers or schedule.duplicates
                    or (memo["due"] is not None and now >= datetime.fromisoformat(memo["due"]))):
                return None
            ids, skus = json.loads(memo_file.readline())
    except (OSError, ValueError, KeyError, TypeError, recordstore.StoreUnreadable):
        return None
    offers = dict(zip(ids, skus, strict=True))
    return Standing(memo, path, changed, offers, read_at, now, schedule, cache_path)


async def confirmed(stood: Standing, client: SellerClient, rotate: bool = True
                    ) -> Standing | None:
    """`stood`, when Allegro too is as the last plan saw it: no offer event and no sale
    since, the same answers to its other reads, the rotating slice as cached (only with
    `rotate`: apply looks for no drift of offers it leaves alone)."""
    try:
        found = await _unchanged(client, stood.memo, stood.offers, stood.cache_path,
                                 stood.schedule if rotate else None)
    except (ValueError, KeyError, TypeError, recordstore.StoreUnreadable):
        return None
    if found is None:
        return None
    if rotate:
        save_schedule(schedule_beside(stood.cache_path), stood.schedule)
    return replace(stood, checked=found[0] if rotate else None, cursor=found[1])


def _narrowable(changed: tuple[str, ...], memo: dict[str, Any]) -> bool:
    """Whether a plan may be narrowed to the offers of the files `changed`: files that
    declared offers only, and fewer than half of all offers (past that a whole plan, which
    needs no narrowed checks, costs less)."""
    counts: dict[str, int] = memo["offer_files"]
    return (set(changed) <= counts.keys()
            and 2 * sum(counts[f] for f in changed) < max(1, sum(counts.values())))


def replay(stood: Standing, marks: bool) -> Plan | None:
    """The last plan, when nothing it stood on has changed; its stock marks only with
    `marks` (a plan shown as JSON shows them; text and Markdown do not)."""
    try:
        with stood.path.open("rb") as memo_file:
            for _ in range(2):
                memo_file.readline()
            plan = json.loads(memo_file.readline())
            if marks:
                plan["stock"]["marks"] = json.loads(memo_file.readline())
            found = Plan.model_validate(plan)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return found.model_copy(update={"read": read_line(stood, "the rest", "it")})


def read_line(stood: Standing, rest: str, it: str, detail: int = 0, changed: int = 0) -> str:
    """What a plan standing on the last read, and how `rest` stands on it (`detail` more
    offers read in detail, of which the feed named `changed`: an apply's since)."""
    age, checked, due_in = (hours(stood.now - stood.read_at), (stood.checked or 0) + detail,
                            hours(stood.schedule.due_in(stood.now)))
    rotated = "no rotating check in apply" if stood.checked is None \
        else f"rotating check {stood.checked}/{len(stood.offers)}"
    return (f"Read {checked} offer{'s' if checked != 1 else ''} in detail (event feed: {changed} "
            f"changed since {age} ago; {rotated}; list "
            f"check due in {due_in}); {rest} as the plan of {age} ago saw {it}: "
            f"the order feed names no sale since and the account's {len(stood.memo['heard'])} "
            "other reads answer as then.")


def due(catalog: Catalog) -> str | None:
    """The first scheduled activation still to come: past it, the last plan no longer
    stands (an offer scheduled in the past is an error)."""
    now = datetime.now(UTC)
    times = [o.scheduled_for for o in catalog.offers.values()
             if o.scheduled_for is not None and o.scheduled_for > now]
    return min(times).isoformat() if times else None


async def _unchanged(client: AllegroClient, memo: dict[str, Any], offers: dict[str, str],
                     cache_path: Path, schedule: ReadSchedule | None
                     ) -> tuple[int, str | None] | None:
    """How many offers the rotating check read (none without a `schedule`) and the feed's
    cursor past its last event, when nothing differs from the memo. The feed may name the
    offers an apply since touched (`touched`, runs/chained.py): they are planned anew."""
    touched = set(memo.get("touched", ()))
    try:
        events = await offer_events(client, memo["cursor"])
        if events is None or any(offer not in touched for offer, _ in events[0]):
            return None
        sales = await read_sales(client, OrderPosition(**memo["position"]))
        if isinstance(sales, str) or sales.sold:
            return None
        answers = await asyncio.gather(*(_answer(client, a) for a in memo["heard"]))
        if [hashlib.sha256(a.content).hexdigest() for a in answers] != list(
                memo["heard"].values()):
            return None
        chosen: list[str] = []
        if schedule is not None:
            named = {offer for offer, _ in events[0]}  # touched: the narrowed plan's own
            chosen = [i for i in rotating_slice(list(offers), schedule) if i not in named]
        if chosen and not await _as_cached(client, offers, cache_path, chosen):
            return None
    except CatalogsyncError:
        return None
    # a narrowed plan's read sends many of these GETs again: the same bytes, just confirmed
    client.answers.update(zip(memo["heard"], answers, strict=True))
    return len(chosen), events[1]


async def _answer(client: AllegroClient, address: str) -> Answer:
    path, _, query = address.partition("?")
    return await client.request("GET", path, params=query or None)


async def _as_cached(client: AllegroClient, offers: dict[str, str], cache_path: Path,
                     chosen: list[str]) -> bool:
    """Whether the offers `chosen` read now as the live cache holds them."""
    store = live_cache.store_path(cache_path)
    meta = recordstore.some(store, "meta", ["tables", "responsible"])
    rows = recordstore.some(store, "offer", chosen)
    if len(rows) != len(chosen):
        return False
    read, gone = await read_in_detail(
        client, [(offers[i], i) for i in chosen], json.loads(meta["tables"]))
    for offer in named(read, json.loads(meta["responsible"])).values():
        status, _, expect, fields, *_ = json.loads(rows[offer.id])
        activated = ((status, offer.status) == ("ACTIVATING", "ACTIVE")
                     and "OFFER_ACTIVATED" in expect)  # the event may not have come yet
        if (offer.rekey or (status != offer.status and not activated)
                or _canonical(fields) != _canonical(offer.fields)):
            return False
    return not gone


def file_digest(path: Path) -> str:
    try:
        with path.open("rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return ""


def _canonical(fields: Mapping[str, Any]) -> str:
    return json.dumps(plain_fields(fields), sort_keys=True, default=str)


def state_stamp(directory: Path, environment: Environment) -> str | None:
    """What the last write of the state index left (None: no index yet; an unreadable one is
    for loading it to report)."""
    try:
        return recordstore.stamp(index_store(state_index_path(directory, environment)))
    except recordstore.StoreUnreadable:
        return "unreadable"


def stamps(directory: Path, environment: Environment) -> list[str | None]:
    return [
        state_stamp(directory, environment),
        recordstore.stamp(live_cache.store_path(live_cache_path(directory, environment))),
    ]


def _path(directory: Path, environment: Environment) -> Path:
    return work_dir(directory) / f"settled-{environment.value}.json"
