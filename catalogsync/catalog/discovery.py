"""Which files make up a catalog directory."""

from __future__ import annotations

import os
from pathlib import Path

#: The settings file that makes a directory a catalog (loader.py reads it).
SETTINGS_FILE = "catalogsync.yaml"


def enclosing_catalog(directory: Path) -> Path | None:
    """The catalog `directory` lies inside, when it has no catalogsync.yaml of its own (a
    command run from `offers/`); None otherwise."""
    if (directory / SETTINGS_FILE).is_file():
        return None
    for parent in directory.resolve().parents:
        if (parent / SETTINGS_FILE).is_file():
            relative = Path(os.path.relpath(parent))
            return relative if len(str(relative)) < len(str(parent)) else parent
    return None


def catalog_files(directory: Path, patterns: tuple[str, ...] | None = None) -> list[Path]:
    """Every *.yaml/*.yml below `directory` except the settings file, skipping hidden
    files and directories (.git/, .catalogsync/, .pre-commit-config.yaml …) and folders with a
    catalogsync.yaml of their own (another catalog: a repository may hold one per account);
    with `patterns` (the `files:` setting), only those matching one of the globs."""
    if patterns is not None:
        chosen = {p for pattern in patterns for p in directory.glob(pattern) if p.is_file()}
        chosen.discard(directory / SETTINGS_FILE)
        return sorted(chosen, key=lambda p: p.relative_to(directory).parts)
    found: list[tuple[tuple[str, ...], Path]] = []
    for root, dirs, files in os.walk(directory):
        base = Path(root)
        dirs[:] = [d for d in dirs
                   if not d.startswith(".") and not (base / d / SETTINGS_FILE).is_file()]
        for name in files:
            if name.startswith(".") or not name.endswith((".yaml", ".yml")):
                continue
            path = base / name
            rel = path.relative_to(directory).parts
            if rel != (SETTINGS_FILE,):
                found.append((rel, path))
    return [path for _, path in sorted(found)]
