"""The state index as records of its store (state/recordstore.py), in plain data: the store's rows
read into what `StateIndex` is validated from, a value written as a row's text, and the
working copy of older versions (a JSON snapshot and a journal of lines) read for migration.

Sections: each id map under its lock-file kind (`offer`, `shipping_rates`, `image`,
`attachment`, `offer-unconfirmed`, `offer-forgotten`), `command`, `approved`, `stock` (an
offer's `[declared, expected]`), `stock-position`, `applied`, `feed`, `account`, and
`lock-forgotten` (an id forgotten that the lock file still names).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

#: lock-file kind -> the index's section of ids
SECTIONS = {
    "offer": "offers",
    "shipping_rates": "shipping_rates",
    "image": "images",
    "attachment": "attachments",
    "offer-unconfirmed": "unconfirmed",
    "offer-forgotten": "forgotten",
}
LOCK_FORGOTTEN = "lock-forgotten"
#: what `StateIndex` is validated from, and the ids forgotten since the lock was written
Plain = tuple[dict[str, Any], set[tuple[str, str]]]


def encode(value: Any) -> str:
    """A record's text: a string as it is, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, tuple):
        return json.dumps(list(value))
    return json.dumps(value, sort_keys=True, separators=(",", ":"))  # as the lock's lines


def from_records(records: Iterable[tuple[str, str, str]], applied: dict[str, str]) -> Plain:
    """The index's data; the drift digests are left as text in `applied` (key -> JSON)."""
    data: dict[str, Any] = {name: {} for name in (*SECTIONS.values(), "commands", "approved",
                                                  "applied", "account")}
    stock: dict[str, Any] = {}
    position: Any = {}
    forgotten = set()
    keys: dict[str, str] = {}  # an offer's key once, not once per section
    for section, key, value in records:
        key = keys.setdefault(key, key)
        if section in SECTIONS:
            data[SECTIONS[section]][key] = value
        elif section == "stock":
            declared, expected = json.loads(value)
            stock[key] = {"declared": declared, "expected": expected}
        elif section == "applied":
            applied[key] = value
        elif section in ("command", "approved"):
            data["commands" if section == "command" else section][key] = json.loads(value)
        elif section == "stock-position":
            position = json.loads(value)
        elif section == "feed":
            data["feed"] = value
        elif section == "account":
            data["account"][key] = value
        elif section == LOCK_FORGOTTEN:
            kind, name = json.loads(key)
            forgotten.add((str(kind), str(name)))
    data["stock"] = {"position": position, "offers": stock}
    return data, forgotten


def committed_digests(entries: list[tuple[str, str, str]]) -> dict[str, dict[str, str]] | None:
    """The lock's `applied` lines (None: none). A key whose lines disagree (a merge kept both
    branches' lines) or cannot be read is left out: its drift is not known, which is safe."""
    lines = [(key, value) for kind, key, value in entries if kind == "applied"]
    if not lines:
        return None
    found: dict[str, dict[str, str]] = {}
    doubtful = set()
    for (key, _), digests in zip(lines, decoded([text for _, text in lines]), strict=True):
        if not isinstance(digests, dict) or found.setdefault(key, digests) != digests:
            doubtful.add(key)
    return {k: v for k, v in found.items() if k not in doubtful}


def both_digests(texts: dict[str, str], entries: list[tuple[str, str, str]]
                 ) -> tuple[dict[str, dict[str, str]] | None, dict[str, Any]]:
    """The lock's drift digests (`committed_digests` of its `entries`) and the store's (`texts`,
    key -> JSON, whose copies of the lock's texts are dropped here, before anything is
    decoded). ValueError: a stored text is not JSON."""
    lock_texts = {k: v for kind, k, v in entries if kind == "applied"}
    for key, text in texts.items():
        if lock_texts.get(key) == text:
            texts[key] = lock_texts[key]
    committed = committed_digests(entries)
    return committed, stored_digests(texts, committed, lock_texts if committed else {})


def stored_digests(texts: dict[str, str], committed: dict[str, dict[str, str]] | None,
                   same: dict[str, str]) -> dict[str, Any]:
    """The store's drift digests (key -> JSON text); a text equal to the lock's line (`same`)
    is the lock's digests (`committed`), not a second copy. ValueError: one is not JSON."""
    committed = committed or {}
    locked = {k for k, text in texts.items() if k in committed and same.get(k) == text}
    own = [k for k in texts if k not in locked]
    values = dict(zip(own, decoded([texts[k] for k in own]), strict=True))
    if any(value is NOT_JSON for value in values.values()):
        raise ValueError("a drift digest record is not JSON")
    return {k: committed[k] if k in locked else values[k] for k in texts}


#: what `decoded` gives for a text that is not JSON
NOT_JSON: Any = object()


def decoded(texts: list[str]) -> list[Any]:
    """Each text as JSON (`NOT_JSON` where it is not). The drift digests of 100 000 offers are
    1.6 million short strings: decoded a thousand texts at a time, each field name is one
    string per thousand, and equal digests (the same location, the same invoice) are shared:
    a third of the memory of decoding each text alone, in less time."""
    shared: dict[Any, Any] = {}
    return [value for at in range(0, len(texts), _BATCH)
            for value in _decoded(texts[at : at + _BATCH], shared)]


#: Texts decoded at once: their field names are shared, and never all of them at once is held
#: as one more copy
_BATCH = 1000


def _decoded(texts: list[str], shared: dict[Any, Any]) -> list[Any]:
    alone = [n for n, text in enumerate(texts) if not _apart(text)]
    values: list[Any] = [NOT_JSON] * len(texts)
    skipped = set(alone)
    together = [n for n in range(len(texts)) if n not in skipped]
    try:
        found = json.loads(f"[{','.join(texts[n] for n in together)}]")
    except ValueError:
        found = None
    if found is None or len(found) != len(together):  # one is not JSON: each on its own
        alone, found, together = list(range(len(texts))), [], []
    for n, value in zip(together, found, strict=True):
        values[n] = value
    for n in alone:
        try:
            values[n] = json.loads(texts[n])
        except ValueError:
            values[n] = NOT_JSON
    return [_shared(value, shared) if isinstance(value, dict) else value for value in values]


def _apart(text: str) -> bool:
    """Whether `text`, if JSON, is read as itself among others joined by commas in an array:
    an object with no array in it and no escaped quote (every quote ends or starts a string,
    so none runs into a neighbour, and a neighbour cannot start inside it: after a comma
    within an object comes a key, never `{`)."""
    return (text[:1] == "{" and text[-1:] == "}" and "[" not in text and '\\"' not in text
            and text.count('"') % 2 == 0)


def _shared(value: dict[str, Any], shared: dict[Any, Any]) -> dict[str, Any]:
    """`value` with each of its values the one equal value in `shared` (the first seen)."""
    values = value.values()
    try:
        return dict(zip(value, map(shared.setdefault, values, values), strict=True))
    except TypeError:  # a value that is not a string (a damaged line): as it is
        return value


def journal(path: Path) -> Path:
    return path.with_suffix(".journal")


def legacy(path: Path) -> Plain:
    """The JSON snapshot at `path` with its journal replayed over it (ValueError, KeyError or
    TypeError: it cannot be read)."""
    data: dict[str, Any] = json.loads(path.read_bytes()) if path.exists() else {}
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    forgotten: set[tuple[str, str]] = set()
    if journal(path).exists():
        for line in journal(path).read_text().splitlines():
            if line.strip():
                _replay(data, forgotten, json.loads(line))
    return data, forgotten


def _replay(data: dict[str, Any], forgotten: set[tuple[str, str]], entry: dict[str, Any]) -> None:
    """One line of the journal."""
    kind, key = entry["kind"], entry["key"]
    if kind == "command":
        data.setdefault("commands", {})[key] = entry["command"]
    elif kind == "command-settled":
        data.setdefault("commands", {}).pop(key, None)
    elif kind == "forget":
        data.setdefault(SECTIONS[entry["section"]], {}).pop(key, None)
        forgotten.add((entry["section"], key))
    elif kind == "stock-mark":
        marks = data.setdefault("stock", {}).setdefault("offers", {})
        if entry["mark"] is None:
            marks.pop(key, None)
        else:
            marks[key] = entry["mark"]
    else:
        data.setdefault(SECTIONS[kind], {})[key] = entry["id"]
