"""Load a catalog directory into a frozen `Catalog`, reporting every problem at once.

Why not `yaml.safe_load` + `Catalog.model_validate`: errors must say file:line:column, and
YAML silently keeps the last of two duplicate keys. So each file is composed into nodes
(libyaml when present), turned into plain values by one walk here (which catches duplicate
keys and bad scalars while the nodes are at hand), and pydantic validates the merged result
once. A node tree is ~30x the size of its text, so trees are dropped after the walk; the
few files that have validation or reference problems are composed again to find the node
at each problem's key path.
"""

from __future__ import annotations

import difflib
import os
import re
import types
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from yaml.constructor import SafeConstructor
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from catalogsync.catalog.models import Catalog, Settings
from catalogsync.errors import CatalogError, Problem
from catalogsync.gcpause import gc_paused

try:
    from yaml import CSafeLoader as _YamlLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _YamlLoader  # type: ignore[assignment]

__all__ = ["SECTIONS", "SETTINGS_FILE", "load_catalog", "load_settings"]

SETTINGS_FILE = "catalogsync.yaml"
SECTIONS = ("offers", "shipping_rates", "variant_sets")
_SETTINGS_KEYS = tuple(Settings.model_fields)

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_NULL = "tag:yaml.org,2002:null"

#: A key path inside a file or the merged catalog: mapping keys and list indices.
KeyPath = tuple[Any, ...]
Pairs = list[tuple[Node, Node]]


class _Invalid:
    """Marks a key or value that could not be built (already reported)."""


_INVALID = _Invalid()


def load_catalog(directory: Path) -> Catalog:
    """Load, merge and validate every YAML file of a catalog directory.

    Raises `CatalogError` holding every problem found in every file.
    """
    with gc_paused():
        return _Load(directory).catalog()


def load_settings(directory: Path) -> Settings:
    """Load only `catalogsync.yaml`, for commands that need no offers."""
    with gc_paused():
        return _Load(directory).settings()


# --- reading files -------------------------------------------------------------------------


def _catalog_files(directory: Path) -> list[Path]:
    """Every *.yaml/*.yml below `directory` except the settings file, skipping hidden
    files and directories (.git/, .catalogsync/, .pre-commit-config.yaml …)."""
    found: list[tuple[tuple[str, ...], Path]] = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        base = Path(root)
        for name in files:
            if name.startswith(".") or not name.endswith((".yaml", ".yml")):
                continue
            path = base / name
            rel = path.relative_to(directory).parts
            if rel != (SETTINGS_FILE,):
                found.append((rel, path))
    return [path for _, path in sorted(found)]


def _compose(file: Path) -> Node | Problem | None:
    """The file's single document as a node tree (None when empty), or why it can't be."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        return Problem(file, 0, 0, f"cannot read: {exc.strerror or exc}")
    try:
        return yaml.compose(data, Loader=_YamlLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return _problem_at(file, mark, f"invalid YAML: {_yaml_text(exc)}")
    except yaml.reader.ReaderError as exc:
        line, column = _line_column(data, exc.position)
        return Problem(file, line, column, f"invalid YAML: {exc.reason}")
    except yaml.YAMLError as exc:
        return Problem(file, 0, 0, f"invalid YAML: {exc}")


def _yaml_text(exc: yaml.MarkedYAMLError) -> str:
    """yaml's own words on one line: 'while parsing … on line 3; expected …, but found …'."""
    context = exc.context or ""
    mark = exc.context_mark
    if context and mark is not None and exc.problem_mark and mark.line != exc.problem_mark.line:
        context += f" on line {mark.line + 1}"
    return "; ".join(part for part in (context, exc.problem or "") if part)


def _line_column(data: bytes, offset: int) -> tuple[int, int]:
    start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - start + 1


def _problem_at(file: Path, mark: Mark | None, message: str) -> Problem:
    if mark is None:
        return Problem(file, 0, 0, message)
    return Problem(file, mark.line + 1, mark.column + 1, message)


def _dotted(path: KeyPath) -> str:
    return ".".join(str(seg) if seg != "" else '""' for seg in path)


def _at(path: KeyPath, message: str) -> str:
    return f"{_dotted(path)}: {message}" if path else message


# --- nodes to plain values -----------------------------------------------------------------


class _Builder:
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
            elif key_node.tag == _MERGE:
                return self._merged_mapping(node)
            else:
                key = self.key(key_node)
                if key is _INVALID:
                    continue
            if key in result:
                self._duplicate(node, key_node, key)
                continue
            result[key] = self.value(value_node)
        return result

    def _merged_mapping(self, node: MappingNode) -> dict[Any, Any]:
        """Slow path for `<<: *anchor`: explicit keys win, then merged ones in order."""
        self._forget(node)
        pairs, explicit = self.pairs(node, report=True)
        result: dict[Any, Any] = {}
        for index, (key_node, value_node) in enumerate(pairs):
            key = self.key(key_node)
            if key is _INVALID:
                continue
            if key in result:
                if index < explicit:
                    self._duplicate(node, key_node, key)
                continue
            result[key] = self.value(value_node)
        return result

    def _forget(self, node: MappingNode) -> None:
        """Drop problems recorded by the fast path before it met a merge key."""
        inside = {id(n) for n in _subtree(node)}
        self.pending = [p for p in self.pending if id(p[0]) not in inside]

    def pairs(self, node: MappingNode, *, report: bool = False) -> tuple[Pairs, int]:
        """Key/value nodes with merge keys expanded, and how many of them are explicit."""
        explicit: Pairs = []
        merged: Pairs = []
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE:
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
        """A mapping key's value; unhashable keys (lists, mappings) are reported."""
        value = self.value(node) if report else self.quiet_value(node)
        try:
            hash(value)
        except TypeError:
            if report:
                self.pending.append((node, (), node.start_mark, "a key must be a plain value"))
            return _INVALID
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
        try:
            construct = self._scalars.get(node.tag) if type(node) is ScalarNode else None
            if construct is not None:
                return construct(node)
            return self._constructor.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or node.start_mark
            self.pending.append((node, (), mark, _yaml_text(exc)))
        except (ValueError, OverflowError) as exc:
            self.pending.append((node, (), node.start_mark, f"invalid {_tag_name(node)}: {exc}"))
        return None

    def build(self, file: Path, prefix: KeyPath, node: Node) -> tuple[Any, list[Problem]]:
        """Build one top-level entry and locate the problems found in it (_INVALID if the
        value cannot be built at all)."""
        try:
            value = self.value(node)
        except RecursionError:  # `&a [*a]`: an alias inside the node it names
            self.pending = []
            message = _at(prefix, "an alias refers to a node that contains it")
            return _INVALID, [_problem_at(file, node.start_mark, message)]
        return value, self.flush(file, prefix, node)

    def flush(self, file: Path, prefix: KeyPath, root: Node) -> list[Problem]:
        """Pending problems below `root` (whose path is `prefix`) as located problems."""
        problems = []
        for target, suffix, mark, message in self.pending:
            path = prefix + (self.path_to(root, target) or ()) + suffix
            problems.append(_problem_at(file, mark, _at(path, message)))
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


def _subtree(node: Node) -> Iterator[Node]:
    yield node
    if type(node) is MappingNode:
        for key_node, value_node in node.value:
            yield from _subtree(key_node)
            yield from _subtree(value_node)
    elif type(node) is SequenceNode:
        for item in node.value:
            yield from _subtree(item)


def _tag_name(node: Node) -> str:
    return node.tag.rsplit(":", 1)[-1]


def _is_null(node: Node) -> bool:
    return type(node) is ScalarNode and node.tag == _NULL


# --- the load --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Issue:
    """A problem known by key path only; located by re-composing its file."""

    file: Path
    path: KeyPath  # from the top of the file
    message: str
    at_key: bool = False  # point at the key (unknown keys) rather than its value
    quote_hint: bool = False  # a number or boolean where a string was expected


class _Load:
    """One load: problems accumulate here so that all of them are reported together."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.settings_file = directory / SETTINGS_FILE
        self.builder = _Builder()
        self.problems: list[Problem] = []
        self.issues: list[_Issue] = []
        self.settings_data: dict[str, Any] = {}
        self.sections: dict[str, dict[Any, Any]] = {name: {} for name in SECTIONS}
        #: Where each entry was declared: section -> key -> (file, line, column).
        self.origins: dict[str, dict[Any, tuple[Path, int, int]]] = {n: {} for n in SECTIONS}
        self.complete = True  # False once a file could not be read as a whole
        #: Entries already defined in another file: still validated, to report everything.
        self.shadowed: list[tuple[Path, str, Any, Any]] = []

    def catalog(self) -> Catalog:
        files = self._start(_catalog_files(self.directory) if self.directory.is_dir() else [])
        for file in files:
            self._read(file, is_settings=False)
        data = {"settings": self.settings_data, **self.sections}
        catalog = self._validated(data)
        for file, section, key, value in self.shadowed:
            self._validated({section: {key: value}}, file)
        self.issues += self._reference_issues()
        self._finish()
        if catalog is None:  # pragma: no cover - a ValidationError always yields an issue
            raise CatalogError(self.problems)
        return catalog

    def _validated(self, data: dict[str, Any], file: Path | None = None) -> Catalog | None:
        """Validate once with pydantic; turn its errors into issues (None if any)."""
        try:
            return Catalog.model_validate(data)
        except ValidationError as exc:
            self.issues += _Validation(self, data, file).issues(exc.errors(include_url=False))
            return None

    def settings(self) -> Settings:
        self._start([], settings_only=True)
        catalog = self._validated({"settings": self.settings_data})
        self._finish()
        if catalog is None:  # pragma: no cover - a ValidationError always yields an issue
            raise CatalogError(self.problems)
        return catalog.settings

    def _start(self, files: list[Path], *, settings_only: bool = False) -> list[Path]:
        """Check the directory and read catalogsync.yaml; return the other files to read."""
        if not self.directory.is_dir():
            why = "not a directory" if self.directory.exists() else "no such directory"
            self._fail(Problem(self.directory, 0, 0, why))
        if self.settings_file.is_file():
            self._read(self.settings_file, is_settings=True, settings_only=settings_only)
        elif files or settings_only:
            self.problems.append(Problem(self.settings_file, 0, 0, _MISSING_SETTINGS))
        else:
            self._fail(Problem(self.directory, 0, 0, _NOT_A_CATALOG))
        return files

    def _fail(self, problem: Problem) -> NoReturn:
        raise CatalogError([problem])

    def _finish(self) -> None:
        self.problems += _Locator(self.builder).problems(self.issues)
        if self.problems:
            raise CatalogError(self.problems)

    def _read(self, file: Path, *, is_settings: bool, settings_only: bool = False) -> None:
        root = _compose(file)
        if isinstance(root, Problem):
            self.problems.append(root)
            self.complete = False
        elif root is not None and not _is_null(root):
            try:
                self._top_level(file, root, is_settings, settings_only)
            except RecursionError:  # `&a {<<: *a}`, a merge that includes itself
                self.problems.append(Problem(file, 0, 0, "a YAML alias includes itself"))
                self.complete = False

    def _top_level(self, file: Path, root: Node, is_settings: bool, settings_only: bool) -> None:
        if type(root) is not MappingNode:
            expected = _SETTINGS_SHAPE if is_settings else _FILE_SHAPE
            self.problems.append(_problem_at(file, root.start_mark, f"must be {expected}"))
            self.complete = False
            return
        seen: dict[Any, Node] = {}
        pairs = self.builder.pairs(root, report=True)[0]
        self.problems += self.builder.flush(file, (), root)
        for key_node, value_node in pairs:
            key = self._key(file, (), key_node, seen)
            if key is _INVALID:
                continue
            if key in SECTIONS:
                if not settings_only:
                    self._section(file, key, value_node)
            elif is_settings and key in _SETTINGS_KEYS:
                value, problems = self.builder.build(file, (key,), value_node)
                self.problems += problems
                if value is not _INVALID:
                    self.settings_data[key] = value
            else:
                message = _unknown_section(key, is_settings)
                self.problems.append(_problem_at(file, key_node.start_mark, message))

    def _key(self, file: Path, prefix: KeyPath, key_node: Node, seen: dict[Any, Node]) -> Any:
        """A top-level or section key, reporting bad and duplicate keys."""
        key, problems = self.builder.build(file, prefix, key_node)
        self.problems += problems
        try:
            first = seen.get(key)
        except TypeError:
            self.problems.append(_problem_at(file, key_node.start_mark, _at(prefix, _BAD_KEY)))
            return _INVALID
        if first is not None:
            line = first.start_mark.line + 1
            message = _at((*prefix, key), f"duplicate key; first defined on line {line}")
            self.problems.append(_problem_at(file, key_node.start_mark, message))
            return _INVALID
        seen[key] = key_node
        return key

    def _section(self, file: Path, section: str, node: Node) -> None:
        if _is_null(node):
            return  # `offers:` with everything commented out
        if type(node) is not MappingNode:
            message = f"{section}: must be a mapping of {_SECTION_KEYS[section]}"
            self.problems.append(_problem_at(file, node.start_mark, message))
            self.complete = False
            return
        entries, origins = self.sections[section], self.origins[section]
        seen: dict[Any, Node] = {}
        pairs = self.builder.pairs(node, report=True)[0]
        self.problems += self.builder.flush(file, (section,), node)
        for key_node, value_node in pairs:
            key = self._key(file, (section,), key_node, seen)
            if key is _INVALID:
                continue
            mark = key_node.start_mark
            if key in origins:
                first, line, column = origins[key]
                message = _at((section, key), f"defined twice; first at {first}:{line}:{column}")
                self.problems.append(_problem_at(file, mark, message))
                value, problems = self.builder.build(file, (section, key), value_node)
                self.problems += problems
                if value is not _INVALID:
                    self.shadowed.append((file, section, key, value))
                continue
            value, problems = self.builder.build(file, (section, key), value_node)
            self.problems += problems
            if value is _INVALID:
                self.complete = False
                continue
            entries[key] = value
            origins[key] = (file, mark.line + 1, mark.column + 1)

    def file_of(self, path: KeyPath) -> Path:
        """The file that declares the merged-catalog path (settings or a section entry)."""
        if path[0] == "settings" or len(path) < 2:
            return self.settings_file
        origin = self.origins.get(path[0], {}).get(path[1])
        return origin[0] if origin else self.directory

    def _reference_issues(self) -> list[_Issue]:
        """Variant sets must name offers of this catalog, each offer in one set only."""
        issues: list[_Issue] = []
        offers = self.sections["offers"]
        owner: dict[Any, Any] = {}
        for name, variant_set in self.sections["variant_sets"].items():
            skus = variant_set.get("offers") if isinstance(variant_set, dict) else None
            if not isinstance(skus, list):
                continue  # pydantic reports the shape
            file = self.origins["variant_sets"][name][0]
            for index, sku in enumerate(skus):
                if not isinstance(sku, str | int):
                    continue
                path = ("variant_sets", name, "offers", index)
                if sku in owner:
                    where = f"variant set '{owner[sku]}'" if owner[sku] != name else "this set"
                    issues.append(_Issue(file, path, f"offer '{sku}' is already in {where}"))
                elif sku not in offers:
                    if self.complete:  # else it may be in a file that failed to parse
                        issues.append(_Issue(file, path, f"no offer '{sku}' in the catalog"))
                else:
                    owner[sku] = name
        return issues


_MISSING_SETTINGS = (
    f"missing: every catalog needs a {SETTINGS_FILE} at its top; create one, e.g. with the "
    "single line `environment: local` (or sandbox, production)"
)
_NOT_A_CATALOG = (
    f"not a catalog: no {SETTINGS_FILE} and no *.yaml files; create {SETTINGS_FILE} "
    "(e.g. `environment: local`) and put offers in *.yaml files next to it"
)
_FILE_SHAPE = "a mapping with any of the sections " + ", ".join(f"{s}:" for s in SECTIONS)
_SETTINGS_SHAPE = "a mapping of settings (" + ", ".join(f"{k}:" for k in _SETTINGS_KEYS) + ")"
_SECTION_KEYS = {
    "offers": "external id to offer",
    "shipping_rates": "table name to table",
    "variant_sets": "set name to variant set",
}
_BAD_KEY = "a key must be a plain value"


def _unknown_section(key: Any, is_settings: bool) -> str:
    if key in _SETTINGS_KEYS:
        return f"{key}: is a setting; it belongs in {SETTINGS_FILE}"
    known = (*SECTIONS, *_SETTINGS_KEYS) if is_settings else SECTIONS
    return f"{key}: unknown section; {_suggestion(key, known)}"


def _suggestion(word: Any, known: tuple[str, ...] | list[str]) -> str:
    """'did you mean 'stock'?' when close (ignoring case), else the allowed values."""
    if isinstance(word, str):
        lowered = {k.lower(): k for k in known}
        close = difflib.get_close_matches(word.lower(), list(lowered), n=1)
        if close:
            return f"did you mean '{lowered[close[0]]}'?"
    return "expected one of " + ", ".join(known)


# --- pydantic errors to key paths --------------------------------------------------------------


@dataclass(frozen=True)
class _Route:
    """A pydantic `loc` walked along the model types."""

    path: KeyPath  # loc without union tags: keys and indices as in the data
    parent: type[BaseModel] | None  # the model holding the last key (for unknown keys)
    union: tuple[int, tuple[type[BaseModel], ...], str] | None  # (path index, members, tag)


def _route(loc: tuple[int | str, ...]) -> _Route:
    tp: Any = Catalog
    path: list[Any] = []
    parent: type[BaseModel] | None = None
    union = None
    for seg in loc:
        members = _union_models(tp)
        chosen = next((m for m in members if m.__name__ == seg), None)
        if chosen is not None:
            union = (len(path), members, chosen.__name__)
            tp = chosen
            continue
        parent = _model(tp)
        tp = _child_type(tp, seg)
        path.append(seg)
    return _Route(tuple(path), parent, union)


def _unwrap(tp: Any) -> Any:
    """Strip Annotated[...] and Optional[...] down to the type that gets validated."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _model(tp: Any) -> type[BaseModel] | None:
    tp = _unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _union_models(tp: Any) -> tuple[type[BaseModel], ...]:
    tp = _unwrap(tp)
    if get_origin(tp) not in (Union, types.UnionType):
        return ()
    return tuple(m for m in map(_model, get_args(tp)) if m is not None)


def _child_type(tp: Any, seg: Any) -> Any:
    model = _model(tp)
    if model is not None:
        field = model.model_fields.get(seg) if isinstance(seg, str) else None
        return field.annotation if field else None
    tp = _unwrap(tp)
    origin, args = get_origin(tp), get_args(tp)
    if origin is dict:
        return args[0] if seg == "[key]" else args[1]
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return args[0]
    if origin is list:
        return args[0]
    return None


def _value_at(data: Any, path: KeyPath) -> Any:
    """The plain value at a pydantic path; a lone item the model wrapped into a list is
    addressed with index 0 there, so a 0 that does not index a list is skipped."""
    for seg in path:
        indexes = isinstance(data, list) and type(seg) is int and 0 <= seg < len(data)
        if indexes or (isinstance(data, dict) and seg in data):
            data = data[seg]
        elif seg != 0 or type(seg) is not int:
            return _INVALID
    return data


class _Validation:
    """Turns pydantic errors into issues with human messages."""

    def __init__(self, load: _Load, data: dict[str, Any], file: Path | None = None) -> None:
        self.load = load
        self.data = data
        self.file = file  # the file of every error, when not found from the key path

    def issues(self, errors: list[ErrorDetails]) -> list[_Issue]:
        issues: list[_Issue] = []
        unions: dict[KeyPath, list[tuple[ErrorDetails, _Route]]] = {}
        for error in errors:
            route = _route(error["loc"])
            if route.union is None:
                issues.append(self._issue(error, route))
            else:
                unions.setdefault(route.path[: route.union[0]], []).append((error, route))
        for prefix, grouped in unions.items():
            issues += self._union_issues(prefix, grouped)
        return issues

    def _issue(self, error: ErrorDetails, route: _Route) -> _Issue:
        path = route.path
        at_key = error["type"] == "extra_forbidden" or path[-1:] == ("[key]",)
        if path[-1:] == ("[key]",):
            path = path[:-1]
        quote = error["type"] == "string_type" and isinstance(error["input"], int | float | date)
        return self._located(path, _message(error, route.parent), at_key=at_key, quote=quote)

    def _located(self, path: KeyPath, message: str, *, at_key: bool = False,
                 quote: bool = False) -> _Issue:
        file = self.file or self.load.file_of(path)
        in_file = path[1:] if path[0] == "settings" else path
        return _Issue(file, in_file, message, at_key, quote)

    def _union_issues(self, prefix: KeyPath,
                      grouped: list[tuple[ErrorDetails, _Route]]) -> list[_Issue]:
        """One clear problem for 'one of several item kinds' instead of one per kind."""
        members = grouped[0][1].union[1] if grouped[0][1].union else ()
        keys = [k for m in members for k, f in m.model_fields.items() if f.is_required()]
        listed = ", ".join(keys)
        value = _value_at(self.data, prefix)
        if not isinstance(value, dict):
            return [self._located(prefix, f"must be a mapping with one of the keys {listed}")]
        matched = [m for m in members if value.keys() & m.model_fields.keys()]
        if len(matched) == 1:
            tag = matched[0].__name__
            picked = [self._issue(e, r) for e, r in grouped if r.union and r.union[2] == tag]
            if picked:
                return picked
        if len(matched) > 1:
            return [self._located(prefix, f"must have only one of the keys {listed}")]
        known = [k for m in members for k in m.model_fields]
        unknown = [k for k in value if k not in known]
        if unknown:
            return [
                self._located((*prefix, k), f"unknown key; {_suggestion(k, known)}", at_key=True)
                for k in unknown
            ]
        return [self._located(prefix, f"must have one of the keys {listed}")]


_SHOULD = re.compile(r"^(?:Input|String|Value|Tuple|List|Dictionary|Decimal|Data)\s+should\s+")
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")
_PLAIN_MESSAGES = {
    "missing": "field required",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
    "dict_type": "must be a mapping",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
    "string_type": "must be a string",
}


def _message(error: ErrorDetails, parent: type[BaseModel] | None) -> str:
    kind = error["type"]
    if kind in _PLAIN_MESSAGES:
        return _PLAIN_MESSAGES[kind]
    if kind == "extra_forbidden":
        known = list(parent.model_fields) if parent else []
        return f"unknown key; {_suggestion(error['loc'][-1], known)}"
    if kind in ("literal_error", "enum"):
        allowed = _QUOTED.findall(str(error.get("ctx", {}).get("expected", "")))
        message = "must be one of " + ", ".join(allowed)
        value = error["input"]
        close = _suggestion(value, allowed) if isinstance(value, str) else ""
        return f"{message}; {close}" if close.startswith("did") else message
    text = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        text = text.removeprefix(prefix)
    text = _SHOULD.sub("must ", text).replace(" after validation", "")
    return text[:1].lower() + text[1:]


# --- key paths to lines and columns ----------------------------------------------------------


class _Locator:
    """Finds the node at each issue's key path, composing each involved file once more."""

    def __init__(self, builder: _Builder) -> None:
        self.builder = builder
        self.roots: dict[Path, Node | None] = {}
        self.indexes: dict[int, dict[Any, tuple[Node, Node]]] = {}

    def problems(self, issues: list[_Issue]) -> list[Problem]:
        return [self._problem(issue) for issue in issues]

    def _problem(self, issue: _Issue) -> Problem:
        root = self._root(issue.file)
        if root is None:
            return Problem(issue.file, 0, 0, _at(issue.path, issue.message))
        node, key_node, path = self._find(root, issue.path)
        target = key_node if issue.at_key and key_node is not None else node
        message = issue.message
        if issue.quote_hint and type(target) is ScalarNode:
            message += f"; put it in quotes: '{target.value}'"
        return _problem_at(issue.file, target.start_mark, _at(path, message))

    def _root(self, file: Path) -> Node | None:
        if file not in self.roots:
            root = _compose(file)
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
                if key is not _INVALID:
                    index.setdefault(key, (key_node, value_node))
            self.indexes[id(node)] = index
        try:
            return index.get(seg)
        except TypeError:
            return None

