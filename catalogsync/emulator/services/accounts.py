"""Accounts: `GET /me` and the seller's after-sales conditions (return policies, implied
warranties, warranties), which offers name by id or by name."""

from __future__ import annotations

from typing import Any

from catalogsync.emulator.core import checks
from catalogsync.emulator.core.errors import ApiError, Doc, forbidden, not_found
from catalogsync.emulator.core.reference import Reference
from catalogsync.emulator.seed.accounts import AFTER_SALES

_AFTER_SALES_KINDS = {
    "returnPolicy": ("returnPolicies", "ReturnPolicyNotFoundException"),
    "impliedWarranty": ("impliedWarranties", "ImpliedWarrantyNotFoundException"),
    "warranty": ("warranties", "WarrantyNotFoundException"),
}


class Accounts:
    """The users of the reference data and their after-sales conditions (read-only)."""

    def __init__(self, reference: Reference) -> None:
        self._reference = reference

    def me(self, user_id: str) -> Doc:
        return dict(self._reference.users[user_id])

    def after_sales(self, seller: str, kind: str) -> Doc:
        """`GET /after-sales-service-conditions/{kind}`: the seller's definitions."""
        found = AFTER_SALES.get(seller, {}).get(kind, [])
        return {kind: found, "count": len(found)}

    def return_policy(self, seller: str, policy_id: str) -> Doc:
        """`GET /after-sales-service-conditions/return-policies/{id}`: one of the seller's return
        policies; 404 for an unknown id, 403 for another seller's."""
        for owner, kinds in AFTER_SALES.items():
            for policy in kinds.get("returnPolicies", []):
                if policy["id"] == policy_id:
                    if owner != seller:
                        raise forbidden("You can only access your own return policies.")
                    return dict(policy)
        raise not_found("Return policy with given ID not found")

    def after_sales_services(self, seller: str, value: Any) -> Doc:
        """Each of returnPolicy, impliedWarranty, warranty by id or by name -> its id; an
        unknown one is 422 `<Kind>NotFoundException` [S 422 table]."""
        chosen = checks.json_object(value, "afterSalesServices")
        out: Doc = {}
        for key, (kind, code) in _AFTER_SALES_KINDS.items():
            if chosen.get(key) is None:
                continue
            wanted = checks.json_object(chosen[key], f"afterSalesServices.{key}")
            known = AFTER_SALES.get(seller, {}).get(kind, [])
            match = [d for d in known if d["id"] == wanted.get("id")
                     or ("id" not in wanted and d["name"] == wanted.get("name"))]
            if not match:
                raise ApiError(
                    422, code, f"{key} {wanted.get('id') or wanted.get('name')} not found",
                    path=f"afterSalesServices.{key}",
                    metadata={"requestedName": str(wanted.get("name") or "")},
                )
            out[key] = {"id": match[0]["id"], "name": match[0]["name"]}
        return out
