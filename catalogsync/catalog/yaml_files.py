"""Reading one YAML file into a node tree (libyaml when present), refusing what could hurt:
aliases that would expand past a small size (a "billion laughs" of a few hundred bytes) and
nesting deeper than any catalog needs, each reported at the file and line."""

from __future__ import annotations

from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from catalogsync.catalog.diagnostics import problem_at
from catalogsync.errors import Problem

try:
    from yaml import CSafeLoader as _YamlLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _YamlLoader  # type: ignore[assignment]


def compose(file: Path) -> Node | Problem | None:
    """The file's single document as a node tree (None when empty), or why it can't be."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        return Problem(file, 0, 0, f"cannot read: {exc.strerror or exc}")
    try:
        root = yaml.compose(data, Loader=_YamlLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return problem_at(file, mark, f"invalid YAML: {yaml_text(exc)}")
    except yaml.reader.ReaderError as exc:
        line, column = line_column(data, exc.position)
        return Problem(file, line, column, f"invalid YAML: {exc.reason}")
    except yaml.YAMLError as exc:
        return Problem(file, 0, 0, f"invalid YAML: {exc}")
    except RecursionError:
        return Problem(file, 0, 0, f"invalid YAML: nested deeper than {MAX_DEPTH} levels")
    if root is None:
        return None
    try:
        _expanded_size(root, 0, {}, set())
    except _Refused as refused:
        return problem_at(file, refused.node.start_mark, refused.message)
    return root


#: The most values one alias may stand for: anchors share defaults, they don't multiply data
#: (a 600-byte "billion laughs" file would otherwise expand to gigabytes).
MAX_ALIAS_VALUES = 1000
#: The deepest nesting of mappings and lists a catalog file may use (offers need about 6).
MAX_DEPTH = 50


class _Refused(Exception):
    def __init__(self, node: Node, message: str) -> None:
        super().__init__(message)
        self.node, self.message = node, message


def _expanded_size(node: Node, depth: int, sizes: dict[int, int], open_: set[int]) -> int:
    """How many values `node` stands for once aliases are expanded; each node is measured
    once, and a node met again is an alias, which must stay small."""
    key = id(node)
    size = sizes.get(key)
    if size is not None:
        if size > MAX_ALIAS_VALUES:
            raise _Refused(
                node,
                f"an alias to the anchor here would expand to {size} values; "
                f"an alias may stand for at most {MAX_ALIAS_VALUES}",
            )
        return size
    if key in open_:
        return 0  # an alias inside the node it names: reported where the entry is built
    if depth > MAX_DEPTH:
        raise _Refused(node, f"nested deeper than {MAX_DEPTH} levels")
    open_.add(key)
    size = 1
    if type(node) is MappingNode:
        for key_node, value_node in node.value:
            size += _expanded_size(key_node, depth + 1, sizes, open_)
            size += _expanded_size(value_node, depth + 1, sizes, open_)
    elif type(node) is SequenceNode:
        for item in node.value:
            size += _expanded_size(item, depth + 1, sizes, open_)
    open_.discard(key)
    sizes[key] = size
    return size


def yaml_text(exc: yaml.MarkedYAMLError) -> str:
    """yaml's own words on one line: 'while parsing … on line 3; expected …, but found …'."""
    context = exc.context or ""
    mark = exc.context_mark
    if context and mark is not None and exc.problem_mark and mark.line != exc.problem_mark.line:
        context += f" on line {mark.line + 1}"
    return "; ".join(part for part in (context, exc.problem or "") if part)


def line_column(data: bytes, offset: int) -> tuple[int, int]:
    start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - start + 1
