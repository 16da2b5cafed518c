"""Handlers of `/me`, `/marketplaces` and `/sale/tax-settings`."""

from __future__ import annotations

from starlette.responses import Response

from catalogsync.emulator.http.gate import Call, allegro_json
from catalogsync.emulator.services import marketplaces as services_marketplaces
from catalogsync.emulator.services import tax as services_tax


def me(call: Call) -> Response:
    return allegro_json(200, call.backend.accounts.me(call.user_id))


def marketplaces(call: Call) -> Response:
    """`GET /marketplaces`: where Allegro sells, in which currency and language."""
    return allegro_json(200, services_marketplaces.marketplaces())


def tax_settings(call: Call) -> Response:
    """`GET /sale/tax-settings`: the VAT rates, subjects and exemptions of a category."""
    category = call.query("category.id")
    known = category is not None and call.backend.catalogue.category(category) is not None
    return allegro_json(200, services_tax.tax_settings(category, call.queries("countryCode"),
                                                       known))
