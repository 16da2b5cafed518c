"""Problems as `file:line:column: key.path: message`, and pydantic's errors in those words.

Pydantic reports a `loc` through the models (with union member names in it); `Validation`
walks it along the model types back to the key path in the data, groups the errors of
"one of several item kinds" into one, and words each message for a person editing YAML.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails
from yaml.error import Mark

from catalogsync.catalog.models import Catalog
from catalogsync.errors import Problem
from catalogsync.safe_text import visible

#: A key path inside a file or the merged catalog: mapping keys and list indices.
KeyPath = tuple[Any, ...]


@dataclass(frozen=True)
class Issue:
    """A problem known by key path only; located by re-composing its file."""

    file: Path
    path: KeyPath  # from the top of the file
    message: str
    at_key: bool = False  # point at the key (unknown keys) rather than its value
    quote_hint: bool = False  # a number or boolean where a string was expected


def problem_at(file: Path, mark: Mark | None, message: str) -> Problem:
    if mark is None:
        return Problem(file, 0, 0, message)
    return Problem(file, mark.line + 1, mark.column + 1, message)


def _dotted(path: KeyPath) -> str:
    """The key path as messages show it: keys may hold any character, shown escaped."""
    return ".".join(visible(str(seg)) if seg != "" else '""' for seg in path)


def at_path(path: KeyPath, message: str) -> str:
    return f"{_dotted(path)}: {message}" if path else message


def suggestion(word: Any, known: tuple[str, ...] | list[str]) -> str:
    """'did you mean 'stock'?' when close (ignoring case), else the allowed values."""
    if isinstance(word, str):
        import difflib  # not at import: a valid catalog needs no suggestions

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
    addressed with index 0 there, so a 0 that does not index a list is skipped. None
    where the path leads nowhere."""
    for seg in path:
        indexes = isinstance(data, list) and type(seg) is int and 0 <= seg < len(data)
        if indexes or (isinstance(data, dict) and seg in data):
            data = data[seg]
        elif seg != 0 or type(seg) is not int:
            return None
    return data


class Validation:
    """Turns pydantic errors into issues with human messages."""

    def __init__(
        self, file_of: Callable[[KeyPath], Path], data: dict[str, Any], file: Path | None = None
    ) -> None:
        self.file_of = file_of  # the file that declares a merged-catalog path
        self.data = data
        self.file = file  # the file of every error, when not found from the key path

    def issues(self, errors: list[ErrorDetails]) -> list[Issue]:
        issues: list[Issue] = []
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

    def _issue(self, error: ErrorDetails, route: _Route) -> Issue:
        path = route.path
        at_key = error["type"] == "extra_forbidden" or path[-1:] == ("[key]",)
        if path[-1:] == ("[key]",):
            path = path[:-1]
        quote = error["type"] == "string_type" and isinstance(error["input"], int | float | date)
        return self._located(path, _message(error, route.parent), at_key=at_key, quote=quote)

    def _located(self, path: KeyPath, message: str, *, at_key: bool = False,
                 quote: bool = False) -> Issue:
        file = self.file or self.file_of(path)
        in_file = path[1:] if path[0] == "settings" else path
        return Issue(file, in_file, message, at_key, quote)

    def _union_issues(self, prefix: KeyPath,
                      grouped: list[tuple[ErrorDetails, _Route]]) -> list[Issue]:
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
                self._located((*prefix, k), f"unknown key; {suggestion(k, known)}", at_key=True)
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
        return f"unknown key; {suggestion(error['loc'][-1], known)}"
    if kind in ("literal_error", "enum"):
        allowed = _QUOTED.findall(str(error.get("ctx", {}).get("expected", "")))
        message = "must be one of " + ", ".join(allowed)
        value = error["input"]
        close = suggestion(value, allowed) if isinstance(value, str) else ""
        return f"{message}; {close}" if close.startswith("did") else message
    text = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        text = text.removeprefix(prefix)
    text = _SHOULD.sub("must ", text).replace(" after validation", "")
    return text[:1].lower() + text[1:]

