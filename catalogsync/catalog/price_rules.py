"""Price automation rules in the catalog: Allegro's rules that set an offer's price on a
marketplace (most often allegro.cz, .sk or .hu, converted from the base price), and which rule
an offer follows where.

A rule is an account resource keyed by its name on Allegro (at most 33 characters), like
shipping-rate tables; offers (and `defaults`) name it per marketplace:

    price_rules:
      Kurs +5%:
        type: EXCHANGE_RATE
        change_by_percentage: {operation: ADD, value: 5}
    offers:
      MUG-1:
        marketplaces: [allegro-cz]
        price_rules: {allegro-cz: Kurs +5%}

An offer may also name one of the rules Allegro gives every seller, by its name on Allegro.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from catalogsync.catalog import limits as L
from catalogsync.catalog.amounts import Money
from catalogsync.catalog.values import shown_plainly

RuleType = Literal["EXCHANGE_RATE", "FOLLOW_BY_ALLEGRO_MIN_PRICE", "FOLLOW_BY_MARKET_MIN_PRICE",
                   "FOLLOW_BY_TOP_OFFER_PRICE"]
Operation = Literal["ADD", "SUBTRACT"]
PriceRuleName = Annotated[
    str, Field(min_length=1, max_length=L.PRICE_RULE_NAME_MAX_CHARS), AfterValidator(shown_plainly)
]
#: marketplace id -> the name of the rule the offer follows there
PriceRuleRefs = dict[Annotated[str, Field(pattern=r"^[a-z0-9-]+$")], PriceRuleName]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class ChangeByPercentage(_Frozen):
    operation: Operation
    value: Annotated[Decimal, Field(gt=0, max_digits=6, decimal_places=2)]

    @model_validator(mode="after")
    def _below_all(self) -> ChangeByPercentage:
        if self.operation == "SUBTRACT" and self.value >= 100:
            raise ValueError("a price can lose less than 100 %")
        return self


class ChangeByAmount(_Frozen):
    operation: Operation
    #: currency -> amount, e.g. {PLN: 10.00, EUR: 2.00}
    values: Annotated[dict[Annotated[str, Field(pattern=r"^[A-Z]{3}$")], Money],
                      Field(min_length=1)]


class PriceRule(_Frozen):
    """One of the seller's own rules: how Allegro sets the price, and by how much it moves it."""

    type: RuleType
    change_by_percentage: ChangeByPercentage | None = None
    change_by_amount: ChangeByAmount | None = None

    @model_validator(mode="after")
    def _one_change(self) -> PriceRule:
        if self.change_by_percentage and self.change_by_amount:
            raise ValueError("give change_by_percentage or change_by_amount, not both")
        return self


def rule_data(rule: PriceRule) -> dict[str, Any]:
    """The rule as the plan compares it, in Allegro's terms (`type`, `configuration`)."""
    data: dict[str, Any] = {"type": rule.type}
    if rule.change_by_percentage:
        change = rule.change_by_percentage
        data["configuration"] = {"changeByPercentage": {
            "operation": change.operation, "value": _number(change.value)}}
    elif rule.change_by_amount:
        amounts = rule.change_by_amount
        data["configuration"] = {"changeByAmount": {
            "operation": amounts.operation,
            "values": [{"amount": f"{amount:.2f}", "currency": currency}
                       for currency, amount in sorted(amounts.values.items())]}}
    return data


def _number(value: Decimal) -> str:
    """`5` for 5, `2.5` for 2.50: a percentage as Allegro writes it."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
