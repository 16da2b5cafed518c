"""What an import saw of offers the catalog already manages, and why it imported nothing.

An import into an existing catalog skips the offers the catalog has; it still records their
ids, so that the state knows every offer the import saw (an offer hidden on allegro.pl, read by
`--offer-id`, is found again only by that id, R22). An import that found nothing writes no
state, and a lock file with no ids counts as none (`StateIndex.has_state`); where the catalog
had no state, the offers the import did not find keep the guard (`StateIndex.unconfirmed`).
"""

from __future__ import annotations

from typing import Any

from catalogsync.adopt.account import Account, Selection
from catalogsync.live.fetch import external_id, status_of
from catalogsync.state.index import StateIndex


def managed_ids(
    account: Account, managed: set[str], known: dict[str, str]
) -> tuple[dict[str, str], list[str]]:
    """(external id -> offer id to record, notes): the offers the import saw (listed, or read by
    id) that the catalog manages and the state does not know yet. Of several offers with one
    external id only a single offer not ended is recorded; otherwise a note says which to
    import by id."""
    found: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for offer_id, doc in {**account.listed, **account.offers}.items():
        sku = external_id(doc)
        if sku in managed and sku not in known:
            found.setdefault(sku, []).append((offer_id, doc))
    ids: dict[str, str] = {}
    notes = []
    for sku, offers in sorted(found.items()):
        open_ = [i for i, doc in offers if status_of(doc) != "ENDED"]
        if len(open_) == 1:
            ids[sku] = open_[0]
        else:
            notes.append(
                f"{sku}: {len(offers)} offers on the account have this external id "
                f"({', '.join(i for i, _ in offers)}), {len(open_)} of them not ended; none "
                "was recorded: import the one the catalog means with --offer-id"
            )
    return ids, notes


def record(index: StateIndex, managed: set[str], offers: dict[str, str], tables: dict[str, str]
           ) -> bool:
    """Write the ids an import found into `index`; whether there was any (if not, the index is
    not saved: an import that found nothing leaves no state behind). Where the catalog had no
    state, its offers still unknown are marked unconfirmed: their creates wait (R22)."""
    if not offers and not tables:
        return False
    guarded = not index.has_state()
    index.offers.update(offers)
    index.shipping_rates.update(tables)
    if guarded:
        index.unconfirmed.update(dict.fromkeys(managed - set(index.offers), "import"))
    index.unconfirmed = {k: v for k, v in index.unconfirmed.items() if k not in index.offers}
    return True


def nothing_imported(account: Account, selection: Selection, recorded: int) -> str:
    """Why an import wrote no offer, and what it recorded all the same."""
    missing = sorted(selection.offer_ids - set(account.offers))
    if missing:
        why = f"offer {', '.join(missing)} was not found on the account (or is not this seller's)"
    elif account.offers:
        why = f"the {len(account.offers)} offers it read are already in the catalog"
    elif selection == Selection():
        why = ("the account lists no offers; an offer hidden on allegro.pl is in no list (R22): "
               "import it by its id with --offer-id")
    else:
        why = "no offer on the account matches the selection"
    if recorded:
        why += f"; the ids of {recorded} offers of the catalog are recorded in catalogsync.lock"
    return why


def unseen(missing: set[str]) -> list[str]:
    """A note on the catalog's offers that neither the state nor the import found (in the
    account's offer list, which an import reads whole, or by id)."""
    if not missing:
        return []
    ordered = sorted(missing)
    shown = ", ".join(ordered[:5]) + (f" and {len(ordered) - 5} more" if len(ordered) > 5 else "")
    return [f"{len(ordered)} offers of the catalog were not found on the account ({shown}): an "
            "offer hidden on allegro.pl is in no list (R22); import it by its id with "
            "--offer-id, or the next plan creates it (only with --allow-create-without-state "
            "where the catalog had no state)"]
