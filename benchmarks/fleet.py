"""Many runners, one client id: the shared rate store (ratestore.py), the run lock across
machines (state/storelock.py) and several catalogs per process (many/running.py), against a served
emulator and a real redis-server.

    python benchmarks/fleet.py [--processes 3] [--sellers 20] [--offers 2000] [--r1 3000]
                               [--catalog-scales 0.25 0.12] [--seconds 36]
                               [--time-scale 0.1] [--limits-scale 0.05]
                               [--only-catalogs] [--json out.json]

0. Catalogs (run first; `--only-catalogs` runs only this; fleet_catalogs.py): `--sellers`
   catalogs of `--offers` offers, one per seller, applied by `--processes` processes that
   each run `catalogsync apply DIR… --auto-approve` over their share, through one store: a
   first apply, then a change of every price, R1 lowered to `--r1` a minute so that it binds.
   Then the same again with the store stopped when each step has sent half its requests.
1. Shared budget: `--processes` worker processes (each its own pacer, as separate CI runners
   would be) share one client id, half of them as each of the emulator's two demo sellers,
   and send requests that only R1 limits (`GET /sale/offers?limit=1`) for `--seconds`,
   through one store (the emulator is warmed up first: a cold one answers its first requests
   late). The emulator
   keeps Allegro's limits scaled (`--time-scale` shrinks every window, `--limits-scale` every
   count; the pacers are scaled the same way), so R1 binds at 9000 × limits-scale per
   60 × time-scale seconds. Reported: 429s, and the aggregate rate after the first window
   (whose burst any client gets) against R1's.
2. The same, with the store stopped halfway: the workers wait out R1's window (what the
   others took is unknown), then go on alone on a share each (CATALOGSYNC_RUNNERS =
   --processes); rate and 429s of the second half.
3. Two applies of one seller's catalog from two "machines" (separate state directories and
   copies of the catalog) at once, with and without the store: exit codes and duplicates.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import fleet_catalogs
import httpx
import yaml

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.pacing import Pacer, allegro_windows
from catalogsync.allegro.ratestore import shared_budget

ROOT = Path(__file__).resolve().parents[1]
CLIENT = fleet_catalogs.CLIENT
SELLERS = ("1000001", "1000002")
TASKS = 5  # requests in flight per worker: 3 × 5 stays under R3's 20 per client id


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_port(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOGSYNC_")}
    return {**env, "PYTHONPATH": str(ROOT)}


def _token(base: str, user: str) -> str:
    return str(fleet_catalogs.device_tokens(base, user)["access_token"])


# --------------------------------------------------------------------------- one worker


async def _work(base: str, token: str, seller: str, seconds: float, time_scale: float,
                limits_scale: float, store: str) -> dict[str, Any]:
    pacer = Pacer(allegro_windows(time_scale, limits_scale))
    stamps: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        client = AllegroClient(http, token, pacer)
        async with shared_budget(pacer, base, CLIENT[0], seller, store):
            deadline = time.time() + seconds

            async def loop() -> None:
                while time.time() < deadline:
                    await client.get("/sale/offers", {"limit": 1})
                    stamps.append(time.time())

            await asyncio.gather(*(loop() for _ in range(TASKS)))
    return {"stamps": stamps, "throttled": client.throttled}


def worker(argv: list[str]) -> None:
    base, token, seller, seconds, ts, ls, store = argv
    result = asyncio.run(_work(base, token, seller, float(seconds), float(ts), float(ls), store))
    print(json.dumps(result))


# --------------------------------------------------------------------------- the scenarios


def shared_budget_run(base: str, tokens: dict[str, str], args: argparse.Namespace,
                      store: str, stop_store: subprocess.Popen[bytes] | None) -> dict[str, Any]:
    warm = _token(base, SELLERS[0])  # a cold emulator answers its first requests late
    for _ in range(50):
        httpx.get(f"{base}/sale/offers", params={"limit": 1}, headers={
            "Authorization": f"Bearer {warm}", "Accept": "application/vnd.allegro.public.v1+json"})
    httpx.post(f"{base}/_emulator/reset").raise_for_status()
    httpx.post(f"{base}/_emulator/settings", json={
        "time_scale": args.time_scale, "limits_scale": args.limits_scale,
        "processing_delay": 0.0}).raise_for_status()
    tokens.update({s: _token(base, s) for s in SELLERS})
    env = {**_env(), "CATALOGSYNC_RUNNERS": str(args.processes)}
    started = time.time()
    workers = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", base, tokens[SELLERS[i % 2]], SELLERS[i % 2],
             str(args.seconds), str(args.time_scale), str(args.limits_scale), store],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        for i in range(args.processes)
    ]
    if stop_store is not None:
        time.sleep(args.seconds / 2)
        stop_store.terminate()
        stop_store.wait(10)
    results, said = [], 0
    for process in workers:
        out, err = process.communicate(timeout=args.seconds * 4 + 60)
        if process.returncode != 0:
            raise RuntimeError(err)
        results.append(json.loads(out))
        said += err.count("rate store")
    stats = httpx.get(f"{base}/_emulator/stats").json()
    window = 60.0 * args.time_scale
    count = max(1, round(9000 * args.limits_scale))
    stamps = sorted(s for r in results for s in r["stamps"])
    half = started + args.seconds / 2 if stop_store is not None else started
    steady_from = max(half, stamps[0] + window)
    steady = [s for s in stamps if s >= steady_from]
    rate = len(steady) / (stamps[-1] - steady_from) if len(steady) > 1 else 0.0
    bound = count / window
    return {
        "requests": len(stamps), "http_429": stats["throttled"], "blocks": stats["blocks"],
        "client_429": sum(r["throttled"] for r in results),
        "rate_per_s": round(rate, 1), "r1_bound_per_s": round(bound, 1),
        "efficiency": round(rate / bound, 3), "fallback_messages": said,
        "measured_from_s": round(steady_from - started, 1),
    }


def _catalog(where: Path) -> Path:
    shutil.copytree(ROOT / "examples" / "catalog", where,
                    ignore=shutil.ignore_patterns(".catalogsync"))
    return _to_sandbox(where)


def _to_sandbox(directory: Path) -> Path:
    """The catalog talks to `sandbox`, which the environment points at the emulator."""
    settings = directory / "catalogsync.yaml"
    data = yaml.safe_load(settings.read_text())
    data["environment"] = "sandbox"
    settings.write_text(yaml.safe_dump(data, sort_keys=False))
    return directory


def two_machines(base: str, store: str, work: Path) -> dict[str, Any]:
    """Two applies of one seller's catalog at once from two state directories."""
    httpx.post(f"{base}/_emulator/reset").raise_for_status()
    httpx.post(f"{base}/_emulator/settings", json={"processing_delay": 0.0}).raise_for_status()
    httpx.post(f"{base}/_emulator/faults", json={"latency_seconds": 0.25}).raise_for_status()
    token = _token(base, SELLERS[0])
    shutil.rmtree(work, ignore_errors=True)
    runs = []
    for name in ("one", "two"):
        env = {**_env(), "CATALOGSYNC_API_URL": base, "CATALOGSYNC_AUTH_URL": base,
               "CATALOGSYNC_ACCESS_TOKEN": token, "XDG_STATE_HOME": str(work / f"state-{name}"),
               "XDG_CONFIG_HOME": str(work / f"config-{name}")}
        if store:
            env["CATALOGSYNC_RATE_STORE"] = store
        catalog = _catalog(work / name)
        runs.append(subprocess.Popen(
            [sys.executable, "-m", "catalogsync", "apply", str(catalog), "--auto-approve"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        time.sleep(1.0)  # the first holds the lock by now
    outcomes = []
    for process in runs:
        _, err = process.communicate(timeout=300)
        outcomes.append({"exit": process.returncode,
                         "refused": "another run holds this account" in err,
                         "last_words": err.strip().splitlines()[-3:]})
    httpx.post(f"{base}/_emulator/faults", json={}).raise_for_status()
    offers = httpx.get(f"{base}/sale/offers", params={"limit": 1000}, headers={
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.allegro.public.v1+json"}).json()["offers"]
    ids = [(o.get("external") or {}).get("id") for o in offers
           if o["publication"]["status"] != "ENDED"]
    return {"runs": outcomes, "offers": len(ids), "duplicates": len(ids) - len(set(ids))}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2:])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--fleet-worker":
        fleet_catalogs.worker(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=36.0)
    parser.add_argument("--time-scale", type=float, default=0.1)
    parser.add_argument("--limits-scale", type=float, default=0.05)
    parser.add_argument("--sellers", type=int, default=20,
                        help="catalogs (one per seller) in the catalog-level scenario")
    parser.add_argument("--offers", type=int, default=2000, help="offers per catalog there")
    parser.add_argument("--r1", type=int, default=3000,
                        help="the emulator's R1 (requests a minute) there, before scaling")
    parser.add_argument("--catalog-scales", type=float, nargs=2, default=(0.25, 0.12),
                        metavar=("TIME", "LIMITS"),
                        help="the scales there: LIMITS at least 0.12, or a command of 1000 "
                        "offers is over the scaled 9000 offer changes a minute")
    parser.add_argument("--only-catalogs", action="store_true")
    parser.add_argument("--skip-catalogs", action="store_true", help="run 1-3 only")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    redis_binary = shutil.which("redis-server")
    if redis_binary is None:
        sys.exit("no redis-server: apt-get install redis-server")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        port = _port()
        emulator = subprocess.Popen(
            [sys.executable, "-m", "catalogsync", "emulator", "serve", "--port", str(port)],
            env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        servers: list[subprocess.Popen[bytes]] = []

        def redis_server() -> tuple[subprocess.Popen[bytes], str]:
            rport = _port()
            server = subprocess.Popen(
                [redis_binary, "--bind", "127.0.0.1", "--port", str(rport), "--save", "",
                 "--dir", tmp], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            servers.append(server)
            _wait_port(rport)
            return server, f"redis://127.0.0.1:{rport}/0"

        try:
            _wait_port(port)
            base = f"http://127.0.0.1:{port}"
            tokens: dict[str, str] = {}
            report: dict[str, Any] = {"settings": vars(args) | {"json": None}}
            server, store = redis_server()
            if not args.skip_catalogs:
                settings = {"sellers": args.sellers, "offers": args.offers, "r1": args.r1,
                            "processes": args.processes, "time_scale": args.catalog_scales[0],
                            "limits_scale": args.catalog_scales[1]}
                fleet = fleet_catalogs.run(base, _env(), settings, work / "fleet", store)
                report["catalogs"] = fleet
                print(json.dumps(fleet), file=sys.stderr, flush=True)
                server, store = redis_server()
                halves = {step: fleet[step]["requests"] for step in ("first_apply", "price_change")}
                report["catalogs_store_stopped_halfway"] = fleet_catalogs.run(
                    base, _env(), settings, work / "fleet", store, server.terminate, halves)
                if args.only_catalogs:
                    print(json.dumps(report, indent=2))
                    return
            server, store = redis_server()
            report["shared"] = shared_budget_run(base, tokens, args, store, None)
            report["store_stopped_halfway"] = shared_budget_run(base, tokens, args, store, server)
            server, store = redis_server()
            report["two_machines_with_store"] = two_machines(base, store, work / "machines")
            server.terminate()
            report["two_machines_without_store"] = two_machines(base, "", work / "machines")
        finally:
            for process in [emulator, *servers]:
                process.terminate()
                process.wait(10)
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
