"""Where inside a nested field (rates, description, location…) a change is, via deepdiff, so
a plan shows `rates[0].first_item: 49.00 PLN → 59.00 PLN` rather than two long blobs."""

from __future__ import annotations

from typing import Any

#: Characters of unchanged text kept either side of a change inside a long string.
CONTEXT = 24


def nested_changes(field: str, old: Any, new: Any) -> list[tuple[str, Any, Any]]:
    """(path, old, new) for each leaf that differs; None stands for "not there"."""
    if not isinstance(old, dict | list) or not isinstance(new, dict | list):
        return [(field, old, new)]
    from deepdiff import DeepDiff  # with numpy behind it: loaded only for nested changes

    tree = DeepDiff(old, new).tree
    found = []
    for kind in tree:
        for level in tree[kind]:
            path = field + "".join(
                f"[{p}]" if isinstance(p, int) else f".{p}"
                for p in level.path(output_format="list")
            )
            found.append((path, _present(level.t1), _present(level.t2)))
    return sorted(found, key=lambda row: row[0])


def _present(value: Any) -> Any:
    from deepdiff.helper import NotPresent

    return None if isinstance(value, NotPresent) else value


def changed_window(old: str, new: str) -> tuple[str, str]:
    """The changed middle of two long strings, with a little context and `…` for the rest."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    left = max(0, start - CONTEXT)
    prefix = "…" if left else ""

    def cut(text: str) -> str:
        right = len(text) - max(0, end - CONTEXT)
        return prefix + text[left:right] + ("…" if right < len(text) else "")

    return cut(old), cut(new)
