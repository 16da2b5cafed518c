"""Additional marketplaces (allegro-cz, -sk, -hu): where an offer is offered besides its base
marketplace and at what price in that marketplace's currency; Allegro's verdict per marketplace;
R26 for a price there that Allegro Prices holds.

A price change on a marketplace the offer is already offered on goes by price-change command
with `marketplaceId`; asking for other marketplaces is a PATCH. A marketplace named without a
price leaves the price there to Allegro (its conversion, or none), so it is not compared.
"""

from __future__ import annotations

from typing import Any

from catalogsync.allegro.wire import money
from catalogsync.catalog.models import Catalog, Offer
from catalogsync.live.state import LiveOffer, LiveState
from catalogsync.plan.model import Command, CommandKind, Diagnostic, Severity
from catalogsync.plan.offers import Desired


def desired_marketplaces(desired: Desired, offer: Offer, catalog: Catalog, live: LiveState
                         ) -> None:
    wanted = offer.marketplaces
    if wanted is None:
        wanted = catalog.settings.defaults.marketplaces
    if wanted is None:
        return
    base = catalog.settings.marketplace
    out: dict[str, str | None] = {}
    for marketplace, price in wanted.items():
        currency = live.marketplaces.get(marketplace)
        if currency is None or marketplace == base:
            known = ", ".join(m for m in sorted(live.marketplaces) if m != base) or "none"
            desired.error(f"marketplace '{marketplace}' is not an additional marketplace "
                          f"Allegro sells on; known: {known}")
            continue
        out[marketplace] = money(price, currency) if price is not None else None
    desired.fields["marketplaces"] = out
    _check_delivery(desired, catalog, live)


def _check_delivery(desired: Desired, catalog: Catalog, live: LiveState) -> None:
    """Allegro refuses a marketplace the offer's shipping rates do not deliver to
    (VQR003_DELIVERY_TO_OPERATIONAL_COUNTRY_NOT_AVAILABLE, [I#13275]): say so before."""
    table = desired.fields.get("shipping_rates")
    if table in catalog.shipping_rates:
        names = [r.delivery_method for r in catalog.shipping_rates[table].rates]
    elif table in live.tables:
        names = [str(r["delivery_method"]) for r in live.tables[table].rates]
    else:
        return
    methods = {m.name: m for m in live.delivery_methods} | {m.id: m for m in live.delivery_methods}
    reached = {m for name in names if name in methods for m in methods[name].marketplaces}
    for marketplace in desired.fields["marketplaces"]:
        if marketplace not in reached:
            desired.warn(f"shipping rates '{table}' deliver to no buyer of {marketplace}: Allegro "
                         "will refuse the offer there (VQR003_DELIVERY_TO_OPERATIONAL_COUNTRY_NOT_"
                         "AVAILABLE); add a delivery method for that country")


def compared(new: dict[str, Any], old: dict[str, Any] | None) -> dict[str, Any]:
    """The live value as the catalog sees it: prices the catalog leaves to Allegro ignored."""
    old = old or {}
    return {m: (p if new.get(m) is not None else None) if m in new else p
            for m, p in old.items()}


def price_commands(new: dict[str, Any], old: dict[str, Any] | None) -> list[Command] | None:
    """Price-change commands for the marketplaces whose price changed; None when the offer
    is to be offered on other marketplaces (that takes a PATCH)."""
    old = old or {}
    if set(new) != set(old):
        return None
    return [
        Command(kind=CommandKind.PRICE, fields={"price": price, "marketplace": marketplace})
        for marketplace, price in sorted(new.items())
        if price is not None and price != old.get(marketplace)
    ]


def withhold_marketplace_prices(desired: Desired, current: LiveOffer, live: LiveState,
                                allowed: bool) -> None:
    """R26 on additional marketplaces: a price Allegro Prices holds there stays, unless
    allowed, and the plan says why."""
    new = desired.fields.get("marketplaces")
    held = live.marketplace_campaigns.get(current.id) or {}
    if not new or not held:
        return
    old = current.fields.get("marketplaces") or {}
    for marketplace, programmes in sorted(held.items()):
        price, before = new.get(marketplace), old.get(marketplace)
        if price is None or before is None or price == before:
            continue
        names = ", ".join(programmes)
        if allowed:
            desired.warn(f"changing the price on {marketplace} takes the offer out of {names} "
                         "there", rule="R26")
            continue
        new[marketplace] = before
        desired.warn(
            f"price on {marketplace} stays {before} (not {price}): the offer is in {names} there "
            "and a price change would take it out; set allow_campaign_price_change: true on "
            "the offer or run with --allow-campaign-price-change", rule="R26")


def marketplace_diagnostics(verdicts: dict[str, dict[str, Any]]) -> list[Diagnostic]:
    """Allegro's verdicts per additional marketplace (external id -> `marketplace_states`):
    each refusal as a warning with its reasons, each offer still waiting as a note, and the
    approved ones counted per marketplace."""
    out = []
    approved: dict[str, int] = {}
    for sku, states in sorted(verdicts.items()):
        waiting = []
        for marketplace, verdict in sorted(states.items()):
            if verdict["state"] == "REFUSED":
                reasons = "; ".join(verdict["reasons"]) or "no reason given"
                out.append(Diagnostic(severity=Severity.WARNING, subject=f"offer {sku}",
                                      message=f"{marketplace} refused: {reasons}"))
            elif verdict["state"] == "APPROVED":
                approved[marketplace] = approved.get(marketplace, 0) + 1
            else:
                waiting.append(f"{marketplace} {verdict['state']}")
        if waiting:
            out.append(Diagnostic(severity=Severity.NOTE, subject=f"offer {sku}",
                                  message="additional marketplaces: " + ", ".join(waiting)))
    for marketplace, count in sorted(approved.items()):
        offers = "1 offer" if count == 1 else f"{count} offers"
        out.append(Diagnostic(severity=Severity.NOTE, subject=marketplace,
                              message=f"{offers} approved there"))
    return out
