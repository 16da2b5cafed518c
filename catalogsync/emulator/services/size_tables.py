"""Size tables: `/sale/size-tables`, `/sale/size-tables/{tableId}` and the templates they are
built from, `/sale/size-tables-templates` ([SL] tag "Size tables"; [I#4888]).

As documented: a table has a name, headers and rows of cells (`values[].cells`); POST names the
template it is built from (`template.id`), PUT cannot change it ([SL] SizeTablePostRequest,
SizeTablePutRequest); the list is not paged. An offer names a table by id or name
(`SizeTableNotFoundException`, `NotUniqueSizeTableException` [SL]); a table in a category that
takes none is refused with "Size table is not allowed in selected category." ([I#4493]).

Guesses (the docs are silent): the bounds in catalog/limits.py (name 100 characters, 20
columns, 100 rows, cells of 50), one cell per header, the template's id must be one of the
templates; the templates below (Allegro's own are many, with images).
"""

from __future__ import annotations

from typing import Any

from catalogsync.catalog import limits
from catalogsync.catalog.size_tables import SIZE_TABLE_CATEGORIES
from catalogsync.emulator.core import checks
from catalogsync.emulator.core.errors import Doc, invalid
from catalogsync.emulator.services.seller_entries import EntryKind

#: the templates every account sees (`SizeTableTemplateResponse`)
TEMPLATES: list[Doc] = [
    {"id": "7c1d2a3e-5b0f-4c11-9d6e-0a1b2c3d4e01", "name": "Koszulki",
     "headers": [{"name": "Rozmiar"}, {"name": "Obwód klatki piersiowej (cm)"},
                 {"name": "Długość (cm)"}],
     "values": [{"cells": ["S", "", ""]}, {"cells": ["M", "", ""]}, {"cells": ["L", "", ""]}]},
    {"id": "7c1d2a3e-5b0f-4c11-9d6e-0a1b2c3d4e02", "name": "Buty",
     "headers": [{"name": "Rozmiar EU"}, {"name": "Długość wkładki (cm)"}],
     "values": [{"cells": ["40", ""]}, {"cells": ["41", ""]}]},
]
_TEMPLATE_IDS = frozenset(t["id"] for t in TEMPLATES)
NOT_ALLOWED = "Size table is not allowed in selected category."


def _cell(value: Any, path: str) -> str:
    text = checks.text(value, path)
    if len(text) > limits.CELL_MAX_CHARS:
        raise invalid(path, f"{path} may have at most {limits.CELL_MAX_CHARS} characters.")
    return text


def check_table(body: Any) -> Doc:
    """A POST or PUT body as the table keeps it (a POST's template checked)."""
    body = checks.json_object(body, "")
    name = checks.text(body.get("name"), "name")
    if len(name) > limits.SIZE_TABLE_NAME_MAX_CHARS:
        raise invalid("name", f"name may have at most {limits.SIZE_TABLE_NAME_MAX_CHARS} "
                              "characters.")
    headers = body.get("headers")
    if not isinstance(headers, list) or not 1 <= len(headers) <= limits.SIZE_TABLE_MAX_COLUMNS:
        raise invalid("headers", f"headers must list 1 to {limits.SIZE_TABLE_MAX_COLUMNS} "
                                 "columns.")
    kept_headers = [{"name": _cell(checks.json_object(h, f"headers[{i}]").get("name"),
                                   f"headers[{i}].name")} for i, h in enumerate(headers)]
    rows = body.get("values")
    if not isinstance(rows, list) or not 1 <= len(rows) <= limits.SIZE_TABLE_MAX_ROWS:
        raise invalid("values", f"values must list 1 to {limits.SIZE_TABLE_MAX_ROWS} rows.")
    kept_rows = []
    for i, row in enumerate(rows):
        cells = checks.json_object(row, f"values[{i}]").get("cells")
        if not isinstance(cells, list) or len(cells) != len(headers):
            raise invalid(f"values[{i}].cells", "Every row must have one cell per header.")
        kept_rows.append({"cells": [_cell(c, f"values[{i}].cells[{j}]")
                                    for j, c in enumerate(cells)]})
    entry: Doc = {"name": name, "headers": kept_headers, "values": kept_rows}
    if "template" in body:
        template = checks.json_object(body["template"], "template").get("id")
        if template not in _TEMPLATE_IDS:
            raise invalid("template.id", f"Size table template {template} does not exist.")
        entry["template"] = {"id": template}
    return entry


def _checked_post(body: Any) -> Doc:
    entry = check_table(body)
    if "template" not in entry:
        raise invalid("template", "template is required.")
    return entry


def keep_template(old: Doc, new: Doc) -> Doc:
    """A PUT replaces the table but keeps the template it was built from."""
    return {**new, "template": old.get("template")}


SIZE_TABLES = EntryKind("size_tables", "tables", "SizeTableNotFoundException",
                        "NotUniqueSizeTableException", _checked_post, check_table, keep_template)


def allowed_in(category_id: str | None) -> bool:
    return category_id in SIZE_TABLE_CATEGORIES
