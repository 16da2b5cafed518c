"""Words in messages: counts ("1 offer", "2 offers") and long names cut short."""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`count` and `noun`, the noun in plural (`many`, default noun + "s") unless count is 1."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def shown(name: str) -> str:
    """A name (a file path) as messages show it: long ones cut short."""
    return name if len(name) <= 80 else f"{name[:60]}…({len(name)} characters)"
