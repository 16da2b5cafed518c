"""`catalogsync emulator serve`: the embedded emulator over real HTTP."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def emulator() -> None:
    """The embedded Allegro emulator."""


@emulator.command()
@click.option("--port", default=8080, show_default=True, help="TCP port on 127.0.0.1.")
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file to keep state in (default: in memory).",
)
def serve(port: int, db: Path | None) -> None:
    """Serve the emulator over real HTTP on 127.0.0.1:PORT."""
    import uvicorn

    from catalogsync.emulator.app import create_app
    from catalogsync.emulator.backend import Backend

    backend = Backend(db or ":memory:")
    uvicorn.run(create_app(backend), host="127.0.0.1", port=port, log_level="warning")
