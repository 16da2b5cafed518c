"""One offer's desired state in canonical fields, and the checks Allegro would otherwise fail.

Pure: everything Allegro knows (products, category parameters, tables) comes in `LiveState`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from catalogsync.allegro.wire import CategoryParameter, Fields, money
from catalogsync.catalog.limits import (
    DESCRIPTION_MAX_BYTES,
    description_bytes,
    parameter_problem,
)
from catalogsync.catalog.models import (
    Catalog,
    ImageItem,
    Location,
    Offer,
    ParamRange,
    Product,
    Status,
)
from catalogsync.catalog.moves import renamed_message, renamed_to
from catalogsync.live.state import LiveState, ProductCandidate
from catalogsync.plan.model import Diagnostic, Severity
from catalogsync.plan.products import Resolved, resolve_product
from catalogsync.wording import shown

#: Fields only needed to create an offer; Allegro rejects a create without them.
REQUIRED_TO_CREATE = ("name", "category", "price", "stock")


@dataclass
class Desired:
    """An offer as the catalog wants it, plus what the planner learned on the way."""

    sku: str
    fields: Fields
    ignored: frozenset[str]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    parameters: dict[str, CategoryParameter] = field(default_factory=dict)
    #: the catalogue product the offer sells, once resolved (R23)
    product: ProductCandidate | None = None
    #: when a scheduled activation should happen (ISO 8601), if the catalog says
    scheduled_for: str | None = None
    #: fields already reported as wrong, so the create check does not report them again
    reported: set[str] = field(default_factory=set)

    def error(self, message: str, rule: str | None = None) -> None:
        self.diagnostics.append(
            Diagnostic(
                severity=Severity.ERROR, subject=f"offer {self.sku}", message=message, rule=rule
            )
        )

    def warn(self, message: str, rule: str | None = None) -> None:
        self.diagnostics.append(
            Diagnostic(
                severity=Severity.WARNING, subject=f"offer {self.sku}", message=message, rule=rule
            )
        )


class Lookups:
    """What many offers of one plan share, worked out once: the product an EAN and its
    parameters resolve to, a category's parameters by name, a location's canonical form."""

    def __init__(self, live: LiveState) -> None:
        self.live = live
        self._products: dict[tuple[Any, ...], Resolved] = {}
        self._categories: dict[str, dict[str, CategoryParameter] | None] = {}
        self._locations: dict[Location, dict[str, str]] = {}

    def product(self, product: Product) -> Resolved:
        key = (product.id, product.ean, tuple(product.parameters.items()))
        found = self._products.get(key)
        if found is None:
            candidates = self.live.products.get(product.id or product.ean or "", ())
            found = self._products[key] = resolve_product(product, candidates)
        return found

    def category_parameters(self, category: str) -> dict[str, CategoryParameter] | None:
        if category not in self._categories:
            known = self.live.category_parameters.get(category)
            self._categories[category] = None if known is None else {p.name: p for p in known}
        return self._categories[category]

    def location(self, location: Location) -> dict[str, str]:
        found = self._locations.get(location)
        if found is None:
            out = {
                "countryCode": location.country_code,
                "province": location.province,
                "city": location.city,
                "postCode": location.post_code,
            }
            found = self._locations[location] = {k: v for k, v in out.items() if v is not None}
        return found


def desired_offer(
    sku: str,
    offer: Offer,
    catalog: Catalog,
    live: LiveState,
    now: datetime,
    lookups: Lookups | None = None,
) -> Desired:
    lookups = lookups or Lookups(live)
    defaults = catalog.settings.defaults
    currency = offer.currency or defaults.currency
    values: dict[str, Any] = {
        "name": offer.name,
        "price": money(offer.price, currency) if offer.price is not None else None,
        "stock": offer.stock,
        "images": [_image(i, live) for i in offer.images] if offer.images is not None else None,
        "description": description_fields(offer, live),
        "shipping_rates": offer.shipping_rates or defaults.shipping_rates,
        "handling_time": offer.handling_time or defaults.handling_time,
        "location": _location(offer, catalog, lookups),
        "invoice": offer.invoice or defaults.invoice,
        "status": (offer.status or defaults.status).value,
    }
    desired = Desired(
        sku=sku,
        fields={k: v for k, v in values.items() if v is not None},
        ignored=frozenset(offer.ignore_fields) | frozenset(defaults.ignore_fields),
    )
    if offer.scheduled_for:
        desired.scheduled_for = offer.scheduled_for.isoformat()
    _product_and_category(desired, offer, lookups)
    _parameters(desired, offer, lookups)
    _check_references(desired, catalog, live)
    _check_description_images(desired, offer)
    size = _description_size(desired.fields.get("description") or [])
    if offer.description is not None and size > DESCRIPTION_MAX_BYTES:
        desired.error(
            f"description is {size} bytes as Allegro counts them (its JSON, UTF-8); "
            f"Allegro takes at most {DESCRIPTION_MAX_BYTES}"
        )
    for image in offer.images or ():
        local = live.local_images.get(image)
        if local is not None and local.problem:
            desired.error(f"image file {shown(image)} {local.problem}")
    if offer.scheduled_for and offer.scheduled_for <= now:
        desired.error(
            f"scheduled_for {offer.scheduled_for.isoformat()} is in the past; "
            "use a future time or leave it out",
            rule="R11",
        )
    return desired


def _description_size(sections: list[list[dict[str, str]]]) -> int:
    """`description_bytes`, counted only when a bound allows it to be over the limit (else 0):
    a JSON dump of every offer's description cost a plan of 100 000 offers 0.4 s. JSON
    writes a character in at most 6 bytes; `"KEY": "", ` and an item's or section's braces,
    brackets and separators take what is added for them."""
    bound = 20
    for section in sections:
        bound += 20
        for item in section:
            if not all(isinstance(v, str) for v in item.values()):
                return description_bytes(sections)
            bound += 4 + sum(len(k) + 8 + 6 * len(v) for k, v in item.items())
    return description_bytes(sections) if bound > DESCRIPTION_MAX_BYTES else 0


def _image(image: str, live: LiveState) -> str:
    local = live.local_images.get(image)
    return local.reference if local else image


def description_fields(offer: Offer, live: LiveState) -> list[list[dict[str, str]]] | None:
    if offer.description is None:
        return None
    return [
        [
            {"type": "IMAGE", "url": _image(item.image, live)}
            if isinstance(item, ImageItem)
            else {"type": "TEXT", "content": item.text}
            for item in section
        ]
        for section in offer.description
    ]


def _location(offer: Offer, catalog: Catalog, lookups: Lookups) -> dict[str, str] | None:
    location = offer.location or catalog.settings.defaults.location
    return None if location is None else dict(lookups.location(location))


def _product_and_category(desired: Desired, offer: Offer, lookups: Lookups) -> None:
    category = offer.category
    if offer.product:
        resolved = lookups.product(offer.product)
        if resolved.product is None:
            desired.error(resolved.problem or "product not found", rule="R23")
            desired.reported.add("category")
        else:
            desired.fields["product"] = resolved.product.id
            desired.product = resolved.product
            if category and category != resolved.product.category:
                desired.error(
                    f"category {category} differs from the product's category "
                    f"{resolved.product.category}"
                )
            category = category or resolved.product.category
    if category:
        desired.fields["category"] = category


def _parameters(desired: Desired, offer: Offer, lookups: Lookups) -> None:
    category = desired.fields.get("category")
    if category is None:
        return
    known = lookups.category_parameters(category)
    if known is None:
        desired.error(f"category {category} does not exist on Allegro")
        return
    desired.parameters = known  # shared by the category's offers: never changed
    if offer.parameters is None:
        return
    valid: dict[str, Any] = {}
    for name, values in offer.parameters.items():
        parameter = desired.parameters.get(name)
        if parameter is None:
            hint = difflib.get_close_matches(name, list(desired.parameters), n=1)
            suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
            desired.error(f"category {category} has no parameter '{name}'{suggestion}")
            continue
        if isinstance(values, ParamRange):
            valid[name] = values.wire()
            continue
        unknown = [v for v in values if parameter.dictionary and v not in parameter.dictionary]
        problem = parameter_problem(
            parameter.type, parameter.restrictions, bool(parameter.dictionary), values
        )
        if unknown:
            allowed = ", ".join(parameter.dictionary)
            problem = f"cannot be {unknown[0]!r}; allowed: {allowed}"
        if problem:
            desired.error(f"parameter '{name}' {problem}")
            desired.reported.add(name)
            continue
        valid[name] = list(values)
    desired.fields["parameters"] = valid


def _check_references(desired: Desired, catalog: Catalog, live: LiveState) -> None:
    table = desired.fields.get("shipping_rates")
    if not table or table in catalog.shipping_rates:
        return
    if new := renamed_to(table, catalog.shipping_rates):
        desired.error(renamed_message("shipping-rate table", table, new))
    elif table not in live.tables:
        names = sorted(set(catalog.shipping_rates) | set(live.tables))
        hint = difflib.get_close_matches(table, names, n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
        desired.error(
            f"shipping-rate table '{table}' is neither in the catalog nor on Allegro{suggestion}"
        )


def _check_description_images(desired: Desired, offer: Offer) -> None:
    """R18: every description image must also be in the offer's images."""
    listed = set(offer.images or ())
    for number, section in enumerate(offer.description or (), start=1):
        for item in section:
            if isinstance(item, ImageItem) and item.image not in listed:
                desired.error(
                    f"description section {number} uses image {item.image} "
                    "which is not in the offer's images; add it to images",
                    rule="R18",
                )


def check_create(desired: Desired) -> None:
    missing = [
        f for f in REQUIRED_TO_CREATE if f not in desired.fields and f not in desired.reported
    ]
    if missing:
        desired.error(f"cannot create the offer without {', '.join(missing)}")
    required = [
        p.name
        for p in desired.parameters.values()
        if p.required
        and p.name not in desired.fields.get("parameters", {})
        and p.name not in desired.reported
    ]
    if required:
        desired.error(
            f"category {desired.fields.get('category')} requires parameters: {', '.join(required)}"
        )
    if desired.fields.get("status") == Status.ENDED.value:
        desired.error("a new offer cannot start as ended; use active or inactive")


def check_second_listing(
    desired: Desired, offer: Offer, live: LiveState, ending: frozenset[str] = frozenset()
) -> None:
    """Allegro forbids listing one item twice: a product an offer outside the catalog already
    sells is adopted (that offer brought under the catalog), not listed again, unless the
    offer says `allow_second_listing: true`, or the plan ends that offer (`ending`: it was
    removed from the catalog and is pruned), which apply does before it creates any offer."""
    if desired.product is None or offer.allow_second_listing:
        return
    for other in live.other_listings.get(desired.product.id, ()):
        if other.id in ending:
            desired.diagnostics.append(Diagnostic(
                severity=Severity.NOTE, subject=f"offer {desired.sku}",
                message=f"replaces offer {other.id} ('{other.external_id}', removed from the "
                "catalog), which this plan ends: apply ends it first, then creates this one"))
            continue
        if other.external_id:
            adopt = (
                f"adopt it: rename this offer's key to '{other.external_id}', or run "
                f"`catalogsync import DIR --external-id {other.external_id}`"
            )
        else:
            adopt = (
                f"adopt it: run `catalogsync import DIR --offer-id {other.id}` (it gets a key "
                f"and the next apply writes it into the offer's external id), or set its "
                f"external id to '{desired.sku}' on Allegro"
            )
        external = f"external id '{other.external_id}'" if other.external_id else "no external id"
        desired.error(
            f"product {desired.product.id} ({desired.product.name}) is already sold by offer "
            f"{other.id} ({external}, {other.status}) outside the catalog, and Allegro forbids "
            f"listing one item twice; {adopt}; or set allow_second_listing: true to list it "
            "again deliberately"
        )
