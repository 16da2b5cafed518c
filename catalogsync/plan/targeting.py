"""A targeted plan (`--target`): only the targeted resources, and what targeted offers name."""

from __future__ import annotations

from catalogsync.catalog.models import Catalog
from catalogsync.plan.after_sales import targeted
from catalogsync.plan.size_tables import named_entries


def targeted_catalog(catalog: Catalog, targets: frozenset[str]) -> Catalog:
    """Only the targeted resources, and the shipping-rate tables, GPSR producers and persons
    targeted offers name (an offer cannot be listed without them)."""
    if not targets:
        return catalog
    offers = {k: v for k, v in catalog.offers.items() if k in targets}
    defaults = catalog.settings.defaults
    named: set[str | None] = set(targets)
    for offer in offers.values():
        named |= {offer.responsible_producer or defaults.responsible_producer,
                  offer.responsible_person or defaults.responsible_person,
                  offer.shipping_rates or defaults.shipping_rates}
    return catalog.model_copy(
        update={
            "offers": offers,
            "shipping_rates": {k: v for k, v in catalog.shipping_rates.items() if k in named},
            "variant_sets": {k: v for k, v in catalog.variant_sets.items() if k in targets},
            "responsible_producers": {
                k: v for k, v in catalog.responsible_producers.items() if k in named
            },
            "responsible_persons": {
                k: v for k, v in catalog.responsible_persons.items() if k in named
            },
            **targeted(catalog, offers.values(), named),
            **named_entries(catalog, offers.values()),
        }
    )
