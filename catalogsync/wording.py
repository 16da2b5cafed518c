"""Counts in messages: "1 offer", "2 offers"."""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`count` and `noun`, the noun in plural (`many`, default noun + "s") unless count is 1."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"
