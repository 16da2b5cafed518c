"""Read a catalog's feeds and lay their values over its offers: a feed value wins over the
YAML for the fields the feed names.

Rows are read as a stream (`feeds.rows`); what stays is, per offer the feeds reach, the
values and the line they came from. A bad row, a key twice in one feed, a field two feeds
set for one offer: `file:line` problems, raised together as a `CatalogError` (as a bad
catalog is). Rows whose key the catalog does not have are counted and reported, never
created.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from operator import attrgetter
from pathlib import Path

from catalogsync.catalog.feeds import FeedSpec
from catalogsync.catalog.limits import INT32_MAX
from catalogsync.catalog.local_files import MISSING, local_file_problem
from catalogsync.catalog.models import Catalog, Offer
from catalogsync.errors import CatalogError, Problem
from catalogsync.feeds.rows import FeedFileError, rows
from catalogsync.wording import plural, shown

#: Problems shown per feed before the rest are only counted.
MAX_PROBLEMS = 20
#: Unknown keys named in the plan's warning before the rest are only counted.
MAX_UNKNOWN = 5
_FEED_FILES = {".csv": "", ".txt": "", ".jsonl": "", ".ndjson": "", ".xml": "", ".json": ""}


@dataclass
class FeedRead:
    """What one feed said."""

    spec: FeedSpec
    #: False: a URL feed not fetched (validate is offline)
    loaded: bool = False
    #: rows read (the number remembered for the shrink check)
    rows: int = 0
    #: when the feed's stock was counted (ISO 8601, UTC), if known
    at: str | None = None
    #: keys the catalog does not have, with their first line, up to MAX_UNKNOWN; and how many
    unknown: list[tuple[str, int]] = field(default_factory=list)
    unknown_count: int = 0


#: One feed's row for one offer: the feed's index, the row's line, its values in the order
#: of the feed's `fields:` (compact: a feed of 100 000 rows keeps 100 000 of them)
Hit = tuple[int, int, tuple[Decimal | int, ...]]


@dataclass
class FeedValues:
    """Every feed of the catalog, read."""

    feeds: list[FeedRead] = field(default_factory=list)
    #: external id -> the rows of the feeds that reach it (one per feed)
    values: dict[str, tuple[Hit, ...]] = field(default_factory=dict)

    def fields(self, sku: str) -> dict[str, tuple[Decimal | int, int, int]]:
        """The offer's feed fields: name -> (value, feed index, line)."""
        return {name: (value, index, line)
                for index, line, row in self.values.get(sku, ())
                for name, value in zip(self.feeds[index].spec.fields, row, strict=True)}

    def source(self, sku: str, name: str) -> str | None:
        """`feeds/erp.csv:1234` for the offer's field, if a feed set it."""
        found = self.fields(sku).get(name)
        if found is None:
            return None
        return f"{self.feeds[found[1]].spec.name}:{found[2]}"

    def stock(self, sku: str) -> tuple[int, FeedRead, int] | None:
        found = self.fields(sku).get("stock")
        if found is None:
            return None
        value, index, line = found
        return int(value), self.feeds[index], line


def read_feeds(directory: Path, catalog: Catalog, fetched: dict[int, tuple[Path, str | None]]
               ) -> FeedValues:
    """Read every feed: files from the catalog directory, URLs from `fetched` (feed index ->
    the downloaded copy and its Last-Modified time); a URL feed not fetched is skipped."""
    result = FeedValues()
    problems: list[Problem] = []
    by_ean: dict[str, list[str]] | None = None
    for index, spec in enumerate(catalog.settings.feeds):
        read = FeedRead(spec)
        result.feeds.append(read)
        if spec.file is not None:
            path = directory / spec.file
            problem = local_file_problem(directory, spec.file, _FEED_FILES, None)
            if problem is not None:
                problem = "does not exist" if problem == MISSING else problem
                problems.append(Problem(path, 0, 0, f"feed {shown(spec.file)} {problem}"))
                continue
            read.at = _iso(datetime.fromtimestamp(path.stat().st_mtime, UTC))
        elif index in fetched:
            path, read.at = fetched[index]
        else:
            continue
        if spec.match == "ean" and by_ean is None:
            by_ean = _by_ean(catalog)
        shown_path = directory / spec.file if spec.file else Path(spec.name)
        read.loaded = True
        problems += _read(path, shown_path, index, read, catalog, by_ean, result)
    if problems:
        raise CatalogError(problems)
    return result


def _read(path: Path, shown_path: Path, index: int, read: FeedRead, catalog: Catalog,
          by_ean: dict[str, list[str]] | None, result: FeedValues) -> list[Problem]:
    spec = read.spec
    columns = frozenset({spec.key, *spec.fields.values(),
                         *([spec.time_column] if spec.time_column else [])})
    problems: list[Problem] = []
    earliest: datetime | None = None
    names = tuple(spec.fields.items())
    for row in rows(path, spec, columns):
        if isinstance(row, FeedFileError):
            problems.append(Problem(shown_path, row.line, 1 if row.line else 0, str(row)))
            continue
        read.rows += 1
        wrong: list[str] = []
        key = (row.values.get(spec.key) or "").strip()
        if not key:
            wrong.append(f"no key in column {shown(spec.key)}")
        values: list[Decimal | int] = []
        for name, column in names:
            value = _value(name, row.values.get(column), spec)
            if isinstance(value, str):
                wrong.append(f"{column} {value}")
            else:
                values.append(value)
        if spec.time_column:
            moment = _moment(row.values.get(spec.time_column))
            if moment is None:
                wrong.append(f"{spec.time_column} is not a time like 2026-12-07T10:00:00+01:00")
            elif earliest is None or moment < earliest:
                earliest = moment
        skus = by_ean.get(key, []) if by_ean is not None else (
            [key] if key in catalog.offers else [])
        if key and not skus:
            read.unknown_count += 1
            if len(read.unknown) < MAX_UNKNOWN:
                read.unknown.append((key, row.line))
        for sku in skus:
            hits = result.values.get(sku, ())
            for other, line, _ in hits:
                if other == index:
                    wrong.insert(0, f"key {shown(key)} again; first on line {line}")
                    break
                taken = set(spec.fields) & set(result.feeds[other].spec.fields)
                if taken:
                    wrong.append(f"offer {shown(sku)}: {', '.join(sorted(taken))} set by "
                                 f"{result.feeds[other].spec.name}:{line} too")
        if wrong:
            problems.append(Problem(shown_path, row.line, 1, "; ".join(wrong)))
            continue
        hit = (index, row.line, tuple(values))
        for sku in skus:
            result.values[sku] = (*result.values.get(sku, ()), hit)
    if spec.time_column and earliest is not None:
        read.at = _iso(earliest)
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        problems = problems[:MAX_PROBLEMS]
        problems.append(Problem(shown_path, 0, 0, f"and {plural(more, 'more bad row')}"))
    return problems


def _value(name: str, text: str | None, spec: FeedSpec) -> Decimal | int | str:
    """The field's value, or what is wrong with the cell (a str)."""
    cell = (text or "").strip()
    if " " in cell or "\u00a0" in cell:  # 1 234,56
        cell = cell.replace("\u00a0", "").replace(" ", "")
    if not cell:
        return "is empty"
    if name == "stock":
        if not cell.isdigit() or int(cell) > INT32_MAX:
            return f"is {shown(cell)}, not a whole number of units (0 or more)"
        return int(cell)
    if spec.decimal_comma:
        if "." in cell:
            return f"is {shown(cell)}: with decimal_comma, write 49,99 (no points)"
        cell = cell.replace(",", ".")
    return _amount(cell)


@lru_cache(maxsize=4096)
def _amount(cell: str) -> Decimal | str:
    """An amount, shared between rows that write it alike (prices repeat)."""
    try:
        amount = Decimal(cell)
    except InvalidOperation:
        hint = " (a decimal comma? set `decimal_comma: true`)" if "," in cell else ""
        return f"is {shown(cell)}, not an amount like 49.99{hint}"
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        return f"is {shown(cell)}: an amount above 0 with at most two decimal places"
    return amount.quantize(Decimal("0.01"))


def _moment(text: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _by_ean(catalog: Catalog) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for sku, offer in catalog.offers.items():
        if offer.product is not None and offer.product.ean:
            found.setdefault(offer.product.ean, []).append(sku)
    return found


def with_feed_values(catalog: Catalog, values: FeedValues) -> Catalog:
    """The catalog with each feed value in place of the YAML's."""
    if not values.values:
        return catalog
    default_abroad = catalog.settings.defaults.marketplaces
    names = [tuple(read.spec.fields) for read in values.feeds]
    offers = dict(catalog.offers)
    for sku, hits in values.values.items():
        found = [pair for index, _, row in hits for pair in zip(names[index], row, strict=True)]
        offers[sku] = _overlaid(offers[sku], found, default_abroad)
    return catalog.model_copy(update={"offers": offers})


_OFFER_FIELDS = tuple(f.name for f in fields(Offer))
_PRICE, _STOCK, _ABROAD = (_OFFER_FIELDS.index(n) for n in ("price", "stock", "marketplaces"))
_offer_values = attrgetter(*_OFFER_FIELDS)


def _overlaid(offer: Offer, found: list[tuple[str, Decimal | int]],
              default_abroad: dict[str, Decimal | None] | None) -> Offer:
    """`dataclasses.replace`, at half its cost (it is called for every offer a feed reaches);
    `found`: the feeds' (field, value) pairs for the offer."""
    new = list(_offer_values(offer))
    abroad = None
    for name, value in found:
        if name == "price":
            new[_PRICE] = value
        elif name == "stock":
            new[_STOCK] = value
        else:  # a marketplace's price: the offer is offered there at this price
            if abroad is None:
                base = offer.marketplaces if offer.marketplaces is not None else default_abroad
                abroad = new[_ABROAD] = dict(base or {})
            abroad[name] = value
    return Offer(*new)
