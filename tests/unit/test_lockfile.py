"""catalogsync.lock: sorted, one line per resource, merge-friendly, other environments kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogsync.errors import ConfigError
from catalogsync.lockfile import LockFile
from catalogsync.state import StateIndex, load_index, record_id, save_index


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
