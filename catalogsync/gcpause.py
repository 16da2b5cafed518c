"""Pausing Python's cyclic garbage collector around bulk work.

Loading and planning a large catalog allocate millions of short-lived, acyclic objects;
the full collections they trigger cost more than the work itself (measured by
benchmarks/local_cost.py: planning 10 000 offers took 2.3 s with the collector, 1.0 s without).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def settled() -> None:
    """What exists now lives for the rest of the run (the loaded catalog, the live state
    read): keep it out of the collector's full passes, which otherwise walk it again each
    time a run's short-lived objects trigger one (a tenth of a price change's local time at
    10 000 offers), nor at exit, where collecting the modules and pydantic models imported
    cost `catalogsync validate` a fifth of its CPU. Objects that become garbage later are
    still freed by reference counts."""
    gc.freeze()
