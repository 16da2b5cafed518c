"""R23: an EAN may match several products; the offer's product parameters pick one. And what
a change of an offer's product takes: the whole product set, shown by name and EAN."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from catalogsync.allegro.gpsr_wire import GPSR_FIELDS
from catalogsync.catalog.models import Product
from catalogsync.live.state import ProductCandidate, ProductLabel
from catalogsync.plan.model import FieldDiff


@dataclass(frozen=True)
class Resolved:
    product: ProductCandidate | None
    problem: str | None = None


def resolve_product(product: Product, found: tuple[ProductCandidate, ...]) -> Resolved:
    """Pick exactly one product for `product`, or explain why not. A pinned id wins."""
    if product.id:
        if not found:
            return Resolved(None, f"no product with id {product.id}")
        return Resolved(found[0])
    wanted = {name: tuple(values) for name, values in product.parameters.items()}
    matching = [c for c in found if all(c.parameters.get(n) == v for n, v in wanted.items())]
    if len(matching) == 1:
        return Resolved(matching[0])
    if not found:
        return Resolved(None, f"no product in Allegro's catalogue has EAN {product.ean}")
    pool = matching or list(found)
    listing = "; ".join(_describe(c, _distinguishing(pool)) for c in pool)
    if not matching:
        return Resolved(
            None,
            f"no product with EAN {product.ean} has parameters {_format(wanted)}; "
            f"candidates: {listing}",
        )
    names = ", ".join(_distinguishing(pool)) or "none"
    return Resolved(
        None,
        f"EAN {product.ean} matches {len(pool)} products: {listing}. "
        f"Add product.parameters to choose one (they differ in: {names}) or pin product.id",
    )


def _distinguishing(candidates: list[ProductCandidate]) -> list[str]:
    names = sorted({n for c in candidates for n in c.parameters})
    return [n for n in names if len({c.parameters.get(n) for c in candidates}) > 1]


def _describe(candidate: ProductCandidate, names: list[str]) -> str:
    shown = {n: candidate.parameters.get(n, ()) for n in names}
    return f"{candidate.id} ({candidate.name}{', ' + _format(shown) if shown else ''})"


def _format(parameters: dict[str, tuple[str, ...]]) -> str:
    return ", ".join(f"{n}={'/'.join(v) or '-'}" for n, v in parameters.items())


def product_set(sent: dict[str, Any], fields: dict[str, Any], current: Mapping[str, Any],
                ignored: frozenset[str]) -> None:
    """A new product in `sent` replaces the offer's product set whole, and Allegro keeps no GPSR
    data of the old product: send the producer, person and safety information with it, as the
    catalog sets them (unless ignored) or else as the offer has them."""
    if "product" not in sent:
        return
    for name in sorted(GPSR_FIELDS):
        value = current.get(name) if name in ignored else fields.get(name, current.get(name))
        if value is not None:
            sent.setdefault(name, value)


def product_change(
    diff: FieldDiff, labels: dict[str, ProductLabel], new: ProductCandidate | None
) -> tuple[FieldDiff, str | None]:
    """The product diff by name and EAN (ids where a product could not be read), and a warning
    when the new product is in another category than the offer's product so far."""
    old_label, new_label = labels.get(str(diff.old)), labels.get(str(diff.new))
    shown = FieldDiff(
        field=diff.field,
        old=str(old_label) if old_label else diff.old,
        new=str(new_label) if new_label else diff.new,
    )
    moved = new is not None and old_label is not None and new.category != old_label.category
    if not moved or new is None or old_label is None:
        return shown, None
    return shown, (
        f"the new product {new_label or new.name} is in category {new.category}, the offer's "
        f"product so far ({old_label}) in {old_label.category}: the offer moves to category "
        f"{new.category}; check that its parameters fit there"
    )
