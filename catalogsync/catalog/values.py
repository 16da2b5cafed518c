"""Small value types that both the offer specs (models.py) and the lean offer records
(records.py) use."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
    city: Annotated[str, Field(min_length=1)]
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
