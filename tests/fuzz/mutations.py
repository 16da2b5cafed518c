"""Mutated catalogs for fuzzing `validate` and `plan`: a seeded generator, no dependencies.

Each case starts from the example catalog and changes one file: structurally (a value replaced
by something hostile, a key dropped or invented, an entry copied) or textually (bytes cut,
lines repeated or swapped, YAML punctuation inserted), or by adding a known attack (alias
bomb, deep nesting, self-merging anchor, a path out of the catalog, names too long).
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "catalog"

HOSTILE: tuple[Any, ...] = (
    None,
    True,
    0,
    -1,
    2**31,
    2**63,
    99999999999999999999,
    1e308,
    -0.0,
    0.001,
    "",
    " ",
    "nan",
    ".inf",
    "-.inf",
    "0x1F",
    "1_000",
    "12:30:00",
    "2026-13-45",
    "~",
    "null",
    "yes",
    "a" * 80,
    "b" * 300,
    "ą" * 40_001,
    "x" * 70_000,
    "\u202e\u0000\ufeff",
    "💥" * 20,
    "../../../../etc/hostname",
    "/etc/passwd",
    "images/" + "n" * 300 + ".png",
    "images/../../x.png",
    "~/x.jpg",
    "file:///etc/passwd",
    "https://",
    "http://x/" + "y" * 5000,
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "PT24H",
    "P999D",
    "PLN",
    "XXX",
    "00-950",
    [],
    {},
    [[]],
    [{}],
    [None],
    {"": None},
    {"text": 1},
    {"image": None},
    [1, "a", None],
    {"k": "v" * 1000},
    [{"text": "t"}] * 3,
    "Standard",
    "Gabaryt",
    "nope",
)
ATTACKS = (
    "bomb: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"l{i}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)),
    "deep: " + "[" * 2000 + "]" * 2000 + "\n",
    "deep: " + "{a: " * 200 + "1" + "}" * 200 + "\n",
    "loop: &l {<<: *l}\n",
    "loop: &l [*l]\n",
    "x: !!python/object/apply:os.system ['true']\n",
    "x: !!binary AAAA\n",
    "x: !custom 3\n",
    "x: &a {a: 1}\ny: {<<: [*a, *a, *a]}\n",
    "%YAML 1.1\n---\nx: 1\n---\ny: 2\n",
    "\t- tab\n",
    'x: "\\uD800"\n',
)
PUNCTUATION = (
    ":",
    "-",
    "[",
    "]",
    "{",
    "}",
    "&a",
    "*a",
    "!",
    "|",
    ">",
    "'",
    '"',
    "#",
    "\t",
    "<<: ",
    "? ",
    ",",
    "%",
    "@",
    "`",
    "\\",
    "\x00",
    "\xff",
    "\n  ",
    "\n- ",
)


@dataclass(frozen=True)
class Case:
    """One mutated catalog: the file replaced (relative path) and its new text."""

    seed: int
    how: str
    file: str
    text: str


def base_files() -> dict[str, str]:
    return {
        str(p.relative_to(EXAMPLE)): p.read_text(encoding="utf-8")
        for p in sorted(EXAMPLE.rglob("*.yaml"))
        if ".catalogsync" not in p.parts
    }


def cases(count: int, seed: int = 0) -> Iterator[Case]:
    """`count` mutated catalogs, the same ones for the same seed."""
    files = base_files()
    names = sorted(files)
    parsed = {name: yaml.safe_load(text) for name, text in files.items()}
    mutators: list[tuple[str, Callable[[random.Random, str, Any], str]]] = [
        ("replace", _replace),
        ("replace", _replace),
        ("drop", _drop),
        ("invent", _invent),
        ("copy", _copy),
        ("text", _text),
        ("text", _text),
        ("attack", _attack),
    ]
    for number in range(count):
        case_seed = seed * 1_000_003 + number
        rng = random.Random(case_seed)
        name = rng.choice(names)
        how, mutate = rng.choice(mutators)
        source = files[name] if how in ("text", "attack") else parsed[name]
        yield Case(case_seed, how, name, mutate(rng, files[name], _copy_of(source)))


def write(case: Case, directory: Path) -> None:
    """Make `directory` the example catalog with the case's file replaced."""
    if directory.exists():
        shutil.rmtree(directory)
    shutil.copytree(EXAMPLE, directory, ignore=shutil.ignore_patterns(".catalogsync"))
    (directory / "images").mkdir()
    (directory / "images" / "mug.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    (directory / case.file).write_bytes(case.text.encode("utf-8", "surrogatepass"))


def rewrite(case: Case, directory: Path, previous: Case | None) -> None:
    """Like `write`, but only restores the file the previous case changed (much faster)."""
    if previous is None or not (directory / "images").is_dir():
        write(case, directory)
        return
    if previous.file != case.file:
        shutil.copyfile(EXAMPLE / previous.file, directory / previous.file)
    (directory / case.file).write_bytes(case.text.encode("utf-8", "surrogatepass"))


def _copy_of(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy_of(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_of(v) for v in value]
    return value


def _containers(value: Any, depth: int = 0) -> list[Any]:
    """Every dict and list inside `value` (itself included)."""
    found = [value] if isinstance(value, dict | list) else []
    children = (
        value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    )
    for child in children:
        found += _containers(child, depth + 1)
    return found


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _pick(rng: random.Random, data: Any) -> tuple[Any, Any] | None:
    """A container and one of its keys (or indexes)."""
    containers = [c for c in _containers(data) if c]
    if not containers:
        return None
    container = rng.choice(containers)
    key = (
        rng.choice(list(container))
        if isinstance(container, dict)
        else rng.randrange(len(container))
    )
    return container, key


def _replace(rng: random.Random, _text: str, data: Any) -> str:
    for _ in range(rng.randint(1, 3)):
        picked = _pick(rng, data)
        if picked is None:
            return _dump(rng.choice(HOSTILE))
        container, key = picked
        container[key] = _copy_of(rng.choice(HOSTILE))
    return _dump(data)


def _drop(rng: random.Random, _text: str, data: Any) -> str:
    picked = _pick(rng, data)
    if picked is not None:
        container, key = picked
        del container[key]
    return _dump(data)


def _invent(rng: random.Random, _text: str, data: Any) -> str:
    dicts = [c for c in _containers(data) if isinstance(c, dict)]
    if dicts:
        target = rng.choice(dicts)
        key: Any = rng.choice(("nmae", "pirce", "images", "offers", "x" * 300, 7, None, True))
        target[key] = _copy_of(rng.choice(HOSTILE))
    return _dump(data)


def _copy(rng: random.Random, _text: str, data: Any) -> str:
    dicts = [c for c in _containers(data) if isinstance(c, dict) and c]
    if dicts:
        target = rng.choice(dicts)
        key = rng.choice(list(target))
        new_key = rng.choice((f"{key}-2", "S" * 101, "ą" * 80, str(key).lower(), f" {key} "))
        target[new_key] = _copy_of(target[key])
    return _dump(data)


def _text(rng: random.Random, text: str, _data: Any) -> str:
    for _ in range(rng.randint(1, 4)):
        where = rng.randrange(len(text) + 1)
        choice = rng.randrange(4)
        if choice == 0:
            text = text[:where] + text[where + rng.randint(1, 40) :]
        elif choice == 1:
            text = text[:where] + rng.choice(PUNCTUATION) + text[where:]
        elif choice == 2:
            lines = text.splitlines(keepends=True)
            if len(lines) > 1:
                i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
                text = "".join(lines)
        else:
            lines = text.splitlines(keepends=True)
            if lines:
                i = rng.randrange(len(lines))
                lines.insert(i, lines[i])
                text = "".join(lines)
    return text


def _attack(rng: random.Random, text: str, _data: Any) -> str:
    attack = rng.choice(ATTACKS)
    if rng.random() < 0.5:
        return attack
    # nest it inside an offer's parameters, where the bomb was
    indented = "".join(f"      {line}\n" for line in attack.splitlines())
    marker = "    parameters:\n"
    return text.replace(marker, marker + indented, 1) if marker in text else text + attack
