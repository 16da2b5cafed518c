"""Reading one YAML file into a node tree (libyaml when present), refusing what could hurt:
aliases that would expand past a small size (a "billion laughs" of a few hundred bytes) and
nesting deeper than any catalog needs, each reported at the file and line.

Measuring what each alias stands for walks every node, and libyaml resolves aliases inside
its C composer without a call back, so the walk runs only for a file whose text holds an alias
token (`*name`): without one nothing can expand, and the composer only counts the nodes it
composes and checks their depth.

A node tree is ~15 KB an offer, so a file holding a whole catalog would not fit a CI runner.
libyaml composes the tree and tells the resolver each time it starts a node, under which
parent: when the next entry of a top-level section (`offers:` …) starts, the entries before
it are complete, so `compose` measures them and, once the section is too large to be aliased
anyway, hands them to a `Sections` reader and drops them from the tree. Anchored nodes stay
(libyaml keeps them for its aliases), so `<<: *defaults` works across entries. The checks
see the same tree in the same order as if it were composed whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from catalogsync.catalog.diagnostics import problem_at
from catalogsync.errors import Problem

try:
    from yaml import CSafeLoader as _YamlLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _YamlLoader  # type: ignore[assignment]

Pairs = list[tuple[Node, Node]]


class Sections(Protocol):
    """Reads the entries of a file's top-level sections while the file is composed."""

    @property
    def names(self) -> Collection[str]:
        """The names of the top-level sections whose entries it takes."""

    def take(self, root: MappingNode, key: Node, section: MappingNode, entries: Pairs) -> Pairs:
        """The `section` entries composed since the last call (`root.value` holds the
        top-level pairs before it); returns the entries the tree should keep."""


def compose(file: Path, sections: Sections | None = None) -> Node | Problem | None:
    """The file's single document as a node tree (None when empty), or why it can't be;
    with `sections`, large sections' entries go to it as they are composed, not into the
    tree."""
    try:
        exact = _may_alias(file)
        with file.open("rb") as stream:  # read as it is parsed: the text may be large too
            composer = _Composer(stream, sections, exact)
            try:
                root = composer.get_single_node()
            finally:
                composer.dispose()
    except OSError as exc:
        return Problem(file, 0, 0, f"cannot read: {exc.strerror or exc}")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        text = yaml_text(exc)
        if "maximum nesting depth" in text:  # newer libyaml stops deep nesting itself
            text = f"nested deeper than {MAX_DEPTH} levels"
        if mark is not None and _tab_at(file, mark.line, mark.column):
            text = _TAB
        return problem_at(file, mark, f"invalid YAML: {text}")
    except yaml.reader.ReaderError as exc:
        line, column = line_column(file, exc.position)
        return Problem(file, line, column, _not_utf8(file, line, exc))
    except yaml.YAMLError as exc:
        return Problem(file, 0, 0, f"invalid YAML: {exc}")
    except RecursionError:
        return Problem(file, 0, 0, f"invalid YAML: nested deeper than {MAX_DEPTH} levels")
    if root is None:
        return None
    refused = composer.finish(root)
    return problem_at(file, refused.node.start_mark, refused.message) if refused else root


#: The most values one alias may stand for: anchors share defaults, they don't multiply data
#: (a 600-byte "billion laughs" file would otherwise expand to gigabytes).
MAX_ALIAS_VALUES = 1000
#: The deepest nesting of mappings and lists a catalog file may use (offers need about 6).
MAX_DEPTH = 50
#: Nesting so deep that it is refused as it is composed, before libyaml runs out of stack.
_DEEPEST = 5000

_NO_NODE = Node("", None, None, None)
#: An alias token: `*` and the first character of a name (flow indicators and spaces end one).
_ALIAS = re.compile(rb"\*[^ \t\r\n,\[\]{}]")


def _may_alias(file: Path) -> bool:
    """Whether the file's text holds something that may be an alias (a `*` in a quoted
    text may be one too: the answer only errs towards yes)."""
    with file.open("rb") as stream:
        carried = b""
        while chunk := stream.read(1 << 20):
            if _ALIAS.search(carried + chunk):
                return True
            carried = chunk[-1:]
    return False



class _Refused(Exception):
    def __init__(self, node: Node, message: str) -> None:
        super().__init__(message)
        self.node, self.message = node, message


class _Composer(_YamlLoader):
    """libyaml's composer, measuring (and handing over) the entries of top-level sections
    as they are completed: it calls `descend_resolver` before it composes each node."""

    def __init__(self, stream: BinaryIO, sections: Sections | None, exact: bool) -> None:
        super().__init__(stream)
        self.sections = sections
        self.names = sections.names if sections else ()
        self.exact = exact  # measure every node (the file may hold aliases)
        self.measure = _Measure() if exact else _Counted()
        self.nodes = 0  # composed so far
        self.deep: tuple[Node, Any, int] | None = None  # where a node lies too deep
        self.refused: _Refused | None = None
        self.depth = 0  # of the node being composed
        self.root: Node = _NO_NODE  # the top-level mapping, once its first key starts
        self.measured = 0  # how many top-level pairs are measured
        self.key: Node | None = None  # the key of the top-level value being composed
        self.next_parent = True  # the next new parent is the root or a top-level value
        self.section: Node = _NO_NODE  # the top-level section being composed
        self.section_start = 0  # the nodes composed before its first entry
        self.entries_measured = 0  # how many of the section's entries are measured
        self.kept = 0  # how many of them were handed over and kept
        self.size = 0  # the values the section's measured entries stand for

    def descend_resolver(self, parent: Any, index: Any) -> None:
        self.depth += 1
        self.nodes += 1
        if self.depth > MAX_DEPTH + 1 and not self.exact and self.refused is None:
            self._too_deep(parent, index)  # the root is at depth 1
        if self.depth > _DEEPEST:
            raise RecursionError  # libyaml's composer would run out of stack
        if parent is self.section:
            if index is None:  # a new entry: the ones before it are complete
                self._entries()
        elif parent is self.root:
            if index is None:  # a new top-level key: the pairs before it are complete
                self.next_parent = False
                self._close_section()
                self._top_level()
            else:
                self.key, self.next_parent = index, True
        elif self.next_parent and parent is not None:
            self.next_parent = False
            if self.root is _NO_NODE:
                if type(parent) is MappingNode:
                    self.root = parent
                    self._guarded(self.measure.enter, parent, 0)
            elif type(parent) is MappingNode and _text(self.key) in self.names:
                assert self.key is not None
                self._top_level()
                self.section, self.entries_measured, self.kept, self.size = parent, 0, 0, 1
                self.section_start = self.nodes - 1  # before the section's first key
                self._guarded(self.measure.part, self.key, 1)
                self._guarded(self.measure.enter, parent, 1)

    def ascend_resolver(self) -> None:
        self.depth -= 1

    def _too_deep(self, parent: Node, index: Any) -> None:
        """The node about to be composed lies too deep: the file is refused there. The node
        is found in its parent once composed: the child at `index` of a list, the key (index
        None) or value (index: its key) of the pair a mapping appends next."""
        self.refused = _Refused(parent, f"nested deeper than {MAX_DEPTH} levels")
        self.deep = (parent, index, len(parent.value))

    def _entries(self) -> None:
        section = self.section
        assert isinstance(section, MappingNode)
        self._measure_entries(section)
        entries = section.value
        if self.refused is not None:  # the file is refused: its entries just go
            del entries[self.kept :]
        elif self.size > MAX_ALIAS_VALUES and self.sections is not None:
            assert isinstance(self.root, MappingNode) and self.key is not None
            entries[self.kept :] = self.sections.take(
                self.root, self.key, section, entries[self.kept :]
            )
            self.kept = len(entries)
        self.entries_measured = len(entries)

    def _measure_entries(self, section: MappingNode) -> None:
        if not self.exact:  # no aliases: the entries' size is the number of their nodes
            self.size = self.nodes - self.section_start
            self.entries_measured = len(section.value)
            return
        for key, value in section.value[self.entries_measured :]:
            self.size += self._guarded(self.measure.part, key, 2)
            self.size += self._guarded(self.measure.part, value, 2)
        self.entries_measured = len(section.value)

    def _close_section(self) -> None:
        section = self.section
        if section is not _NO_NODE:
            assert isinstance(section, MappingNode)
            self._measure_entries(section)
            self.measure.close(section, self.size)
            self.section = _NO_NODE
            self.measured += 1  # the section's own pair

    def _top_level(self) -> None:
        pairs = self.root.value
        for key, value in pairs[self.measured :]:
            self._guarded(self.measure.part, key, 1)
            self._guarded(self.measure.part, value, 1)
        self.measured = len(pairs)

    def _guarded(self, step: Callable[[Node, int], int | None], node: Node, depth: int) -> int:
        """Run a measuring step unless one refused: the first refusal is the file's."""
        if self.refused is None:
            try:
                return step(node, depth) or 0
            except _Refused as refused:
                self.refused = refused
        return 0

    def finish(self, root: Node) -> _Refused | None:
        """Measure what is left once the document is composed; the first refusal, if any."""
        if self.root is _NO_NODE:
            self._guarded(self.measure.part, root, 0)
        else:
            self._close_section()
            self._top_level()
        if self.deep is not None and self.refused is not None:
            parent, index, position = self.deep
            if type(parent) is SequenceNode:
                self.refused.node = parent.value[index]
            else:
                self.refused.node = parent.value[position][0 if index is None else 1]
        return self.refused


def _text(node: Node | None) -> str | None:
    return node.value if type(node) is ScalarNode else None


class _Measure:
    """How many values each node stands for once aliases are expanded, and how deep it
    lies, over a tree measured part by part in document order. A node met again is an
    alias, which must stay small; so is a node that starts before the part being measured:
    it was measured with an earlier part, whose other nodes may be gone, and is measured
    again once."""

    def __init__(self) -> None:
        self.sizes: dict[int, int] = {}  # the part's nodes
        self.earlier: dict[int, tuple[Node, int]] = {}  # earlier parts' nodes met again
        self.open: set[int] = set()  # the nodes being measured: the part's ancestors too
        self.start = 0  # where the part being measured starts in the text
        self.measured = 0  # where the parts measured so far end

    def part(self, node: Node, depth: int) -> int:
        self.sizes, self.start = {}, self.measured
        size = self.size(node, depth)
        self.measured = max(self.measured, node.end_mark.index)
        return size

    def enter(self, node: Node, depth: int) -> None:
        """Start measuring a node whose children are measured as parts."""
        self.sizes, self.start = {}, self.measured
        self.size(node, depth, children=False)
        self.open.add(id(node))

    def close(self, node: Node, size: int) -> None:
        self.open.discard(id(node))
        self.earlier[id(node)] = (node, size)

    def size(self, node: Node, depth: int, children: bool = True) -> int:
        key = id(node)
        size = self.sizes.get(key)
        if size is not None:
            return _alias(node, size)
        if key in self.open:
            return 0  # an alias inside the node it names: reported where the entry is built
        if node.start_mark.index < self.start:
            return _alias(node, self._earlier(node))
        if depth > MAX_DEPTH:
            raise _Refused(node, f"nested deeper than {MAX_DEPTH} levels")
        if not children:
            return 1
        self.open.add(key)
        size = 1
        if type(node) is MappingNode:
            for key_node, value_node in node.value:
                size += self.size(key_node, depth + 1)
                size += self.size(value_node, depth + 1)
        elif type(node) is SequenceNode:
            for item in node.value:
                size += self.size(item, depth + 1)
        self.open.discard(key)
        self.sizes[key] = size
        return size

    def _earlier(self, node: Node) -> int:
        known = self.earlier.get(id(node))
        if known is None:
            sizes, start = self.sizes, self.start
            self.sizes, self.start = {}, node.start_mark.index
            try:
                known = self.earlier[id(node)] = (node, self.size(node, 0))
            finally:
                self.sizes, self.start = sizes, start
        return known[1]


class _Counted(_Measure):
    """The measure of a file without aliases: nothing to walk."""

    def part(self, node: Node, depth: int) -> int:
        return 0

    def enter(self, node: Node, depth: int) -> None:
        pass

    def close(self, node: Node, size: int) -> None:
        pass


def _alias(node: Node, size: int) -> int:
    if size > MAX_ALIAS_VALUES:
        raise _Refused(
            node,
            f"an alias to the anchor here would expand to {size} values; "
            f"an alias may stand for at most {MAX_ALIAS_VALUES}",
        )
    return size


def yaml_text(exc: yaml.MarkedYAMLError) -> str:
    """yaml's own words on one line: 'while parsing … on line 3; expected …, but found …'."""
    context = exc.context or ""
    mark = exc.context_mark
    if context and mark is not None and exc.problem_mark and mark.line != exc.problem_mark.line:
        context += f" on line {mark.line + 1}"
    return "; ".join(part for part in (context, exc.problem or "") if part)


_TAB = (
    "a tab character indents this line, and YAML indents with spaces only; replace the tab "
    "with spaces (most editors can convert tabs to spaces)"
)


def _line(file: Path, number: int) -> bytes:
    """Line `number` (0-based) of the file, read only up to it."""
    with file.open("rb") as stream:
        for index, line in enumerate(stream):
            if index == number:
                return line
    return b""


def _tab_at(file: Path, line: int, column: int) -> bool:
    """Whether YAML stopped at a tab: where it points, or in the line's indentation."""
    text = _line(file, line)
    indentation = text[: len(text) - len(text.lstrip(b" \t"))]
    return text[column : column + 1] == b"\t" or b"\t" in indentation


def _not_utf8(file: Path, line: int, exc: yaml.reader.ReaderError) -> str:
    """A file saved in another encoding: Windows-1250 (CP1250) on a Polish Windows."""
    utf8 = "utf-8" in exc.reason.lower() or str(exc.encoding).lower() in ("utf-8", "utf8")
    if not utf8 or not isinstance(exc.character, int):
        return f"invalid YAML: {exc.reason}"
    from catalogsync.safe_text import visible

    as_cp1250 = _line(file, line - 1).decode("cp1250", "replace").strip()
    return (
        f"the file is not UTF-8 text (byte 0x{exc.character:02x}); read as Windows-1250 this "
        f"line says {visible(as_cp1250)[:80]!r}: save the file as UTF-8 (in Notepad or Excel: "
        "Save as, Encoding UTF-8)"
    )


def line_column(file: Path, offset: int) -> tuple[int, int]:
    data = file.read_bytes()[:offset]
    start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - start + 1
