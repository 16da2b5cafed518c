"""R23: an EAN may match several products; the offer's product parameters pick one."""

from __future__ import annotations

from dataclasses import dataclass

from catalogsync.catalog.models import Product
from catalogsync.live.state import ProductCandidate


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
