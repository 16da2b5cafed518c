"""GPSR in the catalog: the responsible producers and persons an account keeps, and how an
offer names its safety information.

Producers and persons are account resources keyed by their name on Allegro (at most 50
characters), like shipping-rate tables; offers (and `defaults`) refer to them by that name.
Safety information is a text, a list of local PDF/JPEG/PNG files uploaded as safety manuals,
or `none` (only where the category allows going without).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from catalogsync.catalog.values import shown_plainly

#: Allegro takes a responsible person's address in an EU member state only [SL].
EU_COUNTRIES = (
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "GR", "ES", "IE", "LT", "LU",
    "LV", "MT", "NL", "DE", "PL", "PT", "RO", "SK", "SI", "SE", "HU", "IT",
)
MAX_SAFETY_TEXT = 5000
MAX_SAFETY_FILES = 20


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _resource_name(value: str) -> str:
    if not re.fullmatch(r"\S+( \S+)*", value):
        raise ValueError("a name may not contain tabs, line breaks or several spaces in a row")
    return shown_plainly(value)


#: How Allegro lets a producer or person be named: at most 50 characters, single spaces.
ResourceName = Annotated[str, Field(min_length=1, max_length=50), AfterValidator(_resource_name)]


class Address(_Frozen):
    country_code: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    street: Annotated[str, Field(min_length=1, max_length=200)]
    postal_code: Annotated[str, Field(min_length=1, max_length=20)]
    city: Annotated[str, Field(min_length=1, max_length=100)]


class Contact(_Frozen):
    """Since 2025-03-10 Allegro wants an e-mail address or a contact form (or both)."""

    email: Annotated[str, Field(min_length=3, max_length=50)] | None = None
    phone: Annotated[str, Field(min_length=1, max_length=30)] | None = None
    form_url: Annotated[str, Field(pattern=r"^https?://", max_length=80)] | None = None

    @model_validator(mode="after")
    def _reachable(self) -> Contact:
        if not self.email and not self.form_url:
            raise ValueError("give email or form_url (Allegro requires one of them)")
        return self


class ResponsibleProducer(_Frozen):
    """Who made the product: its trade name, address and contact."""

    trade_name: Annotated[str, Field(min_length=1, max_length=200)]
    address: Address
    contact: Contact
    #: its name on Allegro before a rename: the same producer, renamed in place
    moved_from: ResourceName | None = None


class ResponsiblePerson(_Frozen):
    """Who answers for the product's compliance in the EU."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    address: Address
    contact: Contact
    #: its name on Allegro before a rename: the same person, renamed in place
    moved_from: ResourceName | None = None

    @model_validator(mode="after")
    def _in_the_eu(self) -> ResponsiblePerson:
        if self.address.country_code not in EU_COUNTRIES:
            raise ValueError("a responsible person's address must be in an EU member state")
        return self


class SafetyText(_Frozen):
    text: Annotated[str, Field(min_length=1, max_length=MAX_SAFETY_TEXT)]


#: A safety manual's path: where it lies and what it is, the loader checks with the other
#: local files (catalog/offer_checks.py), naming the file.
SafetyFile = Annotated[str, Field(min_length=1, max_length=200)]


class SafetyManuals(_Frozen):
    files: Annotated[tuple[SafetyFile, ...], Field(min_length=1, max_length=MAX_SAFETY_FILES)]


def _safety(value: Any) -> Any:
    """`none`, a text, or a list of files (paths relative to the catalog directory)."""
    if isinstance(value, str):
        return "none" if value.strip().lower() == "none" else {"text": value}
    if isinstance(value, list | tuple):
        return {"files": list(value)}
    return value


SafetyInformation = Annotated[
    Literal["none"] | SafetyText | SafetyManuals,
    BeforeValidator(_safety, json_schema_input_type=str | list[str]),
]
