"""Real processes: `catalogsync emulator serve` on a free loopback port, and `python -m
catalogsync` commands run against it as a seller's machine or a CI runner would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import EXAMPLE
from tests.e2e.served import CLIENT, DEVICE_GRANT, MEDIA_TYPE, ROOT, served_emulator


@dataclass
class Served:
    """The served emulator and a seller's token for it."""

    base: str
    token: str
    home: Path

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "CATALOGSYNC_API_URL": self.base,
            "CATALOGSYNC_AUTH_URL": self.base,
            "CATALOGSYNC_ACCESS_TOKEN": self.token,
            "XDG_CONFIG_HOME": str(self.home),
            "GIT_AUTHOR_NAME": "CI",
            "GIT_AUTHOR_EMAIL": "ci@example.com",
            "GIT_COMMITTER_NAME": "CI",
            "GIT_COMMITTER_EMAIL": "ci@example.com",
        }

    def catalogsync(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "catalogsync", *map(str, args)],
            cwd=ROOT, env=self.env(), capture_output=True, text=True, timeout=120,
        )

    def start(self, *args: str | Path) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "catalogsync", *map(str, args)],
            cwd=ROOT, env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )

    def git(self, *args: str | Path, cwd: Path) -> None:
        subprocess.run(["git", *map(str, args)], cwd=cwd, env=self.env(), check=True,
                       capture_output=True)

    def steer(self, path: str, body: dict[str, object] | None = None) -> None:
        httpx.post(f"{self.base}/_emulator{path}", json=body or {}).raise_for_status()

    def external_ids(self) -> Counter[str]:
        """External ids of every listed offer (hidden ones are not listed: unhide first)."""
        headers = {"Accept": MEDIA_TYPE, "Authorization": f"Bearer {self.token}"}
        body = httpx.get(f"{self.base}/sale/offers", params={"limit": 1000}, headers=headers)
        body.raise_for_status()
        return Counter((o.get("external") or {}).get("id") for o in body.json()["offers"])


def _login(base: str) -> str:
    device = httpx.post(f"{base}/auth/oauth/device", data={"client_id": CLIENT[0]}, auth=CLIENT)
    code = device.json()
    httpx.post(f"{base}/_emulator/device/approve", json={"user_code": code["user_code"]})
    token = httpx.post(
        f"{base}/auth/oauth/token",
        auth=CLIENT,
        params={"grant_type": DEVICE_GRANT, "device_code": code["device_code"]},
    )
    token.raise_for_status()
    return str(token.json()["access_token"])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    home = tmp_path_factory.mktemp("served")
    with served_emulator(home) as emulator:
        yield Served(emulator.base, "", home)


@pytest.fixture
def seller(served: Served) -> Served:
    """The served emulator, reset, with a fresh seller token and no processing delay."""
    served.steer("/reset")
    served.steer("/settings", {"processing_delay": 0.0})
    served.token = _login(served.base)
    return served


def catalog_repository(seller: Served, root: Path) -> Path:
    """A bare git repository holding the example catalog set to `sandbox` (which the
    environment variables point at the served emulator)."""
    work = root / "author"
    shutil.copytree(EXAMPLE, work, ignore=shutil.ignore_patterns(".catalogsync"))
    settings = work / "catalogsync.yaml"
    settings.write_text(settings.read_text().replace("environment: local", "environment: sandbox"))
    seller.git("init", "-q", "-b", "main", cwd=work)
    seller.git("add", "-A", cwd=work)
    seller.git("commit", "-qm", "catalog", cwd=work)
    origin = root / "origin.git"
    seller.git("clone", "-q", "--bare", work, origin, cwd=root)
    return origin
