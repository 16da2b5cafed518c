"""Allegro's read-only data: applications, users, delivery methods, categories and products.

The seed writes them to the `reference` table; they are cached here, since no call changes them
(`load` again after a reset).
"""

from __future__ import annotations

import json

from catalogsync.emulator.core.errors import Doc
from catalogsync.emulator.core.store import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS reference (
    kind TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (kind, id));
"""


class Reference:
    """The cached `reference` table, by kind and id."""

    def __init__(self, store: Store) -> None:
        self._store = store
        store.create(SCHEMA, ("reference",))
        self._kinds: dict[str, dict[str, Doc]] = {}
        self.by_ean: dict[str, list[Doc]] = {}

    def load(self) -> None:
        kinds: dict[str, dict[str, Doc]] = {}
        rows = self._store.db.execute("SELECT kind, id, doc FROM reference ORDER BY rowid")
        for kind, key, doc in rows:
            kinds.setdefault(kind, {})[key] = json.loads(doc)
        self._kinds = kinds
        self.by_ean = {}
        for product in self.products.values():
            self.by_ean.setdefault(product["ean"], []).append(product)

    @property
    def clients(self) -> dict[str, Doc]:
        return self._kinds.get("client", {})

    @property
    def users(self) -> dict[str, Doc]:
        return self._kinds.get("user", {})

    @property
    def delivery_methods(self) -> dict[str, Doc]:
        return self._kinds.get("delivery_method", {})

    @property
    def categories(self) -> dict[str, Doc]:
        return self._kinds.get("category", {})

    @property
    def category_branches(self) -> dict[str, Doc]:
        return self._kinds.get("category_branch", {})

    @property
    def products(self) -> dict[str, Doc]:
        return self._kinds.get("product", {})
