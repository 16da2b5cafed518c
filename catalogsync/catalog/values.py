"""Small value types of the catalog: those both the offer specs (models.py) and the lean offer
records (records.py) use, and the settings' enums and safety limits."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from catalogsync.catalog import limits as L
from catalogsync.safe_text import hidden_characters

PROVINCES = (
    "DOLNOSLASKIE",
    "KUJAWSKO_POMORSKIE",
    "LUBELSKIE",
    "LUBUSKIE",
    "LODZKIE",
    "MALOPOLSKIE",
    "MAZOWIECKIE",
    "OPOLSKIE",
    "PODKARPACKIE",
    "PODLASKIE",
    "POMORSKIE",
    "SLASKIE",
    "SWIETOKRZYSKIE",
    "WARMINSKO_MAZURSKIE",
    "WIELKOPOLSKIE",
    "ZACHODNIOPOMORSKIE",
)

def shown_plainly(text: str) -> str:
    """Refuse a name or key with characters a reader does not see as themselves (controls,
    line breaks, bidirectional overrides, zero-width spaces): shown in a plan, a terminal or
    a pull request, they could hide or fake what it says."""
    found = hidden_characters(text)
    if found:
        raise ValueError(
            f"contains {', '.join(found)} (control, line-break, bidirectional or zero-width "
            "characters, which can hide or fake what a plan shows); retype it without them"
        )
    return text


def _offer_name(name: str) -> str:
    shown_plainly(name)
    words = L.name_words(name)
    if words < L.OFFER_NAME_MIN_WORDS:
        raise ValueError(
            f"has {words} {'word' if words == 1 else 'words'} and Allegro wants at least "
            f"{L.OFFER_NAME_MIN_WORDS}, separated by spaces; add what a buyer searches for, "
            "e.g. 'Kubek ceramiczny biały 330 ml'"
        )
    return name


OfferName = Annotated[
    str,
    Field(
        min_length=L.OFFER_NAME_MIN_CHARS,
        max_length=L.OFFER_NAME_MAX_CHARS,
        # for editors; the validator below says it in words
        json_schema_extra={"pattern": rf"^\s*\S+(\s+\S+){{{L.OFFER_NAME_MIN_WORDS - 1},}}\s*$"},
    ),
    AfterValidator(_offer_name),
]


class Frozen(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True
    )


class Status(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    ENDED = "ended"


class Location(Frozen):
    country_code: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "PL"
    province: Literal[PROVINCES] | None = None  # type: ignore[valid-type]
    city: Annotated[str, Field(min_length=1, max_length=L.CITY_MAX_CHARS)]
    post_code: str

    @model_validator(mode="after")
    def _polish_address(self) -> Location:
        if self.country_code == "PL":
            if self.province is None:
                raise ValueError("province is required for a location in Poland")
            if not re.fullmatch(r"\d{2}-\d{3}", self.post_code):
                raise ValueError("post_code in Poland looks like 00-950")
        return self


class AfterSales(Frozen):
    """The seller's after-sales conditions, each by its name or id on Allegro."""

    return_policy: str | None = None
    implied_warranty: str | None = None
    warranty: str | None = None


Share = Annotated[float, Field(gt=0, le=1)]


class Safety(Frozen):
    """Limits that stop a run changing more than a person meant to (overridable per run)."""

    #: refuse a run that updates more than this share of the managed offers…
    max_update_share: Share = 0.5
    #: …or ends or deletes more than this share of them
    max_end_share: Share = 0.1
    #: the shares apply once the catalog manages at least this many offers on Allegro
    min_offers: Annotated[int, Field(ge=0)] = 10
    #: a price falling by more than this share, or rising by more than the same factor
    #: (0.5: below half or above double), is an error, so a 199.99 -> 19.99 typo never
    #: goes out silently
    max_price_change: Annotated[float, Field(gt=0, lt=1)] = 0.5


class StockMode(StrEnum):
    """How the catalog's `stock` numbers are meant (see README "Stock and sales")."""

    #: the catalog's number is what the seller put on sale; a change is added (GAIN), so units
    #: sold on Allegro stay sold
    DELTA = "delta"
    #: the catalog's number is the stock to show now (a warehouse export): set with FIXED,
    #: overriding sales the export has not seen yet
    ABSOLUTE = "absolute"


class Environment(StrEnum):
    LOCAL = "local"
    SANDBOX = "sandbox"
    PRODUCTION = "production"
