"""Price automation on the account: its rules by name, and which rule each managed offer
follows on each marketplace, read from the offer list filtered to offers under any rule
(`sellingMode.priceAutomation.rule.id.empty=false`): a page per 1000 such offers, rather than
`/sale/price-automation/offers/{id}/rules` per offer at 5 requests a second."""

from __future__ import annotations

from dataclasses import replace

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.price_rules_wire import RULES, followed, rule_data
from catalogsync.catalog.models import Catalog
from catalogsync.live.state import LivePriceRule, LiveState

PAGE = 1000


def uses_price_rules(catalog: Catalog) -> bool:
    """Whether the catalog defines or names price rules (else nothing is read)."""
    return bool(catalog.price_rules or catalog.settings.defaults.price_rules
                or any(o.price_rules for o in catalog.offers.values()))


async def read_rules(client: AllegroClient) -> dict[str, LivePriceRule]:
    body = await client.get(RULES)
    return {str(doc["name"]): LivePriceRule(id=str(doc["id"]), name=str(doc["name"]),
                                            default=bool(doc.get("default")),
                                            data=rule_data(doc))
            for doc in body.get("rules") or []}


async def read_followed(client: AllegroClient, base: str) -> dict[str, dict[str, str]]:
    """Offer id -> marketplace -> rule id, for every offer under some rule."""
    found: dict[str, dict[str, str]] = {}
    offset = 0
    while True:
        params = {"sellingMode.priceAutomation.rule.id.empty": "false", "limit": PAGE,
                  "offset": offset}
        offers = (await client.get("/sale/offers", params=params)).get("offers") or []
        for listed in offers:
            rules = followed(listed, base)
            if rules:
                found[str(listed["id"])] = rules
        offset += len(offers)
        if len(offers) < PAGE:
            return found


async def with_price_rules(client: AllegroClient, catalog: Catalog, live: LiveState
                           ) -> LiveState:
    """`live` with the account's rules and the rules its managed offers follow."""
    if not uses_price_rules(catalog):
        return live
    rules = await read_rules(client)
    names = {rule.id: rule.name for rule in rules.values()}
    by_offer = await read_followed(client, catalog.settings.marketplace)
    followed_rules = {
        sku: {m: names.get(r, r) for m, r in by_offer[offer.id].items()}
        for sku, offer in live.offers.items() if offer.id in by_offer
    }
    return replace(live, price_rules=rules, followed_rules=followed_rules)
