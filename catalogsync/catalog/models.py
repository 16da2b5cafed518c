"""The desired catalog: what a seller writes in YAML, as frozen pydantic models — except
offers, which are validated as `OfferSpec` and kept as lean `Offer` records (records.py).

Field names are the YAML keys (snake_case). A field left out of an offer is not managed:
catalogsync never overwrites it on Allegro (field ownership). Every model forbids unknown
keys so a typo is an error, not a silently ignored setting.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    model_validator,
)

from catalogsync.catalog import after_sales as A
from catalogsync.catalog import limits as L
from catalogsync.catalog.amounts import Marketplaces, Money, NonNegativeMoney
from catalogsync.catalog.feeds import FeedSpec
from catalogsync.catalog.gpsr import (
    ResourceName,
    ResponsiblePerson,
    ResponsibleProducer,
    SafetyInformation,
)
from catalogsync.catalog.price_rules import PriceRule, PriceRuleName, PriceRuleRefs
from catalogsync.catalog.records import (
    DescriptionItem,
    ImageItem,
    Offer,
    Product,
    TextItem,
    item,
    parameters,
    product,
    shared,
)
from catalogsync.catalog.sections import Section
from catalogsync.catalog.size_tables import Contacts, References, SizeTables
from catalogsync.catalog.tax import TaxSettings
from catalogsync.catalog.translations import Translations
from catalogsync.catalog.values import (
    AfterSales,
    Ean,
    Environment,
    Frozen,
    Location,
    OfferName,
    Safety,
    Status,
    StockCount,
    StockMode,
    shown_plainly,
)

__all__ = [
    "AfterSales",
    "DescriptionItem",
    "Environment",
    "Frozen",
    "ImageItem",
    "Location",
    "Offer",
    "Product",
    "Safety",
    "Status",
    "StockMode",
    "TextItem",
]

HANDLING_TIMES = ("PT0S", "PT24H", "P2D", "P3D", "P4D", "P5D", "P7D", "P10D", "P14D", "P21D",
                  "P30D", "P60D")
INVOICES = ("VAT", "VAT_MARGIN", "WITHOUT_VAT", "NO_INVOICE")
#: Offer fields a catalog may list under `ignore_fields` (Terraform's `ignore_changes`).
OFFER_FIELDS = (
    "name",
    "product",
    "category",
    "parameters",
    "price",
    "stock",
    "images",
    "description",
    "shipping_rates",
    "handling_time",
    "location",
    "invoice",
    "after_sales",
    "status",
    "responsible_producer",
    "responsible_person",
    "safety_information",
    "marketed_before_gpsr",
    "marketplaces",
    "size_table", "contact",
    "tax",
    "translations",
)
#: the fields `drift_wins` may name; stock has its own ledger (sales are not drift), and the
#: catalog's translations always win (plan/translations.py)
DRIFT_FIELDS = tuple(f for f in OFFER_FIELDS if f not in ("stock", "translations"))
DriftWins = dict[Literal[DRIFT_FIELDS], Literal["catalog", "allegro"]]  # type: ignore[valid-type]


Sku = Annotated[
    str, Field(min_length=1, max_length=L.EXTERNAL_ID_MAX_CHARS), AfterValidator(shown_plainly)
]
Int32 = Annotated[int, Field(le=L.INT32_MAX)]


def _as_tuple(value: Any) -> Any:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return (str(value),)
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return value


#: A parameter value: one string, or a list for multi-value parameters.
_Scalar = str | int | float
ParamValues = Annotated[
    tuple[str, ...],
    BeforeValidator(_as_tuple, json_schema_input_type=_Scalar | list[_Scalar]),
]


class ParamRange(Frozen):
    """A range parameter's value, `{from: 60, to: 90}` (both ends included)."""

    model_config = ConfigDict(populate_by_name=True)
    start: Annotated[str, Field(alias="from")]
    end: Annotated[str, Field(alias="to")]

    def wire(self) -> dict[str, str]:
        return {"from": self.start, "to": self.end}


def _value_or_range(value: Any) -> Any:
    """A mapping is a range and must be exactly `{from: …, to: …}`; anything else values."""
    if not isinstance(value, dict):
        return _as_tuple(value)
    if set(value) != {"from", "to"} or any(isinstance(v, dict | list) for v in value.values()):
        raise ValueError("a range is written {from: 60, to: 90}; other values as text or a list")
    return ParamRange(start=str(value["from"]), end=str(value["to"]))


#: An offer parameter: its value(s), or a range
OfferParam = Annotated[
    tuple[str, ...] | ParamRange,
    BeforeValidator(
        _value_or_range, json_schema_input_type=_Scalar | list[_Scalar] | ParamRange
    ),
]


def _polish_time(moment: datetime) -> datetime:
    """Allegro wants an offset (RFC 3339); sellers think in Polish time."""
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("Europe/Warsaw"))


class ProductSpec(Frozen):
    """The catalogue product an offer sells: by EAN (GTIN) or by Allegro product id.

    Several products can share one EAN (R23); `parameters` tell them apart.
    A pinned `id` wins over the EAN.
    """

    ean: Ean | None = None
    id: str | None = None
    parameters: dict[str, ParamValues] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _ean_or_id(self) -> ProductSpec:
        if not self.ean and not self.id:
            raise ValueError("give the product's ean or its id")
        return self


HandlingTime = Literal[HANDLING_TIMES]  # type: ignore[valid-type]
Invoice = Literal[INVOICES]  # type: ignore[valid-type]


class OfferSpec(References):
    """One offer as the YAML gives it, keyed in the catalog by its external id (the seller's
    SKU). Validated, it becomes an `Offer` (catalog/records.py)."""

    name: OfferName | None = None
    product: ProductSpec | None = None
    category: str | None = None
    parameters: dict[str, OfferParam] | None = None
    price: Money | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = None
    stock: StockCount | None = None
    images: Annotated[tuple[str, ...], Field(max_length=L.GALLERY_MAX_IMAGES)] | None = None
    description: tuple[Section, ...] | None = None
    shipping_rates: str | None = None
    handling_time: HandlingTime | None = None
    location: Location | None = None
    invoice: Invoice | None = None
    after_sales: AfterSales | None = None
    status: Status | None = None
    #: when to activate; a time without an offset is Polish time (Europe/Warsaw)
    scheduled_for: Annotated[datetime, AfterValidator(_polish_time)] | None = None
    ignore_fields: tuple[Literal[OFFER_FIELDS], ...] = ()  # type: ignore[valid-type]
    #: field -> who wins when it changed on Allegro since the last apply (default: catalog)
    drift_wins: DriftWins = Field(default_factory=dict)
    #: GPSR (catalog/gpsr.py): names of account resources, safety information, and whether
    #: the product was on the EU market before 13 Dec 2024
    responsible_producer: ResourceName | None = None
    responsible_person: ResourceName | None = None
    safety_information: SafetyInformation | None = None
    marketed_before_gpsr: bool | None = None
    #: allegro-cz / -sk / -hu where the offer is offered too, with its price there
    marketplaces: Marketplaces | None = None
    price_rules: PriceRuleRefs | None = None  # marketplace -> rule (catalog/price_rules.py)
    #: VAT per country (catalog/tax.py); the seller's own translations (catalog/translations.py)
    tax: TaxSettings | None = None
    translations: Translations | None = None
    #: R26: change the price even while the offer is in a campaign or in Allegro Prices,
    #: which takes it out of the programme.
    allow_campaign_price_change: bool = False
    #: list this product although an offer outside the catalog already sells it
    allow_second_listing: bool = False
    #: the offer's earlier external ids: apply renames the Allegro offer, never replaces it
    moved_from: Annotated[
        tuple[Sku, ...], BeforeValidator(_as_tuple, json_schema_input_type=str | list[str])
    ] = ()


class Rate(Frozen):
    """One delivery method's price in a shipping-rate table."""

    delivery_method: Annotated[str, Field(min_length=1)]
    first_item: NonNegativeMoney
    next_item: NonNegativeMoney = Decimal("0.00")
    max_quantity_per_package: Annotated[Int32, Field(ge=1)] = 1


class ShippingRateTable(Frozen):
    rates: Annotated[tuple[Rate, ...], Field(min_length=1)]
    #: the table's name on Allegro before a rename (`renamed_from`: older spelling); R4
    moved_from: str | None = None
    renamed_from: str | None = None


class VariantSet(Frozen):
    """Offers sold as one multi-variant listing, told apart by `parameters`."""

    parameters: Annotated[tuple[str, ...], Field(min_length=1, max_length=2)]
    offers: Annotated[
        tuple[Sku, ...],
        Field(min_length=L.VARIANT_SET_MIN_OFFERS, max_length=L.VARIANT_SET_MAX_OFFERS),
    ]


class Defaults(References):
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "PLN"
    handling_time: HandlingTime | None = None
    shipping_rates: str | None = None
    location: Location | None = None
    invoice: Invoice | None = None
    after_sales: AfterSales | None = None
    status: Status = Status.ACTIVE
    ignore_fields: tuple[Literal[OFFER_FIELDS], ...] = ()  # type: ignore[valid-type]
    drift_wins: DriftWins = Field(default_factory=dict)
    responsible_producer: ResourceName | None = None
    responsible_person: ResourceName | None = None
    safety_information: SafetyInformation | None = None
    marketed_before_gpsr: bool | None = None
    marketplaces: Marketplaces | None = None
    price_rules: PriceRuleRefs | None = None
    tax: TaxSettings | None = None


class Settings(Frozen):
    """`catalogsync.yaml`: where the catalog goes and what offers default to."""

    environment: Environment = Environment.LOCAL
    marketplace: str = "allegro-pl"
    defaults: Defaults = Field(default_factory=Defaults)
    safety: Safety = Field(default_factory=Safety)
    #: end (or, for never-activated drafts, delete) offers removed from the catalog
    prune: bool = False
    #: glob patterns of the catalog's files, relative to it (default: every *.yaml / *.yml
    #: that holds a catalog section; other YAML, such as a compose file, is skipped with a note)
    files: tuple[Annotated[str, Field(min_length=1)], ...] | None = None
    stock_mode: StockMode = StockMode.DELTA
    #: fields of offers from the seller's own system (catalog/feeds.py)
    feeds: tuple[FeedSpec, ...] = ()


#: Offer fields the record keeps as the spec holds them; `lean_offer` converts the others
_AS_WRITTEN = tuple(f.name for f in fields(Offer)
                    if f.name not in {"product", "parameters", "price", "images", "description"})


#: the `drift_wins` of every offer that sets none (most): one empty dict, never changed (an
#: empty dict of each offer's own took 6 MB at 100 000 offers)
_NO_DRIFT_WINS: dict[str, str] = {}


def lean_offer(spec: OfferSpec) -> Offer:
    """The record of a validated offer."""
    spec_product = spec.product
    written = {name: getattr(spec, name) for name in _AS_WRITTEN}
    written["drift_wins"] = spec.drift_wins or _NO_DRIFT_WINS
    return Offer(
        **written,
        product=None
        if spec_product is None
        else product(spec_product.ean, spec_product.id, tuple(spec_product.parameters.items())),
        parameters=None if spec.parameters is None else parameters(tuple(spec.parameters.items())),
        price=None if spec.price is None else shared(spec.price),
        images=None if spec.images is None else tuple(shared(i) for i in spec.images),
        description=None
        if spec.description is None
        else tuple(tuple(item(i) for i in section) for section in spec.description),
    )


if TYPE_CHECKING:
    LeanOffer = Offer
else:  # validated as an OfferSpec, kept as a lean Offer record (pydantic's per-instance
    # bookkeeping cost 3 KB an offer; the loader maps errors through OfferSpec's fields)
    LeanOffer = Annotated[OfferSpec, AfterValidator(lean_offer)]


def _table_name(name: str) -> str:
    problem = L.table_name_problem(name)
    if problem:
        raise ValueError(f"a shipping-rate table's name {problem}")
    return name


TableName = Annotated[str, AfterValidator(_table_name)]
VariantSetName = Annotated[
    str, Field(min_length=1, max_length=L.VARIANT_SET_NAME_MAX_CHARS), AfterValidator(shown_plainly)
]


class Catalog(Frozen):
    """Everything a catalog directory declares, merged from all its YAML files."""

    settings: Settings = Field(default_factory=Settings)
    offers: dict[Sku, LeanOffer] = Field(default_factory=dict)
    shipping_rates: dict[TableName, ShippingRateTable] = Field(default_factory=dict)
    variant_sets: dict[VariantSetName, VariantSet] = Field(default_factory=dict)
    responsible_producers: dict[ResourceName, ResponsibleProducer] = Field(default_factory=dict)
    responsible_persons: dict[ResourceName, ResponsiblePerson] = Field(default_factory=dict)
    return_policies: dict[A.ConditionName, A.ReturnPolicy] = Field(default_factory=dict)
    implied_warranties: dict[A.ConditionName, A.ImpliedWarranty] = Field(default_factory=dict)
    warranties: dict[A.ConditionName, A.Warranty] = Field(default_factory=dict)
    size_tables: SizeTables = Field(default_factory=dict)
    contacts: Contacts = Field(default_factory=dict)
    price_rules: dict[PriceRuleName, PriceRule] = Field(default_factory=dict)
    #: (section, key) -> `file:line:column` where the loader read it, for the plan's messages
    _origins: dict[tuple[str, str], str] = PrivateAttr(default_factory=dict)

    def __eq__(self, other: object) -> bool:
        """Equal when they declare the same, wherever they declare it."""
        if not isinstance(other, Catalog):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # holds dicts: never hashable

    def origin(self, section: str, key: str) -> str | None:
        """Where the catalog declares an entry (`offers/mugs.yaml:4:3`), if it was loaded."""
        return self._origins.get((section, key))
