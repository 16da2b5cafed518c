"""Ctrl-C and SIGTERM over real processes: at apply's prompt the process stops at once (130;
143 for SIGTERM, with the same word), and SIGTERM during an apply leaves state a plain apply
finishes, as Ctrl-C does."""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalogsync import exitcodes
from tests.e2e.conftest import EXAMPLE
from tests.e2e.served import (
    ROOT,
    Emulator,
    catalogsync,
    cli_env,
    run_watched,
    sandbox_catalog,
    served_emulator,
)

INTERRUPTED = "Interrupted; run `catalogsync plan` to see what is left to do."


def _read_until(fd: int, text: str, timeout: float = 60) -> str:
    seen = b""
    deadline = time.monotonic() + timeout
    while text.encode() not in seen:
        assert time.monotonic() < deadline, seen.decode(errors="replace")
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            seen += os.read(fd, 65536)
    return seen.decode(errors="replace")


def _drain(fd: int) -> str:
    seen = b""
    try:
        while select.select([fd], [], [], 0.2)[0]:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            seen += chunk
    except OSError:  # the other side closed
        pass
    return seen.decode(errors="replace")


def _apply_at_a_terminal(tmp_path: Path) -> tuple[Path, subprocess.Popen[bytes], int]:
    """`catalogsync apply` of a copy of the example catalog on a pseudo-terminal, so that it
    asks before it changes anything: (the catalog, the process, the terminal's leader fd)."""
    catalog = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, catalog, ignore=shutil.ignore_patterns(".catalogsync"))
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOGSYNC_")}
    env.update(PYTHONPATH=str(ROOT), XDG_CONFIG_HOME=str(tmp_path / "config"), NO_COLOR="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "catalogsync", "apply", str(catalog)],
        cwd=tmp_path, env=env, stdin=follower, stdout=follower, stderr=follower,
    )
    os.close(follower)
    return catalog, process, leader


@pytest.mark.parametrize(
    ("signum", "code"),
    [(signal.SIGINT, exitcodes.INTERRUPTED), (signal.SIGTERM, exitcodes.TERMINATED)],
    ids=["ctrl-c", "sigterm"],
)
def test_a_signal_at_the_prompt_stops_apply_at_once(
    tmp_path: Path, signum: int, code: int
) -> None:
    catalog, process, leader = _apply_at_a_terminal(tmp_path)
    try:
        _read_until(leader, "[y/N]")
        os.kill(process.pid, signum)  # what the terminal sends on Ctrl-C, what CI sends
        # One signal is enough (it used to take a second Ctrl-C); generous for a busy machine.
        assert process.wait(timeout=60) == code
        assert INTERRUPTED in _drain(leader)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    lock = catalog / ".catalogsync" / "catalogsync.lock"
    assert not lock.exists() or " offer " not in lock.read_text()  # nothing was created


@pytest.mark.parametrize(("answer", "code"), [(b"yes\n", exitcodes.OK), (b"\n", exitcodes.FAILED)])
def test_the_prompt_takes_an_answer(tmp_path: Path, answer: bytes, code: int) -> None:
    _, process, leader = _apply_at_a_terminal(tmp_path)
    try:
        _read_until(leader, "Apply these changes to Allegro? [y/N]: ")
        os.write(leader, answer)
        assert process.wait(timeout=120) == code
        said = _drain(leader)
        assert ("apply cancelled; nothing was changed" in said) is (code != exitcodes.OK)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with served_emulator(tmp_path_factory.mktemp("serve")) as served:
        yield served


def test_sigterm_during_apply_stops_like_ctrl_c_and_a_plain_apply_finishes(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.steer("reset")
    token = emulator.token()
    catalog = sandbox_catalog(tmp_path / "shop", 40)
    env = cli_env(emulator, token, tmp_path / "config")
    stopped = run_watched(
        ["apply", str(catalog), "--auto-approve"], env, emulator,
        lambda stats: stats.get("POST /sale/product-offers", 0) >= 10,
        lambda process: os.kill(process.pid, signal.SIGTERM),
    )
    assert stopped.returncode == exitcodes.TERMINATED, stopped.stderr[-2000:]
    assert INTERRUPTED in stopped.stderr
    assert "Traceback" not in stopped.stderr
    resumed = catalogsync("apply", catalog, "--auto-approve", env=env)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert catalogsync("plan", catalog, "--detailed-exitcode", env=env).returncode == 0
    counts = emulator.offers_by_external_id(token)
    assert sorted(counts) == [f"SYN-{n:06d}" for n in range(40)]
    assert set(counts.values()) == {1}  # no duplicate
