"""The CI templates (catalogsync/templates/ci/): they parse, every catalogsync command they
run exists and works, and their shell steps do what they say — run here unchanged, with
stand-ins for GitHub's `gh` and GitLab's API (`curl`)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from catalogsync import exitcodes
from catalogsync.emulator.backend import Backend
from catalogsync.render import COMMENT_MARKER
from tests.cli.workflows import (
    GITHUB,
    GITLAB,
    ROOT,
    Sandbox,
    all_scripts,
    catalogsync_commands,
    github_step,
    gitlab_lines,
    gitlab_script,
    step_env,
)
from tests.e2e.conftest import EXAMPLE, Run

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
needs_jq = pytest.mark.skipif(shutil.which("jq") is None, reason="gh --jq is evaluated by jq")


def test_workflows_trigger_on_the_right_events_and_install_the_pinned_catalogsync() -> None:
    assert set(GITHUB) == {"catalogsync-plan", "catalogsync-apply", "catalogsync-drift"}
    on = {name: workflow[True] for name, workflow in GITHUB.items()}  # YAML 1.1 reads `on` so
    assert "pull_request" in on["catalogsync-plan"]
    assert on["catalogsync-apply"]["push"] is None  # any branch: the job picks the default one
    (apply,) = GITHUB["catalogsync-apply"]["jobs"].values()
    assert apply["if"] == (
        "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)")
    assert on["catalogsync-drift"]["schedule"][0]["cron"]
    assert GITLAB["plan"]["rules"][0]["if"] == '$CI_PIPELINE_SOURCE == "merge_request_event"'
    assert "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" in GITLAB["apply"]["rules"][0]["if"]
    assert "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" in GITLAB["drift"]["rules"][0]["if"]
    scripts = "\n".join(all_scripts())
    assert "main" not in re.findall(r"\w+", scripts)  # the default branch is the platform's
    installs = re.findall(r"pip install [^\n]*", scripts)
    assert installs and set(installs) == {
        'pip install -r "$CATALOG_DIR/catalogsync-requirements.txt" && catalogsync --version'}


def test_each_refresh_token_chain_is_used_by_one_job_at_a_time_and_written_back() -> None:
    """Plans (pull requests, drift) and apply each have their own login and lock: a chain
    shared by two running jobs dies, and GitHub drops waiting runs of a busy group."""
    groups = {name: w.get("concurrency") or next(iter(w["jobs"].values()))["concurrency"]
              for name, w in GITHUB.items()}
    assert all(g["cancel-in-progress"] is False for g in groups.values())
    plan, apply, drift = (groups[f"catalogsync-{n}"]["group"] for n in ("plan", "apply", "drift"))
    assert plan == drift != apply
    for name, workflow in GITHUB.items():
        secret = re.fullmatch(r"\$\{\{ secrets\.(\w+) \}\}",
                              workflow["env"]["CATALOGSYNC_REFRESH_TOKEN"])
        assert secret is not None
        save = github_step(name, "Save the rotated")
        assert save["if"] == "always()" and save["shell"] == "bash"  # -eo pipefail: fails loudly
        assert f"gh secret set {secret[1]} " in save["run"]
        chain = "ALLEGRO_REFRESH_TOKEN" if name.endswith("apply") else "ALLEGRO_PLAN_REFRESH_TOKEN"
        assert secret[1] == chain
    (apply_job,) = GITHUB["catalogsync-apply"]["jobs"].values()
    assert apply_job["environment"] == "catalogsync-production"  # its secrets: default branch only
    assert "--env catalogsync-production" in github_step("catalogsync-apply", "Save")["run"]
    assert GITHUB["catalogsync-apply"]["permissions"] == {"contents": "write"}
    assert GITHUB["catalogsync-plan"]["permissions"]["pull-requests"] == "write"
    assert GITLAB["apply"]["resource_group"] != GITLAB["drift"]["resource_group"]
    for job in ("apply", "drift"):
        chain = GITLAB[job]["variables"]["CATALOGSYNC_REFRESH_TOKEN"].removeprefix("$")
        assert f'save "$CATALOGSYNC_REFRESH_TOKEN_FILE" {chain}' in gitlab_lines(job)


def test_gitlab_merge_requests_hold_no_refresh_token_and_nothing_that_writes() -> None:
    """Merge-request pipelines see unprotected variables only: a read-only access token and
    a note token; refresh tokens and GITLAB_WRITE_TOKEN are used by default-branch jobs."""
    plan = GITLAB["plan"]
    assert plan["variables"]["CATALOGSYNC_ACCESS_TOKEN"] == "$ALLEGRO_PLAN_ACCESS_TOKEN"
    text = yaml.safe_dump(plan)
    assert "REFRESH_TOKEN:" not in text and "GITLAB_WRITE_TOKEN" not in text
    assert "resource_group" not in plan  # no chain to guard
    assert not any("after_script" in job for job in GITLAB.values() if isinstance(job, dict))
    token_file = GITLAB[".catalogsync"]["variables"]["CATALOGSYNC_REFRESH_TOKEN_FILE"]
    assert token_file.startswith("$CI_PROJECT_DIR/")  # the job's workspace, not /tmp
    drift = GITLAB["drift"]
    assert drift["variables"]["CATALOGSYNC_ACCESS_TOKEN_FILE"].startswith("$CI_PROJECT_DIR/")
    saved = 'save "$CATALOGSYNC_ACCESS_TOKEN_FILE" ALLEGRO_PLAN_ACCESS_TOKEN'
    assert saved in gitlab_lines("drift")


def test_every_catalogsync_command_of_the_workflows_and_hooks_runs(
    run: Run, catalog_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands = [c for script in all_scripts() for c in catalogsync_commands(script)]
    hook = HOOKS[0]
    commands.append([*hook["entry"].split()[1:], *hook["args"]])
    assert {c[0] for c in commands} == {"plan", "apply", "validate", "--version"}
    monkeypatch.chdir(tmp_path)
    for command in sorted(commands, key=lambda c: c[0] == "apply"):  # plans, then apply
        args = [str(catalog_dir) if a in ("$CATALOG_DIR", ".") else a for a in command]
        result = run(*args)
        assert result.exit_code in (exitcodes.OK, exitcodes.CHANGES), (command, result.output)
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == exitcodes.OK


def test_pre_commit_hook_runs_validate_on_the_repository(
    run: Run, catalog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (hook,) = HOOKS
    assert hook["entry"] == "catalogsync validate" and hook["pass_filenames"] is False
    assert re.search(hook["files"], "offers/mugs.yaml") and re.search(hook["files"], "x.yml")
    monkeypatch.chdir(catalog_dir)  # pre-commit runs hooks at the repository's top
    assert run(*hook["entry"].split()[1:], *hook["args"]).exit_code == 0
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace("    stock: 40\n", "    stok: 40\n"))
    refused = run(*hook["entry"].split()[1:], *hook["args"])
    assert refused.exit_code == exitcodes.FAILED and "did you mean 'stock'" in refused.output


@needs_jq
def test_github_plan_job_posts_one_comment_and_edits_it_on_the_next_push(
    tmp_path: Path,
) -> None:
    box = Sandbox(tmp_path / "box")
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns(".catalogsync"))
    others = [{"id": 1, "body": "LGTM"}, {"id": 2, "body": f"> {COMMENT_MARKER} quoted"}]
    box.state = {**box.state, "comments": others}
    env = {"CATALOG_DIR": ".", "GITHUB_REPOSITORY": "shop/catalog", "PR": "7", "GH_TOKEN": "t"}

    def push() -> str:
        output = tmp_path / "github-output"
        output.write_text("")
        planned = box.run(github_step("catalogsync-plan", "Plan")["run"], repo,
                          GITHUB_OUTPUT=str(output), **env)
        assert planned.returncode == 0, planned.stderr
        code = output.read_text().strip().removeprefix("exitcode=")
        post = github_step("catalogsync-plan", "Post the plan")
        assert post["if"] == "always() && steps.plan.outputs.exitcode != ''"
        posted = box.run(post["run"], repo, **env)
        assert posted.returncode == 0, posted.stderr
        return code

    assert push() == "2"
    first = box.state["comments"]
    assert first[:2] == others and len(first) == 3
    assert first[2]["body"] == (repo / "plan.md").read_text()
    assert first[2]["body"].startswith(COMMENT_MARKER) and "MUG-WHITE-330" in first[2]["body"]

    mugs = repo / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace("price: 29.99", "price: 27.99"))
    assert push() == "2"
    second = box.state["comments"]
    assert len(second) == 3 and second[2]["id"] == first[2]["id"]
    assert "27.99" in second[2]["body"] and "27.99" not in first[2]["body"]
    assert ["gh", "PATCH", f"repos/shop/catalog/issues/comments/{first[2]['id']}"] in (
        box.state["calls"]
    )

    mugs.write_text(mugs.read_text().replace("    stock: 40\n", "    stok: 40\n"))
    assert push() == str(exitcodes.BLOCKED)
    failed = box.state["comments"][2]["body"]
    assert failed.startswith(f"{COMMENT_MARKER}\n### catalogsync plan failed")
    assert "mugs.yaml:" in failed and "stok" in failed


@pytest.mark.parametrize(
    ("code", "passes"),
    [(exitcodes.OK, True), (exitcodes.CHANGES, True), (exitcodes.FAILED, False),
     (exitcodes.BLOCKED, False), (exitcodes.USAGE, False), ("", False)],
)
def test_github_plan_check_passes_only_for_no_changes_or_changes(
    tmp_path: Path, code: int | str, passes: bool
) -> None:
    gate = github_step("catalogsync-plan", "Pass with nothing")
    assert gate["env"] == {"CODE": "${{ steps.plan.outputs.exitcode }}"}
    result = Sandbox(tmp_path).run(gate["run"], tmp_path, CODE=str(code))
    assert (result.returncode == 0) is passes


def test_gitlab_plan_job_posts_one_note_and_edits_it(tmp_path: Path) -> None:
    box = Sandbox(tmp_path / "box")
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns(".catalogsync"))
    box.state = {**box.state, "notes": [{"id": 9, "body": "a reviewer's note"}]}
    env = {
        "CATALOG_DIR": ".",
        "CI_API_V4_URL": "https://gitlab.example/api/v4",
        "CI_PROJECT_ID": "42",
        "CI_MERGE_REQUEST_IID": "3",
        "GITLAB_NOTE_TOKEN": "t",
    }
    for price in ("29.99", "27.99"):
        mugs = repo / "offers" / "mugs.yaml"
        mugs.write_text(re.sub(r"price: 2\d\.99", f"price: {price}", mugs.read_text(), count=1))
        result = box.run(gitlab_script("plan"), repo, **env)
        assert result.returncode == 0, result.stderr  # exit 2, changes: the job passes
    notes = box.state["notes"]
    assert len(notes) == 2 and notes[0]["body"] == "a reviewer's note"
    assert notes[1]["body"].startswith(COMMENT_MARKER) and "27.99" in notes[1]["body"]
    assert ["curl", "PUT", f"{env['CI_API_V4_URL']}/projects/42/merge_requests/3/notes/"
            f"{notes[1]['id']}"] in box.state["calls"]


def test_rotated_refresh_token_is_written_back_to_the_ci_secret(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As the README's "Credentials in CI": a CI login, a job that refreshes, the write-back
    step of each template, and the next job starting from what was written back."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "laptop"))
    for name in ("ACCESS_TOKEN", "API_URL", "AUTH_URL"):
        monkeypatch.delenv(f"CATALOGSYNC_{name}", raising=False)
    monkeypatch.setenv("CATALOGSYNC_CLIENT_ID", "catalogsync-local")
    monkeypatch.setenv("CATALOGSYNC_CLIENT_SECRET", "local-secret")
    seed_file = tmp_path / "ci-refresh-token"
    login = run("auth", "login", "--env", "sandbox", "--no-save", "--refresh-token-out", seed_file)
    assert login.exit_code == 0, login.output
    seed = seed_file.read_text().strip()
    settings = catalog_dir / "catalogsync.yaml"
    settings.write_text(settings.read_text().replace("environment: local", "environment: sandbox"))

    def ci_job(secret: str, job: str) -> Path:
        """One CI job on a fresh runner: it refreshes and leaves the rotated token file."""
        rotated_file = tmp_path / job / "allegro-refresh-token"
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / job / "config"))
        monkeypatch.setenv("CATALOGSYNC_REFRESH_TOKEN", secret)
        monkeypatch.setenv("CATALOGSYNC_REFRESH_TOKEN_FILE", str(rotated_file))
        assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == exitcodes.CHANGES
        return rotated_file

    secret = seed
    for workflow in GITHUB:
        rotated_file = ci_job(secret, workflow)
        box = Sandbox(tmp_path / f"{workflow}-box")
        step = github_step(workflow, "Save the rotated")
        saved = box.run(step["run"], tmp_path, GITHUB_REPOSITORY="shop/catalog",
                        CATALOGSYNC_REFRESH_TOKEN_FILE=str(rotated_file), GH_TOKEN="t")
        assert saved.returncode == 0, saved.stderr
        ((name, written),) = box.state["secrets"].items()
        assert written == rotated_file.read_text().strip() != secret
        assert f"gh secret set {name} " in step["run"]
        secret = written  # the next run starts from the secret as written back

    # GitLab: the drift job saves the rotated refresh token and the access token that
    # merge-request pipelines then plan with; its script as written after the plan.
    access_file = tmp_path / "gitlab" / "access-token"
    monkeypatch.setenv("CATALOGSYNC_ACCESS_TOKEN_FILE", str(access_file))
    rotated_file = ci_job(secret, "gitlab")
    monkeypatch.delenv("CATALOGSYNC_ACCESS_TOKEN_FILE")
    script = gitlab_lines("drift")
    assert script[0].startswith("code=0; catalogsync plan ")
    box = Sandbox(tmp_path / "gitlab-box")
    saved = box.run("\n".join(script[1:]), tmp_path, code="0",
                    CATALOGSYNC_REFRESH_TOKEN_FILE=str(rotated_file),
                    CATALOGSYNC_ACCESS_TOKEN_FILE=str(access_file), GITLAB_WRITE_TOKEN="t",
                    CI_API_V4_URL="https://gitlab.example/api/v4", CI_PROJECT_ID="42")
    assert saved.returncode == 0, saved.stderr
    written = box.state["variables"]["ALLEGRO_PLAN_REFRESH_TOKEN"]
    assert written != secret and not rotated_file.exists()  # no token left in the workspace
    access = box.state["variables"]["ALLEGRO_PLAN_ACCESS_TOKEN"]
    with monkeypatch.context() as merge_request:  # a merge request's plan job, until the next
        merge_request.delenv("CATALOGSYNC_REFRESH_TOKEN")  # drift run renews the token
        merge_request.setenv("CATALOGSYNC_ACCESS_TOKEN", access)
        assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == exitcodes.CHANGES
    ci_job(written, "after-gitlab")  # the next pipeline works with it

    rotated_file.unlink(missing_ok=True)  # a job that never refreshed writes nothing back
    nothing = Sandbox(tmp_path / "idle-box")
    assert nothing.run(github_step("catalogsync-apply", "Save the rotated")["run"], tmp_path,
                       CATALOGSYNC_REFRESH_TOKEN_FILE=str(rotated_file)).returncode == 0
    assert nothing.state["calls"] == []


def test_apply_job_commits_the_state_index_for_the_next_fresh_clone(tmp_path: Path) -> None:
    def git(*args: str, cwd: Path = tmp_path) -> str:
        env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
        done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True,
                              check=True)
        return done.stdout

    git("init", "-q", "--bare", "-b", "main", "origin.git")
    git("clone", "-q", "origin.git", "repo")
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".catalog*"))
    shutil.copy(ROOT / "catalogsync" / "templates" / "catalog" / "gitignore", repo / ".gitignore")
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "catalog", cwd=repo)
    git("push", "-q", "-u", "origin", "HEAD:main", cwd=repo)

    box = Sandbox(tmp_path / "box")
    applied = box.run(github_step("catalogsync-apply", "Apply")["run"], repo, CATALOG_DIR=".")
    assert applied.returncode == 0, applied.stderr
    commit = github_step("catalogsync-apply", "Commit catalogsync.lock")
    assert commit["if"] == "always()"
    env = step_env(commit, {"github.event.repository.default_branch": "main"})
    committed = box.run(commit["run"], repo, CATALOG_DIR=".", **env)
    assert committed.returncode == 0, committed.stderr

    git("clone", "-q", "origin.git", "fresh")
    assert "[skip ci]" in git("log", "-1", "--format=%s", cwd=tmp_path / "fresh")
    # local: the lock lives with the emulator database; other environments beside the catalog
    lock = (tmp_path / "fresh" / ".catalogsync" / "catalogsync.lock").read_text()
    assert 'local offer "MUG-WHITE-330"' in lock and 'local offer "LAPTOP-X14-512"' in lock
    # Nothing new to commit: the step is quiet and pushes nothing.
    again = box.run(commit["run"], repo, CATALOG_DIR=".", **env)
    assert again.returncode == 0 and git("rev-list", "--count", "main", cwd=tmp_path /
                                         "origin.git").strip() == "2"


def test_drift_job_fails_on_drift_with_the_plan_in_the_summary(tmp_path: Path) -> None:
    box = Sandbox(tmp_path / "box")
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns(".catalogsync"))
    step = github_step("catalogsync-drift", "Plan")
    assert step["shell"] == "bash {0}"  # no -e: the exit code is read after the plan
    summary = tmp_path / "summary.md"
    drifted = box.run(step["run"], repo, shell="bash", CATALOG_DIR=".",
                      GITHUB_STEP_SUMMARY=str(summary))
    assert drifted.returncode == exitcodes.CHANGES, drifted.stderr
    assert summary.read_text().startswith(COMMENT_MARKER) and "MUG-WHITE-330" in summary.read_text()


@pytest.mark.parametrize("workflow", sorted(GITHUB))
def test_a_failed_github_write_back_fails_the_job(tmp_path: Path, workflow: str) -> None:
    """A refresh token that was not saved is a dead chain: the step must not pass."""
    token = tmp_path / "allegro-refresh-token"
    token.write_text("rotated\n")
    box = Sandbox(tmp_path / "box")
    step = github_step(workflow, "Save the rotated")
    failed = box.run(step["run"], tmp_path, CATALOGSYNC_REFRESH_TOKEN_FILE=str(token),
                     GITHUB_REPOSITORY="shop/catalog", GH_TOKEN="t", FAKE_FAIL="gh")
    assert failed.returncode != 0 and "HTTP 403" in failed.stderr


@pytest.mark.parametrize("job", ["apply", "drift"])
def test_a_failed_gitlab_write_back_fails_the_job(tmp_path: Path, job: str) -> None:
    token = tmp_path / "refresh-token"
    token.write_text("rotated\n")
    script = gitlab_lines(job)
    saving = [line for line in script if line.startswith(("save()", "save "))]
    box = Sandbox(tmp_path / "box")
    failed = box.run("\n".join(saving), tmp_path, CATALOGSYNC_REFRESH_TOKEN_FILE=str(token),
                     CI_API_V4_URL="https://gitlab.example/api/v4", CI_PROJECT_ID="42",
                     GITLAB_WRITE_TOKEN="t", FAKE_FAIL="curl")
    assert failed.returncode != 0 and "HTTP 403" in failed.stderr
    assert script.index(saving[-1]) < len(script) - 1  # in the script, not after_script
