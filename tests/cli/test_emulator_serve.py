"""`emulator serve` says where it listens and how to point catalogsync at it."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner

from catalogsync.cli.main import cli
from catalogsync.emulator.seed import CLIENTS
from tests.e2e.conftest import Run


def test_serve_prints_address_demo_credentials_and_settings_that_work(
    run: Run, catalog_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: served.update(kwargs))
    result = CliRunner().invoke(cli, ["emulator", "serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert served == {"host": "127.0.0.1", "port": 8123, "log_level": "warning"}
    assert "Allegro emulator on http://127.0.0.1:8123 (state: in memory)" in result.output
    demo = CLIENTS[0]  # the emulator's own demo application, not anyone's credentials
    assert f"client id {demo['id']}, secret {demo['secret']}" in result.output

    # Follow the printed instructions, with the in-process emulator answering that address.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("ACCESS_TOKEN", "REFRESH_TOKEN", "REFRESH_TOKEN_FILE"):
        monkeypatch.delenv(f"CATALOGSYNC_{name}", raising=False)
    exports = re.findall(r"^  export (.+)$", result.output, flags=re.MULTILINE)
    for assignment in shlex.split(" ".join(exports)):
        name, _, value = assignment.partition("=")
        monkeypatch.setenv(name, value)
    assert {"CATALOGSYNC_API_URL", "CATALOGSYNC_AUTH_URL"} <= {
        a.partition("=")[0] for a in shlex.split(" ".join(exports))
    }
    login = re.search(r"^  (catalogsync auth login .+?)\s+#", result.output, flags=re.MULTILINE)
    assert login is not None
    logged_in = run(*shlex.split(login[1])[1:])
    assert logged_in.exit_code == 0, logged_in.output
    assert "as seller 1000001" in logged_in.output

    settings = catalog_dir / "catalogsync.yaml"
    settings.write_text(settings.read_text().replace("environment: local", "environment: sandbox"))
    planned = run("plan", catalog_dir, "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
