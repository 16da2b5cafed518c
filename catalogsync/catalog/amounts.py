"""Amounts as a catalog writes them (29.99, "29.99", 30), and an offer's prices on Allegro's
additional marketplaces."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

#: An amount written as text: digits, and at most two decimals after a dot. The validator and
#: the published schema both use these (tests/unit/test_schema_agreement.py).
AMOUNT_TEXT = r"^[0-9]+(\.[0-9]{1,2})?$"
#: …and greater than 0
POSITIVE_AMOUNT_TEXT = r"^(?![0.]+$)[0-9]+(\.[0-9]{1,2})?$"
_NOT_A_NUMBER = "must be a number like 29.99"
_PRICE_LIKE = re.compile(r"^([0-9]+)(?:[.,]([0-9]{1,2}))?$")


def _money(value: Any) -> Any:
    """Accept 29.99, "29.99" or 30; reject floats that are not whole grosze, and say how to
    write what a person meant by "49,99" or "49.99 zł"."""
    if isinstance(value, bool):
        raise ValueError(_NOT_A_NUMBER)
    if isinstance(value, str) and not re.fullmatch(AMOUNT_TEXT, value.strip().removeprefix("-")):
        raise ValueError(_amount_hint(value.strip()))
    if isinstance(value, float | int | str):
        try:
            amount = Decimal(str(value).strip())
            cents = amount.quantize(Decimal("0.01"))  # raises for inf and huge values
        except ArithmeticError as exc:
            raise ValueError(_NOT_A_NUMBER) from exc
        if cents.is_nan():
            raise ValueError(_NOT_A_NUMBER)
        if amount != cents:
            raise ValueError("must have at most two decimal places")
        return cents
    return value


def _amount_hint(text: str) -> str:
    """What to write instead of `text`: the amount alone, with a dot."""
    core = re.sub(r"(?i)\s*(zł|zl|pln|eur|czk|huf|€)\.?$", "", text)
    number = core.replace(" ", "").removeprefix("-")
    match = _PRICE_LIKE.fullmatch(number)
    if match is None:
        return f"{text!r} is not an amount; write a number like 29.99"
    written = match[1] + (f".{match[2]}" if match[2] else "")
    how = [
        why
        for wrong, why in (
            ("," in number, "a dot, not a comma"),
            (core != text, "without the currency, which `currency:` sets"),
            (" " in core, "no spaces"),
        )
        if wrong
    ]
    return f"{text!r} is not a number; write {written} ({'; '.join(how) or 'digits only'})"


def _positive(amount: Decimal) -> Decimal:
    if amount <= 0:
        raise ValueError("must be greater than 0")
    return amount


#: As YAML writes an amount; spelled out so that the published schemas do not follow how a
#: pydantic release happens to describe a Decimal.
_AMOUNT_SCHEMA = WithJsonSchema(
    {"anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": AMOUNT_TEXT}]}
)
_POSITIVE_AMOUNT_SCHEMA = WithJsonSchema(
    {
        "anyOf": [
            {"type": "number", "exclusiveMinimum": 0},
            {"type": "string", "pattern": POSITIVE_AMOUNT_TEXT},
        ]
    }
)
Money = Annotated[
    Decimal, BeforeValidator(_money), AfterValidator(_positive), _POSITIVE_AMOUNT_SCHEMA
]
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
