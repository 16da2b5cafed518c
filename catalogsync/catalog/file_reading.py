"""One catalog file's top level, read as it is composed.

`compose` hands over the entries of large top-level sections while it composes a file
(`yaml_files.py`); `FileReading` reads them there, in document order, and the rest of the
file once it is composed, so that a file holding a whole catalog is never a whole node tree.
What it reads goes to the load (`loader.py`): settings, section entries, problems.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from yaml.nodes import MappingNode, Node, ScalarNode

from catalogsync.catalog.diagnostics import KeyPath, problem_at, suggestion
from catalogsync.catalog.discovery import SETTINGS_FILE
from catalogsync.catalog.models import Settings
from catalogsync.catalog.yaml_files import Pairs
from catalogsync.catalog.yaml_nodes import INVALID, MERGE, NodeBuilder, is_null
from catalogsync.errors import Problem

SECTIONS = (
    "offers", "shipping_rates", "variant_sets", "responsible_producers", "responsible_persons",
    "return_policies", "implied_warranties", "warranties",
    "size_tables", "contacts",
    "price_rules",
)
SETTINGS_KEYS = tuple(Settings.model_fields)


#: How much the load has read (see `Load.undo_point`).
UndoPoint = tuple[list[int], bool, bool]


class Load(Protocol):
    """What a file's reading adds to: the load of the whole catalog."""

    directory: Path
    chosen: bool  # the settings name the files: none is skipped as another tool's
    builder: NodeBuilder
    problems: list[Problem]
    complete: bool
    settings_data: dict[str, Any]
    notes: list[str]

    def key(self, file: Path, prefix: KeyPath, key_node: Node, seen: dict[Any, int]) -> Any:
        """A top-level or section key, or INVALID (reported)."""

    def entry(self, file: Path, section: Section, key_node: Node, value_node: Node) -> None:
        """Read one entry of a section."""

    def undo_point(self) -> UndoPoint:
        """Where the load is now, to go back to."""

    def undo(self, point: UndoPoint) -> None:
        """Forget everything read since `point`."""


class Section:
    """A section of one file being read: its name, node and keys so far (with their line)."""

    def __init__(self, name: str, node: MappingNode, point: UndoPoint | None = None) -> None:
        self.name, self.node = name, node
        self.keys: dict[Any, int] = {}
        self.point = point  # where the load was when its first entries were handed over


class FileReading:
    """One file's top level, read in document order: `compose` hands over the entries of
    large sections as it composes them (`take`), the rest is read once it is done
    (`finish`); pairs and entries that `<<` merges in come last, as in a whole read."""

    names = SECTIONS

    def __init__(self, load: Load, file: Path, is_settings: bool, settings_only: bool) -> None:
        self.load, self.file = load, file
        self.is_settings, self.settings_only = is_settings, settings_only
        self.point = load.undo_point()  # read nothing yet
        self.read = 0  # how many top-level pairs are read
        self.keys: dict[Any, int] = {}  # the top-level keys read, with their line
        #: The sections handed over, by node (None: not read, e.g. a duplicate key).
        self.handed: dict[int, Section | None] = {}
        self.streamed = False  # a section was handed over
        self.failed = False  # an alias includes itself: the rest of the file is not read

    def take(self, root: MappingNode, key: Node, section: MappingNode, entries: Pairs) -> Pairs:
        if self.failed:
            return []
        try:
            self._pairs(root.value)
            if id(section) not in self.handed:
                self.handed[id(section)] = self._start(key, section)
                self.streamed = True
            reading = self.handed[id(section)]
            if reading is None:
                return []
            kept = [pair for pair in entries if pair[0].tag == MERGE]
            for key_node, value_node in entries:
                if key_node.tag != MERGE:
                    self.load.entry(self.file, reading, key_node, value_node)
            return kept
        except RecursionError:
            self._failed()
            return []

    def _start(self, key_node: Node, node: MappingNode) -> Section | None:
        key = self.load.key(self.file, (), key_node, self.keys)
        if key is INVALID or self.settings_only:
            return None
        return Section(key, node, self.load.undo_point())

    def finish(self, root: Node) -> None:
        load, file = self.load, self.file
        if not self.is_settings and not load.chosen and not self.streamed and _foreign(root):
            name = file.relative_to(load.directory)
            load.notes.append(
                f"note: {name} is not a catalog file (no {' '.join(f'{s}:' for s in SECTIONS)}); "
                f"skipped. `files:` in {SETTINGS_FILE} chooses the catalog's files."
            )
            return
        if type(root) is not MappingNode:
            expected = _SETTINGS_SHAPE if self.is_settings else _FILE_SHAPE
            load.problems.append(problem_at(file, root.start_mark, f"must be {expected}"))
            load.complete = False
            return
        try:
            pairs, explicit = load.builder.pairs(root, report=not self.failed)
        except RecursionError:  # a top-level merge that includes itself: a whole read of
            load.undo(self.point)  # the file reads nothing else
            self._failed()
            return
        if self.failed:
            return
        try:
            load.problems += load.builder.flush(file, (), root)
            self._pairs(root.value)
            for key_node, value_node in pairs[explicit:]:
                self._pair(key_node, value_node)
        except RecursionError:  # `&a {<<: *a}`, a merge that includes itself
            self._failed()

    def _failed(self) -> None:
        self.failed = True
        self.load.problems.append(Problem(self.file, 0, 0, "a YAML alias includes itself"))
        self.load.complete = False

    def _pairs(self, pairs: Pairs) -> None:
        """The top-level pairs not read yet, but those that `<<` merges in."""
        for key_node, value_node in pairs[self.read :]:
            self.read += 1
            if id(value_node) in self.handed:  # once: a later alias to it is its own pair
                reading = self.handed.pop(id(value_node))
                if reading is not None:
                    self._rest(reading)
            elif key_node.tag != MERGE:
                self._pair(key_node, value_node)

    def _pair(self, key_node: Node, value_node: Node) -> None:
        load, file = self.load, self.file
        key = load.key(file, (), key_node, self.keys)
        if key is INVALID:
            return
        if key in SECTIONS:
            if not self.settings_only:
                self._section(key, value_node)
        elif self.is_settings and key in SETTINGS_KEYS:
            value, problems = load.builder.build(file, (key,), value_node)
            load.problems += problems
            if value is not INVALID:
                load.settings_data[key] = value
        else:
            message = _unknown_section(key, self.is_settings)
            load.problems.append(problem_at(file, key_node.start_mark, message))

    def _section(self, name: str, node: Node) -> None:
        if is_null(node):
            return  # `offers:` with everything commented out
        if type(node) is not MappingNode:
            message = f"{name}: must be a mapping of {_SECTION_KEYS[name]}"
            self.load.problems.append(problem_at(self.file, node.start_mark, message))
            self.load.complete = False
            return
        self._rest(Section(name, node))

    def _rest(self, section: Section) -> None:
        """The entries of a section not handed over, then those that `<<` merges in."""
        builder = self.load.builder
        try:
            pairs = builder.pairs(section.node, report=True)[0]
        except RecursionError:  # a whole read would not have read the entries handed over
            if section.point is not None:
                self.load.undo(section.point)
            raise
        self.load.problems += builder.flush(self.file, (section.name,), section.node)
        for key_node, value_node in pairs:
            self.load.entry(self.file, section, key_node, value_node)


class Skipped:
    """Reads nothing of the large sections (when only the top-level settings are wanted)."""

    names = SECTIONS

    def take(self, root: MappingNode, key: Node, section: MappingNode, entries: Pairs) -> Pairs:
        return []


_FILE_SHAPE = "a mapping with any of the sections " + ", ".join(f"{s}:" for s in SECTIONS)
_SETTINGS_SHAPE = "a mapping of settings (" + ", ".join(f"{k}:" for k in SETTINGS_KEYS) + ")"
_SECTION_KEYS = {
    "offers": "external id to offer",
    "shipping_rates": "table name to table",
    "variant_sets": "set name to variant set",
    "responsible_producers": "producer name to producer",
    "responsible_persons": "person name to person",
    "return_policies": "policy name to return policy",
    "implied_warranties": "name to implied warranty",
    "warranties": "name to warranty",
    "size_tables": "size table name to size table",
    "contacts": "contact name to contact",
    "price_rules": "rule name to price rule",
}


def _foreign(root: Node) -> bool:
    """A YAML file of another tool: a mapping with no catalog section, nor a key like one.
    (A file that is not a mapping at all is reported: it may be a catalog file gone wrong.)"""
    if type(root) is not MappingNode:
        return False
    keys = [k.value for k, _ in root.value if isinstance(k, ScalarNode)]
    if any(key in SECTIONS for key in keys):
        return False
    import difflib  # only here: a catalog file has a section

    return not any(difflib.get_close_matches(k.lower(), SECTIONS, n=1, cutoff=0.75) for k in keys)


def _unknown_section(key: Any, is_settings: bool) -> str:
    if key in SETTINGS_KEYS:
        return f"{key}: is a setting; it belongs in {SETTINGS_FILE}"
    known = (*SECTIONS, *SETTINGS_KEYS) if is_settings else SECTIONS
    return f"{key}: unknown section; {suggestion(key, known)}"

