"""The validated catalog's offers as lean records: slotted, frozen dataclasses.

`models.OfferSpec` (pydantic) validates what the YAML says; each offer is then kept as an
`Offer` record. A pydantic instance carries a `__dict__` and a set of the fields given,
which nothing uses and which cost three quarters of a loaded offer. Values that repeat
across offers (products, parameter maps, prices, shared description items, image URLs) are
shared through small bounded caches.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from catalogsync.catalog.models import AfterSales, Location, OfferSpec, Status

H = TypeVar("H", bound=Hashable)
_CACHE = 4096


@dataclass(frozen=True, slots=True)
class Product:
    """The catalogue product an offer sells: by EAN (GTIN) or by Allegro product id."""

    ean: str | None = None
    id: str | None = None
    parameters: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TextItem:
    text: str


@dataclass(frozen=True, slots=True)
class ImageItem:
    image: str


DescriptionItem = TextItem | ImageItem


@dataclass(frozen=True, slots=True)
class Offer:
    """One offer, keyed in the catalog by its external id (see `models.OfferSpec`)."""

    name: str | None = None
    product: Product | None = None
    category: str | None = None
    parameters: dict[str, tuple[str, ...]] | None = None
    price: Decimal | None = None
    currency: str | None = None
    stock: int | None = None
    images: tuple[str, ...] | None = None
    description: tuple[tuple[DescriptionItem, ...], ...] | None = None
    shipping_rates: str | None = None
    handling_time: str | None = None
    location: Location | None = None
    invoice: str | None = None
    after_sales: AfterSales | None = None
    status: Status | None = None
    scheduled_for: datetime | None = None
    ignore_fields: tuple[str, ...] = ()
    allow_campaign_price_change: bool = False


@lru_cache(maxsize=_CACHE)
def _shared(value: H) -> H:
    """The first of equal values seen lately, so that repeats cost nothing."""
    return value


@lru_cache(maxsize=_CACHE)
def _parameters(items: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, tuple[str, ...]]:
    return dict(items)  # shared between offers: never mutated


@lru_cache(maxsize=_CACHE)
def _product(
    ean: str | None, id_: str | None, items: tuple[tuple[str, tuple[str, ...]], ...]
) -> Product:
    return Product(ean=ean, id=id_, parameters=_parameters(items))


@lru_cache(maxsize=_CACHE)
def _text(text: str) -> TextItem:
    return TextItem(text)


@lru_cache(maxsize=_CACHE)
def _image(url: str) -> ImageItem:
    return ImageItem(_shared(url))


def _item(item: Any) -> DescriptionItem:
    return _image(item.image) if hasattr(item, "image") else _text(item.text)


def lean_offer(spec: OfferSpec) -> Offer:
    """The record of a validated offer."""
    product = spec.product
    return Offer(
        name=spec.name,
        product=None
        if product is None
        else _product(product.ean, product.id, tuple(product.parameters.items())),
        category=spec.category,
        parameters=None if spec.parameters is None else _parameters(tuple(spec.parameters.items())),
        price=None if spec.price is None else _shared(spec.price),
        currency=spec.currency,
        stock=spec.stock,
        images=None if spec.images is None else tuple(_shared(i) for i in spec.images),
        description=None
        if spec.description is None
        else tuple(tuple(_item(i) for i in section) for section in spec.description),
        shipping_rates=spec.shipping_rates,
        handling_time=spec.handling_time,
        location=spec.location,
        invoice=spec.invoice,
        after_sales=spec.after_sales,
        status=spec.status,
        scheduled_for=spec.scheduled_for,
        ignore_fields=spec.ignore_fields,
        allow_campaign_price_change=spec.allow_campaign_price_change,
    )
