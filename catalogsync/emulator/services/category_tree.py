"""`GET /sale/categories` and `GET /sale/categories/{categoryId}`: the demo category tree.

Main categories have no parent; offers are listed in leaves only (the leaves are the categories
`Catalogue` knows with their parameters). Options the emulator does not model are answered as
Allegro answers them for a plain goods category (guess: no advertisements, offers may be linked
to products, products may be proposed, no required purchase comments).
"""

from __future__ import annotations

from catalogsync.emulator.core.errors import Doc, not_found
from catalogsync.emulator.core.reference import Reference


class CategoryTree:
    def __init__(self, reference: Reference) -> None:
        self._reference = reference

    def _all(self) -> dict[str, Doc]:
        return {**self._reference.category_branches, **self._reference.categories}

    def children(self, parent_id: str | None) -> Doc:
        """The main categories, or the children of `parent_id` (404 if there is no such one)."""
        every = self._all()
        if parent_id is not None and parent_id not in every:
            raise not_found(f"Category {parent_id} not found.")
        return {"categories": [self._dto(c) for c in every.values()
                               if c.get("parent") == parent_id]}

    def get(self, category_id: str) -> Doc:
        category = self._all().get(category_id)
        if category is None:
            raise not_found(f"Category {category_id} not found.")
        return self._dto(category)

    def _dto(self, category: Doc) -> Doc:
        leaf = category["id"] in self._reference.categories
        return {
            "id": category["id"],
            "name": category["name"],
            "leaf": leaf,
            "parent": {"id": category["parent"]} if category.get("parent") else None,
            "options": {
                "advertisement": False,
                "offersWithProductPublicationEnabled": True,
                "productCreationEnabled": True,
                "sellerCanRequirePurchaseComments": False,
            },
        }
