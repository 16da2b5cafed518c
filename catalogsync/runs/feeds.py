"""What plan and apply do about the catalog's feeds (catalogsync.yaml `feeds:`): read them
(URL feeds fetched into `.catalogsync/feeds/`), lay their values over the catalog, count the
units sold since a feed's stock was counted, and finish the plan with the feeds' sources,
unknown keys and the shrink check. Imported by runs/plan_apply.py only, and doing nothing for
a catalog without feeds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from catalogsync.allegro.client import AllegroClient
from catalogsync.catalog.models import Catalog
from catalogsync.config import work_dir
from catalogsync.feeds.fetch import fetch_feed
from catalogsync.feeds.load import FeedValues, read_feeds, with_feed_values
from catalogsync.feeds.shrink import remember_counts, shrink_problems
from catalogsync.live.feed_sales import with_feed_stock
from catalogsync.live.state import LiveState
from catalogsync.plan.feed_sources import only_feed_fields, with_sources
from catalogsync.plan.model import Diagnostic, Plan, Severity
from catalogsync.plan.options import Options
from catalogsync.state.index import StateIndex
from catalogsync.wording import plural, shown

#: A target no catalog key can be (`--only-feeds` when no feed reaches an offer).
NOTHING = "\x00"


@dataclass
class Feeds:
    values: FeedValues
    directory: Path
    environment: str


def prepare(directory: Path, catalog: Catalog, options: Options
            ) -> tuple[Catalog, Options, Feeds | None]:
    """The catalog with the feeds' values, the options (--only-feeds narrows the targets),
    and the feeds read (None: the catalog has none)."""
    if not catalog.settings.feeds:
        return catalog, options, None
    folder = work_dir(directory) / "feeds"
    fetched = {i: fetch_feed(spec, folder) for i, spec in enumerate(catalog.settings.feeds)
               if spec.url is not None}
    values = read_feeds(directory, catalog, fetched)
    catalog = with_feed_values(catalog, values)
    if options.only_feeds:
        reached = set(values.values)
        if options.targets:
            reached &= options.targets
        catalog = only_feed_fields(catalog, {s: values.fields(s) for s in reached})
        options = replace(options, targets=frozenset(reached or {NOTHING}), prune=False)
    return catalog, options, Feeds(values, directory, catalog.settings.environment.value)


async def with_sales(client: AllegroClient, live: LiveState, feeds: Feeds | None,
                     index: StateIndex) -> LiveState:
    if feeds is None:
        return live
    return await with_feed_stock(client, live, feeds.values, index.stock.position)


def finish(plan: Plan, feeds: Feeds | None, catalog: Catalog, options: Options) -> Plan:
    """The plan with the feeds' sources and diagnostics; the feeds' row counts are remembered
    unless their shrinking blocks the plan."""
    if feeds is None:
        return plan
    extra = [
        Diagnostic(severity=Severity.WARNING, subject=f"feed {read.spec.name}", message=(
            f"{plural(read.unknown_count, 'row')} for offers the catalog does not have, not "
            f"created: " + ", ".join(f"{shown(k)} (line {n})" for k, n in read.unknown)
            + (", …" if read.unknown_count > len(read.unknown) else "")))
        for read in feeds.values.feeds if read.unknown_count
    ]
    counts = work_dir(feeds.directory) / f"feeds-{feeds.environment}.json"
    shrunk = shrink_problems(feeds.values, counts, catalog.settings.safety.max_feed_shrink)
    severity = Severity.WARNING if options.allow_feed_shrink else Severity.ERROR
    extra += [Diagnostic(severity=severity, subject="feeds", message=m) for m in shrunk]
    if not shrunk or options.allow_feed_shrink:
        remember_counts(feeds.values, counts)
    return with_sources(plan, feeds.values.source, extra, options.only_feeds)
