"""The apply jobs' state commit, their shell steps run as written against a real bare git
remote: runners check out the commit that started them (shallow on GitHub, a detached HEAD on
GitLab), the lock is committed, rebased onto a branch that moved (merge=union from the
`.gitattributes` init writes) and pushed, with bounded retries; a conflict union cannot solve
fails the job loudly and pushes nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from catalogsync.state.lockfile import LockFile
from tests.cli.workflows import GITLAB, ROOT, Sandbox, github_step, gitlab_lines, step_env
from tests.e2e.conftest import EXAMPLE

TEMPLATES = ROOT / "catalogsync" / "templates" / "catalog"
CONTEXT = {"github.event.repository.default_branch": "trunk"}  # not `main`: from the platform
PUSH_URL = "https://oauth2:t@gitlab.example/shop/catalog.git"


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "seller", "GIT_AUTHOR_EMAIL": "s@example.com",
           "GIT_COMMITTER_NAME": "seller", "GIT_COMMITTER_EMAIL": "s@example.com"}
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(name, None)
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A bare remote whose default branch `trunk` holds a catalog made as `init` makes it."""
    author = tmp_path / "author"
    shutil.copytree(EXAMPLE, author, ignore=shutil.ignore_patterns(".catalog*"))
    settings = author / "catalogsync.yaml"
    settings.write_text(settings.read_text().replace("environment: local", "environment: sandbox"))
    shutil.copy(TEMPLATES / "gitignore", author / ".gitignore")
    shutil.copy(TEMPLATES / "gitattributes", author / ".gitattributes")
    LockFile(author / "catalogsync.lock", "sandbox").write([("offer", "MUG-WHITE-330", "1")])
    git("init", "-q", "-b", "trunk", cwd=author)
    git("add", "-A", cwd=author)
    git("commit", "-qm", "catalog", cwd=author)
    bare = tmp_path / "origin.git"
    git("clone", "-q", "--bare", str(author), str(bare), cwd=tmp_path)
    git("config", "receive.advertisePushOptions", "true", cwd=bare)  # GitLab's `-o ci.skip`
    return bare


def runner(origin: Path, name: str) -> Path:
    """A GitHub runner's checkout: one commit deep, on the branch."""
    work = origin.parent / name
    git("clone", "-q", "--depth", "1", "-b", "trunk", f"file://{origin}", str(work),
        cwd=origin.parent)
    return work


def applied(work: Path, *entries: tuple[str, str]) -> None:
    """What an apply leaves: the lock with the ids it learnt (state/lockfile.py writes it)."""
    lock = LockFile(work / "catalogsync.lock", "sandbox")
    lock.write([*lock.read(), *(("offer", key, value) for key, value in entries)])


def github_commit(box: Sandbox, work: Path) -> subprocess.CompletedProcess[str]:
    step = github_step("catalogsync-apply", "Commit catalogsync.lock")
    assert step["if"] == "always()" and step["shell"] == "bash"
    return box.run(step["run"], work, CATALOG_DIR=".", **step_env(step, CONTEXT))


def lock_on(origin: Path) -> dict[str, str]:
    fresh = origin.parent / f"fresh-{len(list(origin.parent.iterdir()))}"
    git("clone", "-q", "-b", "trunk", f"file://{origin}", str(fresh), cwd=origin.parent)
    text = (fresh / "catalogsync.lock").read_text()
    assert "<<<<<<<" not in text and ">>>>>>>" not in text
    return dict((key, value) for _, key, value in LockFile(fresh / "catalogsync.lock",
                                                           "sandbox").read())


def test_two_queued_applies_both_land_their_ids(origin: Path, tmp_path: Path) -> None:
    box = Sandbox(tmp_path / "box")
    first, second = runner(origin, "first"), runner(origin, "second")  # both from one commit
    applied(first, ("LAPTOP-X14-512", "2"))
    assert github_commit(box, first).returncode == 0
    applied(second, ("LAPTOP-X15-1TB", "3"))  # started before the first's lock commit landed
    done = github_commit(box, second)
    assert done.returncode == 0, done.stdout + done.stderr
    assert lock_on(origin) == {"MUG-WHITE-330": "1", "LAPTOP-X14-512": "2", "LAPTOP-X15-1TB": "3"}
    log = git("log", "--format=%s|%cn", "trunk", cwd=origin).splitlines()
    assert log[:2] == ["catalogsync: catalogsync.lock after apply [skip ci]|catalogsync"] * 2


def test_the_branch_moving_during_an_apply_is_rebased_onto(origin: Path, tmp_path: Path) -> None:
    box = Sandbox(tmp_path / "box")
    work = runner(origin, "runner")
    seller = runner(origin, "seller")
    mugs = seller / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace("price: 29.99", "price: 27.99"))
    git("commit", "-qam", "cheaper mugs", cwd=seller)
    git("push", "-q", "origin", "trunk", cwd=seller)
    applied(work, ("LAPTOP-X14-512", "2"))
    done = github_commit(box, work)
    assert done.returncode == 0, done.stdout + done.stderr
    assert lock_on(origin)["LAPTOP-X14-512"] == "2"
    subjects = git("log", "--format=%s", "trunk", cwd=origin).splitlines()
    assert subjects[:2] == ["catalogsync: catalogsync.lock after apply [skip ci]", "cheaper mugs"]


def test_a_conflict_union_cannot_solve_fails_loudly_and_pushes_nothing(
    origin: Path, tmp_path: Path
) -> None:
    box = Sandbox(tmp_path / "box")
    work = runner(origin, "runner")
    seller = runner(origin, "seller")
    git("rm", "-q", "catalogsync.lock", cwd=seller)  # moved away while the apply ran
    git("commit", "-qm", "drop the lock", cwd=seller)
    git("push", "-q", "origin", "trunk", cwd=seller)
    before = git("rev-parse", "trunk", cwd=origin)
    applied(work, ("LAPTOP-X14-512", "2"))
    failed = github_commit(box, work)
    assert failed.returncode == 1
    assert "::error::catalogsync.lock could not be rebased onto trunk" in failed.stdout
    assert '"LAPTOP-X14-512" "2"' in failed.stdout  # the ids are in the job's log
    assert git("rev-parse", "trunk", cwd=origin) == before
    assert not (work / ".git" / "rebase-merge").exists()


def _reject_pushes(origin: Path, times: int) -> None:
    """A remote that refuses the next `times` pushes, as a race lost to another push."""
    counter = origin / "refused"
    counter.write_text("0")
    hook = origin / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\nn=$(cat {counter}); echo $((n + 1)) > {counter}\n"
                    f'[ "$n" -ge {times} ] || {{ echo "busy, try again" >&2; exit 1; }}\n')
    hook.chmod(0o755)


@pytest.mark.parametrize(("refused", "lands"), [(1, True), (99, False)])
def test_a_refused_push_is_tried_again_a_bounded_number_of_times(
    origin: Path, tmp_path: Path, refused: int, lands: bool
) -> None:
    box = Sandbox(tmp_path / "box")
    work = runner(origin, "runner")
    applied(work, ("LAPTOP-X14-512", "2"))
    _reject_pushes(origin, refused)
    done = github_commit(box, work)
    assert (done.returncode == 0) is lands, done.stdout + done.stderr
    assert int((origin / "refused").read_text()) == (2 if lands else 3)
    if not lands:
        assert "::error::could not push catalogsync.lock to trunk after 3 tries" in done.stdout


def gitlab_runner(origin: Path, name: str) -> Path:
    """A GitLab runner's checkout: the pipeline's commit, detached."""
    work = runner(origin, name)
    git("checkout", "-q", "--detach", cwd=work)
    return work


def gitlab_commit(box: Sandbox, work: Path, origin: Path) -> subprocess.CompletedProcess[str]:
    """The apply job's script after `catalogsync apply` (run by the workflows' command test),
    with GitLab's predefined variables and the push URL led to the bare remote."""
    script = gitlab_lines("apply")
    assert script[0].startswith("code=0; catalogsync apply ")
    variables = {k: v for k, v in GITLAB["apply"]["variables"].items() if k.startswith("GIT_")}
    return box.run("\n".join(script[1:]), work, code="0", CATALOG_DIR=".",
                   CI_DEFAULT_BRANCH="trunk", CI_SERVER_HOST="gitlab.example",
                   CI_PROJECT_PATH="shop/catalog", GITLAB_WRITE_TOKEN="t",
                   GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0=f"url.file://{origin}.insteadOf",
                   GIT_CONFIG_VALUE_0=PUSH_URL, **variables)


def test_gitlab_two_queued_applies_and_a_conflict(origin: Path, tmp_path: Path) -> None:
    box = Sandbox(tmp_path / "box")
    first, second = gitlab_runner(origin, "first"), gitlab_runner(origin, "second")
    applied(first, ("LAPTOP-X14-512", "2"))
    assert gitlab_commit(box, first, origin).returncode == 0
    applied(second, ("LAPTOP-X15-1TB", "3"))
    done = gitlab_commit(box, second, origin)
    assert done.returncode == 0, done.stdout + done.stderr
    assert lock_on(origin) == {"MUG-WHITE-330": "1", "LAPTOP-X14-512": "2", "LAPTOP-X15-1TB": "3"}
    assert git("log", "-1", "--format=%cn", "trunk", cwd=origin).strip() == "catalogsync"

    third, seller = gitlab_runner(origin, "third"), runner(origin, "seller")
    git("rm", "-q", "catalogsync.lock", cwd=seller)
    git("commit", "-qm", "drop the lock", cwd=seller)
    git("push", "-q", "origin", "trunk", cwd=seller)
    applied(third, ("SOCKS-1", "4"))
    failed = gitlab_commit(box, third, origin)
    assert failed.returncode == 1
    assert "could not be rebased onto trunk" in failed.stderr and "SOCKS-1" in failed.stdout
    assert "SOCKS-1" not in git("show", "trunk", cwd=origin)
