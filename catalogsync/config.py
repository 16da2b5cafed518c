"""Where each environment lives, and where catalogsync keeps its files in a catalog repo."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from catalogsync.catalog.models import Environment
from catalogsync.state.lockfile import LOCK_FILE, LockFile

#: Files catalogsync writes into a catalog directory (git-ignored by `.catalogsync/.gitignore`).
WORK_DIR = ".catalogsync"


@dataclass(frozen=True)
class Endpoints:
    api: str
    auth: str
    upload: str


ENDPOINTS = {
    Environment.PRODUCTION: Endpoints(
        api="https://api.allegro.pl",
        auth="https://allegro.pl",
        upload="https://upload.allegro.pl",
    ),
    Environment.SANDBOX: Endpoints(
        api="https://api.allegro.pl.allegrosandbox.pl",
        auth="https://allegro.pl.allegrosandbox.pl",
        upload="https://upload.allegro.pl.allegrosandbox.pl",
    ),
    # The embedded emulator answers every host in-process.
    Environment.LOCAL: Endpoints(
        api="http://allegro.local", auth="http://allegro.local", upload="http://allegro.local"
    ),
}

#: Moves sandbox or production elsewhere, e.g. to `catalogsync emulator serve`.
API_URL_ENV = "CATALOGSYNC_API_URL"

#: The emulator's pre-registered application and the seller the local environment acts as.
LOCAL_CLIENT_ID = "catalogsync-local"
LOCAL_CLIENT_SECRET = "local-secret"  # not a secret: it only opens the embedded emulator
LOCAL_SELLER_ID = "1000001"


def work_dir(catalog_dir: Path) -> Path:
    path = catalog_dir / WORK_DIR
    if not path.exists():
        path.mkdir(parents=True)
        (path / ".gitignore").write_text("*\n")
    return path


def emulator_db(catalog_dir: Path) -> Path:
    return work_dir(catalog_dir) / "emulator.sqlite3"


def state_index_path(catalog_dir: Path, environment: Environment) -> Path:
    return work_dir(catalog_dir) / f"state-{environment.value}.json"


def lock_file(catalog_dir: Path, environment: Environment) -> LockFile:
    """`catalogsync.lock` beside the catalog, to commit with it; for `local`, whose emulator
    database lives in `.catalogsync/`, the ids live and die with that database there."""
    if environment is Environment.LOCAL:
        return LockFile(work_dir(catalog_dir) / LOCK_FILE, environment.value)
    return LockFile(catalog_dir / LOCK_FILE, environment.value)


def live_cache_path(catalog_dir: Path, environment: Environment) -> Path:
    return work_dir(catalog_dir) / f"live-{environment.value}.json"


def upload_host(environment: Environment) -> str:
    """`POST /sale/images` lives on its own host (API_NOTES §1); an emulator served at
    CATALOGSYNC_API_URL serves it too, so the upload follows that override."""
    override = os.environ.get(API_URL_ENV)
    if override and environment is not Environment.LOCAL:
        return override.rstrip("/")
    return ENDPOINTS[environment].upload


def image_upload_url(environment: Environment) -> str:
    if environment is Environment.LOCAL:
        return "/sale/images"
    return f"{upload_host(environment)}/sale/images"


def pacing_path(catalog_dir: Path, environment: Environment) -> Path:
    return work_dir(catalog_dir) / f"pacing-{environment.value}.json"
