"""Size tables' and offer contacts' JSON shapes <-> canonical data. Pure: no I/O.

Canonical offer fields: `size_table` and `contact`, each the name of the account's entry
(read as an id, turned into the name by live/gpsr.py's `named`). Offers send them by name in
creates and edits (the spec takes an id or a name: one made in the same run has no id yet);
`offer-modification-commands` take a size table by id only ([SL] Modification.sizeTable) and
no contact at all.

Canonical size table: `{"template": template name, "headers": [..], "rows": [[..]]}`;
canonical contact: `{"email": .., "phones": [..]}` (no e-mail: left out).
"""

from __future__ import annotations

from typing import Any

#: kind -> (collection path, list key in its GET)
RESOURCES = {
    "size_table": ("/sale/size-tables", "tables"),
    "contact": ("/sale/offer-contacts", "contacts"),
}
TEMPLATES_PATH = "/sale/size-tables-templates"
#: the templates, kept beside the entries (name -> id), as a kind of their own
TEMPLATE = "size_table_template"
#: canonical offer field -> key of the offer body
OFFER_KEYS = {"size_table": "sizeTable", "contact": "contact"}


def reference_fields(doc: dict[str, Any]) -> dict[str, str]:
    """An offer's size table and contact ids (live/gpsr.py's `named` makes them names)."""
    out = {}
    for field, key in OFFER_KEYS.items():
        reference = doc.get(key) or {}
        if reference.get("id"):
            out[field] = str(reference["id"])
    return out


def reference_body(fields: dict[str, Any]) -> dict[str, Any]:
    """The `sizeTable` and `contact` keys of a create or PATCH body, by name."""
    return {key: {"name": fields[field]} for field, key in OFFER_KEYS.items() if field in fields}


def modification(fields: dict[str, Any], references: dict[str, dict[str, str]]
                 ) -> dict[str, Any]:
    """The size table of an `offer-modification-commands` body, by id (KeyError when the
    table has no id yet)."""
    if "size_table" not in fields:
        return {}
    return {"sizeTable": {"id": references["size_table"][fields["size_table"]]}}


def table_data(doc: dict[str, Any], template_names: dict[str, str]) -> dict[str, Any]:
    """A `PublicTableDto` as canonical data; its template by name where known."""
    template = str((doc.get("template") or {}).get("id") or "")
    return {
        "template": template_names.get(template, template),
        "headers": [str(h.get("name")) for h in doc.get("headers") or []],
        "rows": [[str(c) for c in row.get("cells") or []] for row in doc.get("values") or []],
    }


def table_body(name: str, data: dict[str, Any], template_id: str | None) -> dict[str, Any]:
    """`SizeTablePostRequest` (with the template's id) or `SizeTablePutRequest` (without:
    a table's template is fixed once it is made)."""
    body: dict[str, Any] = {
        "name": name,
        "headers": [{"name": h} for h in data["headers"]],
        "values": [{"cells": list(row)} for row in data["rows"]],
    }
    if template_id is not None:
        body["template"] = {"id": template_id}
    return body


def contact_data(doc: dict[str, Any]) -> dict[str, Any]:
    """A `ContactResponse` as canonical data."""
    emails = [str(e.get("address")) for e in doc.get("emails") or [] if e.get("address")]
    data: dict[str, Any] = {"email": emails[0]} if emails else {}
    data["phones"] = [str(p.get("number")) for p in doc.get("phones") or [] if p.get("number")]
    return data


def contact_body(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """A `ContactRequest`."""
    return {
        "name": name,
        "emails": [{"address": data["email"]}] if data.get("email") else [],
        "phones": [{"number": p} for p in data.get("phones") or []],
    }
