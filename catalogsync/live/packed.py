"""An offer's fields kept as the JSON text the live cache stored, decoded when they are read.

Decoded, the fields of a cached offer cost about 2.2 KB (a dict, lists and dicts of its
description, strings); as text they cost what the text is, about 900 bytes. A whole plan of
100 000 offers holds every cached offer from the read until the plan is made, but works on
one offer at a time, so only the last few decoded offers are kept (`_RECENT`). Fields are
never changed in place (live/cache.py), so a decode can be shared while it is kept.

The few fields read of every offer before it is planned (its stock, price, product, the
names it refers to, a marketplace's verdict: live/reader.py's passes) are kept decoded
beside the text (`HOT`): each pass would otherwise decode every offer once more.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

#: id -> (fields, decoded) of the offers read last: one offer is read many times in a row
_RECENT: dict[int, tuple[PackedFields, dict[str, Any]]] = {}
_KEPT = 16
#: Fields kept decoded beside the text (the reading step's passes over every offer read them)
HOT = ("price", "stock", "product", "marketplace_states", "responsible_producer",
       "responsible_person", "size_table", "contact")
_HOT = {name: n for n, name in enumerate(HOT)}
_ABSENT: Any = object()


class PackedFields(Mapping[str, Any]):
    """A JSON object's text, read as the mapping it encodes. Equal to any mapping with the
    same items; to another `PackedFields`, equal texts are equal without decoding. `hot`:
    the values of `HOT` (`_ABSENT` where the object has none), or None: not kept."""

    __slots__ = ("hot", "text")

    def __init__(self, text: str, hot: tuple[Any, ...] | None = None) -> None:
        self.text = text
        self.hot = hot

    @classmethod
    def of(cls, text: str, fields: dict[str, Any], strings: dict[str, str]) -> PackedFields:
        """`text`, whose decoded `fields` give its hot values (repeated strings shared
        through `strings`)."""
        hot = [fields.get(name, _ABSENT) for name in HOT]
        return cls(text, tuple(strings.setdefault(v, v) if type(v) is str else v for v in hot))

    def decoded(self) -> dict[str, Any]:
        """The fields as a dict of their own, decoded anew or shared with the last reads:
        never to be changed in place."""
        hit = _RECENT.get(id(self))
        if hit is not None:
            return hit[1]
        if len(_RECENT) >= _KEPT:
            _RECENT.clear()
        value: dict[str, Any] = json.loads(self.text)
        _RECENT[id(self)] = (self, value)
        return value

    def __getitem__(self, key: str) -> Any:
        n = _HOT.get(key)
        if n is None or self.hot is None:
            return self.decoded()[key]
        value = self.hot[n]
        if value is _ABSENT:
            raise KeyError(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        n = _HOT.get(key)
        if n is None or self.hot is None:
            return self.decoded().get(key, default)
        value = self.hot[n]
        return default if value is _ABSENT else value

    def __contains__(self, key: object) -> bool:
        n = _HOT.get(key) if isinstance(key, str) else None
        if n is None or self.hot is None:
            return key in self.decoded()
        return self.hot[n] is not _ABSENT

    def __iter__(self) -> Iterator[str]:
        return iter(self.decoded())

    def __len__(self) -> int:
        return len(self.decoded())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedFields) and other.text == self.text:
            return True
        if isinstance(other, Mapping):
            return self.decoded() == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # a mapping: never hashable

    def __repr__(self) -> str:
        return f"PackedFields({self.decoded()!r})"


def plain(fields: Mapping[str, Any]) -> dict[str, Any]:
    """`fields` as a dict, for what needs one (JSON encoding): a dict as it is, packed
    fields decoded (shared with the last reads: never to be changed in place)."""
    if isinstance(fields, PackedFields):
        return fields.decoded()
    return fields if isinstance(fields, dict) else dict(fields)


def packed_text(fields: Mapping[str, Any]) -> str | None:
    """The stored text of packed fields (None: not packed)."""
    return fields.text if isinstance(fields, PackedFields) else None


def with_values(fields: Mapping[str, Any], changed: dict[str, Any]) -> Mapping[str, Any]:
    """`fields` with `changed` over them: packed fields packed anew (a dict of their own
    would hold the whole offer decoded), a dict as a new dict."""
    new = {**fields, **changed}
    if isinstance(fields, PackedFields):
        return PackedFields.of(json.dumps(new, separators=(",", ":")), new, {})
    return new
