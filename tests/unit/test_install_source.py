"""Where the running catalogsync came from, as the pinned requirement CI installs (PEP 610's
direct_url.json, plain values)."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogsync.install_source import Pin, requirement_for, requirements_text

COMMIT = "4b75c8c5df86d3168ed76513d1325ac249addc24"


def no_git(folder: Path) -> None:
    return None


def test_an_index_install_is_pinned_to_its_exact_version() -> None:
    assert requirement_for("0.2.0", None, no_git).line == "catalogsync==0.2.0"


def test_a_git_install_is_pinned_to_its_commit() -> None:
    url = {"url": "https://github.com/shop/catalogsync", "vcs_info": {
        "vcs": "git", "commit_id": COMMIT, "requested_revision": "v0.2.0"}}
    assert requirement_for("0.2.0", url, no_git).line == (
        f"catalogsync @ git+https://github.com/shop/catalogsync@{COMMIT}")


def test_an_archive_is_pinned_with_the_hash_pip_checks() -> None:
    url = {"url": "https://files.example/catalogsync-0.2.0-py3-none-any.whl",
           "archive_info": {"hashes": {"sha256": "ab" * 32}}}
    pin = requirement_for("0.2.0", url, no_git)
    assert pin.line == ("catalogsync @ https://files.example/catalogsync-0.2.0-py3-none-any.whl"
                        f"#sha256={'ab' * 32}")


@pytest.mark.parametrize(("remote", "pip_url"), [
    ("https://github.com/shop/catalogsync.git", "https://github.com/shop/catalogsync.git"),
    ("git@github.com:shop/catalogsync.git", "ssh://git@github.com/shop/catalogsync.git"),
])
def test_an_editable_checkout_is_pinned_to_its_remote_and_commit(remote: str,
                                                                 pip_url: str) -> None:
    url = {"url": "file:///home/seller/catalogsync", "dir_info": {"editable": True}}
    pin = requirement_for("0.2.0", url, lambda folder: (remote, COMMIT, False))
    assert pin.line == f"catalogsync @ git+{pip_url}@{COMMIT}" and not pin.warning
    changed = requirement_for("0.2.0", url, lambda folder: (remote, COMMIT, True))
    assert "has changes not committed" in changed.warning


@pytest.mark.parametrize("probe", [no_git, lambda folder: ("/srv/git/catalogsync", COMMIT, False)])
def test_a_folder_ci_cannot_reach_is_not_pinned_and_said_so(probe: object) -> None:
    url = {"url": "file:///work/catalogsync", "dir_info": {"editable": True}}
    pin = requirement_for("0.2.0", url, probe)  # type: ignore[arg-type]
    assert pin.line is None and "CI cannot reach" in pin.warning
    text = requirements_text(pin)
    assert all(line.startswith("#") or not line for line in text.splitlines())
    assert "catalogsync @ git+https://github.com/OWNER/catalogsync@COMMIT" in text


def test_the_requirements_file_says_how_to_update() -> None:
    text = requirements_text(Pin("catalogsync==0.2.0", "version 0.2.0 from the package index"))
    assert text.splitlines()[-1] == "catalogsync==0.2.0"
    assert "To update:" in text
