"""The one SQLite database every service keeps its tables in, and the sessions around it.

Each service creates its own tables (`create`) and names those that hold seller data, which
`reset` wipes. Every call of a service runs in one `session`: a transaction at the current clock
time that first settles whatever asynchronous work became due (the `due_work` the composition
root lists, in order) and commits at the end, so a file database survives the process.
The steerable `settings` and the clock's offset are kept in the `meta` table.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from catalogsync.emulator.core.clock import Clock
from catalogsync.emulator.core.errors import ApiError
from catalogsync.emulator.core.settings import Settings, coerced

META = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"

DueWork = Callable[[datetime], None]


class Store:
    """The database, its lock and sessions, the clock and the settings saved with them."""

    def __init__(self, db_path: str | Path = ":memory:", clock: Clock | None = None) -> None:
        self.db = sqlite3.connect(str(db_path), check_same_thread=False)
        self.db.execute("PRAGMA synchronous=OFF")  # survive process exit, not power loss
        self.db.executescript(META)
        self.lock = threading.RLock()
        self.clock = clock or Clock(float(self.meta("clock_offset") or 0.0))
        self.settings = Settings(**(self.meta("settings") or asdict(Settings())))
        self.set_default("settings", asdict(self.settings))
        #: settled at the start of every session, in this order
        self.due_work: tuple[DueWork, ...] = ()
        #: called after a failed session rolled back, to drop caches of what it had written
        self.on_rollback: list[Callable[[], None]] = []
        self._seller_tables: list[str] = []

    def create(self, schema: str, seller_tables: tuple[str, ...] = ()) -> None:
        """Create a service's tables; `seller_tables` are wiped by `wipe`."""
        self.db.executescript(schema)
        self._seller_tables += seller_tables

    def close(self) -> None:
        self.db.close()

    def session(self) -> AbstractContextManager[datetime]:
        """One transaction at the current clock time, after settling what became due."""
        return self._session()

    @contextmanager
    def _session(self) -> Iterator[datetime]:
        with self.lock:
            now = self.clock.now()
            try:
                for work in self.due_work:
                    work(now)
                yield now
            except ApiError:
                self.db.commit()  # keep what the tick settled; the failed call wrote nothing
                raise
            except BaseException:
                self.db.rollback()
                for forget in self.on_rollback:
                    forget()
                raise
            self.db.commit()

    # ----------------------------------------------------------------- meta

    def meta(self, key: str) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def set_meta(self, key: str, value: Any) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, json.dumps(value))
        )

    def set_default(self, key: str, value: Any) -> Any:
        """The kept value of `key`, or `value` saved as it."""
        kept = self.meta(key)
        if kept is None:
            self.set_meta(key, value)
            return value
        return kept

    # ----------------------------------------------------------------- steering

    def wipe(self) -> None:
        """Delete all seller data (the caller re-seeds and commits)."""
        for table in self._seller_tables:
            self.db.execute(f"DELETE FROM {table}")

    def advance_clock(self, seconds: float) -> datetime:
        with self.lock:
            self.clock.advance(seconds)
            self.set_meta("clock_offset", self.clock.offset.total_seconds())
            self.db.commit()
            return self.clock.now()

    def update_settings(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Change some settings (each keeps its type); saved, so a file database keeps them."""
        current = asdict(self.settings)
        unknown = set(changes) - set(current)
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        for key, value in changes.items():
            current[key] = coerced(key, current[key], value)
        with self.lock:
            self.settings = Settings(**current)
            self.set_meta("settings", current)
            self.db.commit()
        return current
