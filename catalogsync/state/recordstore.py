"""A file of text records, (section, key) -> value, changed by the record: SQLite (WAL).

The state index and the live cache hold a record per offer. Rewriting them whole on every run
cost seconds at 100 000 offers whatever the size of the change; here a run writes the records
it changed, each call one transaction, so a process killed at any point leaves every call
before it whole and the one it was in undone. Two processes may read and write at once:
SQLite serialises their transactions (a writer waits up to `BUSY_SECONDS` for another), and
a record one process did not change is never overwritten by it.

A file that is not such a store raises `StoreUnreadable`; callers say what to do about it.
A store is made under a temporary name and renamed into place (`create`), so one that is
being filled for the first time (a migration) is either whole or absent. Every transaction
that writes leaves a new `stamp`, so a reader can tell in one query whether anything changed.
"""

from __future__ import annotations

import atexit
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, suppress
from pathlib import Path

#: How long a writer waits for another process's transaction before giving up.
BUSY_SECONDS = 30.0
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS records ("
    " section TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    " PRIMARY KEY (section, key)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS stamp (one INTEGER PRIMARY KEY CHECK (one = 1), value TEXT)"
)
_STAMP = "INSERT OR REPLACE INTO stamp VALUES (1, lower(hex(randomblob(16))))"
#: `section`, `key`, and the value (None: the record is deleted)
Change = tuple[str, str, str | None]


class StoreUnreadable(Exception):
    """The file exists but is no record store (or a broken one); the text says why."""


class StoreBusy(StoreUnreadable):
    """Another process kept the store locked for longer than `BUSY_SECONDS`."""


def _failed(exc: sqlite3.DatabaseError) -> StoreUnreadable:
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        return StoreBusy(str(exc))
    return StoreUnreadable(str(exc))


_open: dict[Path, tuple[int, sqlite3.Connection]] = {}


def _connection(path: Path) -> sqlite3.Connection:
    """The open connection to `path`, opened again when the file was replaced or deleted."""
    try:
        inode = path.stat().st_ino
    except FileNotFoundError:
        inode = -1
    known = _open.get(path)
    if known is not None and known[0] == inode:
        return known[1]
    close(path)
    if inode < 0:  # a log left beside a store deleted by hand would come back to life in it
        _remove_logs(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        db = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None,
                             check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # WAL: a killed process loses nothing committed
        db.executescript(_SCHEMA)
    except sqlite3.DatabaseError as exc:
        raise _failed(exc) from exc
    _open[path] = (path.stat().st_ino, db)
    return db


def read(path: Path) -> Iterator[tuple[str, str, str]]:
    """Every record (section, key, value), in key order."""
    try:
        yield from _connection(path).execute("SELECT section, key, value FROM records")
    except sqlite3.DatabaseError as exc:
        raise _failed(exc) from exc


#: keys a query asks for at once (SQLite allows 999 variables in its oldest builds)
_BATCH = 500


def some(path: Path, section: str, keys: Iterable[str]) -> dict[str, str]:
    """The records of `section` among `keys` (key -> value, in the order of `keys`; absent
    keys are left out), a few hundred keys a query: one query per key took twice the time."""
    wanted = list(dict.fromkeys(keys))
    db = _connection(path)
    found: dict[str, str] = {}
    try:
        for start in range(0, len(wanted), _BATCH):
            batch = wanted[start:start + _BATCH]
            marks = ",".join("?" * len(batch))
            found.update((str(key), str(value)) for key, value in db.execute(
                f"SELECT key, value FROM records WHERE section = ? AND key IN ({marks})",
                (section, *batch)))
    except sqlite3.DatabaseError as exc:
        raise _failed(exc) from exc
    return {key: found[key] for key in wanted if key in found}


def section(path: Path, name: str) -> dict[str, str]:
    """Every record of the section `name` (key -> value)."""
    try:
        return {str(key): str(value) for key, value in _connection(path).execute(
            "SELECT key, value FROM records WHERE section = ?", (name,))}
    except sqlite3.DatabaseError as exc:
        raise _failed(exc) from exc


def stamp(path: Path) -> str | None:
    """What the last write left (None: no store, or one never written since stamps began)."""
    if not path.exists():
        return None
    try:
        row = _connection(path).execute("SELECT value FROM stamp").fetchone()
    except sqlite3.DatabaseError as exc:
        raise _failed(exc) from exc
    return None if row is None else str(row[0])


def write(path: Path, changes: Iterable[Change],
          expect: tuple[str, str, str | None] | None = None) -> bool:
    """Set (or, for a None value, delete) records in one transaction. With `expect` (section,
    key, value), only if that record still holds that value (None: absent): whether written."""
    sets, deletes = [], []
    for section, key, value in changes:
        if value is None:
            deletes.append((section, key))
        else:
            sets.append((section, key, value))
    if not (sets or deletes):
        return True
    return _transaction(path, sets, deletes, expect)


def replace(path: Path, records: Iterable[tuple[str, str, str]]) -> None:
    """Make `records` the store's whole content, in one transaction."""
    _transaction(path, list(records), None, None)


def _transaction(path: Path, sets: list[tuple[str, str, str]],
                 deletes: list[tuple[str, str]] | None,
                 expect: tuple[str, str, str | None] | None) -> bool:
    db = _connection(path)
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            if expect is not None and _value(db, *expect[:2]) != expect[2]:
                db.execute("ROLLBACK")
                return False
            if deletes is None:
                db.execute("DELETE FROM records")
            else:
                db.executemany("DELETE FROM records WHERE section = ? AND key = ?", deletes)
            db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?)", sets)
            db.execute(_STAMP)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        raise _failed(exc) from exc
    return True


def _value(db: sqlite3.Connection, section: str, key: str) -> str | None:
    row = db.execute("SELECT value FROM records WHERE section = ? AND key = ?",
                     (section, key)).fetchone()
    return None if row is None else str(row[0])


def create(path: Path, records: Iterable[tuple[str, str, str]]) -> None:
    """Make the store at `path` holding `records`, whole or not at all (a crash leaves a
    temporary file beside it, never a half-filled store under its name)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(tmp, isolation_level=None)) as db:
            db.executescript(_SCHEMA)
            db.execute("BEGIN")
            db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?)", records)
            db.execute(_STAMP)
            db.execute("COMMIT")
        with open(tmp, "rb") as done:
            os.fsync(done.fileno())
        close(path)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def remove(path: Path) -> None:
    """Delete the store and its write-ahead log."""
    close(path)
    path.unlink(missing_ok=True)
    _remove_logs(path)


def _remove_logs(path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def close(path: Path) -> None:
    """Close `path` if it is open here (the last connection to close folds the log in)."""
    known = _open.pop(path, None)
    if known is not None:
        with suppress(sqlite3.Error):
            known[1].close()


@atexit.register
def _close_all() -> None:
    for path in list(_open):
        close(path)
