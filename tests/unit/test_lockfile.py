"""catalogsync.lock: sorted, one line per resource, merge-friendly, other environments kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogsync.errors import ConfigError
from catalogsync.state.index import StateIndex, forget_id, load_index, record_id, save_index
from catalogsync.state.lockfile import LockFile
from catalogsync.state.runlock import LockHeld, account_lock, current_holder


def test_apply_records_ids_in_the_lock_at_once_and_saves_them_sorted(tmp_path: Path) -> None:
    lock = LockFile(tmp_path / "catalogsync.lock", "production")
    (tmp_path / "catalogsync.lock").write_text('sandbox offer "A" "9"\n')
    index = load_index(tmp_path / "state.json", lock)
    record_id(tmp_path / "state.json", index, "offer", "Z 1", "2")
    record_id(tmp_path / "state.json", index, "shipping_rates", "Standard", "t-1")
    # a crash here still leaves the ids in the file CI commits back
    assert load_index(tmp_path / "other.json", lock).offers == {"Z 1": "2"}

    record_id(tmp_path / "state.json", index, "offer", "B", "1")
    save_index(tmp_path / "state.json", index)

    lines = [x for x in lock.path.read_text().splitlines() if not x.startswith("#")]
    assert lines == [
        'production offer "B" "1"',
        'production offer "Z 1" "2"',
        'production shipping_rates "Standard" "t-1"',
        'sandbox offer "A" "9"',
    ]


def test_a_fresh_clone_reads_the_lock_and_local_state_wins_where_both_know(tmp_path: Path) -> None:
    lock = LockFile(tmp_path / "catalogsync.lock", "production")
    assert not load_index(tmp_path / "state.json", lock).has_state()
    lock.path.write_text(
        "# header\n"
        '<<<<<<< HEAD\nproduction offer "A" "1"\n=======\nproduction offer "B" "2"\n'
        '>>>>>>> branch\nproduction image "sha" "https://a.allegroimg.com/x.jpg"\n'
    )
    fresh = load_index(tmp_path / "state.json", lock)
    assert fresh.has_state()
    assert fresh.offers == {"A": "1", "B": "2"}  # both sides of a conflict are kept
    assert fresh.images == {"sha": "https://a.allegroimg.com/x.jpg"}

    save_index(tmp_path / "state.json", StateIndex(offers={"A": "7"}))
    assert load_index(tmp_path / "state.json", lock).offers == {"A": "7", "B": "2"}


def test_a_broken_lock_line_is_named_by_file_and_line(tmp_path: Path) -> None:
    lock = LockFile(tmp_path / "catalogsync.lock", "production")
    lock.path.write_text('production offer "A" "1"\nproduction offer A 1\n')
    with pytest.raises(ConfigError, match=r"catalogsync.lock:2: not a lock line"):
        load_index(tmp_path / "state.json", lock)


def test_a_run_lock_names_its_holder_and_is_free_again_after_release(tmp_path: Path) -> None:
    path = tmp_path / "locks" / "production-seller.lock"
    told: list[str] = []
    with account_lock(path, "catalogsync apply shop", 0, told.append, told.append):
        holder = current_holder(path)
        assert holder is not None and holder.command == "catalogsync apply shop"
        second = account_lock(path, "catalogsync apply other", 0.3, told.append, told.append)
        with pytest.raises(LockHeld, match=r"`catalogsync apply shop` by .* \(pid \d+\) since"):
            second.__enter__()
    assert current_holder(path) is None
    assert len(told) == 1  # the waiting run said once whom it waited for


def test_a_lock_left_by_a_killed_run_is_taken_over_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "seller.lock"
    path.write_text(
        '{"host": "build-3", "pid": 4711, "user": "anna", "command": "catalogsync apply shop",'
        ' "since": "2026-11-29T06:40:12+00:00"}'
    )  # what a killed run leaves: its name, but no flock (the kernel dropped it)
    taken: list[str] = []
    with account_lock(path, "catalogsync apply shop", 0, print, lambda h: taken.append(h.host)):
        pass
    assert taken == ["build-3"]


def test_r22_a_lock_file_that_knows_no_offer_is_no_state(tmp_path: Path) -> None:
    """Header only (an import that found nothing) or only marks: hidden offers stay unknown."""
    lock = LockFile(tmp_path / "catalogsync.lock", "production")
    lock.write([])
    assert lock.path.exists() and not load_index(tmp_path / "state.json", lock).has_state()
    lock.write([("offer-unconfirmed", "CUP", "import")])
    assert not load_index(tmp_path / "state.json", lock).has_state()
    lock.write([("shipping_rates", "Standard", "t-1")])
    assert load_index(tmp_path / "state.json", lock).has_state()
    lock.write([("offer", "MUG", "1"), ("offer-unconfirmed", "MUG", "import"),
                ("offer-unconfirmed", "CUP", "import")])
    index = load_index(tmp_path / "state.json", lock)
    assert index.has_state() and index.unconfirmed == {"CUP": "import"}  # MUG has an id now


def test_r20_a_forgotten_id_stays_forgotten_after_a_crash(tmp_path: Path) -> None:
    """A deleted draft's id is dropped at once; until the next snapshot the lock file still has
    its line, which must not bring it back."""
    lock = LockFile(tmp_path / "catalogsync.lock", "production")
    path = tmp_path / "state.json"
    index = load_index(path, lock)
    record_id(path, index, "offer", "DRAFT", "7")
    record_id(path, index, "offer", "KEPT", "8")
    save_index(path, index)
    forget_id(path, index, "offer", "DRAFT")  # ... and the run is killed here

    after_crash = load_index(path, lock)
    assert after_crash.offers == {"KEPT": "8"}
    save_index(path, after_crash)
    assert "DRAFT" not in lock.path.read_text()


def test_the_account_line_is_per_environment_and_survives_a_save(tmp_path: Path) -> None:
    path = tmp_path / "catalogsync.lock"
    path.write_text('production account "42" "shop-a"\nsandbox offer "A" "1"\n'
                    'sandbox account "7" "shop-sandbox"')  # no newline at the end
    assert LockFile(path, "production").account() == ("42", "shop-a")
    assert LockFile(path, "sandbox").account() == ("7", "shop-sandbox")
    assert LockFile(path, "local").account() is None
    index = load_index(tmp_path / "state.json", LockFile(path, "sandbox"))
    assert index.account == {"7": "shop-sandbox"} and index.offers == {"A": "1"}
    save_index(tmp_path / "state.json", index)
    assert 'sandbox account "7" "shop-sandbox"\n' in path.read_text()
    assert 'production account "42" "shop-a"\n' in path.read_text()


def test_a_lock_written_as_it_is_stays_untouched_even_with_windows_line_ends(
    tmp_path: Path,
) -> None:
    lock = LockFile(tmp_path / "catalogsync.lock", "sandbox")
    lock.write([("offer", "A", "1"), ("offer", "B", "2")])
    text = lock.path.read_text()
    lock.path.write_bytes(text.replace("\n", "\r\n").encode())
    before = lock.path.stat().st_mtime_ns
    lock.write([("offer", "B", "2"), ("offer", "A", "1")])
    assert lock.path.stat().st_mtime_ns == before  # the same lines: not rewritten
    lock.write([("offer", "A", "1")])
    assert lock.path.read_text() == text.replace('sandbox offer "B" "2"\n', "")
