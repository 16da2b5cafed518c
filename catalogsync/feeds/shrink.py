"""A feed that lost most of its rows since the last run is taken for a truncated export (a
disk full while the ERP wrote it, a timeout half-way): it blocks the plan like the safety
shares do, until a run with `--allow-feed-shrink` accepts the new size.

The row count of each feed is remembered in the git-ignored `.catalogsync/feeds-<env>.json`
once a plan has been made on it (a fresh clone starts without it: no check on the first run).
"""

from __future__ import annotations

import json
from pathlib import Path

from catalogsync.feeds.load import FeedValues
from catalogsync.wording import plural


def shrink_problems(values: FeedValues, path: Path, max_shrink: float) -> list[str]:
    """Why the feeds look truncated against the counts remembered at `path` (empty: they do
    not)."""
    before = _counts(path)
    problems = []
    for read in values.feeds:
        last = before.get(read.spec.name)
        if last and read.loaded and read.rows < last * (1 - max_shrink):
            gone = 1 - read.rows / last
            problems.append(
                f"feed {read.spec.name} has {plural(read.rows, 'row')}, {gone:.0%} fewer than "
                f"the {last} of the last run (safety.max_feed_shrink: {max_shrink:.0%}): a "
                "truncated export? Pass --allow-feed-shrink if the feed is meant to be smaller")
    return problems


def remember_counts(values: FeedValues, path: Path) -> None:
    counts = _counts(path)
    counts.update({r.spec.name: r.rows for r in values.feeds if r.loaded})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(counts, indent=1, sort_keys=True))


def _counts(path: Path) -> dict[str, int]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, int) and not isinstance(v, bool)}
