"""What a run may do beyond the catalog's own settings; its own module so the command line
builds it without importing the planner."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    """What a run may do beyond the catalog's own settings (command-line flags)."""

    #: only these offer external ids / table names (empty: everything)
    targets: frozenset[str] = frozenset()
    #: end or delete offers removed from the catalog (None: as `prune:` in catalogsync.yaml)
    prune: bool | None = None
    #: R26 for every offer of this run
    allow_campaign_price_change: bool = False
    #: lift the safety shares and the price-jump guard
    allow_mass_change: bool = False
    allow_price_jumps: bool = False
    #: create offers although no state exists for an account that already has offers
    allow_create_without_state: bool = False
    #: only the fields feeds give (catalogsync.yaml `feeds:`), for a scheduled job
    only_feeds: bool = False
    #: accept a feed that shrank past safety.max_feed_shrink
    allow_feed_shrink: bool = False
    #: read every offer again, whatever the live cache and the event feed say
    refresh: bool = False
