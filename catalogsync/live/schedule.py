"""When the reading step last paged the whole offer list, and where its rotating check stands.

A plan on a quiet account (the event feed names few changes) reads only what the feed names
(live/quiet.py). What the feed cannot report is caught two ways: each plan reads a rotating
slice of the managed offers in detail (an edit to a draft's description shows only there),
and every `LIST_EVERY` the whole offer list is paged and every Allegro Prices query run again
(a draft's price or status, an offer ended or duplicated elsewhere). The file is small JSON
beside the live cache; a missing or damaged one means a list read now.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

#: The whole offer list is paged at least this often.
LIST_EVERY = timedelta(hours=6)
#: Each offer is read in detail at least once in this many plans ...
TURN = 100
#: ... unless that is more than this many offers a plan; then a turn takes longer.
ROTATE_MAX = 200


@dataclass
class ReadSchedule:
    #: when the offer list was last paged (None: never, or unknown)
    listed_at: datetime | None = None
    #: where the rotating check goes on (an index into the sorted managed offer ids)
    position: int = 0
    #: what the last list read counted, carried by the plans that do not page it
    listed: int = 0
    drafts: int = 0
    unmanaged: int = 0
    #: the last list read found offers sharing a managed external id: list again until gone
    duplicates: bool = False
    #: offers the event feed named while apply ran that the cache does not know (made on
    #: another machine?): the next plan reads them in detail
    strangers: list[str] = field(default_factory=list)

    def list_due(self, now: datetime) -> bool:
        return self.listed_at is None or now - self.listed_at >= LIST_EVERY

    def due_in(self, now: datetime) -> timedelta:
        return timedelta(0) if self.listed_at is None else self.listed_at + LIST_EVERY - now


def slice_size(offers: int) -> int:
    """How many offers the rotating check reads in one plan."""
    return min(offers, ROTATE_MAX, max(1, math.ceil(offers / TURN)))


def rotating_slice(ids: list[str], schedule: ReadSchedule) -> list[str]:
    """The next slice of `ids` (sorted) from the schedule's position, which moves past it."""
    if not ids:
        return []
    size = slice_size(len(ids))
    start = schedule.position % len(ids)
    chosen = [ids[(start + n) % len(ids)] for n in range(size)]
    schedule.position = (start + size) % len(ids)
    return chosen


def note_strangers(cache_path: Path, strangers: set[str]) -> None:
    """Offers the feed named during apply that the cache at `cache_path` does not know: the
    next plan reads them (the schedule lives beside the cache)."""
    if strangers:
        path = schedule_beside(cache_path)
        schedule = load_schedule(path)
        schedule.strangers = sorted({*schedule.strangers, *strangers})
        save_schedule(path, schedule)


def schedule_beside(cache_path: Path) -> Path:
    """`reads-<env>.json` beside the live cache `live-<env>.json`."""
    environment = cache_path.name.removeprefix("live-").split(".")[0]
    return cache_path.with_name(f"reads-{environment}.json")


def load_schedule(path: Path) -> ReadSchedule:
    try:
        data = json.loads(path.read_text())
        listed_at = data["listed_at"]
        return ReadSchedule(
            listed_at=datetime.fromisoformat(listed_at) if listed_at else None,
            position=int(data["position"]), listed=int(data["listed"]),
            drafts=int(data["drafts"]), unmanaged=int(data["unmanaged"]),
            duplicates=data["duplicates"] is True,
            strangers=[str(i) for i in data.get("strangers") or ()],
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return ReadSchedule()


def save_schedule(path: Path, schedule: ReadSchedule) -> None:
    data = asdict(schedule)
    data["listed_at"] = schedule.listed_at.isoformat() if schedule.listed_at else None
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".reads-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as out:
            out.write(json.dumps(data))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
