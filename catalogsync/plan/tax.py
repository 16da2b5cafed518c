"""An offer's tax settings: the catalog's `tax` (or `defaults.tax`) checked against what
`GET /sale/tax-settings` lists for the offer's category, per country: the rate, whether that
rate needs an exemption, the subject and the exemption. A change goes by PATCH with the rest of
the offer's edits (Allegro's `taxSettings`)."""

from __future__ import annotations

from typing import Any

from catalogsync.catalog.models import Catalog, Offer
from catalogsync.live.state import CategoryTax, LiveState
from catalogsync.plan.offers import Desired


def desired_tax(desired: Desired, offer: Offer, catalog: Catalog, live: LiveState) -> None:
    tax = offer.tax if offer.tax is not None else catalog.settings.defaults.tax
    if tax is None:
        return
    wanted = tax.canonical()
    category = desired.fields.get("category")
    allowed = live.tax_settings.get(category) if category else None
    if allowed is None or not _problems(desired, wanted, allowed, category):
        desired.fields["tax"] = wanted  # without a category's list: Allegro checks it


def _problems(desired: Desired, wanted: dict[str, Any], allowed: CategoryTax,
              category: str | None) -> bool:
    """Report what the category does not allow; True when something was reported."""
    rates = allowed.rates
    found = False
    needs_exemption = False
    for country, rate in wanted["rates"].items():
        listed = rates.get(country)
        if listed is None:
            known = ", ".join(sorted(rates)) or "none"
            desired.error(f"tax: Allegro lists no VAT rates for country {country} in category "
                          f"{category}; countries: {known}")
            found = True
        elif rate not in listed:
            desired.error(f"tax: rate {rate} is not allowed for {country} in category "
                          f"{category}; allowed: {', '.join(listed)}")
            found = True
        else:
            needs_exemption = needs_exemption or listed[rate]
    for key, options in (("subject", allowed.subjects), ("exemption", allowed.exemptions)):
        value = wanted.get(key)
        if value is not None and options and value not in options:
            desired.error(f"tax: {key} {value} is not one Allegro takes in category {category}; "
                          f"allowed: {', '.join(options)}")
            found = True
    if needs_exemption and wanted.get("exemption") is None:
        desired.error("tax: the chosen rate needs an exemption (Allegro marks it "
                      "exemptionRequired); add tax.exemption")
        found = True
    return found
