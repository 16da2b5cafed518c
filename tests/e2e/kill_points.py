"""SIGKILL an apply at a chosen moment, then resume with a plain apply: the scenario shared by
tests/e2e/test_kill_resume.py and benchmarks/kill_resume.py."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.served import Emulator, catalogsync, cli_env, kill_when, sandbox_catalog


@dataclass(frozen=True)
class KillPoint:
    """Kill once the emulator has answered `count` requests of `route` (its stats key)."""

    phase: str
    route: str
    count: int

    def __str__(self) -> str:
        return f"{self.phase}: after {self.count} × {self.route}"


@dataclass
class Outcome:
    point: KillPoint
    killed: bool
    resume_exit: int
    plan_exit: int
    duplicates: int
    missing: int
    detail: str = ""

    @property
    def converged(self) -> bool:
        return self.resume_exit == 0 and self.plan_exit == 0 and not self.duplicates and (
            not self.missing)


def kill_and_resume(emulator: Emulator, work: Path, point: KillPoint, offers: int) -> Outcome:
    """A fresh account and catalog; apply killed at `point`; a plain apply; a plan."""
    emulator.steer("reset")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    token = emulator.token()
    catalog = sandbox_catalog(work / "shop", offers)
    env = cli_env(emulator, token, work / "config")
    killed = kill_when(["apply", str(catalog), "--auto-approve"], env, emulator,
                       lambda stats: stats.get(point.route, 0) >= point.count)
    resumed = catalogsync("apply", catalog, "--auto-approve", env=env)
    planned = catalogsync("plan", catalog, "--detailed-exitcode", env=env)
    counts = emulator.offers_by_external_id(token)
    wanted = {f"SYN-{n:06d}" for n in range(offers)}
    detail = "" if resumed.returncode == 0 else resumed.stderr[-800:]
    if planned.returncode != 0:
        detail += planned.stderr[-800:]
    return Outcome(
        point, killed, resumed.returncode, planned.returncode,
        duplicates=sum(n - 1 for n in counts.values() if n > 1),
        missing=len(wanted - set(counts)), detail=detail,
    )
