"""`catalogsync emulator serve`: the embedded Allegro emulator over real HTTP on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import click

from catalogsync.allegro.targets import AUTH_URL_ENV, CLIENT_ID_ENV, CLIENT_SECRET_ENV
from catalogsync.config import API_URL_ENV, LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, LOCAL_SELLER_ID


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
    from catalogsync.emulator.serve import serve as serve_http

    click.echo(serving_notice(f"http://127.0.0.1:{port}", db))
    serve_http(port, db)


def serving_notice(url: str, db: Path | None) -> str:
    """Where the emulator listens and how to point catalogsync at it.

    The client id and secret are the emulator's own demo application, not credentials of
    any Allegro account; printing them is the point.
    """
    return "\n".join(
        [
            f"Allegro emulator on {url} (state: {db or 'in memory'}); Ctrl-C stops it.",
            f"Demo application: client id {LOCAL_CLIENT_ID}, secret {LOCAL_CLIENT_SECRET}; "
            f"demo seller {LOCAL_SELLER_ID}.",
            "To use it, set `environment: sandbox` in catalogsync.yaml and run:",
            f"  export {API_URL_ENV}={url} {AUTH_URL_ENV}={url}",
            f"  export {CLIENT_ID_ENV}={LOCAL_CLIENT_ID} {CLIENT_SECRET_ENV}={LOCAL_CLIENT_SECRET}",
            "  catalogsync auth login --env sandbox   # prints a curl command that confirms it",
        ]
    )
