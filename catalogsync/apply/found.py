"""Ids learned by reading: managed offers the state does not name yet go into it, and into
`catalogsync.lock`, the moment a run finds them.

An offer is found by its external id in the offer list when a run made it but was stopped
before writing its id down, or another machine made it. Until its id is committed, a clone
finds it only while it is listed: once the seller hides it (R22) it is in no list, and a
fresh clone would create it again."""

from __future__ import annotations

from pathlib import Path

from catalogsync.live.state import LiveState
from catalogsync.state.index import StateIndex, record_id


def record_found(index_path: Path, index: StateIndex, live: LiveState) -> list[str]:
    """Write the ids of the managed offers `live` found that the state lacks or names
    otherwise (an offer re-keyed by apply keeps its entry); the external ids written."""
    written = []
    for sku, offer in sorted(live.offers.items()):
        if not offer.rekey and index.offers.get(sku) != offer.id:
            record_id(index_path, index, "offer", sku, offer.id)
            written.append(sku)
    return written
