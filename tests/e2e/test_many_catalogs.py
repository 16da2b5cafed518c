"""`plan DIR…` / `apply DIR…` / `--all`: several catalogs, one per seller, in one process, each
with its own stored login, one report and one exit code; a broken catalog does not stop the
others."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from catalogsync.catalog.models import Environment
from catalogsync.config import lock_file
from catalogsync.synthetic import write_catalog
from tests.e2e.conftest import Run

LOGIN = ("auth", "login", "--env", "sandbox", "--client-id", "catalogsync-local")
DEMO, FLEET, NOT_LOGGED_IN = ("1000001", "demo-seller"), ("1000101", "fleet-seller-01"), (
    "1000102", "fleet-seller-02")
PRODUCER = """responsible_producers:
  Producent Demo:
    trade_name: Demo Seller sp. z o.o.
    address: {country_code: PL, street: Prosta 1, postal_code: 00-950, city: Warszawa}
    contact: {email: produkty@demo-seller.example}
"""


@pytest.fixture(autouse=True)
def logins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Run) -> None:
    """Two sellers logged in to sandbox (the emulator answers it in-process)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for name in ("ACCESS_TOKEN", "REFRESH_TOKEN", "CLIENT_ID", "API_URL", "AUTH_URL",
                 "RATE_STORE", "SELLER"):
        monkeypatch.delenv(f"CATALOGSYNC_{name}", raising=False)
    monkeypatch.setenv("CATALOGSYNC_CLIENT_SECRET", "local-secret")
    for seller, _ in (DEMO, FLEET):
        monkeypatch.setenv("CATALOGSYNC_SELLER", seller)
        result = run(*LOGIN)
        assert result.exit_code == 0 and f"as seller {seller}" in result.output, result.output
    monkeypatch.delenv("CATALOGSYNC_SELLER")


def shop(root: Path, name: str, owner: tuple[str, str], offers: int = 3) -> Path:
    directory = write_catalog(root / name, offers)
    settings = directory / "catalogsync.yaml"
    data = yaml.safe_load(settings.read_text())
    settings.write_text(yaml.safe_dump({**data, "environment": "sandbox"}, sort_keys=False))
    (directory / "producer.yaml").write_text(PRODUCER)
    (directory / "catalogsync.lock").write_text(f'sandbox account "{owner[0]}" "{owner[1]}"\n')
    return directory


def test_plan_and_apply_two_catalogs_of_two_sellers_in_one_run(run: Run, tmp_path: Path) -> None:
    a, b = shop(tmp_path, "shop-a", DEMO), shop(tmp_path, "shop-b", FLEET, offers=4)

    planned = run("plan", a, b, "--detailed-exitcode")

    assert planned.exit_code == 2, planned.output
    assert f"=== {a}: seller demo-seller (1000001) on sandbox ===" in planned.output
    assert f"=== {b}: seller fleet-seller-01 (1000101) on sandbox ===" in planned.output
    assert f"  {a}: 4 changes" in planned.output
    assert f"  {b}: 6 changes" in planned.output  # its producer too
    applied = run("apply", a, b, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert f"  {a}: applied" in applied.output and f"  {b}: applied" in applied.output
    for directory, (seller, login) in ((a, DEMO), (b, FLEET)):
        lock = lock_file(directory, Environment.SANDBOX)
        assert lock.account() == (seller, login)
        assert len([e for e in lock.read() if e[0] == "offer"]) == (3 if directory == a else 4)
    again = run("plan", a, b, "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert f"  {a}: no changes" in again.output and f"  {b}: no changes" in again.output


def test_a_broken_catalog_beside_a_good_one_is_reported_under_its_directory(
    run: Run, tmp_path: Path
) -> None:
    good, broken = shop(tmp_path, "good", DEMO), shop(tmp_path, "broken", FLEET)
    (broken / "offers" / "offers-000.yaml").write_text("offers:\n  SYN-1: [unclosed\n")

    plain = run("plan", good, broken)
    detailed = run("plan", good, broken, "--detailed-exitcode", "--format", "json")

    assert plain.exit_code == 1, plain.output
    assert f"=== {good}: seller demo-seller (1000001) on sandbox ===" in plain.output
    assert "offers-000.yaml:3" in plain.output and "Traceback" not in plain.output
    assert f"  {good}: 4 changes" in plain.output and f"  {broken}: failed" in plain.output
    assert detailed.exit_code == 3  # the worst: blocked beats changes
    report = json.loads(detailed.stdout)
    assert report["exit_code"] == 3
    first, second = report["catalogs"]
    assert first["directory"] == str(good) and first["exit_code"] == 2
    assert first["seller"] == {"id": "1000001", "login": "demo-seller"}
    assert first["error"] is None and len(first["plan"]["changes"]) == 4
    assert second["directory"] == str(broken) and second["exit_code"] == 3
    assert second["seller"] is None and second["plan"] is None
    assert "offers-000.yaml:3" in second["error"]


def test_a_seller_without_a_login_fails_alone(run: Run, tmp_path: Path) -> None:
    good, other = shop(tmp_path, "good", DEMO), shop(tmp_path, "other", NOT_LOGGED_IN)

    result = run("apply", good, other, "--auto-approve")

    assert result.exit_code == 1, result.output
    assert "not logged in to Allegro sandbox as seller 1000102" in result.output
    assert f"  {good}: applied" in result.output
    assert len(lock_file(good, Environment.SANDBOX).read()) > 1


def test_all_finds_every_catalog_under_a_root_and_writes_markdown(
    run: Run, tmp_path: Path
) -> None:
    root = tmp_path / "shops"
    a, b = shop(root, "a", DEMO), shop(root / "brands", "b", FLEET)
    (a / "nested").mkdir()  # a catalog's own folders are its own

    result = run("plan", "--all", root, "--format", "markdown")

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("<!-- catalogsync-plan -->\n## catalogsync plan of 2 catalogs")
    assert out.count("<!-- catalogsync-plan -->") == 1
    assert out.index(f"## `{a}`: seller demo-seller \\(1000001\\)") < out.index(
        f"## `{b}`: seller fleet-seller-01 \\(1000101\\)")


def test_several_catalogs_refuse_a_saved_plan_and_a_question(run: Run, tmp_path: Path) -> None:
    a, b = shop(tmp_path, "a", DEMO), shop(tmp_path, "b", FLEET)

    saved = run("plan", a, b, "-o", tmp_path / "plan.json")
    asked = run("apply", a, b)
    empty = run("plan", "--all", tmp_path / "a" / "offers")

    assert saved.exit_code == 64 and "-o saves the plan of one catalog" in saved.output
    assert asked.exit_code == 64 and "pass --auto-approve" in asked.output
    assert empty.exit_code == 64 and "no directory with a catalogsync.yaml" in empty.output
    assert not (tmp_path / "plan.json").exists()


def test_auth_status_lists_each_seller_and_logout_takes_one(run: Run, tmp_path: Path) -> None:
    status = run("auth", "status", "--env", "sandbox")

    assert status.exit_code == 0, status.output
    assert "sandbox: logged in as 2 sellers" in status.output
    assert "1000001 (user_name in the token)" in status.output
    assert "1000101 (user_name in the token)" in status.output
    out = run("auth", "logout", "--env", "sandbox", "--seller", "1000101")
    assert "Logged out of sandbox as seller 1000101" in out.output
    assert "1000101" not in run("auth", "status", "--env", "sandbox").output
