"""`feeds:` in catalogsync.yaml: fields of offers taken from the seller's own system (an ERP or
warehouse export), as a file inside the catalog or a URL. Reading them is `catalogsync.feeds`.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Annotated, Literal

from pydantic import Field, model_validator

from catalogsync.catalog.values import Frozen

#: Offer fields a feed may set; any other name in `fields:` is a marketplace (allegro-cz …),
#: whose value is the offer's price there.
FEED_FIELDS = ("price", "stock")
FORMATS = ("csv", "jsonl", "xml")
_SUFFIXES = {".csv": "csv", ".txt": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
             ".json": "jsonl", ".xml": "xml"}
_MARKETPLACE = re.compile(r"^allegro-[a-z]{2}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
Column = Annotated[str, Field(min_length=1)]


class FeedSpec(Frozen):
    """One feed: where it is, how its rows name offers, which columns give which fields."""

    #: a file inside the catalog directory, or an http(s) URL (exactly one of the two)
    file: Column | None = None
    url: Annotated[str, Field(pattern=r"^https?://")] | None = None
    #: HTTP header -> the environment variable holding its value (never the value itself)
    headers: dict[Column, Annotated[str, Field(pattern=_ENV_NAME.pattern)]] = Field(
        default_factory=dict)
    #: csv, jsonl or xml (default: from the file name's or URL's extension, else csv)
    format: Literal[FORMATS] | None = None  # type: ignore[valid-type]
    #: the column (JSON key, XML child element) holding the offer key
    key: Column = "external_id"
    #: what the key column holds: the offer's external id or its product's EAN
    match: Literal["external_id", "ean"] = "external_id"
    #: offer field (price, stock, or a marketplace such as allegro-cz) -> column
    fields: Annotated[dict[Column, Column], Field(min_length=1)]
    #: CSV: the field separator (Polish exports often use `;`) and decimal commas (`49,99`)
    delimiter: Annotated[str, Field(min_length=1, max_length=1)] = ","
    decimal_comma: bool = False
    encoding: str = "utf-8-sig"
    #: XML: the element of one product (default: the repeated child of the root)
    item: Column | None = None
    #: a column holding when the stock was counted (ISO 8601); the feed's time is the earliest
    #: (default: the file's modification time, or the URL's Last-Modified)
    time_column: Column | None = None

    @model_validator(mode="after")
    def _check(self) -> FeedSpec:
        if (self.file is None) == (self.url is None):
            raise ValueError("give the feed's file or its url (one of them)")
        wrong = [f for f in self.fields if f not in FEED_FIELDS and not _MARKETPLACE.match(f)]
        if wrong:
            raise ValueError(f"a feed sets price, stock or a marketplace's price (allegro-cz, "
                             f"…), not {', '.join(wrong)}")
        if self.decimal_comma and self.delimiter == ",":
            raise ValueError("decimal_comma needs another delimiter, e.g. `delimiter: ';'`")
        return self

    @property
    def name(self) -> str:
        """How messages and the plan name the feed (a URL without its query, which may hold
        a token)."""
        return self.file or (self.url or "").split("?", 1)[0]

    @property
    def kind(self) -> str:
        if self.format:
            return str(self.format)
        suffix = PurePosixPath(self.name.split("#", 1)[0]).suffix.lower()
        return _SUFFIXES.get(suffix, "csv")
