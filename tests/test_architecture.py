"""The shape of the code base stays as docs/architecture.md draws it.

Imports only go down the pipeline (catalog → allegro → live → plan → render/apply → cli), only
`allegro/` and `emulator/` speak HTTP, the planner does no I/O, no module imports itself back
through another, and no module grows past 400 lines.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "catalogsync"

#: Each top-level part of the package and its layer: a part imports only from lower layers
#: (and from inside itself). `emulator` stands alone beside `allegro`, which embeds it.
LAYERS: dict[str, int] = {
    "appendlog": 0, "errors": 0, "exitcodes": 0, "gcpause": 0, "progress": 0,
    "safe_text": 0, "synthetic": 0, "wording": 0, "signals": 0, "install_source": 0,
    "catalog": 1, "state": 1, "log": 1,
    "config": 2, "images": 2, "emulator": 2,
    "allegro": 3, "feeds": 3,
    "live": 4,
    "plan": 5,
    "render": 6, "apply": 6, "targets": 6, "runs": 7, "adopt": 8,
    "many": 8, "cli": 9, "__main__": 10, "__init__": 10,
}
HTTP_LIBRARIES = {"httpx", "starlette", "uvicorn"}
HTTP_PARTS = {"allegro", "emulator"}
#: The one module beside them that speaks HTTP: a URL feed is the seller's own server, not
#: Allegro (docs/architecture.md)
HTTP_MODULES = {"catalogsync.feeds.fetch"}
MAX_LINES = 400


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path


def _imports(path: Path) -> Iterator[str]:
    """Every module `path` imports, wherever the import stands (functions and TYPE_CHECKING too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            yield module
            # `from catalogsync.emulator import backend` imports a module, not a name
            yield from (f"{module}.{alias.name}" for alias in node.names)


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


MODULES = dict(_modules())
GRAPH = {
    name: sorted({m for m in _imports(path) if m in MODULES and m != name})
    for name, path in MODULES.items()
}


def test_every_part_of_the_package_has_a_layer() -> None:
    assert sorted({_part(name) for name in MODULES} - set(LAYERS)) == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_only_go_down(name: str) -> None:
    part = _part(name)
    upward = [
        target for target in GRAPH[name]
        if _part(target) != part and LAYERS[_part(target)] >= LAYERS[part]
        and _part(target) != "__init__"
    ]
    assert upward == [], f"{name} imports from its own layer or above"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_only_allegro_and_the_emulator_speak_http(name: str) -> None:
    if _part(name) in HTTP_PARTS or name in HTTP_MODULES:
        return
    http = sorted({m.split(".")[0] for m in _imports(MODULES[name])} & HTTP_LIBRARIES)
    assert http == [], f"{name} imports {http}"


def test_the_planner_does_no_io() -> None:
    """plan/ reads the live state's pure shapes, never the reader, the cache or the client
    (of `images` it uses only the pure placeholder helpers)."""
    allowed = ("catalogsync.plan", "catalogsync.catalog.models", "catalogsync.live.state",
               "catalogsync.allegro.wire", "catalogsync.errors", "catalogsync.gcpause",
               "catalogsync.images", "catalogsync.wording", "catalogsync.catalog.limits",
               "catalogsync.catalog.gpsr", "catalogsync.allegro.gpsr_wire",
               "catalogsync.allegro.marketplaces_wire", "catalogsync.allegro.after_sales_wire",
               "catalogsync.catalog.after_sales", "catalogsync.catalog.size_tables",
               "catalogsync.allegro.size_tables_wire", "catalogsync.catalog.moves",
               "catalogsync.catalog.price_rules", "catalogsync.allegro.price_rules_wire",
               "catalogsync.allegro.translations_wire")
    offending = {
        name: [t for t in targets if not t.startswith(allowed)]
        for name, targets in GRAPH.items() if _part(name) == "plan"
    }
    assert {name: t for name, t in offending.items() if t} == {}


def test_no_import_cycles() -> None:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the stack, 2 done

    def visit(name: str, stack: list[str]) -> None:
        state[name] = 1
        for target in GRAPH[name]:
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target):], target])
            elif target not in state:
                visit(target, [*stack, target])
        state[name] = 2

    for name in MODULES:
        if name not in state:
            visit(name, [name])
    assert cycles == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_over_400_lines(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines"
