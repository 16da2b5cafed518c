"""What the last read saw of each managed offer, kept so the next plan re-reads only offers
that changed since (Allegro's 24-hour `GET /sale/offer-events` feed says which).

Apply writes into it too: what Allegro confirmed (the offer a POST or PATCH answered with, a
command task's SUCCESS) replaces what was read, with the events that change causes listed as
expected, so the feed's echo of our own work does not make the next plan read it again.

The cache is an optimisation and never the truth: an offer is reused only when the feed
names no change to it beyond what we expect and its cheap fields in the offer list still
match. A file of another format, or one that cannot be read, is dropped: the next plan
reads everything again.

The cache is a store of records (state/recordstore.py, `live-ENV.sqlite3`): a row per offer
`[status, digest, expect, fields, unsure, vouched]` and a few of what the read saw (`meta`,
with the format `FORMAT`). A save writes the rows that changed since the cache was loaded,
in one transaction, so a crash leaves the old cache or the new one. Two runs may save at
once: each save names a new generation, and one that finds another's generation since its
load writes its whole cache instead (the last save wins, never a mix of two reads).
The JSON file of older versions (`live-ENV.json`) is read once and replaced by the store.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from catalogsync.gcpause import gc_paused
from catalogsync.live.packed import PackedFields, packed_text
from catalogsync.state import recordstore
from catalogsync.state.recordstore import StoreUnreadable

#: The feed keeps 24 hours; past this age the cursor may have fallen out of it.
MAX_AGE = timedelta(hours=23)
#: Publication statuses for which Allegro emits offer events (drafts and ended offers: none).
LIVE_STATUSES = ("ACTIVE", "ACTIVATING")
#: The file's format; any other (older caches included) is dropped for a full read.
FORMAT = 3


@dataclass(slots=True)
class CachedOffer:
    status: str
    #: a dict, or as loaded from the store its text (live/packed.py); never changed in place
    fields: Mapping[str, Any]
    #: event types our own changes cause and the feed has not shown yet, one per change
    expect: list[str] = field(default_factory=list)
    #: `LiveOffer.digest` of this entry, once computed
    digest: str | None = None
    #: fields whose value is not known exactly (a stock a quantity command set while buyers
    #: may have bought): the offer list's value is taken for them
    unsure: tuple[str, ...] = ()
    #: not read: taken on the word of `catalogsync.lock` (live/committed.py); `fields` holds
    #: only what the offer list shows, the planner's reading fills in the rest
    vouched: bool = False


@dataclass
class LiveCache:
    #: whether the event feed was read at `read_at`; then `event_cursor` is the last event
    #: seen, None if the feed was empty
    fed: bool = False
    event_cursor: str | None = None
    read_at: datetime | None = None
    offers: dict[str, CachedOffer] = field(default_factory=dict)  # offer id -> what was read
    #: table id -> name when read: offers name their table, and a rename sends no event
    tables: dict[str, str] = field(default_factory=dict)
    #: GPSR producer and person id -> name when read, for the same reason
    responsible: dict[str, str] = field(default_factory=dict)
    #: the store's rows as loaded or last saved, and its generation then (`save_cache` writes
    #: what differs); None: not read from the store, which a save then replaces whole
    saved: _Saved | None = field(default=None, compare=False, repr=False)

    def usable(self, now: datetime) -> bool:
        return bool(self.fed and self.read_at and now - self.read_at < MAX_AGE)

    def unexplained(self, events: Iterable[tuple[str, str]]) -> set[str]:
        """Offer ids among `events` ((offer id, type), in feed order) that changed beyond
        what we expect; each expected event is consumed by the first one of its type."""
        changed = set()
        for offer_id, kind in events:
            cached = self.offers.get(offer_id)
            if cached is not None and kind in cached.expect:
                cached.expect.remove(kind)
            else:
                changed.add(offer_id)
        if self.saved is not None and self.saved.partial:  # rows not loaded may be named
            self.saved.outside |= changed - self.offers.keys()
        return changed


@dataclass
class _Saved:
    generation: str | None
    meta: dict[str, str]
    #: offer id -> (status, digest, expect, fields, unsure, vouched); fields are shared with
    #: the cache's entries, which replace them and never change them in place
    rows: dict[str, tuple[Any, ...]]
    #: the rows of some offers only (`load_some`): a save writes theirs, never the whole
    partial: bool = False
    #: offers not loaded that the feed named changed: their rows go at each save
    outside: set[str] = field(default_factory=set)


def store_path(path: Path) -> Path:
    return path.with_suffix(".sqlite3")


def load_cache(path: Path) -> LiveCache:
    store = store_path(path)
    try:
        with gc_paused():  # many thousands of small objects and no cycles
            if store.exists():
                return _load(store)
            return _decode(json.loads(path.read_bytes()))  # an older version's, saved anew
    except StoreUnreadable:
        recordstore.remove(store)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        pass
    return LiveCache()  # missing, unreadable or of another format: read everything again


def load_some(path: Path, ids: Iterable[str]) -> LiveCache | None:
    """What the cache holds of the offers `ids` alone, for a run of a few offers
    (runs/narrowed.py): a save writes what changed of these rows and the meta, nothing
    else; None: no store, another format, or unreadable."""
    store = store_path(path)
    try:
        if not store.exists():
            return None
        meta = recordstore.some(store, "meta", [*_meta(LiveCache()), "generation"])
        rows = recordstore.some(store, "offer", ids)
        generation = meta.pop("generation", None)
        if meta.get("format") != str(FORMAT):
            return None
        cache = _decode({**{k: json.loads(v) for k, v in meta.items()},
                         "offers": {i: json.loads(r) for i, r in rows.items()}})
    except (StoreUnreadable, ValueError, TypeError, KeyError, AttributeError):
        return None
    cache.saved = _Saved(generation, meta, {i: _row(o) for i, o in cache.offers.items()},
                         partial=True)
    return cache


def _load(store: Path) -> LiveCache:
    meta: dict[str, str] = {}
    rows: dict[str, Any] = {}
    batch: list[tuple[str, str]] = []
    strings: dict[str, str] = {}  # each repeated string value one object
    for section, key, value in recordstore.read(store):
        if section != "offer":
            meta[key] = value
            continue
        batch.append((key, value))
        if len(batch) == _BATCH:
            _decode_rows(batch, rows, strings)
    _decode_rows(batch, rows, strings)
    generation = meta.pop("generation", None)
    if meta.get("format") != str(FORMAT):
        cache = LiveCache()
    else:
        cache = _decode({**{k: json.loads(v) for k, v in meta.items()}, "offers": rows})
    cache.saved = _Saved(generation, meta, {i: _row(o) for i, o in cache.offers.items()})
    return cache


#: Rows decoded at once (checked whole, never the whole text at once).
_BATCH = 1000


def _decode_rows(batch: list[tuple[str, str]], rows: dict[str, Any],
                 strings: dict[str, str]) -> None:
    """Decode a batch of rows into `rows`, each offer's fields kept as their text."""
    decoded = json.loads(f"[{','.join(text for _, text in batch)}]")
    for (key, text), row in zip(batch, decoded, strict=True):
        if isinstance(row, list) and len(row) == 6 and isinstance(row[3], dict):
            row[3] = _packed(text, row, strings)
        rows[key] = row
    batch.clear()


def _packed(text: str, row: list[Any], strings: dict[str, str]) -> Mapping[str, Any]:
    """A row's fields (`row[3]`, decoded from `text`) as their text: from the row's first `{`
    to its last, which holds when no other element has a brace (else the decoded fields)."""
    status, digest, expect, fields, unsure, _ = row
    if not (isinstance(expect, list) and isinstance(unsure, list)) or not all(
            o is None or (isinstance(o, str) and "{" not in o and "}" not in o)
            for o in (status, digest, *expect, *unsure)):
        return fields  # type: ignore[no-any-return]
    return PackedFields.of(text[text.index("{"):text.rindex("}") + 1], fields, strings)


def save_cache(path: Path, cache: LiveCache) -> None:
    """Write what changed since the cache was loaded (everything, for a cache made anew)."""
    store = store_path(path)
    meta = _meta(cache)
    rows = {offer_id: _row(o) for offer_id, o in cache.offers.items()}
    generation = uuid.uuid4().hex
    saved = cache.saved
    if saved is not None and saved.partial:
        _save_some(store, saved, meta, rows, generation)
        return
    if saved is not None:
        changes: list[recordstore.Change] = [("meta", "generation", generation)]
        changes += [("meta", k, v) for k, v in meta.items() if saved.meta.get(k) != v]
        changes += [("offer", i, _text(r)) for i, r in rows.items() if saved.rows.get(i) != r]
        changes += [("offer", i, None) for i in saved.rows.keys() - rows.keys()]
        done = recordstore.write(store, changes, expect=("meta", "generation", saved.generation))
    if saved is None or not done:  # made anew, or another run saved since: the whole cache
        recordstore.replace(store, _records(meta, rows, generation))
    cache.saved = _Saved(generation, meta, rows)
    path.unlink(missing_ok=True)  # an older version's file, now in the store


def _save_some(store: Path, saved: _Saved, meta: dict[str, str],
               rows: dict[str, tuple[Any, ...]], generation: str) -> None:
    """Save a cache of some offers: its rows that changed (those the feed named of other
    offers go) and the meta. When another run saved since, nothing: a partial cache never
    replaces the store, and what it would have added the next read finds in the feed."""
    changes: list[recordstore.Change] = [("meta", "generation", generation)]
    changes += [("meta", k, v) for k, v in meta.items() if saved.meta.get(k) != v]
    changes += [("offer", i, _text(r)) for i, r in rows.items() if saved.rows.get(i) != r]
    changes += [("offer", i, None) for i in (saved.rows.keys() - rows.keys()) | saved.outside]
    if recordstore.write(store, changes, expect=("meta", "generation", saved.generation)):
        saved.generation, saved.meta, saved.rows = generation, meta, rows


def _records(meta: dict[str, str], rows: dict[str, tuple[Any, ...]],
             generation: str) -> Iterator[tuple[str, str, str]]:
    yield "meta", "generation", generation
    yield from (("meta", k, v) for k, v in meta.items())
    yield from (("offer", i, _text(r)) for i, r in rows.items())


def _row(o: CachedOffer) -> tuple[Any, ...]:
    return o.status, o.digest, tuple(o.expect), o.fields, o.unsure, o.vouched


def _text(row: tuple[Any, ...]) -> str:
    status, digest, expect, fields, unsure, vouched = row
    packed = packed_text(fields)
    if packed is not None:  # as it was loaded, between the row's other elements
        head = json.dumps([status, digest, list(expect)], separators=(",", ":"))
        tail = json.dumps([list(unsure), vouched], separators=(",", ":"))
        return f"{head[:-1]},{packed},{tail[1:]}"
    return json.dumps([status, digest, list(expect), fields, list(unsure), vouched],
                      separators=(",", ":"), check_circular=False)


def _meta(cache: LiveCache) -> dict[str, str]:
    return {
        "format": str(FORMAT),
        "fed": json.dumps(cache.fed),
        "event_cursor": json.dumps(cache.event_cursor),
        "read_at": json.dumps(cache.read_at.isoformat() if cache.read_at else None),
        "tables": json.dumps(cache.tables, sort_keys=True),
        "responsible": json.dumps(cache.responsible, sort_keys=True),
    }


def _decode(data: Any) -> LiveCache:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return LiveCache()
    offers = {}
    for offer_id, (status, digest, expect, fields, unsure, vouched) in data["offers"].items():
        if not (isinstance(status, str) and isinstance(fields, dict | PackedFields)
                and isinstance(expect, list)):
            raise ValueError(f"cached offer {offer_id} is malformed")
        offers[str(offer_id)] = CachedOffer(
            status, fields, [str(e) for e in expect], digest and str(digest), tuple(unsure),
            vouched is True,
        )
    read_at = data["read_at"]
    cursor = data["event_cursor"]
    return LiveCache(
        fed=data["fed"] is True,
        event_cursor=None if cursor is None else str(cursor),
        read_at=datetime.fromisoformat(read_at) if read_at else None,
        offers=offers,
        tables={str(k): str(v) for k, v in dict(data["tables"]).items()},
        responsible={str(k): str(v) for k, v in dict(data["responsible"]).items()},
    )
