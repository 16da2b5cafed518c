"""catalogsync.lock names the seller its ids belong to, per environment; a run acting as
another seller is refused before it reads anything."""

from __future__ import annotations

from pathlib import Path

from catalogsync.catalog.models import Environment
from catalogsync.config import lock_file
from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run


def _lock(catalog_dir: Path) -> Path:
    return lock_file(catalog_dir, Environment.LOCAL).path


def test_apply_records_the_seller_id_and_login_in_the_lock_file(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    result = run("apply", catalog_dir, "--auto-approve")
    assert result.exit_code == 0, result.output
    lines = [line for line in _lock(catalog_dir).read_text().splitlines()
             if line.startswith("local account ")]
    assert len(lines) == 1 and lines[0].endswith(' "demo-seller"')
    assert lock_file(catalog_dir, Environment.LOCAL).account() == (
        lines[0].split('"')[1], "demo-seller")


def test_an_old_lock_file_gets_its_account_line_from_the_next_apply(
    run: Run, catalog_dir: Path
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    path = _lock(catalog_dir)
    old = "".join(line for line in path.read_text().splitlines(keepends=True)
                  if " account " not in line)
    path.write_text(old)
    result = run("apply", catalog_dir, "--auto-approve")
    assert result.exit_code == 0, result.output
    assert lock_file(catalog_dir, Environment.LOCAL).account() is not None
    assert old.splitlines()[-1] in path.read_text()  # the other lines are kept as they were


def test_plan_apply_and_prune_refuse_a_lock_of_another_seller_before_reading(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    path = _lock(catalog_dir)
    text = path.read_text()
    seller, login = lock_file(catalog_dir, Environment.LOCAL).account() or ("", "")
    path.write_text(text.replace(f'account "{seller}" "{login}"', 'account "777" "shop-b"'))
    before = _api_calls(backend)
    for args in (("plan",), ("apply", "--auto-approve"), ("apply", "--auto-approve", "--prune")):
        result = run(*args, catalog_dir)
        assert result.exit_code != 0, result.output
        assert "belong to seller 777 (shop-b)" in result.output
        assert f"this run acts as seller {seller}" in result.output
        assert "Nothing was read or changed" in result.output
        assert "Traceback" not in result.output
    assert _api_calls(backend) == before  # the logins only: nothing of the seller's was read


def _api_calls(backend: Backend) -> int:
    return sum(n for route, n in backend.stats.items() if " /auth/" not in route)


def test_a_lock_merged_from_two_sellers_is_refused_naming_both(
    run: Run, catalog_dir: Path
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    path = _lock(catalog_dir)
    path.write_text(path.read_text() + 'local account "777" "shop-b"\n')
    result = run("plan", catalog_dir)
    assert result.exit_code != 0
    assert "name two sellers" in result.output and "777 (shop-b)" in result.output
    assert "demo-seller" in result.output and "Traceback" not in result.output


def test_import_writes_the_account_line_into_the_lock_file_it_creates(
    run: Run, catalog_dir: Path, tmp_path: Path
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    adopted = tmp_path / "adopted"

    imported = run("import", adopted)

    assert imported.exit_code == 0, imported.output
    assert lock_file(adopted, Environment.LOCAL).account() == ("1000001", "demo-seller")
