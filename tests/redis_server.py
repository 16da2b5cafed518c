"""A real `redis-server` on a free loopback port, for the tests of the shared rate store and
run lock. Skips (never fails) the tests that need one when no `redis-server` binary exists:
`.ci/run` installs Debian's package where it can."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

SKIP_REASON = ("no redis-server on this machine (Debian: apt-get install redis-server): "
               "the shared rate store and run lock tests are skipped")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def redis_server(directory: Path, password: str | None = None) -> Iterator[str]:
    """Start a server, yield its URL, stop it (whatever the test did to it)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip(SKIP_REASON)
    port = free_port()
    args = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly",
            "no", "--dir", str(directory)]
    if password:
        args += ["--requirepass", password]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        auth = f":{password}@" if password else ""
        yield f"redis://{auth}127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
