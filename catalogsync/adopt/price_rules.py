"""Price automation rules of imported offers as the catalog writes them (pure but for the one
read of the account's rules): each offer's rule per marketplace by name, from the offer list,
and the seller's own rules those offers name, in a `price_rules.yaml` of their own. Allegro's
default rules are named, never written (they cannot be changed). A marketplace under a rule
gets no price of its own in `marketplaces`: the rule sets it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from catalogsync.adopt.entries import Entry
from catalogsync.adopt.files import dump, free_path
from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.price_rules_wire import followed
from catalogsync.live.price_rules import read_rules
from catalogsync.live.state import LivePriceRule


async def rules_if_used(client: AllegroClient, listed: dict[str, dict[str, Any]], base: str
                        ) -> dict[str, LivePriceRule]:
    """The account's rules by name, if an offer of the list follows any (else not read)."""
    if not any(followed(row, base) for row in listed.values()):
        return {}
    return await read_rules(client)


def add_price_rules(found: list[Entry], listed: dict[str, dict[str, Any]], base: str,
                    rules: dict[str, LivePriceRule]) -> set[str]:
    """Write each entry's rules into its fields; the names of the rules they follow."""
    names = {rule.id: name for name, rule in rules.items()}
    used: set[str] = set()
    for entry in found:
        if "price_rules" in entry.ignore:
            continue
        wanted = {m: names[r] for m, r in followed(listed.get(entry.offer_id) or {}, base).items()
                  if r in names}
        if not wanted:
            continue
        prices = entry.fields.get("marketplaces")
        if prices:
            entry.fields["marketplaces"] = {m: None if m in wanted else p
                                            for m, p in prices.items()}
        entry.fields["price_rules"] = dict(sorted(wanted.items()))
        used |= set(wanted.values())
    return used


def price_rule_file(directory: Path, rules: dict[str, LivePriceRule], used: set[str],
                    declared: set[str], header: str) -> dict[Path, str]:
    """`price_rules:` with the seller's own rules the imported offers follow."""
    data = {name: _as_written(rules[name].data) for name in sorted(used - declared)
            if name in rules and not rules[name].default}
    if not data:
        return {}
    return {free_path(directory, "price_rules", set()): dump({"price_rules": data}, header)}


def _as_written(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": data["type"]}
    config = data.get("configuration") or {}
    if "changeByPercentage" in config:
        change = config["changeByPercentage"]
        out["change_by_percentage"] = {"operation": change["operation"],
                                       "value": Decimal(str(change["value"]))}
    elif "changeByAmount" in config:
        change = config["changeByAmount"]
        out["change_by_amount"] = {
            "operation": change["operation"],
            "values": {v["currency"]: Decimal(str(v["amount"])) for v in change["values"]}}
    return out
