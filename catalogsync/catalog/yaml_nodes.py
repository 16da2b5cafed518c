"""YAML files as node trees, and node trees as plain values, keeping line and column.

Each file is composed into nodes (libyaml when present); `NodeBuilder` turns them into plain
values as YAML 1.1 safe loading would, but catches duplicate keys and bad scalars while the
nodes are at hand, and keeps identifiers as their source text: YAML 1.1 reads an unquoted
`0755` as 493, `12:30` as 750 and `on` as true, which would turn one SKU or EAN into another.
So every mapping key (offer external ids, table and set names, parameter names) and every
value under an identifier field (`IDENTIFIER_FIELDS`) that YAML would read as a number, a
boolean or a date is taken verbatim; a key YAML reads as null is refused ("quote it").

A node tree is ~30x the size of its text, so trees are dropped after the walk; `Locator`
composes the few files with problems again, keeping only the section entries that have
problems, to find the node at each key path.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from catalogsync.catalog.diagnostics import Issue, KeyPath, at_path, problem_at
from catalogsync.catalog.yaml_files import Pairs, compose, yaml_text
from catalogsync.errors import Problem

__all__ = ["compose"]

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
MERGE = "tag:yaml.org,2002:merge"
_NULL = "tag:yaml.org,2002:null"
#: Tags YAML 1.1 gives plain scalars it reads as something other than text.
_IMPLICIT = frozenset(
    f"tag:yaml.org,2002:{kind}" for kind in ("int", "float", "bool", "timestamp")
)
#: Fields whose values (and everything below them) are identifiers or names, never numbers.
IDENTIFIER_FIELDS = frozenset(
    {
        "ean",
        "id",
        "category",
        "shipping_rates",
        "renamed_from",
        "moved_from",
        "delivery_method",
        "post_code",  # `0150` (Oslo) is not the octal number 104
        "after_sales",
        "parameters",
        "offers",  # a variant set's offer keys
        # size tables and contacts (catalog/size_tables.py): `+48…` and `38:40` stay text
        *("size_table", "contact", "template", "headers", "rows", "email", "phones"),
        "price_rules",
        "tax",  # `NO: 25` is Norway's rate, not `False`; `rate: 08` is not octal
        "translations",  # a name or text of `yes` or `12:30` stays text
    }
)

class Invalid:
    """Marks a key or value that could not be built (already reported)."""

INVALID = Invalid()

class NodeBuilder:
    """Turns nodes into plain values as YAML 1.1 safe loading would, but rejects duplicate
    keys and reports bad scalars as problems instead of raising."""

    def __init__(self) -> None:
        constructor = SafeConstructor()
        self._constructor = constructor
        self._scalars: dict[str, Any] = {
            _NULL: constructor.construct_yaml_null,
            "tag:yaml.org,2002:bool": constructor.construct_yaml_bool,
            "tag:yaml.org,2002:int": constructor.construct_yaml_int,
            "tag:yaml.org,2002:float": constructor.construct_yaml_float,
            "tag:yaml.org,2002:timestamp": constructor.construct_yaml_timestamp,
            "tag:yaml.org,2002:binary": constructor.construct_yaml_binary,
        }
        #: Problems found while building: (node to find the path of, path suffix, mark, text).
        self.pending: list[tuple[Node, KeyPath, Mark | None, str]] = []
        #: > 0 while building below an identifier field: implicit scalars stay text
        self._verbatim = 0

    def value(self, node: Node) -> Any:
        tag = node.tag
        if tag == _STR and type(node) is ScalarNode:
            return node.value
        if tag == _MAP and type(node) is MappingNode:
            return self.mapping(node)
        if tag == _SEQ and type(node) is SequenceNode:
            return [self.value(item) for item in node.value]
        return self._other(node)

    def mapping(self, node: MappingNode) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _STR and type(key_node) is ScalarNode:
                key = key_node.value
            elif key_node.tag == MERGE:
                return self._merged_mapping(node)
            else:
                key = self.key(key_node)
                if key is INVALID:
                    continue
            if key in result:
                self._duplicate(node, key_node, key)
                continue
            result[key] = self._field(key, value_node)
        return result

    def _field(self, key: Any, node: Node) -> Any:
        if key not in IDENTIFIER_FIELDS or (node.tag == _STR and type(node) is ScalarNode):
            return self.value(node)
        self._verbatim += 1
        try:
            return self.value(node)
        finally:
            self._verbatim -= 1

    def _merged_mapping(self, node: MappingNode) -> dict[Any, Any]:
        """Slow path for `<<: *anchor`: explicit keys win, then merged ones in order."""
        self._forget(node)
        pairs, explicit = self.pairs(node, report=True)
        result: dict[Any, Any] = {}
        for index, (key_node, value_node) in enumerate(pairs):
            key = self.key(key_node)
            if key is INVALID:
                continue
            if key in result:
                if index < explicit:
                    self._duplicate(node, key_node, key)
                continue
            result[key] = self._field(key, value_node)
        return result

    def _forget(self, node: MappingNode) -> None:
        """Drop problems recorded by the fast path before it met a merge key."""
        inside = {id(n) for n in subtree(node)}
        self.pending = [p for p in self.pending if id(p[0]) not in inside]

    def pairs(self, node: MappingNode, *, report: bool = False) -> tuple[Pairs, int]:
        """Key/value nodes with merge keys expanded, and how many of them are explicit."""
        explicit: Pairs = []
        merged: Pairs = []
        for key_node, value_node in node.value:
            if key_node.tag != MERGE:
                explicit.append((key_node, value_node))
                continue
            sources = value_node.value if type(value_node) is SequenceNode else [value_node]
            for source in sources:
                if type(source) is MappingNode:
                    merged.extend(self.pairs(source)[0])
                elif report:
                    message = "'<<' merges a mapping or a list of mappings (e.g. <<: *defaults)"
                    self.pending.append((node, ("<<",), source.start_mark, message))
        return explicit + merged, len(explicit)

    def key(self, node: Node, *, report: bool = True) -> Any:
        """A mapping key's value: its source text when YAML would read it as a number, a
        boolean or a date; null keys and unhashable keys (lists, mappings) are reported."""
        if type(node) is ScalarNode and not node.style:  # plain (libyaml says "")
            if node.tag in _IMPLICIT:
                return node.value
            if node.tag == _NULL:
                if report:
                    shown = node.value or "an empty key"
                    message = f"YAML reads {shown} as null; quote it: '{node.value}'"
                    self.pending.append((node, (), node.start_mark, message))
                return INVALID
        value = self.value(node) if report else self.quiet_value(node)
        try:
            hash(value)
        except TypeError:
            if report:
                self.pending.append((node, (), node.start_mark, "a key must be a plain value"))
            return INVALID
        return value

    def quiet_value(self, node: Node) -> Any:
        """Build a value without reporting anything (used when locating problems)."""
        saved = self.pending
        self.pending = []
        try:
            return self.value(node)
        finally:
            self.pending = saved

    def _duplicate(self, mapping: MappingNode, key_node: Node, key: Any) -> None:
        first = next(k for k, _ in self.pairs(mapping)[0] if self.key(k, report=False) == key)
        where = f"line {first.start_mark.line + 1}" if first.start_mark else "above"
        message = f"duplicate key; first defined on {where}"
        self.pending.append((mapping, (key,), key_node.start_mark, message))

    def _other(self, node: Node) -> Any:
        """Non-string scalars (int, float, bool, null, timestamp) and explicit tags."""
        plain = type(node) is ScalarNode and not node.style
        if self._verbatim and plain and node.tag in _IMPLICIT:
            return node.value  # an identifier: `ean: 0123456701234` keeps its zero
        try:
            construct = self._scalars.get(node.tag) if type(node) is ScalarNode else None
            if construct is not None:
                return construct(node)
            return self._constructor.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or node.start_mark
            self.pending.append((node, (), mark, yaml_text(exc)))
        except (ValueError, OverflowError) as exc:
            self.pending.append((node, (), node.start_mark, f"invalid {tag_name(node)}: {exc}"))
        return None

    def build(self, file: Path, prefix: KeyPath, node: Node) -> tuple[Any, list[Problem]]:
        """Build one top-level entry and locate the problems found in it (INVALID if the
        value cannot be built at all)."""
        try:
            value = self.value(node)
        except RecursionError:  # `&a [*a]`: an alias inside the node it names
            self.pending = []
            message = at_path(prefix, "an alias refers to a node that contains it")
            return INVALID, [problem_at(file, node.start_mark, message)]
        return value, self.flush(file, prefix, node)

    def build_key(self, file: Path, prefix: KeyPath, node: Node) -> tuple[Any, list[Problem]]:
        """A section or top-level key, as `key` builds it, with its problems located."""
        key = self.key(node)
        return key, self.flush(file, prefix, node)

    def flush(self, file: Path, prefix: KeyPath, root: Node) -> list[Problem]:
        """Pending problems below `root` (whose path is `prefix`) as located problems."""
        problems = []
        for target, suffix, mark, message in self.pending:
            path = prefix + (self.path_to(root, target) or ()) + suffix
            problems.append(problem_at(file, mark, at_path(path, message)))
        self.pending = []
        return problems

    def path_to(self, root: Node, target: Node) -> KeyPath | None:
        """Key path from `root` down to the node `target` (problems only, so a plain DFS)."""
        if root is target:
            return ()
        if type(root) is MappingNode:
            children = [(self.key(k, report=False), v) for k, v in self.pairs(root)[0]]
        elif type(root) is SequenceNode:
            children = list(enumerate(root.value))
        else:
            return None
        for seg, child in children:
            below = self.path_to(child, target)
            if below is not None:
                return (seg, *below)
        return None

def subtree(node: Node) -> Iterator[Node]:
    yield node
    if type(node) is MappingNode:
        for key_node, value_node in node.value:
            yield from subtree(key_node)
            yield from subtree(value_node)
    elif type(node) is SequenceNode:
        for item in node.value:
            yield from subtree(item)

def tag_name(node: Node) -> str:
    return node.tag.rsplit(":", 1)[-1]

def is_null(node: Node) -> bool:
    return type(node) is ScalarNode and node.tag == _NULL

class Locator:
    """Finds the node at each issue's key path, composing each involved file once more."""

    def __init__(self, builder: NodeBuilder) -> None:
        self.builder = builder
        self.roots: dict[Path, Node | None] = {}
        self.indexes: dict[int, dict[Any, tuple[Node, Node]]] = {}
        #: The top-level section entries each file's issues are in: the tree keeps only those.
        self.wanted: dict[Path, set[KeyPath]] = {}

    def problems(self, issues: list[Issue]) -> list[Problem]:
        for issue in issues:
            self.wanted.setdefault(issue.file, set()).add(issue.path[:2])
        return [self._problem(issue) for issue in issues]

    def _problem(self, issue: Issue) -> Problem:
        root = self._root(issue.file)
        if root is None:
            return Problem(issue.file, 0, 0, at_path(issue.path, issue.message))
        node, key_node, path = self._find(root, issue.path)
        target = key_node if issue.at_key and key_node is not None else node
        message = issue.message
        if issue.quote_hint and type(target) is ScalarNode:
            message += f"; put it in quotes: '{target.value}'"
        return problem_at(issue.file, target.start_mark, at_path(path, message))

    def _root(self, file: Path) -> Node | None:
        if file not in self.roots:
            root = compose(file, _Wanted(self.builder, self.wanted.get(file, set())))
            self.roots[file] = root if isinstance(root, Node) else None
        return self.roots[file]

    def _find(self, root: Node, path: KeyPath) -> tuple[Node, Node | None, KeyPath]:
        """The deepest node on `path`, the key node above it, and the path to show: the
        segments found, then the first missing one (the field that is required)."""
        node, key_node, shown = root, None, []
        for index, seg in enumerate(path):
            if type(node) is MappingNode:
                hit = self._lookup(node, seg)
                if hit is not None:
                    key_node, node = hit
                    shown.append(seg)
                    continue
            elif type(node) is SequenceNode and type(seg) is int and 0 <= seg < len(node.value):
                node, key_node = node.value[seg], None
                shown.append(seg)
                continue
            if type(seg) is int and seg == 0:
                continue  # a lone item the model wrapped into a one-item list
            return node, key_node, (*shown, *path[index:])
        return node, key_node, tuple(shown)

    def _lookup(self, node: MappingNode, seg: Any) -> tuple[Node, Node] | None:
        index = self.indexes.get(id(node))
        if index is None:
            index = {}
            for key_node, value_node in self.builder.pairs(node)[0]:
                key = self.builder.key(key_node, report=False)
                if key is not INVALID:
                    index.setdefault(key, (key_node, value_node))
            self.indexes[id(node)] = index
        try:
            return index.get(seg)
        except TypeError:
            return None

class _Wanted:
    """Keeps the entries of large sections that issues are in, and `<<` merge keys."""

    def __init__(self, builder: NodeBuilder, wanted: set[KeyPath]) -> None:
        self.builder, self.wanted = builder, wanted
        self.names = {path[0] for path in wanted if len(path) == 2}

    def take(self, root: MappingNode, key: Node, section: MappingNode, entries: Pairs) -> Pairs:
        name = key.value
        return [
            (key_node, value_node)
            for key_node, value_node in entries
            if key_node.tag == MERGE
            or (name, self.builder.key(key_node, report=False)) in self.wanted
        ]
