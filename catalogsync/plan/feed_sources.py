"""What the feeds add to a plan once it is made: each changed field a feed gave names its
source (`feeds/erp.csv:1234`), rows for keys the catalog does not have are reported, a feed
that shrank past `safety.max_feed_shrink` blocks the plan, and `--only-feeds` keeps only the
fields the feeds give.

Pure: no I/O (the feeds were read before; `sources` maps external id -> field -> source).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from catalogsync.catalog.models import OFFER_FIELDS, Catalog
from catalogsync.plan.model import (
    Action,
    Change,
    Diagnostic,
    FieldDiff,
    Plan,
    Resource,
    Severity,
)
from catalogsync.wording import plural

Source = Callable[[str, str], str | None]
#: Offer fields --only-feeds leaves managed besides the feeds' own: a restock brings a
#: sold-out offer back (its status)
_ALSO_ONLY_FEEDS = frozenset({"status"})


def only_feed_fields(catalog: Catalog, fields: dict[str, Iterable[str]]) -> Catalog:
    """The catalog as `--only-feeds` plans it: every field of the offers feeds reach but
    theirs ignored (`fields`: external id -> the feed fields it gets); the run targets only
    those offers, so nothing else is planned."""
    offers = dict(catalog.offers)
    for sku, names in fields.items():
        kept = {"marketplaces" if n not in ("price", "stock") else n for n in names}
        ignored = tuple(f for f in OFFER_FIELDS if f not in kept | _ALSO_ONLY_FEEDS)
        offers[sku] = replace(offers[sku], ignore_fields=ignored)
    return catalog.model_copy(update={"offers": offers})


def with_sources(plan: Plan, source: Source, extra: list[Diagnostic], only_feeds: bool) -> Plan:
    """The plan with each feed-given field's source, `extra` diagnostics (unknown keys, a
    shrunk feed), and under `only_feeds` only updates of offers (the next full apply makes
    the rest)."""
    changes: list[Change] = []
    skipped = 0
    for change in plan.changes:
        if only_feeds and change.resource is not Resource.OFFER:
            continue  # e.g. a GPSR producer the offers name: the YAML's, not a feed's
        if only_feeds and change.action is Action.CREATE:
            skipped += 1
            continue
        if change.resource is Resource.OFFER and change.action is Action.UPDATE:
            diffs = tuple(
                d if d.source is not None
                else d.model_copy(update={"source": _field_source(source, change.key, d)})
                for d in change.diffs)
            change = change.model_copy(update={"diffs": diffs})
        changes.append(change)
    diagnostics = [*plan.diagnostics, *extra]
    if skipped:
        diagnostics.append(Diagnostic(
            severity=Severity.NOTE, subject="feeds", message=(
                f"{plural(skipped, 'offer')} of the feeds not on Allegro yet: --only-feeds "
                "creates none; a full apply does")))
    return plan.model_copy(update={"changes": tuple(changes), "diagnostics": tuple(diagnostics)})


def _field_source(source: Source, sku: str, diff: FieldDiff) -> str | None:
    if diff.field != "marketplaces":
        return source(sku, diff.field)
    new = diff.new if isinstance(diff.new, dict) else {}
    old = diff.old if isinstance(diff.old, dict) else {}
    changed = sorted(n for n in new if new[n] != old.get(n))  # the marketplaces that moved
    found = [s for s in (source(sku, n) for n in changed) if s]
    return ", ".join(found) or None
