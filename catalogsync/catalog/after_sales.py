"""After-sales conditions in the catalog: `return_policies`, `implied_warranties` and
`warranties`, each keyed by the name the seller gives it on Allegro (at most 200 characters).

Offers (and `defaults`) name them under `after_sales:`; a name the catalog does not define
still means the account's condition of that name, as before. Periods are ISO 8601 as Allegro
takes them: a withdrawal period in days (`P14D`), an implied warranty's in years (`P2Y`), a
warranty's in years, months or days (`P24M`) or `lifetime`. Enumerations are Allegro's words
(`FULL`, `SELLER`, `SEALED_MEDIA` …), in any case. `moved_from: OLD NAME` renames the
condition of that name in place (the same Allegro id).
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from catalogsync.catalog import limits as L
from catalogsync.catalog.values import Frozen, shown_plainly

RANGES = ("FULL", "RESTRICTED", "DISABLED")
#: `restrictionCause.name` values Allegro still takes ([SL]; ALCOHOL, FULLY_IMPLEMENTED_SERVICE
#: and BOOKED_SERVICE were withdrawn, [I#5112])
RESTRICTIONS = (
    "SEALED_MEDIA", "SEALED_ITEM_NO_RETURN_DUE_HEALTH_OR_HYGIENE", "CUSTOM_ITEM",
    "SHORT_SHELF_LIFE", "INSEPARABLY_LINKED", "PRESS", "MEDICINAL_PRODUCT",
    "NOT_RECORDED_DIGITAL_CONTENT", "VALUE_DEPENDENT_ON_FINANCIAL_MARKET",
)
PAYERS = ("SELLER", "BUYER")
WARRANTORS = ("MANUFACTURER", "SELLER")
LIFETIME = "lifetime"


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _text(value: Any) -> Any:
    """YAML reads `12:30` as 750 and `on` as true: a text field wants the text quoted."""
    if isinstance(value, bool):
        raise ValueError(f"read by YAML as {str(value).lower()}; put the text in quotes")
    if isinstance(value, int | float | date | time):
        raise ValueError(f"read by YAML as {value!r}; put the text in quotes")
    return value


def _period(pattern: str, example: str) -> Any:
    def check(value: str) -> str:
        if not re.fullmatch(pattern, value):
            raise ValueError(f"must be an ISO 8601 period like {example}")
        return value
    return AfterValidator(check)


def _withdrawal(value: str) -> str:
    if int(value[1:-1]) < L.WITHDRAWAL_MIN_DAYS:
        raise ValueError(f"a buyer has at least {L.WITHDRAWAL_MIN_DAYS} days (P14D) to return")
    return value


ConditionName = Annotated[
    str, Field(min_length=1, max_length=L.AFTER_SALES_NAME_MAX_CHARS),
    AfterValidator(shown_plainly),
]
Text = Annotated[str, BeforeValidator(_text), Field(min_length=1)]
WithdrawalPeriod = Annotated[str, _period(r"P\d+D", "P14D"), AfterValidator(_withdrawal)]
Years = Annotated[str, _period(r"P[1-9]\d*Y", "P2Y")]
WarrantyPeriod = Annotated[str, _period(r"P[1-9]\d*[YMD]|lifetime", "P24M (or lifetime)")]
Description = Annotated[Text, Field(max_length=L.AFTER_SALES_DESCRIPTION_MAX_CHARS)]


class ConditionAddress(Frozen):
    """Where returns and complaints go."""

    name: Annotated[Text, Field(max_length=200)]
    street: Annotated[Text, Field(max_length=200)]
    post_code: Annotated[Text, Field(max_length=16)]
    city: Annotated[Text, Field(max_length=200)]
    country_code: Annotated[str, BeforeValidator(_upper), Field(pattern=r"^[A-Z]{2}$")]


def _return_address(address: ConditionAddress) -> None:
    """For PL, CZ and SK a return address's street and city have at most 35 and 30
    characters, its name 50 in CZ and SK, and its post code is `00-950` (PL) or `110 00` (CZ,
    SK); elsewhere up to 16 letters, digits, spaces and hyphens [SL ReturnPolicyAddress]."""
    country = address.country_code
    short = country in ("PL", "CZ", "SK")
    if short and len(address.street) > 35:
        raise ValueError(f"address.street: at most 35 characters in {country}")
    if short and len(address.city) > 30:
        raise ValueError(f"address.city: at most 30 characters in {country}")
    if country in ("CZ", "SK") and len(address.name) > 50:
        raise ValueError(f"address.name: at most 50 characters in {country}")
    code = {"PL": r"\d{2}-\d{3}", "CZ": r"\d{3} \d{2}", "SK": r"\d{3} \d{2}"}.get(
        country, r"[A-Za-z0-9 -]{1,16}")
    if not re.fullmatch(code, address.post_code):
        raise ValueError(f"address.post_code {address.post_code!r} is not a post code of "
                         f"{country}")


class ReturnContact(Frozen):
    email: Annotated[Text, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    phone: Annotated[Text, Field(max_length=30)] | None = None


class ReturnOptions(Frozen):
    """Allegro wants all five; one left out is false."""

    cash_on_delivery_not_allowed: bool = False
    free_accessories_return_required: bool = False
    refund_lowered_by_received_discount: bool = False
    business_return_allowed: bool = False
    collect_by_seller_only: bool = False


class ReturnPolicy(Frozen):
    """`availability`: FULL (returns allowed), RESTRICTED or DISABLED (then `restriction` says
    why). A FULL or RESTRICTED policy gives the period, who pays the return, the address and
    the options; a DISABLED one none of them."""

    moved_from: ConditionName | None = None
    availability: Annotated[Literal[RANGES], BeforeValidator(_upper)] = "FULL"  # type: ignore[valid-type]
    restriction: Annotated[Literal[RESTRICTIONS], BeforeValidator(_upper)] | None = None  # type: ignore[valid-type]
    withdrawal_period: WithdrawalPeriod | None = None
    return_cost: Annotated[Literal[PAYERS], BeforeValidator(_upper)] | None = None  # type: ignore[valid-type]
    address: ConditionAddress | None = None
    contact: ReturnContact | None = None
    options: ReturnOptions | None = None
    #: for One Fulfillment offers; Allegro does not let it change
    fulfillment: bool = False

    @model_validator(mode="after")
    def _by_availability(self) -> ReturnPolicy:
        if self.availability == "FULL" and self.restriction:
            raise ValueError("restriction: only for availability RESTRICTED or DISABLED")
        if self.availability != "FULL" and not self.restriction:
            raise ValueError(f"availability {self.availability} needs a restriction (one of "
                             f"{', '.join(RESTRICTIONS)})")
        given = [f for f in ("withdrawal_period", "return_cost", "address", "options")
                 if getattr(self, f) is not None]
        if self.availability == "DISABLED" and given:
            raise ValueError(f"a policy without returns (DISABLED) has no {', '.join(given)}")
        missing = [f for f in ("withdrawal_period", "return_cost", "address")
                   if getattr(self, f) is None]
        if self.availability != "DISABLED" and missing:
            raise ValueError(f"availability {self.availability} needs {', '.join(missing)}")
        if self.address is not None:
            _return_address(self.address)
        return self


class ImpliedWarranty(Frozen):
    """Rękojmia: the period for consumers (`individual`) and for businesses (`corporate`),
    in full years, the address complaints go to, and a description."""

    moved_from: ConditionName | None = None
    individual: Years
    corporate: Years | None = None
    address: ConditionAddress
    description: Description | None = None


class Warranty(Frozen):
    """A guarantee by the MANUFACTURER or the SELLER, for consumers (`individual`) and
    businesses (`corporate`)."""

    moved_from: ConditionName | None = None
    type: Annotated[Literal[WARRANTORS], BeforeValidator(_upper)]  # type: ignore[valid-type]
    individual: WarrantyPeriod
    corporate: WarrantyPeriod | None = None
    description: Description | None = None
