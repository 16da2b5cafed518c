"""The state index of a few offers: what a narrowed plan reads and a narrowed apply writes
(runs/narrowed.py, runs/narrowed_apply.py).

It holds the records of some offers (`keys`) and every record of no offer (tables, images,
commands, the ledger's position, the feed line, the account), read from the store alone.
Whatever it writes is per record: `save_index` writes what changed since the load, and the
lock file has only the lines of changed records replaced (`LockFile.write_some`). A write of
a record of another offer would be a record this index never read, so `Partial` refuses it:
a narrowed run cannot delete what it did not load, by construction rather than by care.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from catalogsync.errors import ApplyError
from catalogsync.state import records, recordstore
from catalogsync.state.index import StateIndex, _entries, _snapshot, store_path
from catalogsync.state.lockfile import LockFile
from catalogsync.state.records import LOCK_FORGOTTEN

#: The index's sections (and lock kinds) kept per offer key, and those read whole.
PER_KEY = ("offer", "offer-unconfirmed", "offer-forgotten", "approved", "applied", "stock")
WHOLE = ("shipping_rates", "image", "attachment", "command", "stock-position", "feed",
         "account")


class PartialWriteError(ApplyError):
    """A narrowed run set out to write a record of an offer it did not load (a bug: nothing
    was written, and the run stops with this message rather than a traceback)."""


@dataclass
class Partial:
    """Which offers a partial index holds, and its lock lines as loaded (or last written)."""

    keys: frozenset[str]
    lines: dict[tuple[str, str], str] = field(default_factory=dict)

    def check(self, records_of: Iterable[tuple[str, str]]) -> None:
        """Refuse to write records (section or lock kind, key) of offers not loaded."""
        for section, key in records_of:
            if section == LOCK_FORGOTTEN:
                section, key = json.loads(key)
            if section in WHOLE or (section in PER_KEY and key in self.keys):
                continue
            raise PartialWriteError(f"a narrowed run would write {section} {key!r}, which "
                                    "it did not load; nothing was written (run `apply "
                                    "--refresh` to apply in full)")

    def write_lock(self, lock: LockFile, entries: list[tuple[str, str, str]]) -> None:
        """Replace the lock lines of the records that changed since the last write, and
        none other. The ledger's position is never dropped: other offers' marks need it."""
        now = {(kind, key): value for kind, key, value in entries}
        changed = {pair: now.get(pair) for pair in now.keys() | self.lines.keys()
                   if now.get(pair) != self.lines.get(pair) and not (
                       pair[0] == "stock-position" and pair not in now)}
        self.check(changed)
        lock.write_some(changed)
        self.lines = now


def load_partial(path: Path, keys: list[str], lock: LockFile | None = None
                 ) -> StateIndex | None:
    """The state index's records of the offers `keys` and its records of no offer, from its
    store alone (None: no store, or not readable); `lock`: the file its lines go to."""
    store = store_path(path)
    if not store.exists():
        return None
    try:
        rows = [(s, k, v) for s in PER_KEY for k, v in recordstore.some(store, s, keys).items()]
        rows += [(s, k, v) for s in WHOLE for k, v in recordstore.section(store, s).items()]
        texts: dict[str, str] = {}
        index = StateIndex.model_validate(records.from_records(rows, texts)[0])
        index.applied = {k: json.loads(t) for k, t in texts.items()}
    except (recordstore.StoreUnreadable, ValidationError, ValueError, KeyError, TypeError):
        return None
    index._found = True
    index._saved = _snapshot(index)  # `save_index` writes what differs from these alone
    index._lock = lock
    index._partial = Partial(frozenset(keys), {(k, key): v for k, key, v in _entries(index)})
    return index
