"""The memo an apply leaves, so that the plan after it costs what the apply changed.

A narrowed apply (runs/narrowed_apply.py) stood on the last settled plan's memo and changed
only the offers of the files that changed since. So that memo's part for every other offer
is still right, and the plan after the apply can be narrowed to the offers it touched
(runs/narrowed.py). Under the run lock, once everything it wrote is written, the apply
rewrites the memo with:
- the stamps of the state index and live cache and the digest of `catalogsync.lock` as it
  leaves them: any later write, by anyone, still breaks the memo;
- the changed files' digests blanked: they count as changed until a plan is remembered, so
  the next plan loads and plans the touched offers whatever the files hold then (a revert
  too);
- the ids of the offers it touched (`touched`): the event feed since the memo's cursor may
  name these (their own events), and nothing else; a colleague's edit of another offer, a
  sale, the list check due, a scheduled activation make the next plan whole, as before;
- the state index's digests of the loaded files' offers and of no offer, as written.
An apply that failed or skipped anything, or left commands pending, leaves no memo, and one
stopped half-way none either (the old one's stamps no longer match): the next plan is whole.

The plan after it, finding nothing to change with the feed read up to where its checks
read it, saves what its read learned of these offers and is remembered (`remember_narrowed`),
so the plan after that stands on it.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Protocol

from catalogsync.allegro.seller import SellerClient
from catalogsync.apply.report import ApplyReport
from catalogsync.catalog.models import Catalog
from catalogsync.config import live_cache_path, lock_file
from catalogsync.live.cache import LiveCache, save_cache, store_path
from catalogsync.live.reuse import pending
from catalogsync.live.state import LiveState
from catalogsync.plan.model import Plan
from catalogsync.runs.narrowing import index_digest
from catalogsync.runs.settled import OFFER_READS, Inputs, Standing, due, file_digest, stamps
from catalogsync.state import recordstore
from catalogsync.state.index import StateIndex


class Ready(Protocol):
    """What a narrowed run loaded (runs/narrowed.py `Ready`)."""

    @property
    def lines(self) -> list[bytes]: ...  # the memo it stood on
    @property
    def catalog(self) -> Catalog: ...
    @property
    def offers(self) -> dict[str, list[str]]: ...  # each loaded file's offer keys
    @property
    def index(self) -> StateIndex: ...
    @property
    def cache(self) -> LiveCache: ...


def after_apply(directory: Path, inputs: Inputs, stood: Standing, ready: Ready,
                done: tuple[ApplyReport, int] | None) -> None:
    """Leave the memo the plan after this narrowed apply narrows on (`ready`: its catalog,
    state index and cache as the apply left them, and the memo it stood on)."""
    lines = ready.lines
    stood.path.unlink(missing_ok=True)
    index = ready.index
    if index.commands or (done is not None and (done[0].failed or done[0].skipped)):
        return
    memo = json.loads(lines[0])
    ids = {index.offers[k] for k in ready.catalog.offers if k in index.offers}
    lock = lock_file(directory, inputs.environment).path
    memo.update(
        touched=sorted(ids | set(memo.get("touched", ()))),
        catalog={**memo["catalog"], **dict.fromkeys(stood.changed, ""),
                 str(lock): file_digest(lock)},
        due=_earliest(memo["due"], due(ready.catalog)),
        stamps=stamps(directory, inputs.environment),
    )
    narrow = json.loads(lines[4])
    narrow["index"].update({f: index_digest(index, keys) for f, keys in ready.offers.items()})
    narrow["index"][""] = index_digest(index, ())
    _write(stood.path, [json.dumps(memo, separators=(",", ":")).encode(), *lines[1:4],
                        json.dumps(narrow, separators=(",", ":")).encode()])


def remember_narrowed(directory: Path, inputs: Inputs, stood: Standing, ready: Ready,
                      live: LiveState, found: Plan, client: SellerClient) -> None:
    """Remember a narrowed plan that found nothing to do, as a whole one is, when what it
    read of its offers is all there is to know of them: the read ended where the checks
    read the feed to (so no event of another offer went by unseen), no offer it read is in
    doubt (as for a whole plan: an event still to come breaks the memo), and no run wrote
    the state since the checks. Its read is saved first (these offers' cache rows and the
    cursor), then the memo with the stamps that leaves; the other offers' part of it is the
    last memo's."""
    cache, environment = ready.cache, inputs.environment
    if (found.changes or found.errors or found.stock is None or not cache.fed
            or cache.event_cursor != stood.cursor or cache.saved is None
            or cache.saved.outside or stamps(directory, environment) != stood.memo["stamps"]
            or any(o.unsure or o.vouched or pending(o.fields)
                   for o in cache.offers.values())):
        return
    generation, path = cache.saved.generation, live_cache_path(directory, environment)
    save_cache(path, cache)
    now = stamps(directory, environment)
    try:  # the stamps are of this save, and of no other run's write since the checks
        ours = recordstore.some(store_path(path), "meta", ["generation"]).get("generation")
    except recordstore.StoreUnreadable:
        return
    if cache.saved.generation in (generation, None) or ours != cache.saved.generation \
            or now[0] != stood.memo["stamps"][0]:
        return
    memo = dict(stood.memo)
    heard = {a: d for a, d in (client.heard or {}).items() if not OFFER_READS.fullmatch(a)}
    memo.update(
        touched=[],
        catalog=inputs.files,
        cursor=stood.cursor,
        due=_earliest(memo["due"], due(ready.catalog)),
        heard=dict(sorted({**memo["heard"], **heard}.items())),
        files={**memo["files"], **{i.path: i.sha256 for i in [
            *live.local_images.values(), *live.local_attachments.values()] if not i.outside}},
        stamps=now,
    )
    loaded = set(ready.catalog.offers)
    made = found.model_dump(mode="json")["stock"]["marks"]
    last = json.loads(ready.lines[3])
    marks = {k: made.get(k, m) for k, m in last.items() if k in made or k not in loaded}
    marks.update(made)
    plan = found.model_dump(mode="json", exclude={"stock": {"marks"}})
    _write(stood.path, [json.dumps(line, separators=(",", ":")).encode()
                        for line in (memo, None, plan, marks, None)],
           ready.lines)


def _earliest(first: str | None, second: str | None) -> str | None:
    times = [t for t in (first, second) if t is not None]
    return min(times, key=datetime.fromisoformat) if times else None


def _write(path: Path, lines: list[bytes], kept: list[bytes] | None = None) -> None:
    """The memo's lines, those given as None (b"null") taken from `kept`."""
    if kept is not None:
        lines = [kept[n].rstrip(b"\n") if line == b"null" else line
                 for n, line in enumerate(lines)]
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(b"".join(line.rstrip(b"\n") + b"\n" for line in lines))
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
