"""What a settled plan keeps so that the next can be narrowed to the files that changed
(runs/narrowed.py): which files declare offers only, and the state each file's offers had."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from catalogsync.catalog.discovery import SETTINGS_FILE
from catalogsync.catalog.models import Catalog
from catalogsync.live.state import LiveState
from catalogsync.state.index import StateIndex


def narrowing(catalog: Catalog, index: StateIndex, live: LiveState) -> dict[str, Any]:
    """What a settled plan keeps for a narrowed one: the files declaring offers only and
    their keys, a digest of the state index's records of each file's offers (and of the
    rest of it, under ""), how many offers the safety shares count, and whether anything
    spans offers (variant sets, renames): then a plan is whole."""
    offers, other = files_of(catalog)
    digests = {file: index_digest(index, keys) for file, keys in offers.items()}
    return {
        "files": {f: keys for f, keys in offers.items() if f not in other},
        "index": {**digests, "": index_digest(index, ())},
        "managed": len(live.offers) + len(live.removed),
        "whole": spanning(catalog),
    }


def index_digest(index: StateIndex, keys: Iterable[str]) -> str:
    """The state index's records of the offers `keys` (none: its records of no offer)."""
    data: list[Any] = [
        [k, index.offers.get(k), index.unconfirmed.get(k), index.forgotten.get(k),
         index.approved.get(k), index.applied.get(k),
         None if (mark := index.stock.offers.get(k)) is None else [mark.declared, mark.expected]]
        for k in sorted(keys)
    ] or [index.shipping_rates, index.images, index.attachments,
          {i: c.model_dump(mode="json") for i, c in index.commands.items()},
          index.stock.position.model_dump(mode="json"), index.feed, index.has_state()]
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def files_of(catalog: Catalog) -> tuple[dict[str, list[str]], set[str]]:
    """Each file's offer keys, in the catalog's order, and the files declaring anything else
    (`catalogsync.yaml` among them, whatever it declares)."""
    offers: dict[str, list[str]] = {}
    other: set[str] = set()
    for (section, key), where in catalog._origins.items():
        file = where.rsplit(":", 2)[0]
        if section == "offers" and Path(file).name != SETTINGS_FILE:
            offers.setdefault(file, []).append(key)
        else:
            other.add(file)
    return offers, other


def spanning(catalog: Catalog) -> bool:
    return bool(catalog.variant_sets) or any(o.moved_from for o in catalog.offers.values())
