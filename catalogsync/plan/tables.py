"""Shipping-rate tables: desired rows, checks against delivery methods, and the R4 limit."""

from __future__ import annotations

from catalogsync.allegro.wire import Fields, money, table_body
from catalogsync.catalog.models import Catalog, ShippingRateTable
from catalogsync.catalog.moves import old_name
from catalogsync.live.state import DeliveryMethod, LiveState
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

#: R4: an account holds at most 250 tables, and a table can never be deleted.
MAX_TABLES = 250


def plan_tables(catalog: Catalog, live: LiveState) -> tuple[list[Change], list[Diagnostic]]:
    changes: list[Change] = []
    diagnostics: list[Diagnostic] = []
    methods = _methods_by_name(live.delivery_methods)
    currency = catalog.settings.defaults.currency
    for name, table in catalog.shipping_rates.items():
        subject = f"shipping_rates {name}"
        problems = _check_rates(table, methods)
        diagnostics += [
            Diagnostic(severity=Severity.ERROR, subject=subject, message=p) for p in problems
        ]
        if problems:
            continue
        rows = _rows(table, currency)
        method_ids = {n: m.id for n, m in methods.items()}
        existing = live.tables.get(name)
        old = old_name(table)
        renamed = live.tables.get(old) if old else None
        if existing is None and renamed is not None:
            changes.append(
                Change(
                    resource=Resource.SHIPPING_RATES,
                    key=name,
                    action=Action.UPDATE,
                    id=renamed.id,
                    renamed_from=renamed.name,
                    diffs=(
                        FieldDiff(field="name", old=renamed.name, new=name),
                        FieldDiff(field="rates", old=list(renamed.rates), new=list(rows)),
                    ),
                    request=Request(
                        method="PUT",
                        path=f"/sale/shipping-rates/{renamed.id}",
                        body=table_body(name, rows, method_ids, renamed.id),
                    ),
                    reason=f"renamed from {renamed.name}; tables are edited in place (R4)",
                    base=table_hash(renamed.id, renamed.rates),
                )
            )
        elif existing is None:
            changes.append(
                Change(
                    resource=Resource.SHIPPING_RATES,
                    key=name,
                    action=Action.CREATE,
                    diffs=(FieldDiff(field="rates", new=list(rows)),),
                    request=Request(
                        method="POST",
                        path="/sale/shipping-rates",
                        body=table_body(name, rows, method_ids, None),
                    ),
                )
            )
        elif existing.rates != rows:
            changes.append(
                Change(
                    resource=Resource.SHIPPING_RATES,
                    key=name,
                    action=Action.UPDATE,
                    id=existing.id,
                    diffs=(FieldDiff(field="rates", old=list(existing.rates), new=list(rows)),),
                    request=Request(
                        method="PUT",
                        path=f"/sale/shipping-rates/{existing.id}",
                        body=table_body(name, rows, method_ids, existing.id),
                    ),
                    base=table_hash(existing.id, existing.rates),
                )
            )
    renamed_away = {old_name(t) for t in catalog.shipping_rates.values()}
    for name in sorted(set(live.removed_tables) - renamed_away):
        diagnostics.append(
            Diagnostic(
                severity=Severity.WARNING,
                subject=f"shipping_rates {name}",
                message="no longer in the catalog; Allegro never deletes a table, so it stays "
                "as it is, unmanaged",
                rule="R4",
            )
        )
    new_tables = sum(1 for c in changes if c.action is Action.CREATE)
    if new_tables and len(live.tables) + new_tables > MAX_TABLES:
        diagnostics.append(
            Diagnostic(
                severity=Severity.ERROR,
                subject="shipping_rates",
                rule="R4",
                message=f"the account has {len(live.tables)} tables and the catalog adds "
                f"{new_tables}; Allegro allows {MAX_TABLES} and tables can never be deleted",
            )
        )
    return changes, diagnostics


def _methods_by_name(methods: tuple[DeliveryMethod, ...]) -> dict[str, DeliveryMethod]:
    by_name: dict[str, DeliveryMethod] = {}
    for method in methods:
        by_name.setdefault(method.name, method)
        by_name[method.id] = method
    return by_name


def _rows(table: ShippingRateTable, currency: str) -> tuple[Fields, ...]:
    rows = [
        {
            "delivery_method": rate.delivery_method,
            "first_item": money(rate.first_item, currency),
            "next_item": money(rate.next_item, currency),
            "max_quantity_per_package": rate.max_quantity_per_package,
        }
        for rate in table.rates
    ]
    return tuple(sorted(rows, key=lambda r: str(r["delivery_method"])))


def _check_rates(table: ShippingRateTable, methods: dict[str, DeliveryMethod]) -> list[str]:
    """Each rate must name a known delivery method and respect its shippingRatesConstraints."""
    problems = []
    for rate in table.rates:
        method = methods.get(rate.delivery_method)
        if method is None:
            problems.append(f"unknown delivery method '{rate.delivery_method}'")
            continue
        limits = method.constraints
        if limits.get("allowed") is False:
            problems.append(f"delivery method '{method.name}' cannot be used in a table")
        most = (limits.get("maxQuantityPerPackage") or {}).get("max")
        if most is not None and rate.max_quantity_per_package > int(most):
            problems.append(
                f"'{method.name}': max_quantity_per_package "
                f"{rate.max_quantity_per_package} exceeds {most}"
            )
        first = limits.get("firstItemRate") or {}
        low, high = first.get("min"), first.get("max")
        if (
            low is not None
            and high is not None
            and not (float(low) <= float(rate.first_item) <= float(high))
        ):
            problems.append(
                f"'{method.name}': first_item {rate.first_item} is outside {low}–{high}"
            )
    return problems
