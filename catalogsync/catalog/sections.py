"""A description as a catalog writes it: sections of one or two items, each a text or an image.
The offer's own description and its translations (catalog/translations.py) share it."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from catalogsync.catalog import limits as L
from catalogsync.catalog.values import Frozen


class TextItemSpec(Frozen):
    text: Annotated[str, Field(min_length=1)]


class ImageItemSpec(Frozen):
    image: Annotated[str, Field(min_length=1)]


DescriptionItemSpec = TextItemSpec | ImageItemSpec


def _section(value: Any) -> Any:
    """A section is a list of one or two items; a bare item is a one-item section."""
    return [value] if isinstance(value, dict) else value


Section = Annotated[
    tuple[DescriptionItemSpec, ...],
    BeforeValidator(
        _section,
        json_schema_input_type=DescriptionItemSpec
        | Annotated[
            list[DescriptionItemSpec],
            Field(min_length=L.SECTION_MIN_ITEMS, max_length=L.SECTION_MAX_ITEMS),
        ],
    ),
    Field(min_length=L.SECTION_MIN_ITEMS, max_length=L.SECTION_MAX_ITEMS),
]
