"""The state index: what apply learned about ids that the API cannot always show again.

Hidden offers are missing from the offer list (R22) and tables can be renamed but never
deleted (R4), so apply remembers external id -> offer id, table name -> table id and image
hash -> URL; and what lets the next plan, even on a fresh clone, trust what it knows: per
offer, digests of the fields as the last apply left them (drift, plan/drift.py), and where
that apply left the offer-event feed (live/committed.py). The live API stays the source of
truth for everything else.

Two copies, for two audiences:
- `catalogsync.lock` beside the catalog, committed with it, so a fresh clone on a new CI
  runner knows every id (`lockfile.py`: one sorted line per resource, no secrets, merges
  by keeping both sides' lines);
- `.catalogsync/state-ENV.json` (git-ignored), the working copy with a journal: recording
  one new id appends one line to the journal and to the lock file, right after every create;
  `save_index` writes both files whole, atomically, and empties the journal. Loading reads the
  lock, then the snapshot and the journal over it, so a crash loses nothing that was recorded.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from catalogsync.appendlog import append_line, close
from catalogsync.errors import ConfigError
from catalogsync.gcpause import gc_paused
from catalogsync.lockfile import LockFile


class PendingCommand(BaseModel):
    """A batch command apply submitted and has not yet seen finish."""

    kind: str
    offers: list[str]


class StockMark(BaseModel):
    """What catalogsync last made of one offer's stock."""

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
    #: ids forgotten since the last snapshot (a deleted draft): the lock file's line for
    #: them, still there until `save_index` rewrites it, must not bring them back
    _forgotten: set[tuple[str, str]] = PrivateAttr(default_factory=set)

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


@functools.lru_cache(maxsize=16)  # the same Path for every line: its hash is worked out once
def _journal(path: Path) -> Path:
    return path.with_suffix(".journal")


def load_index(path: Path, lock: LockFile | None = None) -> StateIndex:
    """The lock file's ids (if given), with the local snapshot and journal over them."""
    with gc_paused():  # an id or two per offer, and no cycles
        return _load_index(path, lock)


def _load_index(path: Path, lock: LockFile | None) -> StateIndex:
    try:
        index = StateIndex.model_validate_json(path.read_bytes()) if path.exists() else StateIndex()
        if _journal(path).exists():
            for line in _journal(path).read_text().splitlines():
                if line.strip():
                    _replay(index, json.loads(line))
    except (ValidationError, ValueError, KeyError) as exc:
        raise ConfigError(
            f"{path}: state index is unreadable ({exc.__class__.__name__}); "
            "delete it and catalogsync will rebuild it from Allegro"
        ) from exc
    index._found = path.exists() or _journal(path).exists()
    if lock is not None:
        index._lock = lock
        entries = lock.read()
        ledger = index.stock.model_copy(deep=True)
        applied = committed_digests(entries)
        if applied is not None:  # the lock is newer after a pull: it wins
            index.applied = applied
        feeds = {value for kind, _, value in entries if kind == "feed"}
        if feeds:  # two (a merge kept both branches'): which is newer is not known
            index.feed = feeds.pop() if len(feeds) == 1 else None
        for kind, key, value in entries:
            if (kind, key) in index._forgotten or kind in ("applied", "feed"):
                continue
            if kind in _SECTIONS:
                section = getattr(index, _SECTIONS[kind])
                section.setdefault(key, value)  # this machine's newer knowledge wins
            elif kind == "stock":
                declared, expected = json.loads(value)
                ledger.offers.setdefault(key, StockMark(declared=declared, expected=expected))
            elif kind == "account":
                index.account = {key: value}  # the committed owner is the one checked
            else:
                ledger.position = OrderPosition.model_validate_json(value)
        if not index.stock.offers:  # no working copy of the ledger: the committed one
            index.stock = ledger
    for key in [k for k in index.unconfirmed if k in index.offers]:
        del index.unconfirmed[key]
    for key in [k for k, i in index.forgotten.items() if index.offers.get(k) == i]:
        forget_offer(index, key)  # forgotten on another machine: its lock line came in a pull
    return index


def forget_offer(index: StateIndex, key: str) -> None:
    """`catalogsync forget`: drop what the state knows of the offer `key`, and remember that it
    was let go (the next plan says so)."""
    index.forgotten[key] = index.offers.pop(key)
    for section in (index.applied, index.stock.offers, index.approved, index.unconfirmed):
        section.pop(key, None)


def committed_digests(entries: list[tuple[str, str, str]]) -> dict[str, dict[str, str]] | None:
    """The lock's `applied` lines (None: none). A key whose lines disagree (a merge kept both
    branches' lines) or cannot be read is left out: its drift is not known, which is safe."""
    found: dict[str, dict[str, str]] = {}
    doubtful = set()
    for kind, key, value in entries:
        if kind != "applied":
            continue
        try:
            digests = json.loads(value)
        except ValueError:
            digests = None
        if not isinstance(digests, dict) or found.setdefault(key, digests) != digests:
            doubtful.add(key)
    if not found:
        return None
    return {k: v for k, v in found.items() if k not in doubtful}


def _replay(index: StateIndex, entry: dict[str, Any]) -> None:
    if entry["kind"] == "command":
        index.commands[entry["key"]] = PendingCommand.model_validate(entry["command"])
    elif entry["kind"] == "command-settled":
        index.commands.pop(entry["key"], None)
    elif entry["kind"] == "forget":
        getattr(index, _SECTIONS[entry["section"]]).pop(entry["key"], None)
        index._forgotten.add((entry["section"], entry["key"]))
    elif entry["kind"] == "stock-mark":
        if entry["mark"] is None:
            index.stock.offers.pop(entry["key"], None)
        else:
            index.stock.offers[entry["key"]] = StockMark.model_validate(entry["mark"])
    else:
        getattr(index, _SECTIONS[entry["kind"]])[entry["key"]] = entry["id"]


_SECTIONS = {
    "offer": "offers",
    "shipping_rates": "shipping_rates",
    "image": "images",
    "attachment": "attachments",
    "offer-unconfirmed": "unconfirmed",
    "offer-forgotten": "forgotten",
}


def record_id(
    path: Path,
    index: StateIndex,
    kind: Literal["offer", "shipping_rates", "image", "attachment"],
    key: str,
    value: str,
) -> None:
    """Remember one new id in memory and on disk before anything else happens."""
    _record(path, index, {"kind": kind, "key": key, "id": value})
    if index._lock is not None:
        index._lock.append(kind, key, value)


def forget_id(path: Path, index: StateIndex, kind: Literal["offer", "shipping_rates"],
              key: str) -> None:
    """The resource is gone for good (a deleted draft): drop its id now; the lock file loses
    its line when `save_index` writes it next."""
    _record(path, index, {"kind": "forget", "section": kind, "key": key})


def record_command(path: Path, index: StateIndex, command_id: str, command: PendingCommand) -> None:
    """Remember a batch command before it is sent: a run after a crash waits for it."""
    _record(path, index, {"kind": "command", "key": command_id, "command": command.model_dump()})


def forget_command(path: Path, index: StateIndex, command_id: str) -> None:
    """The command has settled."""
    _record(path, index, {"kind": "command-settled", "key": command_id})


def record_stock_mark(path: Path, index: StateIndex, sku: str, mark: StockMark | None) -> None:
    """An offer's stock mark changes (None: forgotten) while apply runs."""
    _record(path, index, {"kind": "stock-mark", "key": sku,
                          "mark": None if mark is None else mark.model_dump()})


def _record(path: Path, index: StateIndex, entry: dict[str, Any]) -> None:
    """One journal line (a whole snapshot of many thousands of ids would be slow)."""
    _replay(index, entry)
    append_line(_journal(path), json.dumps(entry) + "\n")


def save_index(path: Path, index: StateIndex) -> None:
    """Write a snapshot atomically (a crash leaves the old or the new one, never half),
    then drop the journal it includes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".state-", suffix=".tmp")
    with os.fdopen(fd, "w") as out:  # one line: indenting (or json.dump) encodes in Python
        out.write(json.dumps(index.model_dump(), sort_keys=True, separators=(",", ":")))
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    if index._lock is not None:
        index._lock.write(_entries(index))
    close(_journal(path))
    _journal(path).unlink(missing_ok=True)


def _entries(index: StateIndex) -> list[tuple[str, str, str]]:
    entries = [
        (kind, key, value)
        for kind, section in _SECTIONS.items()
        for key, value in getattr(index, section).items()
    ]
    entries += [("account", seller, login) for seller, login in index.account.items()]
    ledger = index.stock  # the stock ledger travels with the ids: a CI runner needs it too
    entries += [("stock", sku, json.dumps([m.declared, m.expected]))
                for sku, m in ledger.offers.items()]
    if ledger.offers:
        entries.append(("stock-position", "", ledger.position.model_dump_json()))
    entries += [("applied", sku, json.dumps(digests, sort_keys=True, separators=(",", ":")))
                for sku, digests in index.applied.items()]
    if index.feed is not None:
        entries.append(("feed", "", index.feed))
    return entries


def load_pacing(path: Path) -> dict[str, Any]:
    """The pacer's recent usage from the last run; anything unreadable counts as none."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_pacing(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".pacing-", suffix=".tmp")
    with os.fdopen(fd, "w") as out:
        json.dump(data, out)
    os.replace(tmp, path)
