"""Real processes: `catalogsync emulator serve` on a free port, and the CLI run against it as
the `sandbox` environment (CATALOGSYNC_API_URL/AUTH_URL, a device-flow access token).

Used by the process-level tests and by benchmarks/kill_resume.py and benchmarks/faults.py.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import yaml

from catalogsync.synthetic import write_catalog

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ("catalogsync-local", "local-secret")
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
MEDIA_TYPE = "application/vnd.allegro.public.v1+json"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served_emulator(log_dir: Path) -> Iterator[Emulator]:
    """`catalogsync emulator serve` on a free port, until the block ends."""
    port = free_port()
    log = (log_dir / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "catalogsync", "emulator", "serve", "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, env=_python_env(),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{base}/_emulator/stats", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield Emulator(base)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@dataclass
class Emulator:
    base: str

    def steer(self, route: str, body: Mapping[str, Any] | None = None) -> Any:
        answer = httpx.post(f"{self.base}/_emulator/{route}", json=dict(body or {}), timeout=10)
        answer.raise_for_status()
        return answer.json()

    def stats(self) -> dict[str, int]:
        """Requests answered so far, by route."""
        return dict(self.summary()["requests"])

    def summary(self) -> dict[str, Any]:
        """Requests by route, the limits' counters (blocks, throttled) and injected faults."""
        return dict(httpx.get(f"{self.base}/_emulator/stats", timeout=10).json())

    def token(self) -> str:
        """A seller's access token through the device flow, approved by steering."""
        with httpx.Client(base_url=self.base, timeout=10) as http:
            device = http.post("/auth/oauth/device", data={"client_id": CLIENT[0]}, auth=CLIENT)
            code = device.json()
            self.steer("device/approve", {"user_code": code["user_code"]})
            token = http.post("/auth/oauth/token", auth=CLIENT, params={
                "grant_type": DEVICE_GRANT, "device_code": code["device_code"]})
            return str(token.json()["access_token"])

    def offers_by_external_id(self, token: str) -> dict[str, int]:
        """How many offers (not ended) the seller has per external id."""
        counts: dict[str, int] = {}
        headers = {"Accept": MEDIA_TYPE, "Authorization": f"Bearer {token}"}
        offset = 0
        with httpx.Client(base_url=self.base, timeout=30, headers=headers) as http:
            while True:
                page = http.get("/sale/offers", params={"limit": 1000, "offset": offset}).json()
                for offer in page["offers"]:
                    if offer["publication"]["status"] == "ENDED":
                        continue
                    external = (offer.get("external") or {}).get("id") or ""
                    counts[external] = counts.get(external, 0) + 1
                offset += len(page["offers"])
                if not page["offers"] or offset >= page["totalCount"]:
                    return counts


def sandbox_catalog(directory: Path, offers: int, price: Decimal = Decimal("29.99"),
                    per_file: int = 10_000) -> Path:
    """A synthetic catalog of `offers` offers (`per_file` a file) that talks to `sandbox`
    (pointed elsewhere)."""
    write_catalog(directory, offers, price, per_file=per_file)
    settings = directory / "catalogsync.yaml"
    data = yaml.safe_load(settings.read_text())
    data["environment"] = "sandbox"
    settings.write_text(yaml.safe_dump(data, sort_keys=False))
    return directory


def cli_env(emulator: Emulator, token: str, config: Path) -> dict[str, str]:
    env = _python_env()
    for name in list(env):
        if name.startswith("CATALOGSYNC_"):
            del env[name]
    env.update(
        CATALOGSYNC_API_URL=emulator.base,
        CATALOGSYNC_AUTH_URL=emulator.base,
        CATALOGSYNC_ACCESS_TOKEN=token,
        XDG_CONFIG_HOME=str(config),
    )
    return env


def catalogsync(*args: str | Path, env: dict[str, str], timeout: float = 600
                ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "catalogsync", *map(str, args)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )


def kill_when(
    args: list[str], env: dict[str, str], emulator: Emulator,
    reached: Callable[[dict[str, int]], bool], timeout: float = 600,
) -> bool:
    """Run the CLI and SIGKILL it once the emulator's request counts satisfy `reached`;
    whether it was killed (False: it ended first)."""
    killed = []

    def kill(process: subprocess.Popen[str]) -> None:
        os.kill(process.pid, signal.SIGKILL)
        killed.append(True)

    run_watched(args, env, emulator, reached, kill, timeout)
    return bool(killed)


def run_watched(
    args: list[str], env: dict[str, str], emulator: Emulator,
    reached: Callable[[dict[str, int]], bool],
    act: Callable[[subprocess.Popen[str]], None], timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """Run the CLI; once the emulator's request counts satisfy `reached`, `act` (once)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "catalogsync", *args],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + timeout
    acted = False
    try:
        while process.poll() is None and time.monotonic() < deadline:
            if not acted and reached(emulator.stats()):
                act(process)
                acted = True
            time.sleep(0.01)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        _, stderr = process.communicate()
    return subprocess.CompletedProcess(args, process.returncode, "", stderr)


def _python_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env
