"""Where the running catalogsync was installed from, as one pinned pip requirement.

`catalogsync init` writes it into the catalog (`catalogsync-requirements.txt`), and the CI
templates install exactly that: what the seller ran, never a bare name looked up on an index
(which may hold another package of that name). pip records how it installed a distribution
in `direct_url.json` (PEP 610): nothing for an index, `vcs_info` for git, `archive_info` (with
its hash) for a file or URL, `dir_info` for a local folder, whose git checkout may tell where
it came from.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

REQUIREMENTS_FILE = "catalogsync-requirements.txt"
NAME = "catalogsync"

#: a git checkout -> (its remote `origin`, the commit checked out, whether it has changes)
GitProbe = Callable[[Path], tuple[str, str, bool] | None]


@dataclass(frozen=True)
class Pin:
    """A requirement line for pip (None: the source could not be told) and how it was found."""

    line: str | None
    source: str
    warning: str = ""


def _git(folder: Path) -> tuple[str, str, bool] | None:
    def run(*args: str) -> str:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True,
                              text=True, check=True, timeout=10).stdout.strip()

    try:
        return (run("remote", "get-url", "origin"), run("rev-parse", "HEAD"),
                bool(run("status", "--porcelain", "--untracked-files=no")))
    except (OSError, subprocess.SubprocessError):
        return None


def _remote_url(remote: str) -> str | None:
    """A remote CI can reach, as pip's `git+` URL; None for a local path."""
    if remote.startswith(("https://", "ssh://", "git://")):
        return remote
    if "@" in remote and ":" in remote and "://" not in remote:  # git@host:owner/repo.git
        user_host, _, path = remote.partition(":")
        return f"ssh://{user_host}/{path}"
    return None


def requirement_for(version: str, direct_url: dict[str, Any] | None,
                    git: GitProbe = _git) -> Pin:
    if direct_url is None:
        return Pin(f"{NAME}=={version}", f"version {version} from the package index pip used")
    url = str(direct_url.get("url", ""))
    vcs = direct_url.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and vcs.get("commit_id"):
        return Pin(f"{NAME} @ git+{url}@{vcs['commit_id']}", f"git commit {vcs['commit_id']}")
    archive = direct_url.get("archive_info")
    if isinstance(archive, dict) and not url.startswith("file:"):
        hashes = archive.get("hashes") or {}
        digest = hashes.get("sha256")
        fragment = f"#sha256={digest}" if digest else ""
        return Pin(f"{NAME} @ {url}{fragment}", f"the archive {url}"
                   + (" (pip checks its sha256)" if digest else ""))
    if url.startswith("file:"):
        folder = Path(unquote(urlsplit(url).path))
        probed = git(folder)
        remote = _remote_url(probed[0]) if probed else None
        if probed and remote:
            _, commit, changed = probed
            warning = (f"{folder} has changes not committed in {commit[:12]}: CI installs "
                       "that commit, without them" if changed else "")
            return Pin(f"{NAME} @ git+{remote}@{commit}", f"git commit {commit} of {remote}",
                       warning)
        return Pin(None, f"the local {'folder' if archive is None else 'file'} {folder}",
                   f"catalogsync was installed from {folder}, which CI cannot reach: put its "
                   f"source into {REQUIREMENTS_FILE} before the first CI run")
    return Pin(None, url or "an unknown source",
               f"cannot tell where catalogsync came from: put its source into {REQUIREMENTS_FILE}")


def running_pin() -> Pin:
    """The pin of the catalogsync installed here."""
    try:
        dist = metadata.distribution(NAME)
    except metadata.PackageNotFoundError:
        return Pin(None, "no installed distribution",
                   f"catalogsync is not installed as a package: put its source into "
                   f"{REQUIREMENTS_FILE}")
    text = dist.read_text("direct_url.json")
    return requirement_for(dist.version, json.loads(text) if text else None)


def requirements_text(pin: Pin) -> str:
    head = [
        "# catalogsync for this catalog's CI jobs, which install exactly this",
        "# (`pip install -r`), never a name looked up on an index without its version.",
        f"# Written by `catalogsync init` from the catalogsync it ran: {pin.source}.",
        "# To update: install the new catalogsync where you try it, then delete this file and",
        "# run `catalogsync init DIR` again (it writes only what is missing), or edit the line.",
    ]
    if pin.line is None:
        return "\n".join([
            *head,
            f"# `catalogsync init` could not pin it ({pin.source}); write one line here, e.g.",
            "#   catalogsync @ git+https://github.com/OWNER/catalogsync@COMMIT",
            "# (a commit pins the code exactly), or catalogsync==VERSION from your index.",
            "",
        ])
    return "\n".join([*head, pin.line, ""])
