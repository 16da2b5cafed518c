"""`--target KEY`: an offer external id, a table or a variant-set name, or a glob of them.

Every key must name something the catalog declares (or an offer it used to manage, for
`--prune`): a typo is an error with suggestions, never a quiet "No changes".
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from fnmatch import fnmatchcase

import click

from catalogsync.catalog.models import Catalog
from catalogsync.wording import plural

_GLOB = frozenset("*?[")
_SHOWN = 5


def known_keys(catalog: Catalog, removed_offers: Iterable[str] = ()) -> set[str]:
    """What --target may name: every key of the catalog, and offers removed from it."""
    return {
        *catalog.offers,
        *catalog.shipping_rates,
        *catalog.variant_sets,
        *removed_offers,
    }


def resolve(patterns: Iterable[str], known: set[str]) -> tuple[frozenset[str], list[str]]:
    """The keys `patterns` name, and one line per glob saying what it matched.

    Raises click.BadParameter for a key the catalog does not have or a glob matching nothing.
    """
    chosen: set[str] = set()
    notes: list[str] = []
    for pattern in patterns:
        if _GLOB & set(pattern):
            matches = sorted(k for k in known if fnmatchcase(k, pattern))
            if not matches:
                raise click.BadParameter(f"{pattern!r} matches nothing in the catalog",
                                         param_hint="--target")
            shown = ", ".join(matches[:_SHOWN]) + (" …" if len(matches) > _SHOWN else "")
            notes.append(f"--target {pattern!r} matches {plural(len(matches), 'key')}: {shown}")
            chosen.update(matches)
        elif pattern in known:
            chosen.add(pattern)
        else:
            close = difflib.get_close_matches(pattern, sorted(known), n=3, cutoff=0.6)
            hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
            raise click.BadParameter(
                f"{pattern!r} is not an offer, table or variant set of the catalog{hint}",
                param_hint="--target",
            )
    return frozenset(chosen), notes
