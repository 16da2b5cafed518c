"""The pacer's recent usage, kept between runs so that the next one starts where Allegro's
rate windows are (allegro/pacing.py)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def load_pacing(path: Path) -> dict[str, Any]:
    """The pacer's recent usage from the last run; anything unreadable counts as none."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_pacing(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".pacing-", suffix=".tmp")
    with os.fdopen(fd, "w") as out:
        json.dump(data, out)
    os.replace(tmp, path)
