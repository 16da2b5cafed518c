"""`catalogsync.lock`: the ids Allegro gave a catalog's resources, committed with the catalog.

A CI runner starts from a fresh clone, so what only apply can know (external id -> offer id,
table name -> table id, image hash -> URL) must travel with the catalog. The file is made for
git: one line per resource, sorted, no secrets, each line `ENV KIND "KEY" "ID"` with JSON
strings. Two branches that both applied add different lines, so a merge keeps both sides
(`catalogsync.lock merge=union` in `.gitattributes` does it without a conflict); conflict
markers left in the file are skipped, which keeps both sides too. Lines of other
environments are kept untouched.
"""

from __future__ import annotations

import json
import os
import tempfile
from bisect import insort
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from catalogsync.appendlog import append_line, close
from catalogsync.errors import ConfigError

LOCK_FILE = "catalogsync.lock"
KINDS = ("offer", "shipping_rates", "image", "attachment", "stock", "stock-position",
         "offer-unconfirmed", "offer-forgotten", "applied", "feed", "account")
_HEADER = (
    "# catalogsync.lock: ids Allegro gave this catalog's offers, tables and files.\n"
    "# Written by apply; commit it with the catalog. One line per resource, sorted, no\n"
    "# secrets; when merging, keep both sides' lines.\n"
)
_KINDS = {kind: kind for kind in KINDS}
_MARKERS = ("<<<<<<<", "=======", ">>>>>>>", "|||||||")
Entry = tuple[str, str, str]  # kind, key, id
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class LockFile:
    path: Path
    environment: str

    def read(self) -> list[Entry]:
        """This environment's entries, in file order."""
        return [(k, key, v) for env, k, key, v in self._lines() if env == self.environment]

    def account(self) -> tuple[str, str] | None:
        """The seller (id, login) this environment's lines belong to (an `account` line), if
        recorded: looked up without parsing every line, before anything else is read."""
        try:
            data = self.path.read_bytes()  # searched as bytes: the lines are not decoded
        except OSError:
            return None
        prefix = f"\n{self.environment} account ".encode()
        starts = [0] if data.startswith(prefix[1:]) else []
        at = data.find(prefix)
        while at >= 0:
            starts.append(at + 1)
            at = data.find(prefix, at + 1)
        found: set[tuple[str, str]] = set()
        for start in starts:
            end = data.find(b"\n", start)
            line = data[start : end if end >= 0 else None].decode("utf-8", "replace")
            _, _, key, value = _parse(line.rstrip("\r"), str(self.path))
            found.add((key, value))
        if len({seller for seller, _ in found}) > 1:
            sellers = ", ".join(f"{s} ({login})" for s, login in sorted(found))
            raise ConfigError(
                f"{self.path}: its {self.environment} lines name two sellers, {sellers} (a "
                "merge of branches applied as different accounts?); keep the lines of one "
                "seller here and move the other's catalog to a directory of its own"
            )
        return min(found) if found else None

    def _holds(self, pieces: list[str]) -> bool:
        """Whether the file's text (as `read_text` gives it) is `pieces` joined, compared
        piece by piece: the text of a lock of 100 000 offers is never held twice."""
        try:
            with self.path.open(encoding="utf-8") as handle:
                return all(handle.read(len(p)) == p for p in pieces) and not handle.read(1)
        except OSError:
            return False

    def _lines(self, but: str | None = None) -> Iterator[tuple[str, str, str, str]]:
        """Every line, parsed as it is read (a lock of 100 000 offers is 50 MB: never held
        whole, nor as a list of lines); `but`: not that environment's (not even parsed)."""
        skipped = f"{but} " if but is not None else None
        try:
            handle = self.path.open(encoding="utf-8")
        except FileNotFoundError:
            return
        except OSError as exc:
            raise ConfigError(f"{self.path}: cannot read: {exc.strerror or exc}") from exc
        with handle:
            for number, line in enumerate(_split(handle), 1):
                if not line.strip() or line.startswith(("#", *_MARKERS)) or (
                        skipped is not None and line.startswith(skipped)):
                    continue
                yield _parse(line, f"{self.path}:{number}")

    def append(self, kind: str, key: str, value: str) -> None:
        """Add one line at once (sorted again by the next `write`)."""
        append_line(self.path, _format(self.environment, kind, key, value), _HEADER)

    def write(self, entries: list[Entry]) -> None:
        """Replace this environment's lines with `entries`, sorted, atomically."""
        others = list(self._lines(but=self.environment))  # ours are `entries` now
        lines = {_format(*line) for line in others}
        lines.update(_format(self.environment, k, key, v) for k, key, v in entries)
        pieces = [_HEADER, *sorted(lines)]
        del lines
        if self._holds(pieces):  # as it is: its timestamp and git's index stay untouched
            return
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".lock-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.writelines(pieces)
        close(self.path)
        os.replace(tmp, self.path)

    def write_some(self, changed: dict[tuple[str, str], str | None]) -> None:
        """Replace this environment's lines of the records `changed` ((kind, key) -> value;
        None: the line goes), every other line kept as it is, in the order `write` keeps
        (sorted): so a change of a few offers changes their lines alone in git's diff. A
        file as `write` leaves it is worked on as bytes, each record's lines found by
        bisection and the rest copied as they are (0.1 s and the file's size in memory for
        the 300 000 lines of 100 000 offers, where parsing them took 1 s)."""
        if not changed:
            return
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:  # no lines to replace: the next whole apply writes it all
            return
        except OSError as exc:
            raise ConfigError(f"{self.path}: cannot read: {exc.strerror or exc}") from exc
        start = _plain(data)
        if start is None:  # merged, appended to or edited by hand: every line looked at
            del data
            lines = self._others(changed)
            for (kind, key), value in changed.items():
                if value is not None:
                    insort(lines, _format(self.environment, kind, key, value).encode()[:-1])
            pieces: list[bytes | memoryview] = [b"\n".join(lines), b"\n" if lines else b""]
        else:
            pieces = _spliced(data, start, {
                _format(self.environment, kind, key, "").rpartition(" ")[0].encode() + b" ":
                b"" if value is None else _format(self.environment, kind, key, value).encode()
                for (kind, key), value in changed.items()})
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".lock-", suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(_HEADER.encode())
            out.writelines(pieces)
        close(self.path)
        os.replace(tmp, self.path)

    def _others(self, changed: dict[tuple[str, str], str | None]) -> list[bytes]:
        """Every line but this environment's of the records `changed`, as `write` keeps
        them: sorted, once each, no comments, blanks or conflict markers."""
        mine = f"{self.environment} "
        with self.path.open(encoding="utf-8") as handle:
            kept = {line.encode() for number, line in enumerate(_split(handle), 1)
                    if line.strip() and not line.startswith(("#", *_MARKERS)) and not (
                        line.startswith(mine)
                        and _pair(line, f"{self.path}:{number}") in changed)}
        return sorted(kept)


def _plain(data: bytes) -> int | None:
    """Where the lines below the header start, in a file as `write` leaves it: a newline ends
    each, they are sorted (bytes sort as their text does), none is blank, a comment or a
    conflict marker (those sort first, `|||||||` last); None for any other file. Looked at a
    megabyte at a time: the lines of a large file are never all held at once."""
    if b"\r" in data or (data and not data.endswith(b"\n")):
        return None
    start = 0
    while data.startswith(b"#", start):
        start = data.index(b"\n", start) + 1
    if start < len(data) and (data[start:start + 1] in b"\n#<=>"
                              or data[data.rfind(b"\n", 0, -1) + 1:][:1] == b"|"):
        return None
    last, at = b"", start
    while at < len(data):
        end = data.find(b"\n", at + (1 << 20)) + 1 or len(data)
        lines = data[at:end].split(b"\n")
        lines.pop()  # after the last newline
        if lines[0] < last or lines != sorted(lines):
            return None
        last, at = lines[-1], end
    return start


def _spliced(data: bytes, start: int, changed: dict[bytes, bytes]) -> list[bytes | memoryview]:
    """The sorted lines of `data` from `start`, with each record's lines (those starting
    with a prefix of `changed`) replaced by its new line (b"": none), as pieces to write."""
    view = memoryview(data)
    cuts = []
    for prefix, line in changed.items():
        lo, hi = start, len(data)  # line starts; the first line not below `prefix` is in them
        while lo < hi:
            mid = max(lo, data.rfind(b"\n", lo, (lo + hi) // 2) + 1)
            end = data.index(b"\n", mid) + 1
            if data[mid:end - 1] < prefix:
                lo = end
            else:
                hi = mid
        end = lo
        while data.startswith(prefix, end):
            end = data.index(b"\n", end) + 1
        cuts.append((lo, end, line))
    pieces: list[bytes | memoryview] = []
    at = start
    for lo, end, line in sorted(cuts):
        pieces += [view[at:lo], line]
        at = end
    pieces.append(view[at:])
    return pieces


def _split(handle: Iterator[str]) -> Iterator[str]:
    """The lines of a text, as `str.splitlines` of the whole would give them."""
    for read in handle:
        yield from read.splitlines()


def _pair(line: str, where: str) -> tuple[str, str]:
    """(kind, key) of a line of the form `ENV KIND "KEY" ...`: a key with no escape in it
    is its JSON text without the quotes, anything else is parsed in full."""
    _, kind, rest = line.split(" ", 2) if line.count(" ") >= 2 else (None, "", "")
    end = rest.find('" "', 1)
    if rest.startswith('"') and end > 0 and "\\" not in rest[:end]:
        return kind, rest[1:end]
    _, kind, key, _ = _parse(line, where)
    return kind, key


def _format(environment: str, kind: str, key: str, value: str) -> str:
    return f"{environment} {kind} {json.dumps(key, ensure_ascii=False)} {json.dumps(value)}\n"


def _parse(line: str, where: str) -> tuple[str, str, str, str]:
    try:
        environment, kind, rest = line.split(" ", 2)
        kind = _KINDS[kind]  # one string for every line of a kind
        key, end = _DECODER.raw_decode(rest)
        value, end2 = _DECODER.raw_decode(rest, end + 1)
        if rest[end2:].strip():
            raise ValueError(line)
        if not isinstance(key, str) or not isinstance(value, str):
            raise ValueError(line)
    except (ValueError, IndexError, KeyError) as exc:
        raise ConfigError(
            f'{where}: not a lock line (ENV KIND "KEY" "ID"); fix it or take the line '
            "from git history"
        ) from exc
    return environment, kind, key, value

