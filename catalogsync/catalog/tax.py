"""An offer's tax settings (`tax:` on an offer or in `defaults`): the VAT rate per country, and
the subject and exemption of taxation, as the spec's `OfferTaxSettings` holds them.

```yaml
tax:
  rates: {PL: 23, CZ: 21}      # per country code; "EXEMPT" where the rate list offers it
  subject: GOODS               # optional
  exemption: MONEY_EQUIVALENT  # optional; required by rates marked `exemptionRequired`
```

The loader keeps everything under `tax` as written text (catalog/yaml_nodes.py), so `NO`,
`on` or `08` are never booleans or octal numbers; a rate written `23`, `23.0` or `"23.00"` is
`23.00`, the form `GET /sale/tax-settings` lists. Which rates a category allows per country
is Allegro's to say: the plan checks them (plan/tax.py).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

from catalogsync.catalog.values import Frozen

#: A rate as Allegro lists it: a percentage with two decimals, or a word (`EXEMPT`).
RATE_TEXT = r"^([0-9]{1,2}(\.[0-9]{1,2})?|[A-Z_]+)$"
COUNTRY_TEXT = r"^[A-Z]{2}$"
_WORD = re.compile(r"[A-Z_]+")


def tax_rate(value: Any) -> str:
    """`23`, `23.0`, `"23.00"` -> `"23.00"`; `EXEMPT` stays a word."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("a tax rate is a percentage like 23 or 8.00, or a word like EXEMPT")
    text = str(value).strip()
    if _WORD.fullmatch(text):
        return text
    if not re.fullmatch(RATE_TEXT, text.rstrip("%").replace(",", ".")):
        raise ValueError(f"{text!r} is not a tax rate; write a percentage like 23 or 8.00")
    try:
        rate = Decimal(text.rstrip("%").replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the pattern rules it out
        raise ValueError(f"{text!r} is not a tax rate") from exc
    return f"{rate.quantize(Decimal('0.01'))}"


def _country(value: Any) -> str:
    text = str(value)
    if not re.fullmatch(COUNTRY_TEXT, text):
        raise ValueError(f"{text!r} is not a country code; write it as two capital letters, "
                         "like PL or CZ")
    return text


def _rates(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    return {_country(k): tax_rate(v) for k, v in value.items()}


TaxRates = Annotated[
    dict[str, str],
    BeforeValidator(_rates),
    Field(min_length=1),
    WithJsonSchema({
        "type": "object", "minProperties": 1,
        "propertyNames": {"pattern": COUNTRY_TEXT},
        "additionalProperties": {"anyOf": [{"type": "number", "minimum": 0, "maximum": 99.99},
                                           {"type": "string", "pattern": RATE_TEXT}]},
    }),
]


def _tax_word(value: str) -> str:
    if not _WORD.fullmatch(value):
        raise ValueError(f"'{value}' is not written as Allegro lists it: capitals, like GOODS "
                         "(GET /sale/tax-settings lists the subjects and exemptions)")
    return value


#: a subject or exemption, as `GET /sale/tax-settings` spells them (checked there by the plan)
TaxWord = Annotated[str, AfterValidator(_tax_word),
                    Field(json_schema_extra={"pattern": "^[A-Z_]+$"})]


class TaxSettings(Frozen):
    """`tax:`: the VAT rate per country code, and optionally the subject and exemption."""

    rates: TaxRates
    subject: TaxWord | None = None
    exemption: TaxWord | None = None

    def canonical(self) -> dict[str, Any]:
        """As the planner compares it (allegro/tax_wire.py reads Allegro's into the same)."""
        out: dict[str, Any] = {"rates": dict(sorted(self.rates.items()))}
        if self.subject is not None:
            out["subject"] = self.subject
        if self.exemption is not None:
            out["exemption"] = self.exemption
        return out
