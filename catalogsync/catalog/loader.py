"""Load a catalog directory into a frozen `Catalog`, reporting every problem at once.

Why not `yaml.safe_load` + `Catalog.model_validate`: errors must say file:line:column, and
YAML silently keeps the last of two duplicate keys. So each file (`discovery.py`) is composed
into nodes and turned into plain values by one walk (`yaml_nodes.py`, which catches duplicate
keys and bad scalars while the nodes are at hand); this module merges the sections, checks
duplicates across files and references, and pydantic validates. The entries of a large
section are read while its file is composed (`file_reading.py`), and offers are validated a
thousand at a time into lean records, their nodes and plain values dropped: a load's peak
memory is about the same whether 100 000 offers come in one file or in ten, not the whole
catalog's node tree or plain data (benchmarks/local_cost.py --one-file). A file that turns out
not to be YAML is reported alone, as if nothing of it had been read. Settings, tables and
variant sets are small and validated together at the end. The few files that have validation
or reference problems are composed again, keeping only the entries with problems, to find the
node at each problem's key path (`diagnostics.py` words the problems). Every valid offer also
goes through `offer_checks.py`: what Allegro would refuse that the catalog alone shows.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from pydantic import ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from catalogsync.catalog.diagnostics import (
    Issue,
    KeyPath,
    Validation,
    at_path,
    problem_at,
)
from catalogsync.catalog.discovery import SETTINGS_FILE, catalog_files
from catalogsync.catalog.file_reading import SECTIONS, FileReading, Section, Skipped, UndoPoint
from catalogsync.catalog.load_cache import LoadCache, replay, taken
from catalogsync.catalog.models import Catalog, Offer, Settings
from catalogsync.catalog.moves import moved_issues, renamed_issues
from catalogsync.catalog.offer_checks import offer_problems
from catalogsync.catalog.yaml_nodes import INVALID, Locator, NodeBuilder, compose, is_null
from catalogsync.errors import CatalogError, Problem
from catalogsync.gcpause import gc_paused

__all__ = ["SECTIONS", "SETTINGS_FILE", "catalog_file_list", "load_catalog", "load_settings"]

#: Offers read are validated into records this many at a time, and their plain values dropped.
_VALIDATE_EVERY = 1000


def load_catalog(
    directory: Path, notes: list[str] | None = None, cache: Path | None = None,
    only: Collection[Path] | None = None,
) -> Catalog:
    """Load, merge and validate every YAML file of a catalog directory.

    Raises `CatalogError` holding every problem found in every file. YAML files that are
    plainly not catalog files (a compose file, a CI file) are skipped, each with a line in
    `notes`. With `cache` (a folder), files unchanged since they were last loaded are not
    parsed again (`load_cache.py`). With `only`, just those of the files are read besides
    `catalogsync.yaml` (a narrowed plan, runs/narrowed.py): the cache keeps the others'.
    """
    with gc_paused():
        load = _Load(directory, None if cache is None else LoadCache(cache))
        try:
            return load.catalog(only)
        finally:
            if notes is not None:
                notes += load.notes
            if load.cache is not None and only is None:
                load.cache.prune()


def catalog_file_list(directory: Path) -> list[Path]:
    """The files a load of `directory` reads besides `catalogsync.yaml` (which comes first)."""
    return [directory / SETTINGS_FILE, *_Load(directory)._files()]


def load_settings(directory: Path) -> Settings:
    """Load only `catalogsync.yaml`, for commands that need no offers."""
    with gc_paused():
        return _Load(directory).settings()


class _Load:
    """One load: problems accumulate here so that all of them are reported together."""

    def __init__(self, directory: Path, cache: LoadCache | None = None) -> None:
        self.directory = directory
        self.cache = cache
        self.settings_file = directory / SETTINGS_FILE
        self.builder = NodeBuilder()
        self.problems: list[Problem] = []
        self.issues: list[Issue] = []
        self.settings_data: dict[str, Any] = {}
        #: Plain values read so far; offers only those of the file being read (see `offers`).
        self.sections: dict[str, dict[Any, Any]] = {name: {} for name in SECTIONS}
        #: The offers of the files read so far, validated (valid ones only).
        self.offers: dict[str, Offer] = {}
        self.offers_valid = True  # False once an offer failed validation
        #: Where each entry was declared: section -> key -> (file, line, column).
        self.origins: dict[str, dict[Any, tuple[Path, int, int]]] = {n: {} for n in SECTIONS}
        self.complete = True  # False once a file could not be read as a whole
        self.notes: list[str] = []
        self.chosen = False  # the settings name the files (`files:`): none is skipped
        #: Entries already defined in another file: still validated, to report everything.
        self.shadowed: list[tuple[Path, str, Any, Any]] = []

    def catalog(self, only: Collection[Path] | None = None) -> Catalog:
        files = self._start([f for f in self._files() if only is None or f in only])
        self._validate_offers()  # catalogsync.yaml may hold offers too
        for file in files:
            self._load_file(file)
        catalog = self._validated({"settings": self.settings_data, **self.sections})
        for file, section, key, value in self.shadowed:
            self._validated({section: {key: value}}, file)
        self.issues += self._reference_issues() + moved_issues(self.offers, self.origins["offers"])
        self.issues += renamed_issues(self.sections, self.origins)
        self.issues += self._offer_issues(catalog)  # of every valid offer, to report all at once
        if catalog is not None and self.offers_valid:
            catalog = catalog.model_copy(update={"offers": self.offers})
            catalog._origins.update(
                ((section, str(key)), f"{file}:{line}:{column}")
                for section, entries in self.origins.items()
                for key, (file, line, column) in entries.items()
            )
        else:
            catalog = None
        self._finish()
        if catalog is None:  # pragma: no cover - a ValidationError always yields an issue
            raise CatalogError(self.problems)
        return catalog

    def _files(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        if self.settings_file.is_file():  # read again by _start, with its problems reported
            root = compose(self.settings_file, Skipped())
            patterns = None if isinstance(root, Problem) or root is None else _patterns(root)
            if patterns is not None:
                self.chosen = True
                return catalog_files(self.directory, patterns)
        return catalog_files(self.directory)

    def _load_file(self, file: Path) -> None:
        """Read a catalog file, or add what it yielded when this version of it was read."""
        cache = self.cache
        key = None if cache is None else cache.key(file, self.chosen)
        entries = None if cache is None or key is None else cache.get(key)
        dicts = (self.offers, self.sections, self.origins)
        if entries is not None and replay(entries, file, *dicts):
            return
        before, notes = self.undo_point(), len(self.notes)
        self._read(file, is_settings=False)
        self._validate_offers()
        if cache is None or key is None or not self._clean_since(before, notes):
            return
        if cache.key(file, self.chosen) == key:  # the file did not change while it was read
            sizes = before[0][len(self._lists()) :]  # offers, settings, sections, origins
            cache.put(key, taken([sizes[0], *sizes[2:]], *dicts))

    def _clean_since(self, point: UndoPoint, notes: int) -> bool:
        """Whether what was read since `point` has no problem, note or refusal."""
        now, lists = self.undo_point(), len(self._lists())
        return now[1:] == point[1:] and now[0][:lists] == point[0][:lists] and (
            len(self.notes) == notes
        )

    def _validate_offers(self) -> None:
        """Turn the offers just read into records, and drop their plain values."""
        if self.sections["offers"]:
            known = len(self.issues)
            validated = self._validated({"offers": self.sections["offers"]})
            if validated is None:
                self.offers_valid = False
                self.offers.update(self._valid_ones(self.issues[known:]))
            else:
                self.offers.update(validated.offers)
            self.sections["offers"] = {}

    def _valid_ones(self, issues: list[Issue]) -> dict[str, Offer]:
        """The offers just read that have none of these `issues` (already reported),
        validated, so that the offer checks see them too."""
        wrong = {i.path[1] for i in issues if len(i.path) > 1 and i.path[0] == "offers"}
        rest = {k: v for k, v in self.sections["offers"].items() if k not in wrong}
        try:
            return dict(Catalog.model_validate({"offers": rest}).offers) if rest else {}
        except ValidationError:  # pragma: no cover - every problem names its offer
            return {}

    def _validated(self, data: dict[str, Any], file: Path | None = None) -> Catalog | None:
        """Validate once with pydantic; turn its errors into issues (None if any)."""
        try:
            return Catalog.model_validate(data)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            self.issues += Validation(self.file_of, data, file).issues(errors)
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
        self.problems += Locator(self.builder).problems(self.issues)
        if self.problems:
            raise CatalogError(self.problems)

    def _read(self, file: Path, *, is_settings: bool, settings_only: bool = False) -> None:
        reading = FileReading(self, file, is_settings, settings_only)
        root = compose(file, reading)
        if isinstance(root, Problem):  # what was read before the problem is not reported
            self.undo(reading.point)
            self.problems.append(root)
            self.complete = False
        elif root is not None and not is_null(root):
            reading.finish(root)

    def undo_point(self) -> UndoPoint:
        sizes = [len(c) for c in (*self._lists(), *self._dicts())]
        return sizes, self.complete, self.offers_valid

    def undo(self, point: UndoPoint) -> None:
        """Forget what was read since `point` (a file's entries are read as it is composed)."""
        sizes, self.complete, self.offers_valid = point
        lists = self._lists()
        for items, size in zip(lists, sizes, strict=False):
            del items[size:]
        for entries, size in zip(self._dicts(), sizes[len(lists) :], strict=True):
            while len(entries) > size:
                entries.popitem()  # the last one added

    def _lists(self) -> tuple[list[Any], ...]:
        return self.problems, self.issues, self.shadowed

    def _dicts(self) -> tuple[dict[Any, Any], ...]:
        return (self.offers, self.settings_data, *self.sections.values(), *self.origins.values())

    def key(self, file: Path, prefix: KeyPath, key_node: Node, seen: dict[Any, int]) -> Any:
        """A top-level or section key, reporting bad and duplicate keys (`seen`: the line of
        each key so far)."""
        key, problems = self.builder.build_key(file, prefix, key_node)
        self.problems += problems
        if key is INVALID:
            return INVALID
        try:
            line = seen.get(key)
        except TypeError:
            self.problems.append(problem_at(file, key_node.start_mark, at_path(prefix, _BAD_KEY)))
            return INVALID
        if line is not None:
            message = at_path((*prefix, key), f"duplicate key; first defined on line {line}")
            self.problems.append(problem_at(file, key_node.start_mark, message))
            return INVALID
        seen[key] = key_node.start_mark.line + 1
        return key

    def entry(self, file: Path, section: Section, key_node: Node, value_node: Node) -> None:
        name = section.name
        key = self.key(file, (name,), key_node, section.keys)
        if key is INVALID:
            return
        entries, origins = self.sections[name], self.origins[name]
        mark = key_node.start_mark
        if key in origins:
            first, line, column = origins[key]
            message = at_path((name, key), f"defined twice; first at {first}:{line}:{column}")
            self.problems.append(problem_at(file, mark, message))
            value, problems = self.builder.build(file, (name, key), value_node)
            self.problems += problems
            if value is not INVALID:
                self.shadowed.append((file, name, key, value))
            return
        value, problems = self.builder.build(file, (name, key), value_node)
        self.problems += problems
        if value is INVALID:
            self.complete = False
            return
        entries[key] = value
        origins[key] = (file, mark.line + 1, mark.column + 1)
        if len(self.sections["offers"]) >= _VALIDATE_EVERY:
            self._validate_offers()

    def _offer_issues(self, catalog: Catalog | None) -> list[Issue]:
        """What Allegro would refuse that the catalog alone shows (catalog/offer_checks.py),
        in the offers validated so far and the defaults."""
        now = datetime.now(UTC)
        issues = []
        for sku, offer in self.offers.items():
            file = self.origins["offers"][sku][0]
            for path, message in offer_problems(self.directory, offer, now):
                issues.append(Issue(file, ("offers", sku, *path), message))
        if catalog is None:
            return issues
        defaults = Offer(safety_information=catalog.settings.defaults.safety_information)
        for path, message in offer_problems(self.directory, defaults, now):
            issues.append(Issue(self.settings_file, ("defaults", *path), message))
        return issues

    def file_of(self, path: KeyPath) -> Path:
        """The file that declares the merged-catalog path (settings or a section entry)."""
        if path[0] == "settings" or len(path) < 2:
            return self.settings_file
        origin = self.origins.get(path[0], {}).get(path[1])
        return origin[0] if origin else self.directory

    def _reference_issues(self) -> list[Issue]:
        """Variant sets must name offers of this catalog, each offer in one set only."""
        issues: list[Issue] = []
        offers = self.origins["offers"]  # every offer read, valid or not
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
                    issues.append(Issue(file, path, f"offer '{sku}' is already in {where}"))
                elif sku not in offers:
                    if self.complete:  # else it may be in a file that failed to parse
                        issues.append(Issue(file, path, f"no offer '{sku}' in the catalog"))
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
_BAD_KEY = "a key must be a plain value"


def _patterns(root: Node) -> tuple[str, ...] | None:
    """The `files:` globs of catalogsync.yaml's node, if it names them as a list of strings."""
    if type(root) is not MappingNode:
        return None
    for key, value in root.value:
        if isinstance(key, ScalarNode) and key.value == "files" and type(value) is SequenceNode:
            items = tuple(i.value for i in value.value if isinstance(i, ScalarNode))
            return items if len(items) == len(value.value) else None
    return None


