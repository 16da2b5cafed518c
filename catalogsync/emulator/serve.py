"""The emulator over real HTTP on 127.0.0.1, for `catalogsync emulator serve`."""

from __future__ import annotations

from pathlib import Path

import uvicorn

from catalogsync.emulator.app import create_app
from catalogsync.emulator.backend import Backend


def serve(port: int, db: Path | None) -> None:
    """Answer on 127.0.0.1:`port` until interrupted; state in `db` or in memory."""
    uvicorn.run(create_app(Backend(db or ":memory:")), host="127.0.0.1", port=port,
                log_level="warning")
