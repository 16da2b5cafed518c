"""Price automation rules: the catalog's rules created or updated in place (by id; Allegro's
default rules are never changed, and a rule's type cannot change), and the offers put under a
rule per marketplace, one change per marketplace and rule, carried out by price automation
commands after the offers exist.

What a buyer abroad will see is said with each offer put under a rule: under EXCHANGE_RATE,
the base price converted at Allegro's exchange rate of the day (not in the API, so the plan
cannot give the number) with the rule's change applied; under a FOLLOW_* rule, the price
Allegro finds on the market. R26: an offer in Allegro Prices on that marketplace keeps its
price there unless the change is allowed, as a price change would take it out.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from catalogsync.allegro.price_rules_wire import RULES, rule_body
from catalogsync.catalog.models import Catalog, Offer
from catalogsync.catalog.price_rules import rule_data
from catalogsync.live.state import LiveState
from catalogsync.plan.hashing import table_hash
from catalogsync.plan.model import (
    Action,
    Change,
    Diagnostic,
    FieldDiff,
    Request,
    Resource,
    Severity,
)
from catalogsync.wording import plural


def with_price_rules(
    catalog: Catalog, live: LiveState, allow_campaign_price_change: bool,
    changes: list[Change], diagnostics: list[Diagnostic],
) -> tuple[list[Change], list[Diagnostic]]:
    """`changes` and `diagnostics` with the price rules' and the offers' rules (planned first:
    they are account resources, like tables)."""
    if not catalog.price_rules and not live.price_rules:
        return changes, diagnostics
    rules, notes = plan_rules(catalog, live)
    uses, use_notes = plan_uses(catalog, live, allow_campaign_price_change)
    return [*rules, *changes, *uses], [*diagnostics, *notes, *use_notes]


def rule_hash(rule_id: str, data: dict[str, Any]) -> str:
    return table_hash(rule_id, (data,))


def plan_rules(catalog: Catalog, live: LiveState) -> tuple[list[Change], list[Diagnostic]]:
    changes, notes = [], []
    for name, rule in catalog.price_rules.items():
        data = rule_data(rule)
        existing = live.price_rules.get(name)
        subject = f"price_rule {name}"
        if existing is None:
            changes.append(Change(
                resource=Resource.PRICE_RULE, key=name, action=Action.CREATE,
                diffs=tuple(FieldDiff(field=k, new=v) for k, v in sorted(data.items())),
                request=Request(method="POST", path=RULES,
                                body=rule_body(name, data, with_type=True))))
        elif existing.data == data:
            continue
        elif existing.default:
            notes.append(Diagnostic(
                severity=Severity.ERROR, subject=subject,
                message="is one of the rules Allegro gives every seller, which cannot be "
                "changed; give your rule another name, or name this one from offers only"))
        elif existing.data["type"] != data["type"]:
            notes.append(Diagnostic(
                severity=Severity.ERROR, subject=subject,
                message=f"is a {existing.data['type']} rule on Allegro, and a rule's type "
                f"cannot change; give the {data['type']} rule a new name"))
        else:
            changes.append(Change(
                resource=Resource.PRICE_RULE, key=name, action=Action.UPDATE, id=existing.id,
                diffs=(FieldDiff(field="configuration", old=existing.data.get("configuration"),
                                 new=data.get("configuration")),),
                request=Request(method="PUT", path=f"{RULES}/{existing.id}",
                                body=rule_body(name, data, with_type=False)),
                base=rule_hash(existing.id, existing.data)))
    return changes, notes


def followed_rules(offer: Offer, catalog: Catalog) -> dict[str, str]:
    """Marketplace -> rule name the offer is to follow (its own over `defaults`)."""
    wanted = offer.price_rules
    return dict(catalog.settings.defaults.price_rules or {} if wanted is None else wanted)


def plan_uses(catalog: Catalog, live: LiveState, allow_campaign_price_change: bool
              ) -> tuple[list[Change], list[Diagnostic]]:
    """One change per marketplace and rule, naming the offers it puts under the rule."""
    groups: dict[tuple[str, str], list[FieldDiff]] = {}
    offers: dict[tuple[str, str], dict[str, str | None]] = {}
    notes: list[Diagnostic] = []
    known = {**{n: r.data["type"] for n, r in live.price_rules.items()},
             **{n: r.type for n, r in catalog.price_rules.items()}}
    for sku, offer in catalog.offers.items():
        wanted = followed_rules(offer, catalog)
        if not wanted:
            continue
        current = live.offers.get(sku)
        now = live.followed_rules.get(sku, {})
        for marketplace, rule in sorted(wanted.items()):
            problem = _problem(offer, catalog, marketplace, rule, known)
            if problem:
                notes.append(Diagnostic(severity=Severity.ERROR, subject=f"offer {sku}",
                                        message=problem))
                continue
            if now.get(marketplace) == rule:
                continue
            held = (live.marketplace_campaigns.get(current.id, {}).get(marketplace)
                    if current else None)
            if held and not (allow_campaign_price_change or offer.allow_campaign_price_change):
                notes.append(Diagnostic(
                    severity=Severity.WARNING, subject=f"offer {sku}", rule="R26",
                    message=f"stays off price rule '{rule}' on {marketplace}: the offer is in "
                    f"{', '.join(held)} there and a rule would change its price; set "
                    "allow_campaign_price_change: true on the offer or run with "
                    "--allow-campaign-price-change"))
                continue
            groups.setdefault((marketplace, rule), []).append(FieldDiff(
                field=sku, old=now.get(marketplace), new=rule,
                source=_what_buyers_see(offer, catalog, marketplace, rule, known[rule],
                                        current.fields if current else None)))
            offers.setdefault((marketplace, rule), {})[sku] = current.id if current else None
    changes = [
        Change(resource=Resource.OFFER_PRICE_RULES, key=f"{marketplace} {rule}",
               action=Action.UPDATE, diffs=tuple(diffs),
               id=live.price_rules[rule].id if rule in live.price_rules else None,
               payload={"marketplace": marketplace, "rule": rule,
                        "offers": offers[marketplace, rule]},
               reason=f"{plural(len(diffs), 'offer')} to follow price rule '{rule}' on "
               f"{marketplace}")
        for (marketplace, rule), diffs in sorted(groups.items())
    ]
    return changes, notes


def _problem(offer: Offer, catalog: Catalog, marketplace: str, rule: str,
             known: dict[str, str]) -> str | None:
    base = catalog.settings.marketplace
    if rule not in known:
        hint = difflib.get_close_matches(rule, sorted(known), n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
        return (f"price rule '{rule}' is neither in the catalog (price_rules:) nor on "
                f"Allegro{suggestion}")
    if marketplace == base and known[rule] == "EXCHANGE_RATE":
        return f"price rule '{rule}' converts the base price: it cannot set it on {base}"
    prices = offer.marketplaces
    prices = catalog.settings.defaults.marketplaces if prices is None else prices
    if marketplace != base and marketplace not in (prices or {}):
        return (f"price rule '{rule}' on {marketplace}, where the offer is not offered; add "
                f"{marketplace} to its marketplaces")
    if (prices or {}).get(marketplace) is not None:
        return (f"{marketplace} has a price in marketplaces and price rule '{rule}': the rule "
                "sets the price there, so leave the marketplace without a price")
    return None


def _what_buyers_see(offer: Offer, catalog: Catalog, marketplace: str, rule: str, kind: str,
                     fields: Mapping[str, Any] | None) -> str:
    base = offer.price if offer.price is not None else (fields or {}).get("price")
    base_text = (f"the base price {base} {catalog.settings.defaults.currency}"
                 if offer.price is not None else f"the base price {base}" if base is not None
                 else "the base price")
    declared = catalog.price_rules.get(rule)
    change = ""
    if declared and declared.change_by_percentage:
        p = declared.change_by_percentage
        change = f", {'+' if p.operation == 'ADD' else '-'}{p.value} %"
    elif declared and declared.change_by_amount:
        a = declared.change_by_amount
        sign = "+" if a.operation == "ADD" else "-"
        change = ", " + ", ".join(f"{sign}{v} {c}" for c, v in sorted(a.values.items()))
    now = ((fields or {}).get("marketplaces") or {}).get(marketplace)
    shown_now = f"; now {now} there" if now else ""
    if kind == "EXCHANGE_RATE":
        return f"{base_text} at Allegro's exchange rate of the day{change}{shown_now}"
    return f"the price {kind} finds on {marketplace}{change}{shown_now}"
