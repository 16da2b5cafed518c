"""Size tables and offer contacts in the catalog: account resources keyed by the name the
seller gives them, like shipping-rate tables; offers (and `defaults`) name them with
`size_table:` and `contact:`.

A size table is built from one of Allegro's templates (`GET /sale/size-tables-templates`,
named by its name or id) and holds headers and rows of cells ([SL] SizeTablePostRequest). A
contact is a name, at most one e-mail address and at most two phone numbers ([SL]
ContactRequest); Allegro shows it on classified ads (ADVERTISEMENT).

Which categories take a size table is not readable through the API: Allegro's staff publish it
as a file ([I#9066]) and Allegro refuses a size table elsewhere with "Size table is not allowed
in selected category." ([I#4493]). `SIZE_TABLE_CATEGORIES` is the one list the planner and the
emulator read (the emulator's clothing category): the emulator refuses a size table elsewhere,
as Allegro does; the plan only warns, since a real account sells in categories not listed here.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from catalogsync.catalog.limits import (
    CELL_MAX_CHARS,
    CONTACT_MAX_PHONES,
    CONTACT_NAME_MAX_CHARS,
    EMAIL_MAX_CHARS,
    EMAIL_USER_MAX_CHARS,
    PHONE_MAX_CHARS,
    SIZE_TABLE_MAX_COLUMNS,
    SIZE_TABLE_MAX_ROWS,
    SIZE_TABLE_NAME_MAX_CHARS,
)
from catalogsync.catalog.values import Frozen, shown_plainly

#: Leaf categories that take a size table (inferred, see the module's docstring).
SIZE_TABLE_CATEGORIES = frozenset({"16248"})
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,}$")


def _single_spaced(value: str) -> str:
    if not re.fullmatch(r"\S+( \S+)*", value):
        raise ValueError("a name may not contain tabs, line breaks or several spaces in a row")
    return shown_plainly(value)


SizeTableName = Annotated[
    str, Field(min_length=1, max_length=SIZE_TABLE_NAME_MAX_CHARS), AfterValidator(_single_spaced)
]
ContactName = Annotated[
    str, Field(min_length=1, max_length=CONTACT_NAME_MAX_CHARS), AfterValidator(_single_spaced)
]
Cell = Annotated[str, Field(min_length=1, max_length=CELL_MAX_CHARS), AfterValidator(shown_plainly)]


class SizeTable(Frozen):
    """A size table: the template it is built from, its column headers and its rows."""

    template: Annotated[str, Field(min_length=1)]
    headers: Annotated[tuple[Cell, ...], Field(min_length=1, max_length=SIZE_TABLE_MAX_COLUMNS)]
    rows: Annotated[
        tuple[Annotated[tuple[Cell, ...], Field(min_length=1)], ...],
        Field(min_length=1, max_length=SIZE_TABLE_MAX_ROWS),
    ]

    @model_validator(mode="after")
    def _rectangular(self) -> SizeTable:
        for number, row in enumerate(self.rows, 1):
            if len(row) != len(self.headers):
                raise ValueError(f"row {number} has {len(row)} cells for {len(self.headers)} "
                                 "headers (Allegro wants one cell per header)")
        return self


def _email(value: str) -> str:
    user, at, domain = value.partition("@")
    if not at or not user or "." not in domain or " " in value:
        raise ValueError("is not an e-mail address")
    if len(user) > EMAIL_USER_MAX_CHARS:
        raise ValueError(f"the part before @ may have at most {EMAIL_USER_MAX_CHARS} characters")
    return value


def _phone(value: str) -> str:
    if not _PHONE.match(value):
        raise ValueError("is not a phone number (digits, spaces, dashes, an optional leading +)")
    return value


def _listed(value: Any) -> Any:
    return [value] if isinstance(value, str | int) and not isinstance(value, bool) else value


Phone = Annotated[str, Field(min_length=1, max_length=PHONE_MAX_CHARS), AfterValidator(_phone)]


class OfferContact(Frozen):
    """Contact data shown on an offer: an e-mail address and up to two phone numbers."""

    email: Annotated[str, Field(max_length=EMAIL_MAX_CHARS), AfterValidator(_email)] | None = None
    phones: Annotated[
        tuple[Phone, ...],
        BeforeValidator(_listed, json_schema_input_type=str | list[str]),
        Field(max_length=CONTACT_MAX_PHONES),
    ] = ()

    @model_validator(mode="after")
    def _reachable(self) -> OfferContact:
        if not self.email and not self.phones:
            raise ValueError("give an email or phones (a contact with neither reaches nobody)")
        return self


class References(Frozen):
    """The size table and contact an offer (or `defaults`) names."""

    size_table: SizeTableName | None = None
    contact: ContactName | None = None


SizeTables = dict[SizeTableName, SizeTable]
Contacts = dict[ContactName, OfferContact]
