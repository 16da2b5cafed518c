"""The scheduled feed job (catalogsync/templates/ci/feeds/): an hourly apply of the fields feeds
give, with apply's login and lock, whose command runs here unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from catalogsync import exitcodes
from catalogsync.emulator.backend import Backend
from tests.cli.workflows import CI, GITHUB, GITLAB, catalogsync_commands
from tests.e2e.conftest import Run
from tests.e2e.test_feeds import MUG, with_feed
from tests.e2e.test_stock_and_sales import applied, live

FEEDS_GITHUB: dict[Any, Any] = yaml.safe_load((CI / "feeds" / "catalogsync-feeds.yml").read_text())
FEEDS_GITLAB: dict[str, Any] = yaml.safe_load(
    (CI / "feeds" / "feeds.gitlab-ci.yml").read_text())


def _scripts() -> list[str]:
    (job,) = FEEDS_GITHUB["jobs"].values()
    return [s["run"] for s in job["steps"] if "run" in s] + FEEDS_GITLAB["feeds"]["script"]


def test_the_feed_job_runs_hourly_as_an_apply_of_the_same_account() -> None:
    assert FEEDS_GITHUB[True]["schedule"][0]["cron"].split()[1:] == ["*", "*", "*", "*"]
    apply = GITHUB["catalogsync-apply"]
    (feeds,) = FEEDS_GITHUB["jobs"].values()
    assert feeds["concurrency"] == apply["jobs"]["apply"]["concurrency"]
    assert FEEDS_GITHUB["env"]["CATALOGSYNC_REFRESH_TOKEN"] == apply["env"][
        "CATALOGSYNC_REFRESH_TOKEN"]
    job = FEEDS_GITLAB["feeds"]
    assert job["extends"] in GITLAB and job["resource_group"] == GITLAB["apply"]["resource_group"]
    assert job["variables"] == GITLAB["apply"]["variables"]
    assert 'CATALOGSYNC_JOB == "feeds"' in job["rules"][0]["if"]


def test_the_feed_job_commits_nothing_and_keeps_the_row_counts() -> None:
    scripts = "\n".join(_scripts())
    assert "git " not in scripts
    (job,) = FEEDS_GITHUB["jobs"].values()
    cached = [s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/cache")]
    assert all(".catalogsync/feeds-*.json" in s["with"]["path"] for s in cached)
    assert len(cached) == 2 and cached[1]["if"] == "always()"
    assert ".catalogsync/feeds-production.json" in FEEDS_GITLAB["feeds"]["cache"]["paths"]


@pytest.mark.parametrize("script", range(2))
def test_the_feed_jobs_command_applies_the_feed_here(
    script: int, run: Run, catalog_dir: Path, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    applied(run, catalog_dir)
    with_feed(catalog_dir, f"external_id,price,stock\n{MUG},31.00,45\n")
    feeds = [c for s in _scripts() for c in catalogsync_commands(s) if "--only-feeds" in c]
    command = feeds[script]
    monkeypatch.chdir(catalog_dir)
    result = run(*[str(catalog_dir) if a == "$CATALOG_DIR" else a for a in command])
    assert result.exit_code == exitcodes.OK, result.output
    assert live(backend, catalog_dir, MUG)["stock"]["available"] == 45
    assert run("plan", catalog_dir, "--only-feeds", "--detailed-exitcode").exit_code == 0


def test_the_gitlab_drift_job_stays_off_the_feed_schedule() -> None:
    (drift,) = GITLAB["drift"]["rules"]
    assert '$CATALOGSYNC_JOB != "feeds"' in drift["if"]
    assert "$CI_DEFAULT_BRANCH" in FEEDS_GITLAB["feeds"]["rules"][0]["if"]
