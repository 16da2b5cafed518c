"""The CI templates as data, and a way to run their shell steps here with fake gh and curl."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
CI = ROOT / "catalogsync" / "templates" / "ci"
GITHUB = {p.stem: yaml.safe_load(p.read_text()) for p in sorted((CI / "github").glob("*.yml"))}
GITLAB: dict[str, Any] = yaml.safe_load((CI / "gitlab" / "gitlab-ci.yml").read_text())
_FAKES = Path(__file__).with_name("fake_tools.py")
_STOP = set("();<>|&")


def github_steps(workflow: str) -> list[dict[str, Any]]:
    jobs = GITHUB[workflow]["jobs"]
    (job,) = jobs.values()
    steps: list[dict[str, Any]] = job["steps"]
    return steps


def github_step(workflow: str, name_starts: str) -> dict[str, Any]:
    return next(s for s in github_steps(workflow) if s.get("name", "").startswith(name_starts))


def gitlab_lines(job: str, key: str = "script") -> list[str]:
    """A job's script lines, nested lists (`- *anchor`) flattened as GitLab does."""
    lines: list[str] = []
    for item in GITLAB[job].get(key, []):
        lines += gitlab_lines_of(item)
    return lines


def gitlab_lines_of(item: Any) -> list[str]:
    return [line for sub in item for line in gitlab_lines_of(sub)] if isinstance(item, list) \
        else [item]


def gitlab_script(job: str) -> str:
    return "\n".join(gitlab_lines(job))


def step_env(step: dict[str, Any], context: dict[str, str]) -> dict[str, str]:
    """A step's `env:` with each `${{ expression }}` as GitHub would fill it from `context`."""
    return {name: re.sub(r"\$\{\{ *([^}]+?) *\}\}", lambda m: context[m[1]], str(value))
            for name, value in step.get("env", {}).items()}


def all_scripts() -> list[str]:
    """Every shell script of every template: GitHub `run:` steps, GitLab script lines."""
    scripts = [s["run"] for w in GITHUB for s in github_steps(w) if "run" in s]
    for name, job in GITLAB.items():
        if isinstance(job, dict):
            for key in ("before_script", "script", "after_script"):
                scripts += gitlab_lines(name, key)
    return scripts


def catalogsync_commands(script: str) -> list[list[str]]:
    """The argument lists of every `catalogsync …` command in a shell script."""
    found = []
    for line in script.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = ""
        tokens = list(lexer)
        for i, token in enumerate(tokens):
            if token == "catalogsync" and (i == 0 or set(tokens[i - 1]) <= _STOP):
                command = []
                for arg in tokens[i + 1:]:
                    if set(arg) <= _STOP:
                        break
                    command.append(arg)
                found.append(command)
    return found


@dataclass
class Sandbox:
    """A working directory, a PATH with fake gh and curl (and catalogsync from this tree)."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        bin_dir = self.root / "bin"
        bin_dir.mkdir(parents=True)
        for tool in ("gh", "curl"):
            _shim(bin_dir / tool, f'exec {sys.executable} {_FAKES} {tool} "$@"')
        _shim(bin_dir / "catalogsync", f'exec {sys.executable} -m catalogsync "$@"')
        self.state_file = self.root / "fake-state.json"
        self.state = {"comments": [], "notes": [], "secrets": {}, "variables": {}, "calls": []}
        self.env.update(
            PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            PYTHONPATH=str(ROOT),
            FAKE_STATE=str(self.state_file),
            HOME=str(self.root),
            XDG_CONFIG_HOME=str(self.root / "config"),
            CI="true",  # as on a runner: the example catalog is a demo against the emulator
            CATALOGSYNC_ALLOW_LOCAL_IN_CI="1",
        )

    @property
    def state(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.state_file.read_text())
        return loaded

    @state.setter
    def state(self, value: dict[str, Any]) -> None:
        self.state_file.write_text(json.dumps(value))

    def run(self, script: str, cwd: Path, shell: str = "bash -eo pipefail", **env: str,
            ) -> subprocess.CompletedProcess[str]:
        path = self.root / "step.sh"
        path.write_text(script)
        keep = {k: v for k, v in os.environ.items() if not k.startswith("CATALOGSYNC_")}
        return subprocess.run(
            [*shlex.split(shell), str(path)],
            cwd=cwd,
            env={**keep, **self.env, **env},
            capture_output=True,
            text=True,
            check=False,
        )


def _shim(path: Path, command: str) -> None:
    path.write_text(f"#!/bin/sh\n{command}\n")
    path.chmod(0o755)
