"""Small value types of the catalog: those both the offer specs (models.py) and the lean offer
records (records.py) use, and the settings' enums and safety limits."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

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

#: An EAN/GTIN as text: the validator and the published schema both use it.
EAN_TEXT = r"^([0-9]{8}|[0-9]{12,14})$"
#: An unquoted EAN, which YAML reads as a number (the loader keeps its text): the schema's
#: bounds for it (8 to 14 digits; YAML loses leading zeros, so quote an EAN that starts with 0).
_EAN_SCHEMA = WithJsonSchema(
    {
        "anyOf": [
            {"type": "string", "pattern": EAN_TEXT},
            {"type": "integer", "minimum": 10**7, "maximum": 10**14 - 1},
        ]
    }
)


def _gtin(ean: str) -> str:
    """An EAN/GTIN: 8, 12, 13 or 14 digits, the last one the GS1 check digit."""
    if not re.fullmatch(EAN_TEXT, ean):
        digits = re.sub(r"[\s-]", "", ean)
        if digits != ean and re.fullmatch(EAN_TEXT, digits):
            raise ValueError(f"{ean!r}: write the EAN's digits alone, {digits} (remove the "
                             "spaces and dashes)")
        raise ValueError(f"an EAN has 8, 12, 13 or 14 digits (GTIN-8/12/13/14), not {ean!r}")
    # from the right, the check digit's neighbour weighs 3, the next 1, and so on
    total = 3 * sum(map(int, ean[-2::-2])) + sum(map(int, ean[-3::-2]))
    expected = (10 - total % 10) % 10
    if int(ean[-1]) != expected:
        raise ValueError(
            f"the check digit of EAN {ean} is {ean[-1]}, but its other digits give "
            f"{expected}: a typo?"
        )
    return ean


Ean = Annotated[str, AfterValidator(_gtin), _EAN_SCHEMA]


#: A count written as text (`stock: "10"`), as the validator and the schema both take it.
COUNT_TEXT = r"^[0-9]+$"


def _count(value: object) -> object:
    """`10 szt`, `10 pcs` or `ok. 10`: say to write the number alone."""
    if isinstance(value, str) and not re.fullmatch(COUNT_TEXT, value.strip()):
        digits = re.findall(r"[0-9]+", value)
        if re.fullmatch(r"[0-9][0-9 ]*", value.strip()):  # 1 000
            digits = ["".join(digits)]
        if len(digits) == 1:
            raise ValueError(f"{value!r} is not a number; write the number alone: {digits[0]}")
        raise ValueError(f"{value!r} is not a whole number; write one like 10")
    return value


#: How many units: stock, in Allegro's int32.
StockCount = Annotated[
    int,
    BeforeValidator(_count),
    Field(ge=0, le=L.INT32_MAX),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": L.INT32_MAX},
                {"type": "string", "pattern": COUNT_TEXT},
            ]
        }
    ),
]


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


#: An offer name for editors: words of visible characters between spaces (the usual hidden
#: characters spelled out, as JSON Schema's regular expressions know no Unicode categories)
_WORD = r"[^\s\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]+"
_SPACE = r"[^\S\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]"  # a space, no control or line break
_NAME_PATTERN = rf"^{_SPACE}*{_WORD}({_SPACE}+{_WORD}){{{L.OFFER_NAME_MIN_WORDS - 1},}}{_SPACE}*$"


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
        json_schema_extra={"pattern": _NAME_PATTERN},
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
    #: a feed with this share of its rows gone since the last run is taken for a truncated
    #: export, and blocks the plan
    max_feed_shrink: Share = 0.8


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
