"""Amounts as a catalog writes them (29.99, "29.99", 30), and an offer's prices on Allegro's
additional marketplaces."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema


def _money(value: Any) -> Any:
    """Accept 29.99, "29.99" or 30; reject floats that are not whole grosze."""
    if isinstance(value, bool):
        raise ValueError("must be a number like 29.99")
    if isinstance(value, float | int | str):
        try:
            amount = Decimal(str(value))
            cents = amount.quantize(Decimal("0.01"))  # raises for inf and huge values
        except ArithmeticError as exc:
            raise ValueError("must be a number like 29.99") from exc
        if cents.is_nan():
            raise ValueError("must be a number like 29.99")
        if amount != cents:
            raise ValueError("must have at most two decimal places")
        return cents
    return value


def _positive(amount: Decimal) -> Decimal:
    if amount <= 0:
        raise ValueError("must be greater than 0")
    return amount


#: As YAML writes an amount; spelled out so that the published schemas do not follow how a
#: pydantic release happens to describe a Decimal.
_AMOUNT_SCHEMA = WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string"}]})
Money = Annotated[Decimal, BeforeValidator(_money), AfterValidator(_positive), _AMOUNT_SCHEMA]
NonNegativeMoney = Annotated[Decimal, BeforeValidator(_money), Field(ge=0), _AMOUNT_SCHEMA]


def _marketplaces(value: Any) -> Any:
    """`[allegro-cz]` (Allegro converts the price) or `{allegro-cz: 179.00}` (this price)."""
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return dict.fromkeys(value)
    return value  # anything else: pydantic says what it expected


#: Additional marketplaces an offer is offered on -> its price there in that marketplace's
#: currency (None: Allegro converts the base price).
Marketplaces = Annotated[
    dict[Annotated[str, Field(pattern=r"^[a-z0-9-]+$")], Money | None],
    BeforeValidator(
        _marketplaces, json_schema_input_type=list[str] | dict[str, float | str | None]
    ),
]
