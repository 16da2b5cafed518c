"""Reading an account for `catalogsync import`: the chosen offers in detail, every table, the
responsible producers and persons (GPSR), and what lets a catalog name things instead of
numbering them (delivery methods, after-sales conditions, dictionary labels, the EAN of each
product where it names that product alone)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from catalogsync.adopt.translations import read_own_translations
from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.errors import AllegroError
from catalogsync.allegro.wire import Fields, table_rates
from catalogsync.live.after_sales import read_conditions
from catalogsync.live.fetch import PAGE, external_id, gather_map, product_id, read_offer, status_of
from catalogsync.live.gpsr import read_all_responsible
from catalogsync.live.size_tables import read_all_size_tables
from catalogsync.live.state import LiveCondition, LiveResponsible, LiveVariantSet
from catalogsync.live.variants import read_variant_sets
from catalogsync.progress import Progress


@dataclass(frozen=True)
class Selection:
    """Which offers to import; empty means no restriction on that attribute."""

    statuses: frozenset[str] = frozenset()  # Allegro's: ACTIVE, ACTIVATING, INACTIVE, ENDED
    categories: frozenset[str] = frozenset()
    offer_ids: frozenset[str] = frozenset()
    external_ids: frozenset[str] = frozenset()

    def wants(self, row: dict[str, Any]) -> bool:
        named = str(row["id"]) in self.offer_ids or external_id(row) in self.external_ids
        if (self.offer_ids or self.external_ids) and not named:
            return False
        category = str((row.get("category") or {}).get("id"))
        if self.statuses and status_of(row) not in self.statuses:
            return False
        return not self.categories or category in self.categories


@dataclass(frozen=True)
class Table:
    id: str
    rates: tuple[Fields, ...]


@dataclass
class Account:
    #: offer id -> its `GET /sale/product-offers/{id}` document, in listing order
    offers: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: offer id -> its row in the offer list, for every offer listed (also those not chosen)
    listed: dict[str, dict[str, Any]] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)  # by name
    #: kind (return_policy, implied_warranty, warranty) -> id -> name
    after_sales: dict[str, dict[str, str]] = field(default_factory=dict)
    #: the same by kind -> name, with their details
    conditions: dict[str, dict[str, LiveCondition]] = field(default_factory=dict)
    #: product id -> its EAN, where a search by that EAN finds this product and no other
    eans: dict[str, str] = field(default_factory=dict)
    #: category id -> parameter name -> value id -> label (dictionary parameters)
    labels: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    #: parameter id -> name, over the categories read
    parameter_names: dict[str, str] = field(default_factory=dict)
    #: user-made variant sets by name, where `/sale/offer-variants` still answers (R24)
    variant_sets: dict[str, LiveVariantSet] = field(default_factory=dict)
    #: GPSR kind (responsible_producer, responsible_person), size_table, contact (and the
    #: size-table templates) -> name -> the account's entry
    responsible: dict[str, dict[str, LiveResponsible]] = field(default_factory=dict)
    #: offer id -> language -> the seller's own translation (adopt/translations.py)
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)

    def responsible_names(self) -> dict[str, dict[str, str]]:
        """kind -> id -> name: what offers' references become."""
        return {kind: {e.id: name for name, e in entries.items()}
                for kind, entries in self.responsible.items()}


async def read_account(
    client: AllegroClient, selection: Selection, progress: Progress, *, tables: bool = True,
    translations: bool = True,
) -> Account:
    account = Account()
    listing = await _list_offers(client)
    wanted = [str(r["id"]) for r in listing if selection.wants(r)]
    listed = {str(r["id"]) for r in listing}
    account.listed = {str(r["id"]): r for r in listing}
    # R22: a hidden offer is in no list, but an id given on the command line is read anyway
    wanted += sorted(i for i in selection.offer_ids if i not in listed)
    with progress.phase("Reading offers", len(wanted)) as phase:

        async def detail(offer_id: str) -> dict[str, Any] | None:
            doc = await read_offer(client, offer_id)
            phase.advance()
            return doc

        docs = await gather_map(wanted, detail)
    account.offers = {i: d for i, d in docs.items() if d is not None}
    if translations:
        account.translations = await read_own_translations(client, list(account.offers))
    account.after_sales, account.conditions = await read_conditions(client)
    account.responsible = await read_all_responsible(client) | await read_all_size_tables(client)
    if tables:
        account.tables = await _tables(client)
        account.variant_sets = (await read_variant_sets(client))[1]
    products = sorted({p for d in account.offers.values() if (p := product_id(d))})
    found = await gather_map(products, lambda p: _ean_naming(client, p))
    account.eans = {p: ean for p, ean in found.items() if ean}
    categories = sorted({str(c) for d in account.offers.values() if (c := _category(d))})
    described = await gather_map(categories, lambda c: _parameters(client, c))
    account.labels = {
        c: {str(p["name"]): _dictionary(p) for p in params} for c, params in described.items()
    }
    account.parameter_names = {
        str(p["id"]): str(p["name"]) for params in described.values() for p in params
    }
    return account


def _dictionary(parameter: dict[str, Any]) -> dict[str, str]:
    return {str(d["id"]): str(d["value"]) for d in parameter.get("dictionary") or []}


def _category(doc: dict[str, Any]) -> str | None:
    found = (doc.get("category") or {}).get("id")
    return str(found) if found else None


async def _list_offers(client: AllegroClient) -> list[dict[str, Any]]:
    offers: list[dict[str, Any]] = []
    while True:
        page = await client.get("/sale/offers", params={"limit": PAGE, "offset": len(offers)})
        batch = page.get("offers") or []
        offers.extend(batch)
        if len(batch) < PAGE:
            return offers


async def _tables(client: AllegroClient) -> dict[str, Table]:
    methods = (await client.get("/sale/delivery-methods")).get("deliveryMethods") or []
    names = {str(m["id"]): str(m["name"]) for m in methods}
    summary = (await client.get("/sale/shipping-rates")).get("shippingRates") or []
    docs = await gather_map(
        [str(t["id"]) for t in summary], lambda i: client.get(f"/sale/shipping-rates/{i}")
    )
    return {str(d["name"]): Table(str(d["id"]), table_rates(d, names)) for d in docs.values()}


async def _ean_naming(client: AllegroClient, product: str) -> str | None:
    """The product's EAN (its GTIN parameter) if searching it finds exactly this product."""
    try:
        doc = await client.get(f"/sale/products/{product}")
    except AllegroError as exc:
        if exc.status == 404:
            return None
        raise
    gtins = [
        str(v)
        for p in doc.get("parameters") or []
        if (p.get("options") or {}).get("isGTIN")
        for v in p.get("values") or []
    ]
    if len(gtins) != 1:
        return None
    found = await client.get("/sale/products", params={"phrase": gtins[0], "mode": "GTIN"})
    ids = [str(p["id"]) for p in found.get("products") or []]
    return gtins[0] if ids == [product] else None


async def _parameters(client: AllegroClient, category: str) -> list[dict[str, Any]]:
    try:
        body = await client.get(f"/sale/categories/{category}/parameters")
    except AllegroError as exc:
        if exc.status == 404:
            return []
        raise
    return list(body.get("parameters") or [])
