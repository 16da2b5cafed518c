"""What each catalog file yielded, kept in `.catalogsync/load/` so that the next load parses
only the files that changed (as ruff and mypy cache per-file results).

An entry is keyed by the file's bytes, by the source of the catalogsync package (the loader
and the models that validate), the Python, PyYAML (with or without libyaml) and pydantic
versions, and whether `catalogsync.yaml` names the catalog's files (`files:`: no file is
then skipped as another tool's). Nothing else goes into what a file yields: offers merge
with the settings' `defaults` when planned, not when loaded, and `catalogsync.yaml` itself
is read afresh by every load, as are the checks that span files (an entry defined twice,
variant sets naming offers) and the offer checks (`offer_checks.py`). Only files read
without a problem, note or refusal are kept; a kept file whose keys another file already
defines is parsed again, so that the duplicate is reported where a fresh load reports it.

The cache is a convenience, never trusted: an entry is read only if its header names the
expected key and the digest of what follows matches (a damaged or foreign entry is a miss),
and it unpickles only the catalog's own record types and a few plain standard types, so a
forged one runs nothing. Failing to write it (a
read-only checkout) is silent: the load goes on without.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import pickle
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pydantic
import yaml

from catalogsync.catalog.file_reading import SECTIONS

#: Bump when the form of an entry changes (the package's source is in the key anyway).
FORMAT = b"catalogsync-load-cache 1\n"
_DIGEST = 32  # bytes of a sha256

#: What reading a file added to the load, in the order it added it: (section, key, value)
#: for each entry (an offer's key and value as validated), and (section, key, line, column)
#: for each entry's origin (the key as written).
Values = list[tuple[str, Any, Any]]
Origins = list[tuple[str, Any, int, int]]
Entries = tuple[Values, Origins]

#: What an entry may hold besides the catalog's own types: plain standard values.
_STANDARD = {
    ("decimal", "Decimal"),
    ("datetime", "datetime"),
    ("datetime", "date"),
    ("datetime", "time"),
    ("datetime", "timedelta"),
    ("datetime", "timezone"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
}
_OWN = ("catalogsync.catalog.",)
_SECTIONS = set(SECTIONS)


class LoadCache:
    """The entries of one catalog directory: those read are remembered, so that `prune`
    forgets the others (older versions of the files)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()

    def key(self, file: Path, files_chosen: bool) -> str | None:
        """The key of the file as it is now (None: it cannot be read)."""
        try:
            data = file.read_bytes()
        except OSError:
            return None
        return hashlib.sha256(_salt(files_chosen) + data).hexdigest()

    def get(self, key: str) -> Entries | None:
        """The entries kept under `key`, or None if there are none to trust."""
        self.used.add(key)
        try:
            blob = (self.folder / key).read_bytes()
        except OSError:
            return None
        head = len(FORMAT) + 2 * _DIGEST
        if len(blob) < head or not blob.startswith(FORMAT):
            return None
        named, digest = blob[len(FORMAT) : head - _DIGEST], blob[head - _DIGEST : head]
        payload = blob[head:]
        if named != bytes.fromhex(key) or hashlib.sha256(payload).digest() != digest:
            return None
        try:
            entries = _Unpickler(io.BytesIO(payload)).load()
        except Exception:  # damaged or forged: the file is parsed instead
            return None
        return entries if _well_formed(entries) else None

    def put(self, key: str, entries: Entries) -> None:
        """Keep `entries` under `key`; quietly nothing if the folder can't be written."""
        try:
            payload = pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
            blob = FORMAT + bytes.fromhex(key) + hashlib.sha256(payload).digest() + payload
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".writing-")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(blob)
                os.replace(temporary, self.folder / key)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            return  # a read-only checkout, a full disk, a value pickle refuses: no cache

    def prune(self) -> None:
        """Forget the entries this load did not use (files since changed or removed)."""
        try:
            names = [p for p in self.folder.iterdir() if p.name not in self.used]
            for path in names:
                path.unlink(missing_ok=True)
        except OSError:
            return


def taken(
    before: list[int], offers: dict[Any, Any], sections: dict[str, dict[Any, Any]],
    origins: dict[str, dict[Any, tuple[Path, int, int]]],
) -> Entries:
    """What the load added since its dicts had the sizes `before` (offers, then the
    sections, then the origins, in the order of `SECTIONS`)."""
    values: Values = [("offers", k, v) for k, v in _tail(offers, before[0])]
    for name, size in zip(SECTIONS, before[1:], strict=False):
        if name != "offers":  # read into `offers` as records (see `Load._validate_offers`)
            values += [(name, k, v) for k, v in _tail(sections[name], size)]
    where: Origins = []
    for name, size in zip(SECTIONS, before[1 + len(SECTIONS) :], strict=True):
        where += [(name, k, line, column) for k, (_, line, column) in _tail(origins[name], size)]
    return values, where


def replay(
    entries: Entries, file: Path, offers: dict[Any, Any], sections: dict[str, dict[Any, Any]],
    origins: dict[str, dict[Any, tuple[Path, int, int]]],
) -> bool:
    """Add what `file` yielded when it was read; False (nothing added) if an entry of it is
    already defined, which a read of the file reports."""
    values, where = entries
    if any(k in origins[name] for name, k, _, _ in where) or any(
        name == "offers" and k in offers for name, k, _ in values
    ):
        return False
    for name, k, value in values:
        (offers if name == "offers" else sections[name])[k] = value
    for name, k, line, column in where:
        origins[name][k] = (file, line, column)
    return True


def _tail(entries: dict[Any, Any], size: int) -> list[tuple[Any, Any]]:
    return list(itertools.islice(entries.items(), size, None))


def _salt(files_chosen: bool) -> bytes:
    libyaml = str(yaml.__with_libyaml__)
    parts = (sys.version, yaml.__version__, libyaml, pydantic.VERSION, str(files_chosen))
    return source_digest() + "\0".join(parts).encode() + b"\0"


@cache
def source_digest() -> bytes:
    """The digest of the package's source: any change to the loader or models is a miss."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.digest()


class _Unpickler(pickle.Unpickler):
    """Builds the catalog's own types and plain standard values, nothing else."""

    def find_class(self, module: str, name: str) -> Any:
        own = module.startswith(_OWN)
        if not own and (module, name) not in _STANDARD:
            raise pickle.UnpicklingError(f"{module}.{name} is not a catalog value")
        found = super().find_class(module, name)
        if own and not isinstance(found, type):
            raise pickle.UnpicklingError(f"{module}.{name} is not a type")
        return found


def _well_formed(entries: Any) -> bool:
    if not (type(entries) is tuple and len(entries) == 2):
        return False
    values, origins = entries
    return (
        type(values) is list
        and type(origins) is list
        and all(type(v) is tuple and len(v) == 3 for v in values)
        and all(type(o) is tuple and len(o) == 4 and _lines(o[2:]) for o in origins)
        and {v[0] for v in values} | {o[0] for o in origins} <= _SECTIONS
    )


def _lines(numbers: tuple[Any, ...]) -> bool:
    return type(numbers[0]) is int and type(numbers[1]) is int
