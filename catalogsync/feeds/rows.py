"""A feed file as a stream of rows, each with the line it starts on: CSV, JSON lines, or XML
with one element per product. One row is in memory at a time (plus the XML parser's buffer),
so a feed of any length costs the same.

A row maps column names to text; what a column means is `feeds.load`'s business.
"""

from __future__ import annotations

import csv
import json
import xml.parsers.expat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalogsync.catalog.feeds import FeedSpec

_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    #: column -> text (None: the row has no such column)
    values: dict[str, str | None]


class FeedFileError(ValueError):
    """The feed as a whole cannot be read (its header, its XML); the message has no path."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def rows(path: Path, spec: FeedSpec, columns: frozenset[str]) -> Iterator[Row | FeedFileError]:
    """The rows of the feed at `path`, keeping only `columns`; a row that cannot be read is a
    `FeedFileError` in the stream (the stream goes on), one that stops the file ends it."""
    kind = spec.kind
    try:
        if kind == "jsonl":
            yield from _json_lines(path, spec, columns)
        elif kind == "xml":
            yield from _xml(path, spec, columns)
        else:
            yield from _csv(path, spec, columns)
    except UnicodeDecodeError as exc:
        yield FeedFileError(0, f"is not {spec.encoding} text ({exc.reason}); set `encoding:`")


def _csv(path: Path, spec: FeedSpec, columns: frozenset[str]) -> Iterator[Row | FeedFileError]:
    with path.open(encoding=spec.encoding, newline="") as stream:
        reader = csv.reader(stream, delimiter=spec.delimiter, strict=True)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            yield FeedFileError(1, f"the header cannot be read: {exc}")
            return
        if not header:
            yield FeedFileError(1, "is empty: no header row")
            return
        names = [h.strip() for h in header]
        missing = sorted(columns - set(names))
        if missing:
            yield FeedFileError(1, _missing(missing, names, spec))
            return
        wanted = [(i, n) for i, n in enumerate(names) if n in columns]
        start = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield FeedFileError(start, f"cannot be read as CSV: {exc}")
                return
            if len(cells) > 1 or (cells and cells[0].strip()):
                yield Row(start, {n: cells[i] if i < len(cells) else None for i, n in wanted})
            start = reader.line_num + 1


def _missing(missing: list[str], names: list[str], spec: FeedSpec) -> str:
    hint = ""
    if len(names) == 1 and any(d in names[0] for d in ";\t|"):
        hint = "; is the delimiter right (`delimiter: ';'`)?"
    listed = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
    return f"no column {', '.join(map(repr, missing))} in the header ({listed}){hint}"


def _json_lines(path: Path, spec: FeedSpec, columns: frozenset[str]
                ) -> Iterator[Row | FeedFileError]:
    with path.open(encoding=spec.encoding) as stream:
        for number, text in enumerate(stream, 1):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except ValueError as exc:
                yield FeedFileError(number, f"is not JSON: {exc}")
                continue
            if not isinstance(record, dict):
                yield FeedFileError(number, "is not a JSON object")
                continue
            yield Row(number, {c: _text(record.get(c)) for c in columns})


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _XmlItems:
    """expat callbacks collecting the items: an item's attributes and its children's text.

    A DTD is refused: feeds need none, and refusing it rules out entity expansion."""

    def __init__(self, spec: FeedSpec, columns: frozenset[str]) -> None:
        self.item = spec.item
        self.columns = columns
        self.parser = xml.parsers.expat.ParserCreate()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        self.parser.StartDoctypeDeclHandler = self.doctype
        self.depth = 0
        self.item_depth = 0  # depth of the item being read (0: none)
        self.current: dict[str, str | None] | None = None
        self.line = 0
        self.child: str | None = None
        self.parts: list[str] = []
        self.done: list[Row] = []

    def doctype(self, *args: Any) -> None:
        raise ValueError("has a DOCTYPE; feeds need none and catalogsync reads none")

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        is_item = name == self.item if self.item else self.depth == 2
        if self.current is None and is_item:
            self.item_depth = self.depth
            self.line = self.parser.CurrentLineNumber
            self.current = {k: v for k, v in attributes.items() if k in self.columns}
        elif self.current is not None and self.depth == self.item_depth + 1:
            self.child = name if name in self.columns else None
            self.parts = []

    def end(self, name: str) -> None:
        if self.current is not None and self.depth == self.item_depth + 1 and self.child:
            self.current[self.child] = "".join(self.parts)
            self.child = None
        elif self.current is not None and self.depth == self.item_depth:
            self.done.append(Row(self.line, {c: self.current.get(c) for c in self.columns}))
            self.current = None
        self.depth -= 1

    def text(self, data: str) -> None:
        if self.child is not None:
            self.parts.append(data)


def _xml(path: Path, spec: FeedSpec, columns: frozenset[str]) -> Iterator[Row | FeedFileError]:
    items = _XmlItems(spec, columns)
    with path.open("rb") as stream:
        while True:
            chunk = stream.read(_CHUNK)
            try:
                items.parser.Parse(chunk, not chunk)
            except xml.parsers.expat.ExpatError as exc:
                yield from items.done
                yield FeedFileError(exc.lineno, f"is not well-formed XML: "
                                    f"{xml.parsers.expat.ErrorString(exc.code)}")
                return
            except ValueError as exc:
                yield FeedFileError(items.parser.CurrentLineNumber, str(exc))
                return
            yield from items.done
            items.done.clear()
            if not chunk:
                return
