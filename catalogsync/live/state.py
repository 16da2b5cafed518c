"""Live state: what the reading step learned from Allegro, in the catalog's shapes.

Offer fields are held in a canonical form shared with the planner's desired side
(see `catalogsync.allegro.wire`), so a diff compares like with like.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from catalogsync.allegro.wire import CategoryParameter, Fields
from catalogsync.images import LocalImage
from catalogsync.live.packed import plain
from catalogsync.state.index import OrderPosition, StockMark


@dataclass(frozen=True, slots=True)  # one per offer: no `__dict__` (40 MB at 100 000 offers)
class LiveOffer:
    id: str
    status: str  # Allegro's publication status: INACTIVE, ACTIVATING, ACTIVE, ENDED
    #: a dict, or the live cache's text of one (live/packed.py): never changed in place
    fields: Mapping[str, Any]
    ever_activated: bool = True
    #: the offer's external id on Allegro when it is not its catalog key (an offer adopted
    #: by `catalogsync import` without one): the plan writes the key into it
    rekey_from: str | None = None
    rekey: bool = False
    #: not read: `catalogsync.lock` vouches that the offer is as the last apply left it, and
    #: `fields` hold only the offer list's (plan/vouched.py fills in the rest)
    vouched: bool = False
    #: `digest` when already known (kept in the live cache), so it is not computed again
    known_digest: str | None = field(default=None, compare=False, repr=False)

    @property
    def digest(self) -> str:
        """A hash of what the offer is on Allegro; a saved plan remembers it (stale check)
        and the plan's fingerprint is made of these."""
        if self.known_digest is None:
            data = json.dumps(
                [self.id, self.status, hashed_fields(self.fields)], sort_keys=True, default=str
            )
            object.__setattr__(self, "known_digest", hashlib.sha256(data.encode()).hexdigest()[:16])
        assert self.known_digest is not None
        return self.known_digest


#: Allegro's own verdicts on an offer: they move while nobody changes it (a marketplace's
#: PENDING becomes APPROVED), so a saved plan is not stale because of them.
VERDICT_FIELDS = ("marketplace_states",)


def hashed_fields(fields: Mapping[str, Any]) -> Fields:
    """The fields that make an offer what it is, for its digest (a dict: JSON encodes it;
    never to be changed in place)."""
    fields = plain(fields)
    if not any(name in fields for name in VERDICT_FIELDS):
        return fields
    return {k: v for k, v in fields.items() if k not in VERDICT_FIELDS}


@dataclass(frozen=True)
class LiveTable:
    id: str
    name: str
    rates: tuple[Fields, ...]


@dataclass(frozen=True)
class DeliveryMethod:
    id: str
    name: str
    constraints: dict[str, Any]
    #: the marketplaces whose buyers it delivers to
    marketplaces: tuple[str, ...] = ("allegro-pl",)


@dataclass(frozen=True)
class ProductCandidate:
    id: str
    name: str
    category: str
    #: parameter name -> value labels
    parameters: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class ProductLabel:
    """How a plan names a catalogue product: its name and EAN rather than its id."""

    name: str
    ean: str  # "" when the product has no single GTIN
    category: str

    def __str__(self) -> str:
        return f"{self.name} (EAN {self.ean})" if self.ean else self.name


@dataclass(frozen=True)
class LiveResponsible:
    """A responsible producer or person of the account (GPSR), its data canonical."""

    id: str
    name: str
    data: Fields


@dataclass(frozen=True)
class LiveCondition:
    """An after-sales condition of the account (return policy, implied warranty, warranty);
    `data` canonical (allegro/after_sales_wire.py), None where its details were not read;
    `kept`: what a PUT must carry over that the catalog does not manage."""

    id: str
    name: str
    data: Fields | None = None
    kept: Fields = field(default_factory=dict)


@dataclass(frozen=True)
class LivePriceRule:
    """A price automation rule of the account: its `type` and `configuration` in `data`;
    `default`: one of the rules Allegro gives every seller (never changed)."""

    id: str
    name: str
    default: bool
    data: Fields


@dataclass(frozen=True)
class OtherListing:
    """An offer outside the catalog, as far as a plan needs to name it."""

    id: str
    external_id: str | None
    status: str
    name: str


@dataclass(frozen=True)
class LiveVariantSet:
    id: str
    name: str
    offer_ids: tuple[str, ...]
    parameter_ids: tuple[str, ...]


@dataclass(frozen=True)
class CategoryTax:
    """A category's `CategoryTaxSettings`: country -> rate -> whether it needs an exemption;
    the subjects and exemptions it takes (empty: none listed, so none checked)."""

    rates: dict[str, dict[str, bool]] = field(default_factory=dict)
    subjects: tuple[str, ...] = ()
    exemptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class LiveState:
    offers: dict[str, LiveOffer] = field(default_factory=dict)  # managed external id -> offer
    tables: dict[str, LiveTable] = field(default_factory=dict)  # every table, by name
    delivery_methods: tuple[DeliveryMethod, ...] = ()
    #: EAN or pinned product id -> matching products
    products: dict[str, tuple[ProductCandidate, ...]] = field(default_factory=dict)
    category_parameters: dict[str, tuple[CategoryParameter, ...]] = field(default_factory=dict)
    #: external ids whose offer the state index knew but Allegro no longer has (R20)
    gone: frozenset[str] = frozenset()
    #: external id -> further live offers sharing it (external ids are not unique), their
    #: status only
    duplicates: dict[str, tuple[LiveOffer, ...]] = field(default_factory=dict)
    unmanaged_offers: int = 0
    #: product id -> name, EAN and category, for the products of offers whose product changes
    product_labels: dict[str, ProductLabel] = field(default_factory=dict)
    #: product id -> offers outside the catalog selling it (only products about to be listed)
    other_listings: dict[str, tuple[OtherListing, ...]] = field(default_factory=dict)
    #: False when no state (catalogsync.lock, .catalogsync/) knows any id for this catalog
    has_state: bool = True
    #: catalog offers an import into a catalog without state did not find (state/index.py)
    unconfirmed: frozenset[str] = frozenset()
    #: offers the account's offer list shows (hidden ones are not in it, R22)
    listed_offers: int = 0
    draft_count: int = 0
    #: offers the state index knows whose external id left the catalog (pruning candidates)
    removed: dict[str, LiveOffer] = field(default_factory=dict)
    #: tables the state index knows that the catalog no longer names (R4: never deleted)
    removed_tables: tuple[str, ...] = ()
    #: offer id -> programmes whose price a price change would break (R26)
    campaigns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: False where `/sale/offer-variants` is gone (production since 2026-04-14): Allegro then
    #: groups variants itself from the product catalogue
    variant_api: bool = False
    #: user-made variant sets by name (only where the API answers)
    variant_sets: dict[str, LiveVariantSet] = field(default_factory=dict)
    #: offer id -> name of the variant set it is in (only where the API answers)
    variant_membership: dict[str, str] = field(default_factory=dict)
    #: after-sales conditions by kind (return_policy, implied_warranty, warranty): id -> name
    after_sales: dict[str, dict[str, str]] = field(default_factory=dict)
    #: the same by kind -> name, with the details of those the catalog declares or renames
    conditions: dict[str, dict[str, LiveCondition]] = field(default_factory=dict)
    #: local image files the catalog names, by path as written
    local_images: dict[str, LocalImage] = field(default_factory=dict)
    #: GPSR: responsible_producer / responsible_person -> name -> the account's entry
    responsible: dict[str, dict[str, LiveResponsible]] = field(default_factory=dict)
    #: additional marketplaces the account can sell on -> their currency (if the catalog uses any)
    marketplaces: dict[str, str] = field(default_factory=dict)
    #: offer id -> additional marketplace -> programmes holding its price there (R26)
    marketplace_campaigns: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    #: local safety manuals the catalog names, by path as written (`url`: the attachment id)
    local_attachments: dict[str, LocalImage] = field(default_factory=dict)
    #: offer changes an earlier apply set out to make and did not finish (`StateIndex.approved`)
    approved: dict[str, dict[str, str]] = field(default_factory=dict)
    #: what could not be read, e.g. campaigns of an account that is not a business account
    notes: tuple[str, ...] = ()
    #: the stock ledger's marks (external id -> what catalogsync last made of its stock)
    stock_marks: dict[str, StockMark] = field(default_factory=dict)
    #: managed external id -> units sold since the ledger's position by the time its stock was
    #: read; None: the order feed could not be read
    sold: dict[str, int] | None = None
    #: managed external id -> units sold after its stock was read, up to `order_position`
    sold_late: dict[str, int] = field(default_factory=dict)
    #: how far the order feed was read: where a new ledger starts
    order_position: OrderPosition | None = None
    #: external id -> field -> digest of the value catalogsync last left it with (plan/drift.py)
    applied: dict[str, dict[str, str]] = field(default_factory=dict)
    #: external id -> its stock from a feed and the units sold on Allegro since (feeds/)
    feed_stock: dict[str, FeedStock] = field(default_factory=dict)
    #: external id -> offer id of offers no longer managed (`StateIndex.forgotten`)
    forgotten: dict[str, str] = field(default_factory=dict)
    #: price automation rules of the account by name, and managed external id -> marketplace
    #: -> the name of the rule it follows there (read only if the catalog uses rules)
    price_rules: dict[str, LivePriceRule] = field(default_factory=dict)
    followed_rules: dict[str, dict[str, str]] = field(default_factory=dict)
    #: category id -> the tax settings it allows (live/tax.py; only when the catalog sets tax)
    tax_settings: dict[str, CategoryTax] = field(default_factory=dict)
    #: offer translations (live/translations.py): external id -> language -> the seller's own
    #: translation; the languages of the additional marketplaces
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)
    translation_languages: tuple[str, ...] = ()
    #: what the reading step read and why ("Read 212 offers in detail (event feed: …).")
    read: str = ""


@dataclass(frozen=True)
class FeedStock:
    """An offer's stock as a feed counted it, and what Allegro sold after the count."""

    count: int
    #: when the feed counted it (ISO 8601), and where it says so (`feeds/erp.csv:12`)
    at: str | None
    source: str
    #: units bought on Allegro since `at`; None: unknown (no time, or no order events)
    sold: int | None
