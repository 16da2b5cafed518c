"""Files grown one line at a time and read back after a crash: the state index's journal and
the lock file. Each line reaches the operating system as soon as it is written (flushed), so a
process killed at any point loses nothing it recorded; the file stays open between lines,
since opening it (and making its folder) for each line cost more than the line itself.

A file that was deleted or replaced since it was opened (the index saved whole, the lock
file rewritten) is opened again by path before the next line.
"""

from __future__ import annotations

import atexit
import os
from pathlib import Path
from typing import TextIO

_open: dict[Path, TextIO] = {}


def append_line(path: Path, line: str, header: str = "") -> None:
    """Append `line` to `path` (made with `header` first if it does not exist) and flush."""
    out = _open.get(path)
    if out is not None and os.fstat(out.fileno()).st_nlink == 0:
        close(path)
        out = None
    if out is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        line = line if path.exists() else header + line
        out = _open[path] = path.open("a", encoding="utf-8")
    out.write(line)
    out.flush()


def close(path: Path) -> None:
    """Close `path` if it is open here (before it is replaced or deleted)."""
    out = _open.pop(path, None)
    if out is not None:
        out.close()


@atexit.register
def _close_all() -> None:
    for path in list(_open):
        close(path)
