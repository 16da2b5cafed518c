"""The state index file and batch-command helpers, with plain values."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogsync.apply.batching import chunks, command_id
from catalogsync.errors import ConfigError
from catalogsync.state.index import (
    PendingCommand,
    StateIndex,
    forget_command,
    load_index,
    record_command,
    record_id,
    save_index,
)

#: the store (state.sqlite3) and SQLite's write-ahead log beside it
STORE_FILES = {"state.sqlite3", "state.sqlite3-wal", "state.sqlite3-shm"}


def test_index_round_trips_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    save_index(path, StateIndex(offers={"MUG-1": "123"}, shipping_rates={"Standard": "t-1"}))
    assert load_index(path) == StateIndex(
        offers={"MUG-1": "123"}, shipping_rates={"Standard": "t-1"}
    )
    assert {p.name for p in tmp_path.iterdir()} - STORE_FILES == set()


def test_missing_index_is_empty(tmp_path: Path) -> None:
    assert load_index(tmp_path / "absent.json") == StateIndex()


def test_broken_index_says_how_to_recover(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="delete it"):
        load_index(path)


def test_r14_commands_carry_at_most_1000_offers() -> None:
    sizes = [len(c) for c in chunks([str(i) for i in range(2501)])]
    assert sizes == [1000, 1000, 501]


def test_command_ids_are_stable_for_the_same_plan_and_offers() -> None:
    first = command_id("fp", "ACTIVATE", ["1", "2"])
    assert first == command_id("fp", "ACTIVATE", ["1", "2"])
    assert first != command_id("fp", "ACTIVATE", ["1", "3"])
    assert first != command_id("fp2", "ACTIVATE", ["1", "2"])


def test_recorded_ids_survive_a_crash_before_the_next_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    index = StateIndex(offers={"A": "1"})
    save_index(path, index)
    record_id(path, index, "offer", "B", "2")
    record_id(path, index, "shipping_rates", "Standard", "t-1")
    # no save_index: the process died here
    assert load_index(path) == StateIndex(
        offers={"A": "1", "B": "2"}, shipping_rates={"Standard": "t-1"}
    )
    save_index(path, load_index(path))
    assert {p.name for p in tmp_path.iterdir()} - STORE_FILES == set()


def test_a_pending_command_is_journalled_and_forgotten_once_settled(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    index = StateIndex()
    record_command(
        path, index, "c-1", PendingCommand(kind="offer-price-change-commands", offers=["1"])
    )
    assert load_index(path).commands["c-1"].offers == ["1"]  # survives a crash here
    forget_command(path, index, "c-1")
    assert load_index(path).commands == {} == index.commands
