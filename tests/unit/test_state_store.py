"""The state index's store: written by the record, migrated from the JSON working copy of older
versions, whole after a killed writer, shared by two processes, and a clear message when broken."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from catalogsync.errors import ConfigError
from catalogsync.state import recordstore
from catalogsync.state.index import (
    PendingCommand,
    StateIndex,
    StockMark,
    forget_command,
    load_index,
    lock_written_once,
    record_command,
    save_index,
    store_path,
)
from catalogsync.state.lockfile import LockFile

ROOT = Path(__file__).resolve().parents[2]


def written(monkeypatch: pytest.MonkeyPatch) -> list[recordstore.Change]:
    """Every record the store is asked to write from now on."""
    changes: list[recordstore.Change] = []
    real = recordstore.write

    def write(path: Path, given: Any, **kwargs: Any) -> bool:
        given = list(given)
        changes.extend(given)
        return real(path, given, **kwargs)

    monkeypatch.setattr(recordstore, "write", write)
    return changes


def big_index(offers: int) -> StateIndex:
    return StateIndex(
        offers={f"SKU-{n}": str(10**9 + n) for n in range(offers)},
        applied={f"SKU-{n}": {"price": "ab12cd34", "name": "0f0f0f0f"} for n in range(offers)},
        stock={"offers": {f"SKU-{n}": StockMark(declared=5, expected=5) for n in range(offers)}},
    )


def test_a_save_writes_only_the_records_that_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.json"
    save_index(path, big_index(2000))
    index = load_index(path)
    changes = written(monkeypatch)

    index.offers["SKU-NEW"] = "42"
    del index.offers["SKU-7"]
    index.applied = {**index.applied, "SKU-3": {"price": "ffffffff"}}
    index.stock.offers["SKU-9"] = StockMark(declared=5, expected=2)
    save_index(path, index)

    assert sorted(changes) == [
        ("applied", "SKU-3", '{"price":"ffffffff"}'),
        ("offer", "SKU-7", None),
        ("offer", "SKU-NEW", "42"),
        ("stock", "SKU-9", "[5, 2]"),
    ]
    assert load_index(path) == index
    changes.clear()
    save_index(path, index)
    assert changes == []  # nothing changed, nothing written


def test_settling_a_pending_command_writes_its_record_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.json"
    index = big_index(2000)
    save_index(path, index)
    record_command(path, index, "c-1", PendingCommand(kind="offer-price-change-commands",
                                                      offers=["1"]))
    changes = written(monkeypatch)

    forget_command(path, load_index(path), "c-1")

    assert changes == [("command", "c-1", None)]
    assert load_index(path).commands == {}


def legacy_state(path: Path) -> StateIndex:
    """A JSON snapshot and a journal as the previous version wrote them."""
    snapshot = StateIndex(offers={"A": "1", "GONE": "9"}, shipping_rates={"Standard": "t-1"},
                          applied={"A": {"price": "12345678"}}, feed='{"cursor":"e-1"}',
                          account={"1000001": "demo"})
    path.write_text(json.dumps(snapshot.model_dump()))
    journal = [
        {"kind": "offer", "key": "B", "id": "2"},
        {"kind": "command", "key": "c-1",
         "command": {"kind": "offer-publication-commands", "offers": ["2"]}},
        {"kind": "stock-mark", "key": "B", "mark": {"declared": 4, "expected": 3}},
        {"kind": "forget", "section": "offer", "key": "GONE"},
    ]
    path.with_suffix(".journal").write_text("".join(json.dumps(e) + "\n" for e in journal))
    return StateIndex(
        offers={"A": "1", "B": "2"}, shipping_rates={"Standard": "t-1"},
        commands={"c-1": PendingCommand(kind="offer-publication-commands", offers=["2"])},
        stock={"offers": {"B": StockMark(declared=4, expected=3)}},
        applied={"A": {"price": "12345678"}}, feed='{"cursor":"e-1"}',
        account={"1000001": "demo"},
    )


def test_the_json_working_copy_of_older_versions_migrates_losslessly(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    expected = legacy_state(path)
    lock = LockFile(tmp_path / "catalogsync.lock", "production")
    lock.path.write_text('production offer "GONE" "9"\n')  # forgotten: not brought back

    migrated = load_index(path, lock)

    assert migrated == expected
    assert migrated.has_state()
    assert not path.exists() and not path.with_suffix(".journal").exists()
    assert store_path(path).exists()
    assert load_index(path, lock) == expected  # from the store alone now


def test_a_crash_mid_migration_leaves_the_old_files_usable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.json"
    expected = legacy_state(path)

    def crash(*_: object) -> None:
        raise KeyboardInterrupt  # killed before the store took its name

    with monkeypatch.context() as patch:
        patch.setattr(recordstore.os, "replace", crash)
        with pytest.raises(KeyboardInterrupt):
            load_index(path)
    assert path.exists() and path.with_suffix(".journal").exists()
    assert not store_path(path).exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []

    assert load_index(path) == expected


def test_a_broken_store_says_which_file_and_how_to_recover(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    store_path(path).write_bytes(b"this is not a database, " * 100)
    with pytest.raises(ConfigError, match=r"state.sqlite3: state index is unreadable .*delete it"):
        load_index(path)


def test_a_lock_file_is_written_once_however_often_a_run_saves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.json"
    lock = LockFile(tmp_path / "catalogsync.lock", "production")
    writes = []
    real = LockFile.write
    monkeypatch.setattr(LockFile, "write", lambda self, e: (writes.append(1), real(self, e)))

    with lock_written_once(path, load_index(path, lock)) as index:
        for n in range(3):
            index.offers[f"S-{n}"] = str(n)
            save_index(path, index)
        assert writes == []
    assert len(writes) == 1
    assert load_index(tmp_path / "other.json", lock).offers == {"S-0": "0", "S-1": "1", "S-2": "2"}

    before = lock.path.stat()
    save_index(path, index)  # nothing changed: the file is left as it is
    assert lock.path.stat().st_mtime_ns == before.st_mtime_ns
    assert lock.path.stat().st_ino == before.st_ino


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from catalogsync.state.index import load_index, record_id, save_index

    path, name, batches = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    index = load_index(path)
    for batch in range(batches):
        index.offers.update({f"{name}-{batch}-{n}": str(n) for n in range(200)})
        save_index(path, index)  # one transaction of 200 records
        record_id(path, index, "image", f"{name}-{batch}", "url")  # and one of its own
        print(batch, flush=True)
""")


def writer(path: Path, name: str, batches: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, str(batches)],
                            stdout=subprocess.PIPE, text=True, env=env)


def test_a_writer_killed_mid_write_leaves_each_transaction_whole(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    process = writer(path, "w", 10**6)
    assert process.stdout is not None
    for _ in range(5):
        process.stdout.readline()
    time.sleep(0.05)  # somewhere in the middle of a later batch
    process.send_signal(signal.SIGKILL)
    process.wait()

    offers = load_index(path).offers
    batches: dict[str, int] = {}
    for key in offers:
        batch = key.rsplit("-", 1)[0]
        batches[batch] = batches.get(batch, 0) + 1
    assert len(batches) >= 5
    assert set(batches.values()) == {200}  # no batch half written


def test_two_processes_writing_at_once_lose_none_of_each_others_records(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    save_index(path, StateIndex(offers={"FIRST": "1"}))
    processes = [writer(path, name, 15) for name in ("a", "b")]
    for process in processes:
        assert process.wait(timeout=120) == 0

    index = load_index(path)

    assert len(index.offers) == 1 + 2 * 15 * 200
    assert len(index.images) == 2 * 15


def test_a_store_another_process_keeps_locked_is_named_busy_not_broken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    path = tmp_path / "state.json"
    index = StateIndex(offers={"A": "1"})
    save_index(path, index)
    recordstore.close(store_path(path))
    monkeypatch.setattr(recordstore, "BUSY_SECONDS", 0.1)
    other = sqlite3.connect(store_path(path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # a writer that does not finish
    try:
        index.offers["B"] = "2"
        with pytest.raises(ConfigError, match="another process has kept the state index locked"):
            save_index(path, index)
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_state_loaded_under_its_lock_file_writes_nothing_when_nothing_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.json"
    lock = LockFile(tmp_path / "catalogsync.lock", "production")
    index = load_index(path, lock)
    index.offers, index.applied = {"Ł-1": "1"}, {"Ł-1": {"parameters.Długość": "0abc1234"}}
    index.stock.offers = {"Ł-1": StockMark(declared=3, expected=2)}
    save_index(path, index)
    changes = written(monkeypatch)

    again = load_index(path, lock)
    save_index(path, again)

    assert changes == []
    assert again == index


def test_every_write_leaves_a_new_stamp_and_reads_leave_it(tmp_path: Path) -> None:
    """What a settled plan compares (runs/settled.py): any write, by any process, moves it."""
    store = tmp_path / "s.sqlite3"
    assert recordstore.stamp(store) is None
    recordstore.write(store, [("offer", "A", "1")])
    first = recordstore.stamp(store)
    assert first is not None
    list(recordstore.read(store))
    assert recordstore.some(store, "offer", ["A", "B"]) == {"A": "1"}
    assert recordstore.stamp(store) == first
    recordstore.write(store, [])  # nothing to write: nothing written
    assert recordstore.stamp(store) == first
    recordstore.write(store, [("offer", "A", None)])
    second = recordstore.stamp(store)
    assert second not in (None, first)
    recordstore.replace(store, [("offer", "B", "2")])
    assert recordstore.stamp(store) not in (first, second)
    made = tmp_path / "made.sqlite3"
    recordstore.create(made, [("offer", "C", "3")])
    assert recordstore.stamp(made) is not None


def test_some_reads_many_keys_of_one_section_in_the_order_asked(tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite3"
    recordstore.write(store, [("offer", f"K{n:04d}", str(n)) for n in range(1200)]
                      + [("stock", "K0001", "other section")])
    asked = [f"K{n:04d}" for n in range(1299, -1, -3)]  # past several batches, some absent
    found = recordstore.some(store, "offer", [*asked, asked[0]])
    assert list(found) == [k for k in asked if int(k[1:]) < 1200]
    assert all(found[k] == str(int(k[1:])) for k in found)
    assert recordstore.some(store, "stock", ["K0001", "K0002"]) == {"K0001": "other section"}
    assert recordstore.some(store, "offer", []) == {}
