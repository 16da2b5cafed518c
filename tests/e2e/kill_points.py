"""SIGKILL an apply at a chosen moment, then resume with a plain apply: the scenario shared by
tests/e2e/test_kill_resume.py and benchmarks/kill_resume.py."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from tests.e2e.served import Emulator, catalogsync, cli_env, kill_when, sandbox_catalog


@dataclass(frozen=True)
class KillPoint:
    """Kill once the emulator has answered `count` requests of `route` (its stats key)."""

    phase: str
    route: str
    count: int
    #: kill a price change of every offer made with --allow-mass-change, not the first apply
    mass_change: bool = False

    def __str__(self) -> str:
        what = "mass price change" if self.mass_change else self.phase
        return f"{what}: after {self.count} × {self.route}"


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
    flags = []
    if point.mass_change:
        assert catalogsync("apply", catalog, "--auto-approve", env=env).returncode == 0
        _new_prices(catalog)
        flags = ["--allow-mass-change"]
    killed = kill_when(["apply", str(catalog), "--auto-approve", *flags], env, emulator,
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


def _new_prices(catalog: Path) -> None:
    """A price rise for every offer, each to its own price: bulk modification commands."""
    for file in sorted((catalog / "offers").glob("*.yaml")):
        data = yaml.safe_load(file.read_text())
        for number, offer in enumerate(data["offers"].values()):
            offer["price"] = str(Decimal("35.00") + Decimal(number) / 100)
        file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
