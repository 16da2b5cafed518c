"""Checks of JSON values in request bodies, shared by the services; each failure is a 422
`VALIDATION_ERROR` naming the field's path."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from catalogsync.emulator.core.errors import Doc, invalid

CENT = Decimal("0.01")

def json_object(value: Any, path: str) -> Doc:
    if not isinstance(value, dict):
        raise invalid(path or None, f"{path or 'Request body'} must be a JSON object.")
    return value


def text(value: Any, path: str, *, allowed: tuple[str, ...] = ()) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid(path, f"{path} must be a non-empty string.")
    if allowed and value not in allowed:
        raise invalid(path, f"{path} must be one of: {', '.join(allowed)}.")
    return value


def integer(value: Any, path: str, minimum: int | None = None,
            maximum: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid(path, f"{path} must be an integer.")
    if minimum is not None and value < minimum:
        raise invalid(path, f"{path} must be greater than or equal to {minimum}.")
    if maximum is not None and value > maximum:
        raise invalid(path, f"{path} must be less than or equal to {maximum}.")
    return value


def number(value: Any, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise invalid(path, f"{path} must be a decimal number given as a string.")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise invalid(path, f"{path} must be a decimal number given as a string.") from exc
    if not number.is_finite():
        raise invalid(path, f"{path} must be a decimal number given as a string.")
    return number


def money(value: Any, path: str, *, positive: bool = True) -> Doc:
    """A `{"amount", "currency"}` object, amount normalised to two decimal places."""
    given = json_object(value, path)
    amount = number(given.get("amount"), f"{path}.amount")
    if amount != amount.quantize(CENT):
        raise invalid(f"{path}.amount", "Amount may have at most 2 decimal places.")
    if amount < 0 or (positive and amount == 0):
        raise invalid(f"{path}.amount", "Amount must be greater than 0.")
    currency = given.get("currency")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isupper():
        raise invalid(f"{path}.currency", "Currency must be an ISO 4217 code.")
    return {"amount": str(amount.quantize(CENT)), "currency": currency}


def merged(current: Any, change: Any) -> Any:
    """PATCH edits each field independently: objects merge, anything else replaces."""
    if isinstance(current, dict) and isinstance(change, dict):
        out = dict(current)
        for key, value in change.items():
            out[key] = merged(current.get(key), value)
        return out
    return change
