"""catalogsync.lock holds every managed offer's id once a run has seen it: an apply killed
during creates, resumed from a fresh clone (committed files only), writes the ids of the offers
it finds by external id, so a later clone finds one the seller hid (R22) instead of creating it
again."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.served import (
    Emulator,
    catalogsync,
    cli_env,
    kill_when,
    sandbox_catalog,
    served_emulator,
)

OFFERS = 40


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with served_emulator(tmp_path_factory.mktemp("serve")) as served:
        yield served


def clone(catalog: Path, target: Path) -> Path:
    """What a CI runner checks out: the catalog and catalogsync.lock, no `.catalogsync/`."""
    shutil.copytree(catalog, target, ignore=shutil.ignore_patterns(".catalogsync"))
    return target


def locked(catalog: Path) -> dict[str, str]:
    """External id -> offer id, as catalogsync.lock has them."""
    ids = {}
    for line in (catalog / "catalogsync.lock").read_text().splitlines():
        if line.startswith("sandbox offer "):
            key, value = line.removeprefix("sandbox offer ").split(" ")
            ids[json.loads(key)] = json.loads(value)
    return ids


def test_r22_ids_found_after_a_kill_reach_the_lock_and_a_hidden_offer_is_not_made_twice(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.steer("reset")
    token = emulator.token()
    env = cli_env(emulator, token, tmp_path / "config")
    shop = sandbox_catalog(tmp_path / "shop", OFFERS)
    assert kill_when(["apply", str(shop), "--auto-approve"], env, emulator,
                     lambda stats: stats.get("POST /sale/product-offers", 0) >= OFFERS // 2)
    # a create whose answer the kill cut off: made on Allegro, its id never written down
    lock = shop / "catalogsync.lock"
    lines = lock.read_text().splitlines(keepends=True)
    lost = [line for line in lines if line.startswith("sandbox offer ")][:5]
    lock.write_text("".join(line for line in lines if line not in lost))

    first = clone(shop, tmp_path / "first")
    resumed = catalogsync("apply", first, "--auto-approve", env=env)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    after = locked(first)
    assert len(after) == OFFERS and len(set(after.values())) == OFFERS
    hidden = after[json.loads(lost[0].split(" ")[2])]  # found by external id, now locked
    emulator.steer(f"offers/{hidden}/hide", {"hidden": True})

    second = clone(first, tmp_path / "second")
    again = catalogsync("apply", second, "--auto-approve", env=env)
    assert again.returncode == 0, again.stderr[-2000:]
    planned = catalogsync("plan", second, "--detailed-exitcode", env=env)
    assert planned.returncode == 0, planned.stderr[-2000:]
    emulator.steer(f"offers/{hidden}/hide", {"hidden": False})
    counts = emulator.offers_by_external_id(token)
    assert counts == {f"SYN-{n:06d}": 1 for n in range(OFFERS)}
