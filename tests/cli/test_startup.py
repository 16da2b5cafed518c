"""Commands that need no API start without importing the client, the applier or the renderers;
`--help` without even pydantic, PyYAML or the catalog models (benchmarks/startup.py measures
the CPU time)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalogsync.cli.main import LAZY_COMMANDS, cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "catalog"
HEAVY = ("httpx", "deepdiff", "jwt", "asyncio", "openapi_schema_validator", "starlette", "rich",
         "catalogsync.allegro", "catalogsync.live", "catalogsync.runs.plan_apply",
         "catalogsync.render")
#: What only commands that read a catalog need.
CATALOG = ("pydantic", "yaml", "catalogsync.catalog.models", "catalogsync.catalog.loader")


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
def test_lazy_subcommands_list_their_own_help(name: str) -> None:
    module, attribute, short_help = LAZY_COMMANDS[name]
    command = getattr(__import__(module, fromlist=[attribute]), attribute)
    assert command.get_short_help_str(200) == short_help


def _imported(args: list[str], modules: tuple[str, ...]) -> str:
    """Which of `modules` a fresh `catalogsync ARGS` process has imported when it ends."""
    probe = (
        "import sys\n"
        "from catalogsync.cli.main import cli\n"
        f"try:\n    cli.main({args!r}, standalone_mode=False)\n"
        "finally:\n"
        f"    print(sorted(m for m in {modules!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True)
    return result.stdout.splitlines()[-1]


@pytest.mark.parametrize("args", [["--help"], ["validate", str(EXAMPLE)], ["explain", "R18"]])
def test_help_and_validate_import_nothing_heavy(args: list[str]) -> None:
    assert _imported(args, HEAVY) == "[]"


@pytest.mark.parametrize(
    "args", [["--help"], ["plan", "--help"], ["validate", "--help"], ["explain", "R18"]]
)
def test_help_imports_neither_pydantic_nor_the_catalog(args: list[str]) -> None:
    assert _imported(args, CATALOG) == "[]"


def test_the_probe_sees_what_validate_imports() -> None:
    assert _imported(["validate", str(EXAMPLE)], CATALOG) == str(sorted(CATALOG))


def test_a_lazy_subcommand_still_takes_the_global_options() -> None:
    auth = cli.get_command(None, "auth")  # type: ignore[arg-type]
    assert auth is not None
    assert "--no-color" in {opt for p in auth.params for opt in p.opts}


def _pydantic_plugin(tmp_path: Path) -> Path:
    """A directory with an installed pydantic plugin that leaves `loaded` behind when loaded."""
    (tmp_path / "probe_plugin.py").write_text(
        "from pathlib import Path\n"
        f"Path({str(tmp_path / 'loaded')!r}).touch()\n"
        "class plugin:\n"
        "    @staticmethod\n"
        "    def new_schema_validator(*args, **kwargs):\n"
        "        return None, None, None\n"
    )
    info = tmp_path / "probe_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: probe-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[pydantic]\nprobe = probe_plugin:plugin\n")
    return tmp_path


@pytest.mark.parametrize(("setting", "loaded"), [(None, False), ("", True)])
def test_validate_leaves_pydantic_plugins_unsearched_unless_told(
    tmp_path: Path, setting: str | None, loaded: bool
) -> None:
    plugin = _pydantic_plugin(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    env["PYTHONPATH"] = os.pathsep.join([str(plugin), *sys.path])
    if setting is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = setting
    subprocess.run([sys.executable, "-m", "catalogsync", "validate", str(EXAMPLE)], env=env,
                   capture_output=True, check=True)
    assert (plugin / "loaded").exists() == loaded
