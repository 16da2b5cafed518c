"""The live cache kept up to date while apply waits for Allegro's rate windows.

What apply confirmed of an offer is replayed onto the cache once no command for it is pending
(`ledger.settle_early`), and saved in a thread once enough has gathered: at the end only the
offers of the last commands are left to replay and write (the end's `record` replays what is
left). An interrupted run leaves each saved offer with the events its changes cause, which the
next read's feed explains; offers still in flight keep what was read, which the feed shows
changed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from catalogsync.allegro.pacing import Pacer
from catalogsync.apply.ledger import Ledger, settle_early
from catalogsync.errors import CatalogsyncError
from catalogsync.gcpause import gc_paused
from catalogsync.live.cache import LiveCache, save_cache
from catalogsync.state.recordstore import StoreUnreadable


class CacheKeeper:
    #: how often it looks for offers whose commands reported
    EVERY = 5.0
    #: offers changed since the last save that make a save worth it
    AT_LEAST = 2000

    def __init__(self, path: Path, cache: LiveCache, ledger: Ledger, keep: bool, pacer: Pacer,
                 tables: Callable[[], dict[str, str] | None]) -> None:
        """`keep`: whether to keep the cache (False: the next plan reads everything anyway);
        `pacer`: the client's, which says when apply waits for Allegro's windows; `tables`:
        table id -> name as the end will have it (None: not known, nothing is kept)."""
        self.path, self.cache, self.ledger = path, cache, ledger
        self._pacer, self._tables = pacer, tables
        #: offer id -> steps of the ledger replayed onto the cache
        self.replayed: dict[str, int] = {}
        self._unsaved = 0
        self._stop = asyncio.Event()
        self._task = asyncio.ensure_future(self._keep()) if keep else None

    async def _keep(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._stop.wait(), self.EVERY)
                return
            except TimeoutError:
                pass
            if not (self.ledger.steps and self._pacer.waited > 0):  # offers' changes are under way
                continue
            names = self._tables()
            if names is None:
                return
            with gc_paused():  # a cached offer each, built from acyclic parts
                self._unsaved += settle_early(self.cache, self.ledger, names, self.replayed)
            if self._unsaved >= self.AT_LEAST:
                self._unsaved = 0
                try:  # in a thread: the requests due meanwhile go out on time
                    await asyncio.to_thread(save_cache, self.path, self.cache)
                except (CatalogsyncError, StoreUnreadable, OSError):
                    return  # the end saves it all, and says what is wrong

    async def stop(self) -> None:
        """Stop, once a save under way is done (the end's save must not overlap it)."""
        self._stop.set()
        if self._task is not None:
            await self._task

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
