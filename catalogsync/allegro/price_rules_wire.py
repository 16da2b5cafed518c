"""Price automation's JSON shapes <-> the catalog's. Pure: no I/O.

Rules: `GET|POST /sale/price-automation/rules`, `GET|PUT /sale/price-automation/rules/{id}`
([SL] AutomaticPricingRule*). A rule's data, as the plan compares it: `{"type",
"configuration"?}` in Allegro's own terms (catalog/price_rules.py `rule_data`).
What an offer follows: the offer list's `additionalMarketplaces.{id}.sellingMode.priceAutomation
.rule.id` (and `sellingMode.priceAutomation` for the base marketplace); set per marketplace by
`POST /sale/offer-price-automation-commands` ([SL] OfferAutomaticPricingCommand).
"""

from __future__ import annotations

from typing import Any

RULES = "/sale/price-automation/rules"
COMMANDS = "/sale/offer-price-automation-commands"


def rule_data(doc: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"type": str(doc.get("type"))}
    if doc.get("configuration"):
        data["configuration"] = doc["configuration"]
    return data


def rule_body(name: str, data: dict[str, Any], *, with_type: bool) -> dict[str, Any]:
    """POST (with the type) or PUT (without: the type cannot change) body of a rule."""
    body: dict[str, Any] = {"name": name}
    if with_type:
        body["type"] = data["type"]
    if data.get("configuration"):
        body["configuration"] = data["configuration"]
    return body


def followed(listed: dict[str, Any], base: str) -> dict[str, str]:
    """Marketplace -> rule id an offer of the offer list follows there."""
    out = {}
    rule = (((listed.get("sellingMode") or {}).get("priceAutomation") or {}).get("rule") or {})
    if rule.get("id"):
        out[base] = str(rule["id"])
    for marketplace, entry in (listed.get("additionalMarketplaces") or {}).items():
        selling = (entry or {}).get("sellingMode") or {}
        rule = ((selling.get("priceAutomation") or {}).get("rule")) or {}
        if rule.get("id"):
            out[marketplace] = str(rule["id"])
    return out


def command_body(command_id: str, marketplace: str, rule_id: str, offer_ids: list[str]
                 ) -> dict[str, Any]:
    """Put the offers under `rule_id` on `marketplace` (at most 1000 offers)."""
    return {
        "id": command_id,
        "modification": {"set": [{"marketplace": {"id": marketplace}, "rule": {"id": rule_id}}]},
        "offerCriteria": [{"type": "CONTAINS_OFFERS", "offers": [{"id": i} for i in offer_ids]}],
    }
