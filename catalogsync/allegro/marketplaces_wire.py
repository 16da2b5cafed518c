"""Additional marketplaces' JSON shapes <-> canonical fields. Pure: no I/O.

Canonical offer fields:
    marketplaces {marketplace id: "179.00 CZK" | None} — where the offer asks to be offered
      besides its base marketplace, and its price there (None: none set); absent if none
    marketplace_states {marketplace id: {"state", "reasons": ["CODE: message", …]}} — read
      only: Allegro's verdict per marketplace (NOT_REQUESTED ones left out; absent if none)
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def _money(price: dict[str, Any]) -> str:
    return f"{Decimal(str(price['amount'])).quantize(Decimal('0.01'))} {price['currency']}"


def marketplace_fields(doc: dict[str, Any]) -> dict[str, Any]:
    additional = ((doc.get("publication") or {}).get("marketplaces") or {}).get("additional")
    details = doc.get("additionalMarketplaces") or {}
    wanted: dict[str, Any] = {}
    for entry in additional or []:
        marketplace = str(entry.get("id"))
        price = ((details.get(marketplace) or {}).get("sellingMode") or {}).get("price")
        wanted[marketplace] = _money(price) if price else None
    states = {}
    for marketplace, detail in sorted(details.items()):
        publication = (detail or {}).get("publication") or {}
        state = publication.get("state")
        if state and state != "NOT_REQUESTED":
            reasons = [f"{r.get('code')}: {r.get('userMessage')}"
                       for r in publication.get("refusalReasons") or []]
            states[marketplace] = {"state": state, "reasons": reasons}
    out: dict[str, Any] = {}
    if wanted:
        out["marketplaces"] = wanted
    if states:
        out["marketplace_states"] = states
    return out


def marketplace_body(marketplaces: dict[str, str | None]) -> dict[str, Any]:
    """`publication.marketplaces.additional` and `additionalMarketplaces` of a product-offer
    body (the caller merges `publication`)."""
    body: dict[str, Any] = {
        "publication": {"marketplaces": {"additional": [{"id": m} for m in marketplaces]}},
    }
    prices = {m: p for m, p in marketplaces.items() if p is not None}
    if prices:
        body["additionalMarketplaces"] = {
            m: {"sellingMode": {"price": {"amount": p.split(" ")[0], "currency": p.split(" ")[1]}}}
            for m, p in prices.items()
        }
    return body
