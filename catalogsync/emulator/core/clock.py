"""The emulator's clock: UTC wall-clock time plus an offset that steering moves forward."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class Clock:
    """UTC wall-clock time plus an offset that steering can only move forward."""

    def __init__(self, offset_seconds: float = 0.0) -> None:
        self.offset = timedelta(seconds=offset_seconds)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def timestamp(self) -> float:
        """`now()` as seconds since the epoch, cheaply, for the request limits."""
        return time.time() + self.offset.total_seconds()

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self.offset += timedelta(seconds=seconds)
