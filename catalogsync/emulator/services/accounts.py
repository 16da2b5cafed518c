"""Accounts: `GET /me` (the seller's after-sales conditions: `after_sales.py`)."""

from __future__ import annotations

from catalogsync.emulator.core.errors import Doc
from catalogsync.emulator.core.reference import Reference


class Accounts:
    """The users of the reference data."""

    def __init__(self, reference: Reference) -> None:
        self._reference = reference

    def me(self, user_id: str) -> Doc:
        return dict(self._reference.users[user_id])
