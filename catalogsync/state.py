"""The state index: what apply learned about ids that the API cannot always show again.

Hidden offers are missing from the offer list (R22) and tables can be renamed but never
deleted (R4), so apply remembers external id -> offer id and table name -> table id.
The live API stays the source of truth; losing this file costs at most a warning.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from catalogsync.errors import ConfigError


class PendingCommand(BaseModel):
    """A batch command apply submitted and has not yet seen finish."""

    kind: str
    offers: list[str]


class StateIndex(BaseModel):
    offers: dict[str, str] = Field(default_factory=dict)
    shipping_rates: dict[str, str] = Field(default_factory=dict)
    #: command id -> command, written before the command is sent, removed once it settled:
    #: a run after a crash waits for these before it reads live state
    commands: dict[str, PendingCommand] = Field(default_factory=dict)


def load_index(path: Path) -> StateIndex:
    if not path.exists():
        return StateIndex()
    try:
        return StateIndex.model_validate_json(path.read_bytes())
    except (ValidationError, ValueError) as exc:
        raise ConfigError(
            f"{path}: state index is unreadable ({exc.__class__.__name__}); "
            "delete it and catalogsync will rebuild it from Allegro"
        ) from exc


def save_index(path: Path, index: StateIndex) -> None:
    """Write atomically, so a crash leaves either the old or the new index, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".state-", suffix=".tmp")
    with os.fdopen(fd, "w") as out:
        json.dump(index.model_dump(), out, indent=1, sort_keys=True)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
