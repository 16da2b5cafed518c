"""One rate budget for the catalogs a process runs at once (`plan DIR…`, `apply DIR…`).

Each catalog has its own client and pacer (pacing.py), but Allegro counts R1 per client id,
whoever sends, and the other limits per seller (API_NOTES §3). Inside `one_budget()`, every
pacer that `join`s shares one window object per limit: the client id's R1 window with every
catalog on the same API and client id, the per-seller windows with the catalogs of the same
seller; a 429 holds every pacer of the client id; and their requests in flight count
together against R3 (20 per client id, shared with the other processes of a rate store).
Outside it (a single catalog), nothing changes. A Redis/Valkey store (ratestore.py) still
shares the budget with other processes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from catalogsync.allegro.pacing import Pacer, Window


class _SharedWindow(Window):
    """A window several pacers take from. Each restores the usage its catalog's last run
    saved; in a run of several catalogs those saved the same shared usage, so a second copy
    of a moment already loaded is not counted twice."""

    def load(self, entries: list[list[float]], now: float) -> None:
        known = {stamp for stamp, _ in self._log}
        super().load([e for e in entries if e[0] not in known], now)


#: R3: at most 20 requests of one client id in flight at once, whoever sends them.
CLIENT_CONCURRENCY = 20


@dataclass
class _Budget:
    windows: dict[str, Window] = field(default_factory=dict)
    #: per client id, the pacers a 429 holds
    pacers: dict[str, list[Pacer]] = field(default_factory=dict)
    #: per client id, the requests in flight (R3)
    flights: dict[str, asyncio.Semaphore] = field(default_factory=dict)


_CURRENT: ContextVar[_Budget | None] = ContextVar("catalogsync_process_budget", default=None)


@contextmanager
def one_budget() -> Iterator[None]:
    """Pacers joining inside this block (and in the tasks it starts) share their limits."""
    token = _CURRENT.set(_Budget())
    try:
        yield
    finally:
        _CURRENT.reset(token)


def join(pacer: Pacer, api_url: str, client_id: str, seller: str, processes: int = 1) -> None:
    """Swap `pacer`'s windows for the shared ones (made from the first pacer's), let a 429 any
    of them meets hold the others of the client id, and keep their requests in flight together
    within R3's share of this process (one of `processes` sharing a rate store). Outside
    `one_budget`, nothing."""
    budget = _CURRENT.get()
    if budget is None:
        return
    client = f"{api_url}\n{client_id}"
    for i, window in enumerate(pacer.windows):
        scope = client if window.name.startswith("client id") else f"{client}\n{seller}"
        key = f"{scope}\n{window.name}"
        if key not in budget.windows:
            budget.windows[key] = _SharedWindow(
                window.name, window.count, window.seconds, window.applies, window.weighted)
        pacer.windows[i] = budget.windows[key]
    peers = budget.pacers.setdefault(client, [])
    peers.append(pacer)
    pacer.peers = peers
    if client not in budget.flights:
        budget.flights[client] = asyncio.Semaphore(max(1, CLIENT_CONCURRENCY // processes))
    pacer.flight = budget.flights[client]
