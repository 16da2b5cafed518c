"""An offer's `taxSettings` <-> the canonical field `tax`. Pure: no I/O.

Canonical: `tax {"rates": {country code: rate}, "subject"?: str, "exemption"?: str}`, rates
sorted by country and written as `GET /sale/tax-settings` lists them (`"23.00"`, `"EXEMPT"`).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


def rate_text(value: Any) -> str:
    """`23`, `"23.0"` -> `"23.00"`; a word (`EXEMPT`) as it is."""
    try:
        return f"{Decimal(str(value)).quantize(Decimal('0.01'))}"
    except InvalidOperation:
        return str(value)


def tax_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """`{"tax": …}` from a product-offer answer, or nothing when it has no tax settings."""
    settings = doc.get("taxSettings") or {}
    rates = {
        str(r.get("countryCode")): rate_text(r.get("rate"))
        for r in settings.get("rates") or []
        if r and r.get("countryCode") and r.get("rate") is not None
    }
    if not rates:
        return {}
    tax: dict[str, Any] = {"rates": dict(sorted(rates.items()))}
    for key in ("subject", "exemption"):
        if settings.get(key):
            tax[key] = str(settings[key])
    return {"tax": tax}


def tax_body(tax: dict[str, Any]) -> dict[str, Any]:
    """The `taxSettings` of a product-offer body."""
    body: dict[str, Any] = {
        "rates": [{"rate": rate, "countryCode": country}
                  for country, rate in sorted(tax["rates"].items())],
    }
    for key in ("subject", "exemption"):
        if tax.get(key) is not None:
            body[key] = tax[key]
    return body
