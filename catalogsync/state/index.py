"""The state index: what apply learned about ids that the API cannot always show again.

Hidden offers are missing from the offer list (R22) and tables can be renamed but never
deleted (R4), so apply remembers external id -> offer id, table name -> table id and image
hash -> URL; and what lets the next plan, even on a fresh clone, trust what it knows: per
offer, digests of the fields as the last apply left them (drift, plan/drift.py), and where
that apply left the offer-event feed (live/committed.py). The API is the truth for the rest.

Two copies, for two audiences:
- `catalogsync.lock` beside the catalog, committed with it, so a fresh clone on a new CI
  runner knows every id (`state/lockfile.py`: one sorted line per resource, no secrets, merges
  by keeping both sides' lines);
- `.catalogsync/state-ENV.sqlite3` (git-ignored), the working copy, changed by the record
  (records.py): a new id's record is written, and its line appended to the lock file, right after
  every create; `save_index` writes the records that changed since the load; apply rewrites the
  lock file once, at its end (`lock_written_once`). Loading reads the lock, then the store over it.
  An older version's JSON working copy becomes the store on first use.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from catalogsync.errors import ConfigError
from catalogsync.gcpause import gc_paused
from catalogsync.state import records, recordstore
from catalogsync.state.lockfile import LockFile
from catalogsync.state.records import LOCK_FORGOTTEN, SECTIONS, encode, journal
from catalogsync.state.recordstore import BUSY_SECONDS, StoreBusy, StoreUnreadable


class PendingCommand(BaseModel):
    """A batch command apply submitted and has not yet seen finish."""

    kind: str
    offers: list[str]


@dataclass(frozen=True, slots=True)
class StockMark:
    """What catalogsync last made of one offer's stock (48 bytes; a model took ten times that)."""
    #: the catalog's `stock` when it was last applied
    declared: int
    #: the live stock at the ledger's position, had nothing sold since
    expected: int


class OrderPosition(BaseModel):
    """How far the order-event feed (`GET /order/events`) was read when marks were taken.

    The events of one purchase may come before and after any event id, so the event only says
    where to read from; a purchase is a sale after the position when it was bought later than
    every purchase counted by then (its line item's `boughtAt`)."""

    model_config = ConfigDict(frozen=True)

    #: the last event read
    event: str | None = None
    #: the latest `boughtAt` of the line items read, and the line items bought exactly then
    bought_until: str | None = None
    bought_then: tuple[str, ...] = ()


class StockLedger(BaseModel):
    """Stock as last set, so that sales on Allegro are told from drift: an offer's live stock
    should be its `expected` minus the units bought since `position`."""

    position: OrderPosition = Field(default_factory=OrderPosition)
    #: external id -> mark
    offers: dict[str, StockMark] = Field(default_factory=dict)


class StateIndex(BaseModel):
    offers: dict[str, str] = Field(default_factory=dict)
    shipping_rates: dict[str, str] = Field(default_factory=dict)
    #: content hash (sha256) of an uploaded local image file -> the URL Allegro gave it
    images: dict[str, str] = Field(default_factory=dict)
    #: content hash of an uploaded safety manual -> its attachment id (GPSR)
    attachments: dict[str, str] = Field(default_factory=dict)
    #: external id -> who left it unconfirmed ("import"): a catalog offer an import into a
    #: catalog without state did not find, so it may be hidden on allegro.pl (R22); creating
    #: it waits for an explicit yes (plan/checks.py). Dropped once the offer has an id.
    unconfirmed: dict[str, str] = Field(default_factory=dict)
    #: command id -> command, written before the command is sent, removed once it settled:
    #: a run after a crash waits for these before it reads live state
    commands: dict[str, PendingCommand] = Field(default_factory=dict)
    #: external id -> {field: new value as JSON} of the offer changes an apply set out to make,
    #: written before it sends anything and dropped once done: a change still owed by a run
    #: that was stopped is completion, not a new mass change (plan/checks.py)
    approved: dict[str, dict[str, str]] = Field(default_factory=dict)
    stock: StockLedger = Field(default_factory=StockLedger)
    #: external id -> field -> digest of the value the last apply left it with (plan/drift.py)
    applied: dict[str, dict[str, str]] = Field(default_factory=dict)
    #: where the last apply left the offer-event feed, as JSON (live/committed.py)
    feed: str | None = None
    #: the seller these ids belong to: seller id -> login (at most one; `catalogsync.lock`)
    account: dict[str, str] = Field(default_factory=dict)
    #: external id -> offer id of offers `catalogsync forget` let go: the next plan says so
    forgotten: dict[str, str] = Field(default_factory=dict)
    _lock: LockFile | None = PrivateAttr(default=None)
    _found: bool = PrivateAttr(default=False)
    #: ids forgotten since the lock file was last written (a deleted draft): its line for
    #: them, still there until it is written again, must not bring them back
    _forgotten: set[tuple[str, str]] = PrivateAttr(default_factory=set)
    #: section -> key -> plain value of each record as last read or written (`_snapshot`)
    _saved: dict[str, dict[str, Any]] = PrivateAttr(default_factory=dict)
    #: inside `lock_written_once`: whether the lock file is to be written as it ends
    _lock_held: bool = PrivateAttr(default=False)
    _lock_owed: bool = PrivateAttr(default=False)
    _partial: Any = PrivateAttr(default=None)  # the offers of a partial index (state/partial.py)

    def __eq__(self, other: object) -> bool:
        """The ids, not where they were read from."""
        return isinstance(other, StateIndex) and self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]

    def has_state(self) -> bool:
        """Whether state for this catalog exists: ids, or a local index at all (an apply began,
        and its first create may not be recorded yet). A lock file with no ids (an import that
        found nothing wrote one) knows nothing of offers hidden on allegro.pl (R22): no state."""
        return self._found or bool(self.offers or self.shipping_rates or self.images
                                   or self.attachments)


def store_path(path: Path) -> Path:  # `path`: the working copy's name before it was a store
    return path.with_suffix(".sqlite3")


def load_index(path: Path, lock: LockFile | None = None) -> StateIndex:
    """The lock file's ids (if given), with the local store over them."""
    with gc_paused():  # an id or two per offer, and no cycles
        return _load_index(path, lock)


def _load_index(path: Path, lock: LockFile | None) -> StateIndex:
    store = store_path(path)
    if not store.exists() and (path.exists() or journal(path).exists()):
        _migrate(path, store)
    texts: dict[str, str] = {}  # the drift digests as stored, decoded once below
    try:
        index = _indexed(records.from_records(
            recordstore.read(store) if store.exists() else iter(()), texts))
    except (StoreUnreadable, ValidationError, ValueError, KeyError, TypeError) as exc:
        raise _unreadable(store, exc) from exc
    for legacy in (path, journal(path)):  # left by a migration stopped once it was done
        legacy.unlink(missing_ok=True)
    index._found = store.exists()
    entries = [] if lock is None else lock.read()
    try:
        committed, index.applied = records.both_digests(texts, entries)
    except ValueError as exc:
        raise _unreadable(store, exc) from exc
    index._saved = _snapshot(index)  # what the lock adds below is written by the next save
    if lock is not None:
        index._lock = lock
        ledger = None if index.stock.offers else StockLedger(position=index.stock.position)
        if committed is not None:  # the lock is newer after a pull: it wins
            index.applied = committed
        feeds = {value for kind, _, value in entries if kind == "feed"}
        if feeds:  # two (a merge kept both branches'): which is newer is not known
            index.feed = feeds.pop() if len(feeds) == 1 else None
        forgotten = index._forgotten  # a private attribute costs a lookup through pydantic
        for kind, key, value in entries:
            if kind in ("applied", "feed") or (kind, key) in forgotten:
                continue
            if kind in SECTIONS:
                section = getattr(index, SECTIONS[kind])
                section.setdefault(key, value)  # this machine's newer knowledge wins
            elif kind == "account":
                index.account = {key: value}  # the committed owner is the one checked
            elif ledger is None:  # the working copy of the ledger wins over the committed one
                continue
            elif kind == "stock":
                declared, expected = json.loads(value)
                ledger.offers.setdefault(key, StockMark(declared=declared, expected=expected))
            else:
                ledger.position = OrderPosition.model_validate_json(value)
        if ledger is not None:
            index.stock = ledger
    for key in [k for k in index.unconfirmed if k in index.offers]:
        del index.unconfirmed[key]
    for key in [k for k, i in index.forgotten.items() if index.offers.get(k) == i]:
        forget_offer(index, key)  # forgotten on another machine: its lock line came in a pull
    return index


def _unreadable(path: Path, exc: Exception) -> ConfigError:
    if isinstance(exc, StoreBusy):
        return ConfigError(f"{path}: another process has kept the state index locked for "
                           f"{BUSY_SECONDS:.0f} s; try again once it is done")
    why = str(exc) if isinstance(exc, StoreUnreadable) else exc.__class__.__name__
    return ConfigError(f"{path}: state index is unreadable ({why}); "
                       "delete it and catalogsync will rebuild it from Allegro")


def _migrate(path: Path, store: Path) -> None:
    """The working copy of an older catalogsync (a JSON snapshot and its journal) becomes the
    store. The store appears whole under its name, then the old files go: a crash on the way
    leaves them as they were, for the next run to migrate again."""
    try:
        index = _indexed(records.legacy(path))
    except (ValidationError, ValueError, KeyError, TypeError) as exc:
        raise _unreadable(path, exc) from exc
    recordstore.create(store, ((section, key, encode(value))
                               for section, values in _snapshot(index).items()
                               for key, value in values.items()))


def forget_offer(index: StateIndex, key: str) -> None:
    """`catalogsync forget`: drop what the state knows of the offer `key`, and remember that it
    was let go (the next plan says so)."""
    index.forgotten[key] = index.offers.pop(key)
    for section in (index.applied, index.stock.offers, index.approved, index.unconfirmed):
        section.pop(key, None)


def _snapshot(index: StateIndex) -> dict[str, dict[str, Any]]:
    """Section -> key -> each record's plain value (nested dicts shared: never edited)."""
    out: dict[str, dict[str, Any]] = {kind: dict(getattr(index, name))
                                      for kind, name in SECTIONS.items()}
    out["command"] = {uid: c.model_dump_json() for uid, c in index.commands.items()}
    out["approved"] = dict(index.approved)
    out["stock"] = {sku: (m.declared, m.expected) for sku, m in index.stock.offers.items()}
    out["stock-position"] = {"": index.stock.position.model_dump_json()}
    out["applied"] = dict(index.applied)
    out["feed"] = {} if index.feed is None else {"": index.feed}
    out["account"] = dict(index.account)
    out[LOCK_FORGOTTEN] = {json.dumps(list(k)): "" for k in index._forgotten}
    return out


def _indexed(plain: records.Plain) -> StateIndex:
    index = StateIndex.model_validate(plain[0])
    index._forgotten = plain[1]
    return index


def _value(index: StateIndex, section: str, key: str) -> Any:
    """The plain value of one record as the index holds it now (None: it has none)."""
    if section in SECTIONS:
        return getattr(index, SECTIONS[section]).get(key)
    if section == "command":
        command = index.commands.get(key)
        return None if command is None else command.model_dump_json()
    if section == "stock":
        mark = index.stock.offers.get(key)
        return None if mark is None else (mark.declared, mark.expected)
    assert section == LOCK_FORGOTTEN, section
    return "" if tuple(json.loads(key)) in index._forgotten else None


def _save_records(path: Path, index: StateIndex, keys: list[tuple[str, str]]) -> None:
    """Write the records `keys` (section, key) as the index holds them now (absent: deleted)."""
    changes: list[recordstore.Change] = []
    for section, key in keys:
        value = _value(index, section, key)
        saved = index._saved.setdefault(section, {})
        if value is None:
            saved.pop(key, None)
        else:
            saved[key] = value
        changes.append((section, key, None if value is None else encode(value)))
    _write(path, index, changes)


def _write(path: Path, index: StateIndex, changes: list[recordstore.Change]) -> None:
    if index._partial is not None:  # it writes the records of the offers it read, or none
        index._partial.check((section, key) for section, key, _ in changes)
    store = store_path(path)
    try:
        recordstore.write(store, changes)
    except StoreUnreadable as exc:
        raise _unreadable(store, exc) from exc


def record_id(
    path: Path,
    index: StateIndex,
    kind: Literal["offer", "shipping_rates", "image", "attachment"],
    key: str,
    value: str,
) -> None:
    """Remember one new id in memory and on disk before anything else happens."""
    getattr(index, SECTIONS[kind])[key] = value
    _save_records(path, index, [(kind, key)])
    if index._lock is not None:
        index._lock.append(kind, key, value)


def forget_id(path: Path, index: StateIndex, kind: Literal["offer", "shipping_rates"],
              key: str) -> None:
    """Gone for good (a deleted draft, a table renamed away): its id goes now, its lock line
    when the lock is next written (until then that line must not bring it back)."""
    getattr(index, SECTIONS[kind]).pop(key, None)
    index._forgotten.add((kind, key))
    _save_records(path, index, [(kind, key), (LOCK_FORGOTTEN, json.dumps([kind, key]))])


def record_command(path: Path, index: StateIndex, command_id: str, command: PendingCommand) -> None:
    """Remember a batch command before it is sent: a run after a crash waits for it."""
    index.commands[command_id] = command
    _save_records(path, index, [("command", command_id)])


def forget_command(path: Path, index: StateIndex, command_id: str) -> None:
    """The command has settled: its record goes, and nothing else is written."""
    index.commands.pop(command_id, None)
    _save_records(path, index, [("command", command_id)])


def record_stock_mark(path: Path, index: StateIndex, sku: str, mark: StockMark | None) -> None:
    """An offer's stock mark changes (None: forgotten) while apply runs."""
    if mark is None:
        index.stock.offers.pop(sku, None)
    else:
        index.stock.offers[sku] = mark
    _save_records(path, index, [("stock", sku)])


def save_index(path: Path, index: StateIndex) -> None:
    """Write the records that changed since the index was loaded or last saved; then
    `catalogsync.lock`, unless a run writes it once at its end (`lock_written_once`)."""
    now = _snapshot(index)
    changes: list[recordstore.Change] = []
    for section in now.keys() | index._saved.keys():
        new, old = now.get(section, {}), index._saved.get(section, {})
        changes += [(section, key, encode(value)) for key, value in new.items()
                    if key not in old or old[key] != value]
        changes += [(section, key, None) for key in old.keys() - new.keys()]
    _write(path, index, changes)
    index._saved = now
    if index._lock_held:
        index._lock_owed = True
    else:
        write_lock(path, index)


def write_lock(path: Path, index: StateIndex) -> None:
    """Write `catalogsync.lock` as the index holds it (left alone when that is what it says)."""
    index._lock_owed = False
    if index._lock is None:
        return
    if index._partial is not None:  # the lines of the records it changed, and no other
        index._partial.write_lock(index._lock, _entries(index))
    else:
        index._lock.write(_entries(index))
    if index._forgotten:  # the lock no longer has their lines
        keys = [(LOCK_FORGOTTEN, json.dumps(list(k))) for k in index._forgotten]
        index._forgotten = set()
        _save_records(path, index, keys)


@contextmanager
def lock_written_once(path: Path, index: StateIndex) -> Iterator[StateIndex]:
    """Within the block, `save_index` writes the store only; the lock file is written once as
    the block ends, however it ends (new ids were appended to it as they came)."""
    index._lock_held = True
    try:
        yield index
    finally:
        index._lock_held = False
        if index._lock_owed:  # else nothing in it changed
            write_lock(path, index)


def _entries(index: StateIndex) -> list[tuple[str, str, str]]:
    entries = [(kind, key, value) for kind, section in SECTIONS.items()
               for key, value in getattr(index, section).items()]
    entries += [("account", seller, login) for seller, login in index.account.items()]
    ledger = index.stock  # the stock ledger travels with the ids: a CI runner needs it too
    entries += [("stock", sku, json.dumps([m.declared, m.expected]))
                for sku, m in ledger.offers.items()]
    if ledger.offers:
        entries.append(("stock-position", "", ledger.position.model_dump_json()))
    entries += [("applied", sku, encode(digests)) for sku, digests in index.applied.items()]
    if index.feed is not None:
        entries.append(("feed", "", index.feed))
    return entries

