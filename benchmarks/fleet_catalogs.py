"""The fleet at catalog level (run by fleet.py): `--sellers` catalogs of `--offers` offers, one
per seller account, applied by `--processes` processes sharing one client id, each running
`catalogsync apply DIR… --auto-approve` over its share of the catalogs (one process, several
catalogs at once: many/running.py), all through one Redis store; a first apply, then a change
of every price.

Each seller is logged in once into one token store (as `catalogsync auth login` keeps it) and
each catalog's catalogsync.lock names its seller, as `import` or a first apply writes it. The
emulator's limits and the workers' pacers are time-scaled alike; R1 is lowered to `--r1` a
minute so that it binds (the sellers' own limits together allow more). Efficiency = the least
time a perfect client needs for the same number of requests under R1 alone / wall time.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import yaml
from pydantic import SecretStr

from catalogsync.allegro.pacing import Window, allegro_windows
from catalogsync.allegro.tokens import TokenSet, TokenStore
from catalogsync.catalog.models import Environment
from catalogsync.config import lock_file
from catalogsync.synthetic import write_catalog

CLIENT = ("catalogsync-local", "local-secret")
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
#: The emulator's sellers with nothing at start (emulator/seed/accounts.py).
FLEET = [(str(1000100 + n), f"fleet-seller-{n:02d}") for n in range(1, 25)]
PRODUCER = """responsible_producers:
  Producent Demo:
    trade_name: Demo Seller sp. z o.o.
    address: {country_code: PL, street: Prosta 1, postal_code: 00-950, city: Warszawa}
    contact: {email: produkty@demo-seller.example}
"""
ACCEPT = "application/vnd.allegro.public.v1+json"


def device_tokens(base: str, user: str) -> dict[str, Any]:
    """A seller's tokens, by the device flow with the emulator confirming the code."""
    with httpx.Client(base_url=base, timeout=10) as http:
        code = http.post("/auth/oauth/device", data={"client_id": CLIENT[0]}, auth=CLIENT).json()
        http.post("/_emulator/device/approve",
                  json={"user_code": code["user_code"], "user_id": user}).raise_for_status()
        token = http.post("/auth/oauth/token", auth=CLIENT, params={
            "grant_type": DEVICE_GRANT, "device_code": code["device_code"]})
        token.raise_for_status()
        return dict(token.json())


def log_in(base: str, sellers: list[tuple[str, str]], config: Path) -> None:
    store = TokenStore(config / "catalogsync" / "tokens")
    for seller, _ in sellers:
        answer = device_tokens(base, seller)
        store.save(TokenSet(
            environment=Environment.SANDBOX, auth_url=base, client_id=CLIENT[0],
            client_secret=SecretStr(CLIENT[1]), access_token=SecretStr(answer["access_token"]),
            refresh_token=SecretStr(answer["refresh_token"]), scope=answer.get("scope", ""),
            expires_at=datetime.now(UTC) + timedelta(seconds=int(answer["expires_in"]))))


def scaled_windows(time_scale: float, limits_scale: float, r1: int) -> list[Window]:
    windows = allegro_windows(time_scale, limits_scale)
    windows[0].count = max(1, round(r1 * limits_scale))  # the emulator's client_rpm, scaled
    return windows


def worker(argv: list[str]) -> None:
    """`catalogsync apply DIR… --auto-approve --allow-mass-change` (every price changes) in
    this process, its pacers scaled like the emulator (what the CLI cannot be told)."""
    time_scale, limits_scale, r1, jobs, *directories = argv
    from catalogsync.allegro import pacing
    from catalogsync.cli.main import cli

    def scaled(*_: float) -> list[Window]:
        return scaled_windows(float(time_scale), float(limits_scale), int(r1))

    pacing.allegro_windows = scaled
    cli.main(["apply", *directories, "--auto-approve", "--allow-mass-change", "--jobs", jobs])


def _catalogs(work: Path, sellers: list[tuple[str, str]], offers: int,
              price: Decimal) -> list[Path]:
    directories = []
    for seller, login in sellers:
        directory = work / f"shop-{login}"
        if price == Decimal("29.99"):
            shutil.rmtree(directory, ignore_errors=True)
        write_catalog(directory, offers, price)
        settings = directory / "catalogsync.yaml"
        data = yaml.safe_load(settings.read_text())
        settings.write_text(yaml.safe_dump({**data, "environment": "sandbox"}, sort_keys=False))
        (directory / "producer.yaml").write_text(PRODUCER)
        lock = directory / "catalogsync.lock"
        if not lock.exists():  # what `import` or a first apply records
            lock.write_text(f'sandbox account "{seller}" "{login}"\n')
        directories.append(directory)
    return directories


def _stop_when(base: str, requests: int, stop: Callable[[], None]) -> threading.Event:
    """Stop the store once the emulator has counted `requests` more requests, unless the
    event returned is set first (the step is over)."""
    over = threading.Event()

    def watch() -> None:
        start = _sent(base)
        while _sent(base) - start < requests:
            if over.wait(0.5):
                return
        stop()

    threading.Thread(target=watch, daemon=True).start()
    return over


def _sent(base: str) -> int:
    return sum(httpx.get(f"{base}/_emulator/stats").json()["requests"].values())


def run(base: str, env: dict[str, str], settings: dict[str, Any], work: Path,
        store: str, stop_store: Callable[[], None] | None = None,
        half_of: dict[str, int] | None = None) -> dict[str, Any]:
    """Both steps; with `stop_store`, the store is stopped when each step has sent half of
    `half_of[step]` requests (what the same step sent with the store up)."""
    s = settings
    httpx.post(f"{base}/_emulator/reset").raise_for_status()
    httpx.post(f"{base}/_emulator/settings", json={
        "time_scale": s["time_scale"], "limits_scale": s["limits_scale"],
        "processing_delay": 0.0, "client_rpm": s["r1"]}).raise_for_status()
    sellers = FLEET[: s["sellers"]]
    shutil.rmtree(work, ignore_errors=True)
    config = work / "config"
    log_in(base, sellers, config)
    count, window = round(s["r1"] * s["limits_scale"]), 60.0 * s["time_scale"]
    report: dict[str, Any] = {}
    for step, price in (("first_apply", Decimal("29.99")), ("price_change", Decimal("31.99"))):
        directories = _catalogs(work, sellers, s["offers"], price)
        shares = [directories[i:: s["processes"]] for i in range(s["processes"])]
        before = httpx.get(f"{base}/_emulator/stats").json()
        over = threading.Event()
        if stop_store is not None and half_of is not None:
            over = _stop_when(base, half_of[step] // 2, stop_store)
        started = time.time()
        workers = [subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("fleet.py")), "--fleet-worker",
             str(s["time_scale"]), str(s["limits_scale"]), str(s["r1"]), str(len(share)),
             *map(str, share)],
            env={**env, "CATALOGSYNC_API_URL": base, "CATALOGSYNC_AUTH_URL": base,
                 "CATALOGSYNC_RATE_STORE": store, "CATALOGSYNC_RUNNERS": str(s["processes"]),
                 "XDG_CONFIG_HOME": str(config), "XDG_STATE_HOME": str(work / f"state-{i}")},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for i, share in enumerate(shares)]
        outcomes = []
        for process in workers:
            out, err = process.communicate(timeout=7200)
            outcomes.append({"exit": process.returncode,
                             "last_words": (out.splitlines() + err.splitlines())[-3:],
                             "fallback_said": err.count("the rate store")})
        wall = time.time() - started
        over.set()
        after = httpx.get(f"{base}/_emulator/stats").json()
        sent = sum(after["requests"].values()) - sum(before["requests"].values())
        least = (math.ceil(sent / count) - 1) * window  # a perfect client under R1 alone
        report[step] = {
            "wall_s": round(wall, 1), "requests": sent,
            "http_429": after["throttled"] - before["throttled"],
            "http_429_by_rule": {rule: n - before["throttled_by"].get(rule, 0)
                                 for rule, n in after["throttled_by"].items()
                                 if n > before["throttled_by"].get(rule, 0)},
            "exit_codes": [o["exit"] for o in outcomes],
            "fallback_messages": sum(o["fallback_said"] for o in outcomes),
            "failed_workers": [o for o in outcomes if o["exit"] != 0][:1],
            "rate_per_s": round(sent / wall, 1), "r1_bound_per_s": round(count / window, 1),
            "least_s_under_r1": round(least, 1), "efficiency": round(least / wall, 3)}
    report["offers"] = _verify(base, config, sellers, work, s["offers"])
    return report


def _verify(base: str, config: Path, sellers: list[tuple[str, str]], work: Path,
            offers: int) -> dict[str, Any]:
    """Each seller holds exactly its catalog's offers, each recorded in its lock file."""
    store = TokenStore(config / "catalogsync" / "tokens")
    on_allegro, recorded = 0, 0
    wrong = []
    for seller, login in sellers:
        tokens = store.load(Environment.SANDBOX, seller)
        assert tokens is not None
        total = httpx.get(f"{base}/sale/offers", params={"limit": 1}, headers={
            "Authorization": f"Bearer {tokens.access()}", "Accept": ACCEPT}).json()["totalCount"]
        entries = lock_file(work / f"shop-{login}", Environment.SANDBOX).read()
        ids = [e for e in entries if e[0] == "offer"]
        on_allegro, recorded = on_allegro + int(total), recorded + len(ids)
        if int(total) != offers or len(ids) != offers:
            wrong.append({"seller": seller, "on_allegro": total, "recorded": len(ids)})
    return {"expected": offers * len(sellers), "on_allegro": on_allegro, "recorded": recorded,
            "sellers_off": wrong[:3]}

