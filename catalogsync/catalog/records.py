"""The validated catalog's offers as lean records: slotted, frozen dataclasses.

`models.OfferSpec` (pydantic) validates what the YAML says; each offer is then kept as an
`Offer` record. A pydantic instance carries a `__dict__` and a set of the fields given,
which nothing uses and which cost three quarters of a loaded offer. Values that repeat
across offers (products, parameter maps, prices, shared description items, image URLs) are
shared through small bounded caches.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

from catalogsync.catalog.values import AfterSales, Location, Status

H = TypeVar("H", bound=Hashable)
_CACHE = 4096


def _rebuilt(record: Any) -> tuple[type, tuple[Any, ...]]:
    """A record pickled as its fields in order, so that unpickling calls its class: the
    `__setstate__` of a frozen dataclass looks its fields up again for every record, which
    cost a warm load (catalog/load_cache.py) two thirds of its time."""
    return type(record), tuple(getattr(record, name) for name in record.__slots__)


@dataclass(frozen=True, slots=True)
class Product:
    """The catalogue product an offer sells: by EAN (GTIN) or by Allegro product id."""

    __reduce__ = _rebuilt

    ean: str | None = None
    id: str | None = None
    parameters: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TextItem:
    __reduce__ = _rebuilt
    text: str


@dataclass(frozen=True, slots=True)
class ImageItem:
    __reduce__ = _rebuilt
    image: str


DescriptionItem = TextItem | ImageItem


@dataclass(frozen=True, slots=True)
class Offer:
    """One offer, keyed in the catalog by its external id (see `models.OfferSpec`)."""

    __reduce__ = _rebuilt

    name: str | None = None
    product: Product | None = None
    category: str | None = None
    parameters: dict[str, Any] | None = None  # values: a tuple, or a range (models)
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
    drift_wins: Mapping[str, str] = field(default_factory=dict)
    allow_campaign_price_change: bool = False
    #: GPSR (catalog/gpsr.py) and additional marketplaces, as `models.OfferSpec` gives them
    responsible_producer: str | None = None
    responsible_person: str | None = None
    safety_information: Any = None
    marketed_before_gpsr: bool | None = None
    marketplaces: dict[str, Decimal | None] | None = None
    price_rules: dict[str, str] | None = None  # marketplace -> rule name
    #: list this product although an offer outside the catalog already sells it
    allow_second_listing: bool = False
    #: the offer's earlier external ids (a rename: catalogsync/moves.py)
    moved_from: tuple[str, ...] = ()
    #: the size table and contact it names (catalog/size_tables.py)
    size_table: str | None = None
    contact: str | None = None
    #: tax settings and the seller's own translations (`models.OfferSpec`)
    tax: Any = None
    translations: Any = None


@lru_cache(maxsize=_CACHE)
def shared(value: H) -> H:
    """The first of equal values seen lately, so that repeats cost nothing."""
    return value


@lru_cache(maxsize=_CACHE)
def parameters(items: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, tuple[str, ...]]:
    return dict(items)  # shared between offers: never mutated


@lru_cache(maxsize=_CACHE)
def product(
    ean: str | None, id_: str | None, items: tuple[tuple[str, tuple[str, ...]], ...]
) -> Product:
    return Product(ean=ean, id=id_, parameters=parameters(items))


@lru_cache(maxsize=_CACHE)
def _text(text: str) -> TextItem:
    return TextItem(text)


@lru_cache(maxsize=_CACHE)
def _image(url: str) -> ImageItem:
    return ImageItem(shared(url))


def item(item: Any) -> DescriptionItem:
    return _image(item.image) if hasattr(item, "image") else _text(item.text)
