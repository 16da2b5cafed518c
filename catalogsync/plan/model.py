"""The Plan: frozen data that says what apply will do, why, and on which live state.

A saved plan is this model as JSON (see `FORMAT_VERSION`); it holds request bodies but no
credentials, so it is safe to keep as a CI artifact.
"""

from __future__ import annotations

from collections import Counter
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer

#: 2: quantity commands carry their change type (GAIN or FIXED); plans carry stock marks
#: 3: bulk modification commands (offer-bulk-modification-commands)
FORMAT_VERSION = 4


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Severity(StrEnum):
    ERROR = "error"  # blocks apply
    WARNING = "warning"
    NOTE = "note"  # what Allegro will do by itself, for the reader's information


class Diagnostic(_Frozen):
    severity: Severity
    subject: str  # e.g. "offer MUG-001" or "shipping_rates Standard"
    message: str
    rule: str | None = None  # FAQ rule id, e.g. "R23"
    #: where the catalog declares the subject, `file:line:column` (plan/located.py)
    where: str | None = None

    def __str__(self) -> str:
        rule = f" [{self.rule}: catalogsync explain {self.rule}]" if self.rule else ""
        where = f"{self.where}: " if self.where else ""
        return f"{where}{self.severity.value}: {self.subject}: {self.message}{rule}"


class Resource(StrEnum):
    OFFER = "offer"
    SHIPPING_RATES = "shipping_rates"
    VARIANT_SET = "variant_set"
    RESPONSIBLE_PRODUCER = "responsible_producer"
    RESPONSIBLE_PERSON = "responsible_person"
    RETURN_POLICY = "return_policy"
    IMPLIED_WARRANTY = "implied_warranty"
    WARRANTY = "warranty"
    SIZE_TABLE = "size_table"
    CONTACT = "contact"
    PRICE_RULE = "price_rule"
    #: the offers put under one price rule on one marketplace (plan/price_rules.py)
    OFFER_PRICE_RULES = "offer_price_rules"
    #: one language of an offer's own translations, keyed `SKU/language` (plan/translations.py)
    OFFER_TRANSLATION = "offer_translation"

    @property
    def before_offers(self) -> bool:
        """An account resource offers name: apply makes it before the offers (price rules and
        translations come after them: apply/price_rules.py, apply/translations.py)."""
        return self in BEFORE_OFFERS

    @property
    def named_by_offers(self) -> bool:
        """An account entry offers name by id in commands: apply hands a new one's id on."""
        return self in ENTRY_RESOURCES


#: After-sales conditions (plan/after_sales.py): account resources offers refer to.
CONDITIONS = (Resource.RETURN_POLICY, Resource.IMPLIED_WARRANTY, Resource.WARRANTY)
#: Account entries offers name, kept by name in `LiveState.responsible` under their value.
ENTRY_RESOURCES = frozenset({Resource.RESPONSIBLE_PRODUCER, Resource.RESPONSIBLE_PERSON,
                             Resource.SIZE_TABLE, Resource.CONTACT})
BEFORE_OFFERS = ENTRY_RESOURCES | {Resource.SHIPPING_RATES, *CONDITIONS}


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    END = "end"  # an activated offer is never deleted, only ended
    DELETE = "delete"  # only drafts that were never activated


class FieldDiff(_Frozen):
    field: str
    old: Any = None
    new: Any = None
    #: where the new value comes from when not the YAML: a feed's `file:line` (and, for
    #: stock, the count and the sales since); left out of the JSON when there is none
    source: str | None = None

    @model_serializer(mode="wrap")
    def _without_empty_source(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("source") is None:
            data.pop("source", None)
        return data


class Drift(_Frozen):
    """A field changed on Allegro since the last apply, by someone other than catalogsync."""

    field: str  # a field, or `parameters.NAME`
    #: the value catalogsync last set, when the catalog still holds it (else not known)
    was: Any = None
    now: Any = None


class Request(_Frozen):
    method: Literal["POST", "PATCH", "PUT", "DELETE"]
    path: str
    body: dict[str, Any] | None = None


class CommandKind(StrEnum):
    """Allegro's batch commands (R16): each carries one modification for up to 1000 offers;
    a bulk modification carries each offer's own prices and stock, 25 modifications a command."""

    MODIFICATION = "offer-modification-commands"
    PRICE = "offer-price-change-commands"
    QUANTITY = "offer-quantity-change-commands"
    BULK = "offer-bulk-modification-commands"
    PUBLICATION = "offer-publication-commands"


class Command(_Frozen):
    """One offer's part in a batch command: the canonical fields it sets.

    Apply groups offers whose commands set the same values into one command.
    """

    kind: CommandKind
    fields: dict[str, Any]

    @property
    def label(self) -> str:
        if self.kind is CommandKind.PUBLICATION:
            return f"{self.kind.value} {_publication_action(self.fields)}"
        if self.kind is CommandKind.QUANTITY:
            return f"{self.kind.value} {_stock_change(self.fields)}"
        if self.kind is CommandKind.BULK:
            prices = [f"{m} {p}" for m, p in sorted(self.fields.get("prices", {}).items())]
            stock = [f"stock {_stock_change(self.fields['stock'])}"] if "stock" in self.fields \
                else []
            return f"{self.kind.value} ({', '.join(prices + stock)})"
        return f"{self.kind.value} ({', '.join(sorted(self.fields))})"


def _stock_change(fields: dict[str, Any]) -> str:
    value = fields["value"]
    return f"{fields['change']} {value:+d}" if fields["change"] == "GAIN" else \
        f"{fields['change']} {value}"


def _publication_action(fields: dict[str, Any]) -> str:
    return "ACTIVATE" if fields.get("status") == "active" else "END"


class Mark(_Frozen):
    """An offer's stock as the ledger remembers it (see `catalogsync.state.index.StockMark`)."""

    declared: int
    expected: int


class Position(_Frozen):
    """How far the order events were read (see `catalogsync.state.index.OrderPosition`)."""

    event: str | None = None
    bought_until: str | None = None
    bought_then: tuple[str, ...] = ()


class StockBook(_Frozen):
    """The stock ledger apply writes, relative to the order events read for this plan."""

    #: how far the plan's reading read the order events
    position: Position = Position()
    #: external id -> mark if the offer's stock step is not done (or there is none)
    marks: dict[str, Mark] = {}


class Change(_Frozen):
    resource: Resource
    key: str  # external id, or table name
    action: Action
    id: str | None = None  # Allegro id of the existing resource
    diffs: tuple[FieldDiff, ...] = ()
    request: Request | None = None
    commands: tuple[Command, ...] = ()
    reason: str = ""
    #: what apply needs to build requests it cannot write down in advance (a variant set
    #: names offers by external id; some get their Allegro id only during apply)
    payload: dict[str, Any] | None = None
    #: hash of the live resource this change was planned on; apply of a saved plan refuses
    #: when Allegro's copy no longer matches (None for creates)
    base: str | None = None
    #: the offer's stock mark once this change's stock step succeeded
    stock: Mark | None = None
    #: fields changed on Allegro since the last apply that this change sets back
    drift: tuple[Drift, ...] = ()
    #: the offer's earlier external id, which this change replaces (`moved_from`)
    renamed_from: str | None = None

    @property
    def address(self) -> str:
        return f"{self.resource.value} {self.key}"

    @property
    def via(self) -> tuple[str, ...]:
        """How apply carries this change out, for people reading the plan."""
        steps = [f"{self.request.method} {self.request.path}"] if self.request else []
        if self.resource is Resource.VARIANT_SET and self.payload is not None:
            if self.payload.get("replace"):
                steps.append(f"DELETE /sale/offer-variants/{self.id}")
            steps.append("PUT /sale/offer-variants/{setId}")
        if self.resource is Resource.OFFER_PRICE_RULES:
            steps.append("POST /sale/offer-price-automation-commands")
        return (*steps, *(c.label for c in self.commands))


class Plan(_Frozen):
    format_version: int = FORMAT_VERSION
    environment: str
    marketplace: str
    fingerprint: str
    changes: tuple[Change, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    unmanaged_offers: int = 0
    #: what was read from Allegro and why (live/quiet.py)
    read: str = ""
    #: files and outside image URLs apply uploads first: content hash (images) or
    #: `attachment-<hash>` (safety manuals) -> path in the catalog directory, and an outside
    #: image URL -> itself
    uploads: dict[str, str] = {}
    #: ids of the account's responsible producers and persons by kind and name, for the
    #: modification commands that name them (apply adds those it creates)
    references: dict[str, dict[str, str]] = {}
    #: the stock ledger after apply (None: the order events could not be read, so apply only
    #: updates the marks of the quantity changes it makes)
    stock: StockBook | None = None

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.WARNING)

    def counts(self) -> Counter[str]:
        return Counter(c.action.value for c in self.changes)
