"""Apply is resumable: interrupted anywhere, the next plan/apply converges with no duplicate."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from catalogsync.allegro.client import AllegroClient
from catalogsync.emulator.backend import Backend
from catalogsync.state.index import load_index
from tests.e2e.conftest import Run

SELLER = "1000001"


def interrupt_at(monkeypatch: pytest.MonkeyPatch, call: int, *, after_send: bool) -> None:
    """Ctrl-C at the `call`-th request of apply's writing phase (counted from its first
    write), before the request is sent or after Allegro got it but before we see the answer."""
    real_send = AllegroClient._send
    calls = Counter[str]()

    async def send(self: AllegroClient, method: str, path: str, **kwargs: Any) -> Any:
        if method != "GET" or calls["n"]:
            calls["n"] += 1
        if calls["n"] == call and not after_send:
            raise KeyboardInterrupt
        response = await real_send(self, method, path, **kwargs)
        if calls["n"] == call:
            raise KeyboardInterrupt
        return response

    monkeypatch.setattr(AllegroClient, "_send", send)


def offers_by_external_id(backend: Backend) -> Counter[str]:
    listing = backend.offers.find(SELLER, {"limit": ["1000"]})
    return Counter(o["external"]["id"] for o in listing["offers"])


@pytest.mark.parametrize("after_send", [False, True], ids=["before-send", "after-send"])
@pytest.mark.parametrize("call", range(1, 11))
def test_apply_interrupted_anywhere_converges_without_duplicates(
    run: Run,
    catalog_dir: Path,
    backend: Backend,
    monkeypatch: pytest.MonkeyPatch,
    call: int,
    after_send: bool,
) -> None:
    with monkeypatch.context() as patch:
        interrupt_at(patch, call, after_send=after_send)
        interrupted = run("apply", catalog_dir, "--auto-approve")
    assert interrupted.exit_code == 130, interrupted.output
    assert "Interrupted" in interrupted.output

    resumed = run("apply", catalog_dir, "--auto-approve")
    assert resumed.exit_code == 0, resumed.output
    final = run("plan", catalog_dir, "--detailed-exitcode")
    assert final.exit_code == 0, final.output
    counts = offers_by_external_id(backend)
    assert len(counts) == 6
    assert set(counts.values()) == {1}, counts


def test_commands_left_in_flight_are_awaited_by_the_next_run(
    run: Run, catalog_dir: Path, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend.settings.processing_delay = 0.3
    real_send = AllegroClient._send

    async def send(self: AllegroClient, method: str, path: str, **kwargs: Any) -> Any:
        if method == "GET" and path.startswith("/sale/offer-publication-commands/"):
            raise KeyboardInterrupt  # the activation command was sent; its tasks are not done
        return await real_send(self, method, path, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(AllegroClient, "_send", send)
        assert run("apply", catalog_dir, "--auto-approve").exit_code == 130
    index_path = catalog_dir / ".catalogsync" / "state-local.json"  # the store beside it
    pending = load_index(index_path).commands
    assert [c.kind for c in pending.values()] == ["offer-publication-commands"]

    resumed = run("apply", catalog_dir, "--auto-approve")
    assert resumed.exit_code == 0, resumed.output
    assert "Waited for the commands an interrupted apply left running." in resumed.output
    assert "No changes." in resumed.output
    assert load_index(index_path).commands == {}
